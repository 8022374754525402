/* puncher: outside punchers in the trial engine — the agent options that
 * make a side's agent run the program (--exec), the per-trial tokens and
 * stderr files, and the harness's own verdict for verify = conntrack (an
 * assured flow between the two public endpoints in both routers). */
#ifndef PUNCHLAB_PUNCHER_H
#define PUNCHLAB_PUNCHER_H

#include <jansson.h>

#include "running.h"

/* Random tokens for both sides of r (r->token). */
void puncher_tokens(struct running *r);
/* Appends side s's --exec options to argv (nothing for the built-in
 * agent); returns how many. Creates <run>/punchers/ for the stderr file. */
int puncher_argv(const struct trials_cfg *cfg, struct running *r, int s,
		 char **argv);
/* Before the two reports are combined: adds "puncher" to each, and for a
 * side verified by conntrack whose program ran, turns its outcome into
 * "ok" when both routers hold an assured TCP flow between the two
 * public endpoints ("verified": "conntrack" either way). */
void puncher_judge(const struct trials_cfg *cfg, int cell, json_t *rep[2]);

#endif
