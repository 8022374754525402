/* puncher: outside punchers in the trial engine — the agent options that
 * make a side's agent run the program (--exec), the per-trial tokens and
 * stderr files, and the harness's own verdict for verify = conntrack (an
 * assured flow between the two public endpoints in both routers). */
#ifndef PUNCHLAB_PUNCHER_H
#define PUNCHLAB_PUNCHER_H

#include <jansson.h>

#include "trialcfg.h"

/* One trial's outside-puncher state: each side's token and stderr file. */
struct puncher_trial {
	char token[2][33];
	char stderr_path[2][512];
};

/* Random tokens for both sides. */
void puncher_tokens(struct puncher_trial *pt);
/* Appends side s's --exec options for trial (cell, trial) to argv
 * (nothing for the built-in agent); returns how many; they point into pt
 * and the scenario. Creates <run>/punchers/ for the stderr file. */
int puncher_argv(const struct trials_cfg *cfg, int cell, int trial, int s,
		 struct puncher_trial *pt, char **argv);
/* Before the two reports are combined: adds "puncher" to each, and for a
 * side verified by conntrack whose program ran, turns its outcome into
 * "ok" when both routers hold an assured TCP flow between the two
 * public endpoints ("verified": "conntrack" either way). */
void puncher_judge(const struct trials_cfg *cfg, int cell, json_t *rep[2]);

#endif
