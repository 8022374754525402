/* scenario_family: the cell key `family = 4 | 6` — which family the two
 * agents punch over — and what family = 6 needs: a coordinator (charlie's
 * --listen6), the embedded node, a strategy that applies without a NAT,
 * an honest cell, and IPv6 in both homes. Private to the scenario
 * reader. */
#ifndef PUNCHLAB_SCENARIO_FAMILY_H
#define PUNCHLAB_SCENARIO_FAMILY_H

#include "scenario_priv.h"

/* After scenario_home_check (b is known): 0, or -1 with err naming the
 * key that cannot go with family = 6 where it was written (the cell's
 * line, or [scenario]'s key; family itself when mode or node forbid). */
int scenario_family_check(struct scenario_ctx *c,
			  const struct scenario_cell *cell,
			  struct cfg_error *err);

#endif
