/* hostfit: a world's needs against the machine's limits, before the
 * first namespace exists. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "hostfit.h"

/* Tasks one trial of the scenario's most crowded cell runs: its two
 * agents and the background nodes of its homes. */
static long trial_tasks(const struct scenario *s)
{
	long per_trial = 2;

	for (int c = 0; c < s->ncells; c++) {
		long n = 2 + (long)s->cells[c].cond.hosts_a +
			 (long)s->cells[c].cond.hosts_b;

		if (n > per_trial)
			per_trial = n;
	}
	return per_trial;
}

/* Each agent: pidfd, pipes both ways, in punchlab. */
#define HOSTFIT_TASK_FILES 4

void hostfit_need(const struct plan *p, const struct scenario *s,
		  struct hostfit *need)
{
	/* one trial's agents, daemons (coordinator, shaper and their
	 * children) */
	long tasks = trial_tasks(s) + 16;

	/* star: every home's bitcoind stays up, each with its threads */
	if (s->star && s->node != SCENARIO_NODE_EMBEDDED)
		tasks += 2L * s->ncells * 32;
	/* one miniupnpd (single-threaded) per PCP router, all run long */
	for (int i = 0; i < p->nnats; i++)
		tasks += p->nats[i].profile->pcp.server != PCP_SERVER_OFF;
	need->netns = p->nns;
	need->tasks = tasks;
	/* stdio and libraries: 64 */
	need->files = p->nns + HOSTFIT_TASK_FILES * tasks + 64;
	need->mem_kb = (long)p->nns * HOSTFIT_NS_KB + tasks * HOSTFIT_TASK_KB;
}

/* lim cut to (room left of have over need) / cost a trial, share-th of
 * it; unknown have leaves lim. */
static long fit(long lim, long have, long need, long cost, long share)
{
	long n;

	if (have < 0)
		return lim;
	n = (have - need) / share / cost + 1; /* need holds one trial */
	return n < lim ? n : lim;
}

long hostfit_inflight_of(const struct plan *p, const struct scenario *s,
			 const struct hostfit *have, long ncores, long cap)
{
	long per = trial_tasks(s),
	     n = (long)s->ncells * (s->parallel > 0 ? s->parallel : 1);
	struct hostfit need;

	hostfit_need(p, s, &need);
	n = fit(n, have->files, need.files, HOSTFIT_TASK_FILES * per, 1);
	n = fit(n, have->tasks, need.tasks, per, HOSTFIT_SHARE);
	n = fit(n, have->mem_kb, need.mem_kb, per * HOSTFIT_TASK_KB,
		HOSTFIT_SHARE);
	/* every agent of a trial may be the coordinator's client */
	if (n > HOSTFIT_COORD_CLIENTS * 7 / 8 / per)
		n = HOSTFIT_COORD_CLIENTS * 7 / 8 / per;
	if (ncores > 0 && n > ncores * HOSTFIT_TRIALS_PER_CORE)
		n = ncores * HOSTFIT_TRIALS_PER_CORE;
	if (cap > 0 && n > cap)
		n = cap;
	return n < 1 ? 1 : n;
}

/* The first number in a /proc file, after skip fields; -1 if none. */
static long proc_long(const char *path, const char *key)
{
	char line[256];
	long v = -1;
	FILE *f = fopen(path, "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (key && strncmp(line, key, strlen(key)))
			continue;
		if (sscanf(key ? line + strlen(key) : line, "%ld", &v) != 1)
			v = -1;
		break;
	}
	fclose(f);
	return v;
}

/* Tasks the machine can still start: pid_max and threads-max, less what
 * runs now (/proc/loadavg's "running/total"). */
static long free_tasks(void)
{
	long pid_max = proc_long("/proc/sys/kernel/pid_max", NULL),
	     threads = proc_long("/proc/sys/kernel/threads-max", NULL),
	     lim = pid_max, now = 0, run;
	FILE *f = fopen("/proc/loadavg", "re");

	if (f) {
		if (fscanf(f, "%*s %*s %*s %ld/%ld", &run, &now) != 2)
			now = 0;
		fclose(f);
	}
	if (threads > 0 && (lim < 0 || threads < lim))
		lim = threads;
	return lim < 0 ? -1 : lim - now;
}

void hostfit_have(struct hostfit *have)
{
	struct rlimit rl;

	have->files = -1;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_max != RLIM_INFINITY)
		have->files = (long)rl.rlim_max;
	have->netns = proc_long("/proc/sys/user/max_net_namespaces", NULL);
	have->tasks = free_tasks();
	have->mem_kb = proc_long("/proc/meminfo", "MemAvailable:");
}

int hostfit_compare(const struct hostfit *need, const struct hostfit *have,
		    const char *path, int ncells, char *err, size_t err_cap)
{
	const char *what = NULL, *todo = NULL;
	long n = 0, h = 0;

	if (have->files >= 0 && need->files > have->files) {
		what = "open files (one per namespace, plus agents), and the "
		       "hard limit RLIMIT_NOFILE is";
		todo = "raise it (ulimit -Hn in a root shell, LimitNOFILE= "
		       "in a systemd unit)";
		n = need->files, h = have->files;
	} else if (have->netns >= 0 && need->netns > have->netns) {
		what = "network namespaces, and user.max_net_namespaces is";
		todo = "raise it (sysctl -w user.max_net_namespaces=...)";
		n = need->netns, h = have->netns;
	} else if (have->tasks >= 0 && need->tasks > have->tasks) {
		what = "tasks at once, and pid_max/threads-max leave";
		todo = "raise kernel.pid_max or stop other work";
		n = need->tasks, h = have->tasks;
	} else if (have->mem_kb >= 0 && need->mem_kb > have->mem_kb) {
		what = "KiB of memory, and MemAvailable is";
		todo = "free memory";
		n = need->mem_kb, h = have->mem_kb;
	}
	if (!what)
		return 0;
	snprintf(err, err_cap,
		 "%s: %d cells need about %ld %s %ld on this machine: %s, or "
		 "split the scenario",
		 path, ncells, n, what, h, todo);
	return -E2BIG;
}

int hostfit_check(const struct plan *p, const struct scenario *s, char *err,
		  size_t err_cap)
{
	struct hostfit need, have;

	hostfit_need(p, s, &need);
	hostfit_have(&have);
	return hostfit_compare(&need, &have, s->path, s->ncells, err, err_cap);
}

long hostfit_inflight(const struct plan *p, const struct scenario *s)
{
	const char *env = getenv(HOSTFIT_INFLIGHT_ENV);
	struct hostfit have;
	long cap = env ? strtol(env, NULL, 10) : 0;

	hostfit_have(&have);
	return hostfit_inflight_of(p, s, &have, sysconf(_SC_NPROCESSORS_ONLN),
				   cap);
}

int hostfit_raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return -errno;
	if (rl.rlim_cur == rl.rlim_max)
		return 0;
	rl.rlim_cur = rl.rlim_max;
	return setrlimit(RLIMIT_NOFILE, &rl) < 0 ? -errno : 0;
}
