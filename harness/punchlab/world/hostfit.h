/* hostfit: whether this machine holds a plan's world, judged by the
 * limits that really bind one (open files, network namespaces, tasks,
 * memory), before anything is created. The kernel's neighbour table is
 * not among them: every link is point to point with permanent entries,
 * which gc_thresh3 does not count (plan.h). */
#ifndef PUNCHLAB_HOSTFIT_H
#define PUNCHLAB_HOSTFIT_H

#include <stddef.h>

#include "plan.h"

/* What a world needs, and what the machine has; -1: unknown (skipped). */
struct hostfit {
	long files;  /* open files: one fd per namespace, plus agents */
	long netns;  /* network namespaces */
	long tasks;  /* processes and threads at once */
	long mem_kb; /* memory */
};

/* Measured on kernel 6.18 (bench/scale.sh): a home-eim x home-eim world
 * costs about 280 KiB of kernel memory per namespace (veths, routes,
 * neighbours, nft table); a margin on top. */
#define HOSTFIT_NS_KB 384
#define HOSTFIT_TASK_KB 2048
/* Trials in flight per online core. A trial in flight mostly waits (its
 * agents sleep until the start, then in poll); the cores are spent
 * starting agents. Measured here (2 cores, README "Throughput"):
 * nat-matrix's 400 trials at once (800 agents) ran without a trial
 * hanging; 256 a core leaves that room on 2 cores. */
#define HOSTFIT_TRIALS_PER_CORE 256
/* The run's one coordinator holds at most this many clients at once
 * (--max-clients default, OPTS_CLIENTS_DEFAULT in
 * harness/coordinator/opts.h); trials in flight keep
 * 1/8 of it free for clients still closing. */
#define HOSTFIT_COORD_CLIENTS 1024
/* Of the machine's free tasks and memory, a run takes at most 1/this
 * for its trials, so other runs (and the rest of the machine) keep theirs. */
#define HOSTFIT_SHARE 2
/* PUNCHLAB_INFLIGHT=N caps trials in flight further (N >= 1), e.g. to
 * measure a run at the old fixed cap of 96 (bench/throughput.sh). */
#define HOSTFIT_INFLIGHT_ENV "PUNCHLAB_INFLIGHT"

/* What plan p of scenario s needs to run at all: the world, its
 * daemons and one trial of its most crowded cell. Pure. */
void hostfit_need(const struct plan *p, const struct scenario *s,
		  struct hostfit *need);
/* What this machine has now: RLIMIT_NOFILE's hard limit,
 * user.max_net_namespaces, free pids and threads, MemAvailable. */
void hostfit_have(struct hostfit *have);
/* 0, or -E2BIG with err naming the first limit need exceeds, its value,
 * and what to do. Pure. */
int hostfit_compare(const struct hostfit *need, const struct hostfit *have,
		    const char *path, int ncells, char *err, size_t err_cap);
/* need and have of the plan on this machine, compared. */
int hostfit_check(const struct plan *p, const struct scenario *s, char *err,
		  size_t err_cap);
/* Trials at once for plan p of scenario s on a machine that has *have
 * with ncores cores: the scenario's own ceiling (cells x parallel) cut to
 * what is left of the open files, HOSTFIT_SHARE's part of the free tasks
 * and memory once the world holds its need, 7/8 of the coordinator's
 * client table, and HOSTFIT_TRIALS_PER_CORE a core; cap > 0 cuts it further. Unknown limits (-1, ncores <= 0) cut
 * nothing. At least 1. Pure. */
long hostfit_inflight_of(const struct plan *p, const struct scenario *s,
			 const struct hostfit *have, long ncores, long cap);
/* The same for this machine now, cap from HOSTFIT_INFLIGHT_ENV. */
long hostfit_inflight(const struct plan *p, const struct scenario *s);
/* Raises this process's RLIMIT_NOFILE soft limit to its hard limit (a
 * world holds one fd per namespace). 0 or -errno. */
int hostfit_raise_nofile(void);

#endif
