/* pcpstate: the files a router's miniupnpd has in its run's state folder
 * (/run/punchlab/<rid>/miniupnpd-<router tag>.{conf,pid,leases}), and
 * what `punchlab clean` does with them after a run was killed. */
#ifndef PUNCHLAB_PCPSTATE_H
#define PUNCHLAB_PCPSTATE_H

#include <stddef.h>
#include <sys/types.h>

/* "<state dir>/miniupnpd-<tag>.<ext>" into buf. 0 or -ENAMETOOLONG. */
int pcpstate_path(char *buf, size_t cap, const char *state_dir,
		  const char *tag, const char *ext);
/* In state_dir: every miniupnpd-*.pid names a process; one that still
 * runs and whose /proc/PID/cmdline is miniupnpd started with that
 * folder's miniupnpd-<tag>.conf is stopped (SIGTERM, then SIGKILL), by
 * pid, never by name; then every miniupnpd-* file is removed. Returns
 * how many could not be stopped or removed. */
int pcpstate_clean(const char *state_dir);
/* 1 when pid runs miniupnpd with config conf (its /proc cmdline). */
int pcpstate_is_ours(pid_t pid, const char *conf);

#endif
