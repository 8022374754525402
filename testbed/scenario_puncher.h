/* scenario_puncher: [puncher NAME] sections and the puncher, puncher_a and
 * puncher_b keys of [scenario], [cell] and [matrix]. Private to the
 * scenario reader. */
#ifndef PUNCHLAB_SCENARIO_PUNCHER_H
#define PUNCHLAB_SCENARIO_PUNCHER_H

#include "scenario_priv.h"

/* "[puncher NAME]": name points past "puncher". 0 or -1 with err->msg. */
int scenario_puncher_section(struct scenario_ctx *c, const char *name,
			     int line, struct cfg_error *err);
/* A key of the section being read, if it is a puncher key: 1 when it is
 * not one (the caller goes on), 0 when taken, -1 with err->msg. */
int scenario_puncher_key(struct scenario_ctx *c, const char *key,
			 const char *v, int line, struct cfg_error *err);
/* Once the whole file is read and matrices are expanded: every [puncher]
 * has a command, every reference names one (or "agent"); fills each
 * cell's puncher[]. 0 or -1 with err (file, line, key). */
int scenario_puncher_resolve(struct scenario_ctx *c, struct cfg_error *err);
/* A [matrix]'s puncher combinations: how many (>= 1), and combination k
 * for the cell at index cell (its references, and the ":puncher=X" part
 * of its name into suffix). */
int scenario_puncher_combos(const struct scenario_matrix *m);
void scenario_puncher_combo(struct scenario_ctx *c,
			    const struct scenario_matrix *m, int k, int cell,
			    char *suffix, size_t cap);

#endif
