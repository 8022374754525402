/* scenario_ladder: a cell's `mechanisms` list and its `expect_<mechanism>`
 * keys (docs/alternatives.md section 6) into struct cell_ladder
 * (scenario_model.h). The names are for everyone (trials, results); the
 * keys and the check are the scenario reader's. */
#ifndef PUNCHLAB_SCENARIO_LADDER_H
#define PUNCHLAB_SCENARIO_LADDER_H

#include "cfg.h"
#include "scenario_model.h"

struct scenario_ctx;

/* "direct", "pcp", "ipv6-direct", "ipv6-punch", "ipv4-punch", indexed by
 * enum ladder_mech; NULL-terminated. */
extern const char *const scenario_ladder_names[];

/* key = v, written at line, into *l. 1 when key is not one of these (the
 * caller goes on), 0 when taken, -1 with err->msg. */
int scenario_ladder_key(struct cell_ladder *l, const char *key, const char *v,
			int line, struct cfg_error *err);
/* Once the file is read: expect_<m> only for a listed m, and a ladder only
 * where its steps can run (rendezvous, the built-in node, no attack).
 * 0 or -1 with err naming file:line:key. */
int scenario_ladder_check(const struct scenario_ctx *c,
			  const struct scenario_cell *cell,
			  struct cfg_error *err);
/* 1 when the ladder of cell lists m. */
int scenario_ladder_has(const struct cell_ladder *l, enum ladder_mech m);

#endif
