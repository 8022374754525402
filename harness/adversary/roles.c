/* roles: the table. One line per role; the role's file holds its code. */
#include "roles.h"

const struct adv_role adv_roles[] = {
	{"flood", adv_flood_usage, adv_flood},
};

const size_t adv_nroles = sizeof(adv_roles) / sizeof(adv_roles[0]);
