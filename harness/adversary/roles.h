/* roles: punch-adversary's table of roles (docs/adversaries.md, section
 * 3). Each role's entry point is declared here and defined in its own
 * file; main.c looks the --role name up in adv_roles. */
#ifndef PUNCHLAB_ADV_ROLES_H
#define PUNCHLAB_ADV_ROLES_H

#include <stddef.h>

#include "adv.h"

extern const char adv_flood_usage[];
int adv_flood(struct adv_ctx *c, int argc, char **argv);

extern const struct adv_role adv_roles[];
extern const size_t adv_nroles;

#endif
