/* scenario_network: the [network] section (docs/network.md section 1) —
 * many nodes on one world instead of cells — and its population, read
 * from a population CSV or an inline list. Private to the scenario
 * reader. */
#ifndef PUNCHLAB_SCENARIO_NETWORK_H
#define PUNCHLAB_SCENARIO_NETWORK_H

#include "scenario_priv.h"

/* The [network] header; rest is what follows the word (must be empty).
 * Allocates c->s->net. 0 or -1 with err. */
int scenario_network_section(struct scenario_ctx *c, const char *rest, int line,
			     struct cfg_error *err);
/* One key of [network]. 0 or -1 with err->msg. */
int scenario_network_key(struct scenario_ctx *c, const char *key, const char *v,
			 int line, struct cfg_error *err);
/* Once the file is read: defaults that depend on other keys, the
 * population loaded (its profiles from c->profile_dir), the phases, and
 * the refusals (cells, matrices, punchers, [scenario] keys a network
 * does not use). 0 or -1 with err naming file, line and key. */
int scenario_network_check(struct scenario_ctx *c, struct cfg_error *err);

#endif
