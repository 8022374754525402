/* roles: the table. One line per role; the role's file holds its code. */
#include "roles.h"

const struct adv_role adv_roles[] = {
	{"redirect", "    --listen IP:PORT --victim IP:PORT\n", adv_redirect_run},
	{"impersonate", "    --listen IP:PORT\n", adv_impersonate_run},
	{"withhold", "    --listen IP:PORT\n", adv_withhold_run},
	{"delay", "    --listen IP:PORT [--delay-ms N]\n", adv_delay_run},
	{"hijack", "    --target IP:PORT --keys FIRST:COUNT\n", adv_hijack_run},
	{"inject", adv_inject_usage, adv_inject},
	{"flood", adv_flood_usage, adv_flood},
};

const size_t adv_nroles = sizeof(adv_roles) / sizeof(adv_roles[0]);
