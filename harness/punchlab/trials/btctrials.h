/* btctrials: the bitcoind node modes' trial runners. */
#ifndef PUNCHLAB_BTCTRIALS_H
#define PUNCHLAB_BTCTRIALS_H

#include <stdio.h>

#include "results.h"
#include "trialcfg.h"

/* bitcoind node modes: a pair of regtest nodes per cell, trials one at a
 * time; success = both list each other and a block mined on the
 * initiator's node reaches the responder's. Same contract as trials_run
 * (trials.h). */
int btctrials_run(const struct trials_cfg *cfg, FILE *jsonl,
		  struct cell_result *res);
/* Star: every home's node connects out to a hub node on charlie, each
 * cell punches once and keeps its connection, then a block mined on the
 * first alice is timed at every node (star.json). */
int btcstar_run(const struct trials_cfg *cfg, FILE *jsonl,
		struct cell_result *res);

#endif
