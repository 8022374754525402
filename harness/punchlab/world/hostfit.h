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
/* The trial scheduler runs at most this many trials at once (trials.c
 * MAX_INFLIGHT), two agents each. */
#define HOSTFIT_TRIALS_AT_ONCE 96

/* What plan p of scenario s needs. Pure. */
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
/* Raises this process's RLIMIT_NOFILE soft limit to its hard limit (a
 * world holds one fd per namespace). 0 or -errno. */
int hostfit_raise_nofile(void);

#endif
