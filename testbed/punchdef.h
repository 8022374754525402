/* punchdef: the outside punchers of a read scenario (scenario_model.h) —
 * which one a cell's side runs, and the names results use. */
#ifndef PUNCHLAB_PUNCHDEF_H
#define PUNCHLAB_PUNCHDEF_H

#include "scenario_model.h"

/* "token", "conntrack", NULL: as scenario files spell verify. */
extern const char *const scenario_verify_names[];
const char *scenario_verify_name(enum scenario_verify v);

/* The puncher of a cell's side (0 alice, 1 bob): NULL for the built-in
 * agent, whose label is "agent". */
const struct scenario_puncher *
scenario_cell_puncher(const struct scenario *s, const struct scenario_cell *c,
		      int side);
const char *scenario_puncher_label(const struct scenario *s,
				   const struct scenario_cell *c, int side);

#endif
