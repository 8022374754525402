/* advtrial: what one trial of an adversary cell (or of a cell with the
 * agents' defences) carries from its start to its record: the victim
 * counters before and after, the agents' secret files. A data model, no
 * code: running.h holds one per trial, advcell.c fills it, advrecord.c
 * reads it. */
#ifndef PUNCHLAB_ADVTRIAL_H
#define PUNCHLAB_ADVTRIAL_H

#include <limits.h>

struct adv_trial {
	int counted; /* victim counters read at both ends */
	unsigned long long syn0, bytes0, syn1, bytes1;
	/* peer_auth = secret: each agent's copy of the trial's secret,
	 * "" when none */
	char auth[2][PATH_MAX];
	/* start_jitter_ms: --start-jitter-ms's argument, "" when none */
	char jitter[12];
};

#endif
