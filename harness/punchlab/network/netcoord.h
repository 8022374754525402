/* netcoord: a network phase's coordinators — punch-coordinator in each of
 * the first C reachable nodes' namespaces on port 18445, in the phase's
 * mode, started for the phase and stopped by pid after it. */
#ifndef PUNCHLAB_NETCOORD_H
#define PUNCHLAB_NETCOORD_H

#include <sys/types.h>

#include "daemons.h"
#include "netplan.h"

/* The mode phase ph's daemons run: the phase's own, except advertised on
 * a daemon without it (advertised = 0: its --help does not list it),
 * which runs as rendezvous; NULL for an off phase. */
const char *netcoord_mode(const struct scenario_netphase *ph, int advertised);
/* 1 when bindir's punch-coordinator lists `advertised` in its --help. */
int netcoord_has_advertised(const char *bindir);
/* Starts one daemon per coordinator of np in mode, files
 * coord-r<j>-<phase>.{jsonl,log} in env->dir; pids into pids[]
 * (np->s->net->coordinators of them). 0, or -errno after stopping
 * those that started. */
int netcoord_start(struct world *w, const struct netplan *np,
		   const struct daemons_env *env, const char *phase,
		   const char *mode, pid_t *pids);
/* Stops n daemons by pid (SIGTERM, then SIGKILL after a second) and
 * forgets them in the cleanup registry. */
void netcoord_stop(struct world *w, pid_t *pids, int n);

#endif
