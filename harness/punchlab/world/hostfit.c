/* hostfit: a world's needs against the machine's limits, before the
 * first namespace exists. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "hostfit.h"

void hostfit_need(const struct plan *p, const struct scenario *s,
		  struct hostfit *need)
{
	long trials = (long)s->ncells * (s->parallel > 0 ? s->parallel : 1);
	long tasks, per_trial = 2;

	if (trials > HOSTFIT_TRIALS_AT_ONCE)
		trials = HOSTFIT_TRIALS_AT_ONCE;
	/* agents (two per trial, and the background nodes of the most
	 * crowded homes), daemons (coordinator, shaper and their children) */
	for (int c = 0; c < s->ncells; c++) {
		long n = 2 + (long)s->cells[c].cond.hosts_a +
			 (long)s->cells[c].cond.hosts_b;

		if (n > per_trial)
			per_trial = n;
	}
	tasks = per_trial * trials + 16;
	/* star: every home's bitcoind stays up, each with its threads */
	if (s->star && s->node != SCENARIO_NODE_EMBEDDED)
		tasks += 2L * s->ncells * 32;
	need->netns = p->nns;
	need->tasks = tasks;
	/* each agent: pidfd, pipes both ways; stdio and libraries */
	need->files = p->nns + 4 * tasks + 64;
	need->mem_kb = (long)p->nns * HOSTFIT_NS_KB + tasks * HOSTFIT_TASK_KB;
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
