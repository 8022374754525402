/* celldraw: the conditions of one trial — the cell's fixed values, and
 * for each key given as a distribution (conddist.h) a value drawn with
 * the seed of (scenario seed, cell name, trial, key), so a replayed
 * trial (`punchlab run --cell X --trial N`) meets the same conditions. */
#ifndef PUNCHLAB_CELLDRAW_H
#define PUNCHLAB_CELLDRAW_H

#include "scenario_model.h"

/* 1 when any key of the cell is a distribution. */
int celldraw_any(const struct scenario_cell *c);
/* 1 when a key the shaper applies (delays, jitter, loss) is one: the
 * cell's queues change per trial, so its trials run one at a time. */
int celldraw_shaper(const struct scenario_cell *c);
/* 1 when the cell needs shaped paths for some trial. */
int celldraw_shaped(const struct scenario_cell *c);
/* Trial `trial` of cell `cell` of s: its conditions into *out. */
void celldraw_trial(const struct scenario *s, int cell, int trial,
		    struct cell_cond *out);
/* Trials of the cell in flight at once: s->parallel, or 1 (above). */
int celldraw_parallel(const struct scenario *s, int cell);

#endif
