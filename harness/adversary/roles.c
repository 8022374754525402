/* roles: the table. One line per role; the role's file holds its code. */
#include "roles.h"

const struct adv_role adv_roles[] = {
	{"inject", adv_inject_usage, adv_inject},
};

const size_t adv_nroles = sizeof(adv_roles) / sizeof(adv_roles[0]);
