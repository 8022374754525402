/* trialcfg: what every part of the trial engine is given — the scenario,
 * the world, where agents and logs go, the stop flag, which trials, and
 * (handoff, advertised) the coordinator's control channel. A data model,
 * no code. */
#ifndef PUNCHLAB_TRIALCFG_H
#define PUNCHLAB_TRIALCFG_H

#include <signal.h>

#include "scenario.h"
#include "world.h"

struct advcells;
struct coordctl;
struct shapeboard;
struct trialrtt;

struct trials_cfg {
	const struct scenario *s;
	struct world *w;
	const char *agent_path;
	int log_fd; /* agents' stderr */
	volatile sig_atomic_t *stop;
	int progress; /* 1: \r line on a terminal, 0: plain lines */
	int only_cell, only_trial; /* -1: all */
	const char *run_dir;
	/* handoff, advertised: the coordinator's "held" reports (coordctl.h) */
	struct coordctl *ctl;
	/* bitcoind node modes (btctrials.c) */
	const char *bitcoind;
	/* the shaper's board (shapeboard.h), NULL when nothing is shaped */
	struct shapeboard *board;
	/* --trial-rtt-ms (trialrtt.h), NULL: each cell's own rtt_ms */
	const struct trialrtt *trial_rtt;
	/* adversary cells and defences (advcell.h); trials_run makes it */
	struct advcells *adv;
};

#endif
