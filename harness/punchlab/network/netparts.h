/* netparts: the K punch-net processes of one network phase — started in
 * the run's inet namespace with one epoch T0 (they only open sockets in
 * the nodes' namespaces, through setns), waited for with a deadline, and
 * stopped by pid past it. */
#ifndef PUNCHLAB_NETPARTS_H
#define PUNCHLAB_NETPARTS_H

#include <signal.h>
#include <stdint.h>

#include "netplan.h"
#include "world.h"

/* Sockets one punch-net process holds at most (docs/network.md 3), well
 * below a default RLIMIT_NOFILE hard limit. */
#define NETPARTS_SOCKETS 15000

/* K: ceil(sockets the phase needs / NETPARTS_SOCKETS), at least 2 (the
 * machine's two cores). */
int netparts_count(const struct netplan *np);

struct netparts_phase {
	const char *prog;    /* punch-net */
	const char *dir;     /* run folder: nodes.json, phase files, logs */
	const char *phase;   /* its name */
	int parts;	     /* K */
	int64_t epoch_ns;    /* T0, CLOCK_MONOTONIC */
	int64_t deadline_ns; /* stop what still runs then */
	volatile sig_atomic_t *stop;
};

/* Runs one phase's parts to their end. The number of parts that failed
 * (exit status not 0, stopped at the deadline, or no --out file), or
 * -errno when they could not be started (those started are stopped). */
int netparts_run(struct world *w, const struct netparts_phase *ph);

#endif
