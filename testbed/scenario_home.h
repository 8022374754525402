/* scenario_home: what a cell's homes may hold — `home = shared` puts bob
 * behind alice's router, `hosts_a`/`hosts_b` add background nodes — and
 * the checks that tie those keys to b, the mode and the node. Private to
 * the scenario reader. */
#ifndef PUNCHLAB_SCENARIO_HOME_H
#define PUNCHLAB_SCENARIO_HOME_H

#include "scenario_priv.h"

/* A [matrix] without b: allowed only when every cell it makes is a
 * shared home (its own home list, or [scenario]'s home). 0 or -1 with
 * err naming the matrix's line. */
int scenario_home_matrix_check(struct scenario_ctx *c,
			       const struct scenario_matrix *m,
			       struct cfg_error *err);
/* 1 when the matrix's combination (a index ia, b index ib, swept value
 * indices idx) is a shared home whose b names another profile than a:
 * such a combination is not a cell (one router, one profile). */
int scenario_home_skip(const struct scenario_matrix *m, int ia, int ib,
		       const int *idx);
/* Once [scenario]'s conditions are in: a shared home's b is a's router
 * (copied when left out, refused when it names another profile), and the
 * keys that need a second router, the coordinator's rendezvous or the
 * built-in node are refused where they cannot run. 0 or -1 with err. */
int scenario_home_check(struct scenario_ctx *c, struct scenario_cell *cell,
			struct cfg_error *err);

#endif
