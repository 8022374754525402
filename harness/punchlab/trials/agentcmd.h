/* agentcmd: the punch-agent command line of one side of one trial — its
 * coordinator (or side channel), key, punch port, name carrying the run
 * id, timeout, skew, strategy and node mode. */
#ifndef PUNCHLAB_AGENTCMD_H
#define PUNCHLAB_AGENTCMD_H

#include "trialcfg.h"

#define AGENTCMD_ARGS 64 /* argv slots, with puncher.h's */
#define AGENTCMD_BUFS 13 /* strings of 64 bytes */

/* The key the coordinator pairs a trial's two agents by: unique per
 * trial in the run. */
unsigned long long agentcmd_key(int cell, int trial);
/* argv for side s (0 alice, 1 bob) of (cell, trial) into argv, strings in
 * buf; returns argc. */
int agentcmd_argv(const struct trials_cfg *cfg, int cell, int trial, int s,
		  char **argv, char (*buf)[64]);
/* A background node on host h (0-based) of side s's home during (cell,
 * trial): side s's agent command line with the same local port, a key no
 * other agent registers (it waits for a peer that never comes, holding
 * its mapping at the router), and a name <rid>-c<cell>-<a|b><h+1>-t<trial>.
 * Returns argc. */
int agentcmd_background_argv(const struct trials_cfg *cfg, int cell,
			     int trial, int s, int h, char **argv,
			     char (*buf)[64]);

#endif
