/* btctrial: one trial with real bitcoind on both homes. */
#ifndef PUNCHLAB_BTCTRIAL_H
#define PUNCHLAB_BTCTRIAL_H

#include <jansson.h>

#include "btcagent.h"
#include "btcnode.h"
#include "outcomes.h"
#include "trialcfg.h"

/* Runs trial of cell between node[0] and node[1], filling rec. kept: the
 * star keeps a successful pair's agents (and so the punched connection)
 * running in kept[0..1]; NULL stops them. */
enum outcome_code btctrial_run(const struct trials_cfg *cfg, int cell,
			       int trial, struct btcnode *node, json_t *rec,
			       struct btcagent *kept);

#endif
