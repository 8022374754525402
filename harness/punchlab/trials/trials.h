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
#include "trialcfg.h"

/* Runs every trial, appending one JSON line per trial to jsonl and
 * filling res[0..ncells) (each initialised with results_cell_init).
 * 0, -EINTR when *stop was set, or -errno. */
int trials_run(const struct trials_cfg *cfg, FILE *jsonl,
	       struct cell_result *res);
#endif
