/* trials: runs a scenario's trials in a built world — a pair of
 * punch-agent processes per trial, many trials in flight — and folds the
 * two agents' reports into one trial record (record.c) and the cells'
 * results (results.h). The coordinator mode decides how a trial starts
 * (modes.h); bitcoind node modes run one pair at a time (btctrials.c). */
#ifndef PUNCHLAB_TRIALS_H
#define PUNCHLAB_TRIALS_H

#include <signal.h>
#include <stdio.h>

#include "results.h"
#include "scenario.h"
#include "world.h"

struct coordctl;

struct trials_cfg {
	const struct scenario *s;
	struct world *w;
	const char *agent_path;
	int log_fd; /* agents' stderr */
	volatile sig_atomic_t *stop;
	int progress; /* 1: \r line on a terminal, 0: plain lines */
	int only_cell, only_trial; /* -1: all */
	const char *run_dir;
	/* handoff: the coordinator's "held" reports (coordctl.h) */
	struct coordctl *ctl;
	/* bitcoind node modes (btctrials.c) */
	const char *bitcoind;
};

/* Runs every trial, appending one JSON line per trial to jsonl and
 * filling res[0..ncells) (each initialised with results_cell_init).
 * 0, -EINTR when *stop was set, or -errno. */
int trials_run(const struct trials_cfg *cfg, FILE *jsonl,
	       struct cell_result *res);
/* bitcoind node modes: a pair of regtest nodes per cell, trials one at a
 * time; success = both list each other and a block mined on the
 * initiator's node reaches the responder's. Same contract. */
int btctrials_run(const struct trials_cfg *cfg, FILE *jsonl,
		  struct cell_result *res);

#endif
