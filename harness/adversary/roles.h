/* roles: punch-adversary's table of roles (docs/adversaries.md, section
 * 3). Each role's entry point is declared here and defined in its own
 * file; main.c looks the --role name up in adv_roles. */
#ifndef PUNCHLAB_ADV_ROLES_H
#define PUNCHLAB_ADV_ROLES_H

#include <stddef.h>

#include "adv.h"

/* The lying coordinator's roles and the hijacker (docs/adversaries.md,
 * section 3): redirect.c, impersonate.c, withhold.c, delay.c, hijack.c. */
int adv_redirect_run(struct adv_ctx *c, int argc, char **argv);
int adv_impersonate_run(struct adv_ctx *c, int argc, char **argv);
int adv_withhold_run(struct adv_ctx *c, int argc, char **argv);
int adv_delay_run(struct adv_ctx *c, int argc, char **argv);
int adv_hijack_run(struct adv_ctx *c, int argc, char **argv);
extern const char adv_flood_usage[];
int adv_flood(struct adv_ctx *c, int argc, char **argv);

extern const struct adv_role adv_roles[];

int adv_inject(struct adv_ctx *c, int argc, char **argv);
extern const char adv_inject_usage[];
extern const size_t adv_nroles;

#endif
