/* record: a finished trial into trials.jsonl and its cell's results. */
#ifndef PUNCHLAB_RECORD_H
#define PUNCHLAB_RECORD_H

#include <stdio.h>

#include "running.h"

/* A new trial record with what names the trial: scenario, run_id, cell,
 * a, b, trial, seed (the caller's to json_decref). */
json_t *record_head(const struct trials_cfg *cfg, int cell, int trial);
/* Both agents of r have ended: appends the trial's JSON line to jsonl,
 * accounts it in res, and for a failure the cell does not expect prints
 * the command that replays exactly this trial. */
void record_trial(const struct trials_cfg *cfg, struct running *r,
		  FILE *jsonl, struct cell_result *res);

#endif
