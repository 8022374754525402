/* ladder: a ladder cell's trial (docs/alternatives.md section 6) — every
 * mechanism the cell lists, in order, between the same alice and bob,
 * each a step of fresh processes with the cell's timeout: direct (bob
 * serves, alice dials his public address), pcp, ipv6-direct, ipv6-punch,
 * ipv4-punch (today's trial). A mechanism the world cannot offer is
 * recorded `unavailable` with why, without processes. The scheduler
 * (trials.c) drives it; record.c writes its steps. */
#ifndef PUNCHLAB_LADDER_H
#define PUNCHLAB_LADDER_H

#include "running.h"

struct json_t;

/* 1 when r's cell is a ladder cell. */
int ladder_cell(const struct trials_cfg *cfg, const struct running *r);
/* Starts the first step that runs processes (steps before it recorded
 * unavailable). 0 or -errno. */
int ladder_begin(const struct trials_cfg *cfg, struct running *r);
/* Moves the running step on: alice starts once bob listens; bob's
 * listener is stopped once alice has ended. */
void ladder_poll(const struct trials_cfg *cfg, struct running *r);
/* Every process of the step has ended: records it and starts the next.
 * 1 when a step runs, 0 when the ladder is over (the ipv4-punch step's
 * reports back in r->sd for record.c), -errno. */
int ladder_next(const struct trials_cfg *cfg, struct running *r);
/* A ladder trial's outcome and time (nothing for another trial): ok
 * when any mechanism connected, *ttc the ms of the first that did (its
 * own time: what the failed steps before it cost depends on the timeout
 * a node would choose, and a failed step's ms is the harness's view), *hs
 * -1; else the ipv4-punch step's outcome (or the last step's) as *o. */
void ladder_outcome(const struct running *r, enum outcome_code *o, double *ttc,
		    double *hs);
/* The shaper counters a ladder trial's record measures between: *from
 * and *to set to its ipv4-punch step's start and end, 1; 0 when no punch
 * step ran (nothing of the trial is timed, "timing_step" null); 1 and
 * untouched for a trial that is not a ladder's. */
int ladder_board(const struct running *r, const struct shapeboard_stats **from,
		 const struct shapeboard_stats **to);
/* A ladder trial's "ladder" (one object per step, in order), "first"
 * (the first mechanism that connected, or null) and "timing_step" (the
 * step the timing fields judge: ipv4-punch, or null) into its record t and
 * its cell's fold (results_ladder); nothing for another trial. */
void ladder_record(struct json_t *t, const struct running *r,
		   struct cell_result *res);

#endif
