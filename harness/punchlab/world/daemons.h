/* daemons: starting the run's long-lived helpers (coordinator, shaper) in
 * their namespaces, with output files in the run folder and readiness
 * polled from their "ready" events. */
#ifndef PUNCHLAB_DAEMONS_H
#define PUNCHLAB_DAEMONS_H

#include <signal.h>
#include <sys/types.h>

#include "coordctl.h"
#include "scenario.h"
#include "world.h"

/* Where and how the daemons of one session run. */
struct shapeboard;

struct daemons_env {
	const char *bindir; /* where the punch-* programs are */
	const char *dir;    /* run folder: <name>.jsonl and <name>.log */
	volatile sig_atomic_t *stop; /* stops a readiness wait */
	int keep;	    /* they outlive punchlab (punchlab up) */
	int realtime;	    /* coordinator and shaper under SCHED_FIFO (rt.h) */
};

/* punch-coordinator on charlie in the scenario's mode (handoff: with one
 * inbound slot; out of band: punch-probe-server instead); pid or -errno.
 * ctl non-NULL: *ctl gets the reader of the coordinator's control
 * channel (--control-fd), NULL for the probe server; the caller frees it
 * with coordctl_free. */
pid_t daemons_coordinator(struct world *w, const struct daemons_env *env,
			  enum scenario_mode mode, int verbose,
			  struct coordctl **ctl);
/* Link conditions of every cell: queue rules plus punch-shaper in inet
 * (or netem). *method_name: "none", "netem" or "nfqueue". With the
 * shaper, *board gets the run's shapeboard (/run/punchlab/<rid>/
 * shapeboard, a slot per queue number; the caller closes it), else NULL.
 * 0 or -errno. */
int daemons_shaper(struct world *w, const struct scenario *s,
		   const struct daemons_env *env, const char **method_name,
		   struct shapeboard **board);
/* Any daemon of ours (argv[0] a program name next to punchlab) in the
 * namespace ns_fd, output to <name>.jsonl and <name>.log in env->dir,
 * registered for cleanup; returns once <name>.jsonl has a line with
 * event. pid or -errno. For the network run's coordinators
 * (harness/punchlab/network/). */
pid_t daemons_start(struct world *w, int ns_fd, const struct daemons_env *env,
		    const char *name, char **argv, const char *event);
/* The same, waiting for event in the run folder's file events, which the
 * daemon writes itself (punch-adversary --events). */
pid_t daemons_start_events(struct world *w, int ns_fd,
			   const struct daemons_env *env, const char *name,
			   char **argv, const char *events, const char *event);

#endif
