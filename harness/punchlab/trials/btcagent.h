/* btcagent: a bitcoind trial's two punch-agents, read line by line: the
 * "punched" and "spliced" events, then the final report. */
#ifndef PUNCHLAB_BTCAGENT_H
#define PUNCHLAB_BTCAGENT_H

#include <jansson.h>
#include <sys/types.h>

#include "trialcfg.h"

#define BTCAGENT_LINE_MAX 65536

struct btcagent {
	pid_t pid;
	int fd;
	char buf[BTCAGENT_LINE_MAX];
	size_t len;
	json_t *punched, *spliced, *report; /* owned until taken */
};

/* Starts side s's agent of (cell, trial). 0 or -errno. */
int btcagent_start(const struct trials_cfg *cfg, int cell, int trial, int s,
		   struct btcagent *a);
/* Reads whatever the pair ag[0..1] wrote, for up to ms. */
void btcagent_pump(struct btcagent *ag, int ms);
/* Stops and reaps both, reading their last lines first. */
void btcagent_finish(const struct trials_cfg *cfg, struct btcagent *ag);

#endif
