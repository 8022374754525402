/* trialrtt: punchlab run --trial-rtt-ms, a list of RTTs that trial t of
 * every shaped cell runs at (the t-th, cycling) instead of the cell's
 * rtt_ms, written to the shaper's board (shapeboard.h) just before the
 * trial's agents start. A test and benchmark hook for the board: the
 * cell's other trials in flight share its links, so give parallel = 1. */
#ifndef PUNCHLAB_TRIALRTT_H
#define PUNCHLAB_TRIALRTT_H

#include "trialcfg.h"

#define TRIALRTT_MAX 64

struct trialrtt {
	int n; /* 0: off */
	double ms[TRIALRTT_MAX];
};

/* "20,200.5,..." (ms, decimals, 0..2 x SHAPESPEC_MAX_DELAY_MS each) into
 * t. 0, or -EINVAL with what is wrong on stderr. */
int trialrtt_parse(const char *s, struct trialrtt *t);
/* Sets the cell's link queues (and its coordinator paths' inbound
 * queues) to the trial's RTT, keeping the cell's jitter and loss. No-op
 * without a list, a board, or when the cell is not shaped. */
void trialrtt_apply(const struct trials_cfg *cfg, int cell, int trial);

#endif
