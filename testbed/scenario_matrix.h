/* scenario_matrix: [matrix NAME] sections and their expansion into one
 * cell per combination. Private to the scenario reader. */
#ifndef PUNCHLAB_SCENARIO_MATRIX_H
#define PUNCHLAB_SCENARIO_MATRIX_H

#include "scenario_priv.h"

int scenario_matrix_section(struct scenario_ctx *c, const char *name,
			    int line, struct cfg_error *err);
int scenario_matrix_key(struct scenario_ctx *c, const char *key,
			const char *v, int line, struct cfg_error *err);
int scenario_expand(struct scenario_ctx *c, struct scenario_matrix *m,
		    struct cfg_error *err);

#endif
