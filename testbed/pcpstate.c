/* pcpstate: a router's miniupnpd files in the run's state folder, and
 * their removal (with the process a pid file names, when it is the run's
 * miniupnpd) for `punchlab clean` after a SIGKILL of punchlab. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pcpstate.h"
#include "proc.h"

#define PCPSTATE_PREFIX "miniupnpd-"
#define PCPSTATE_GRACE_MS 1000

int pcpstate_path(char *buf, size_t cap, const char *state_dir,
		  const char *tag, const char *ext)
{
	int n = snprintf(buf, cap, "%s/" PCPSTATE_PREFIX "%s.%s", state_dir,
			 tag, ext);

	return n < 0 || (size_t)n >= cap ? -ENAMETOOLONG : 0;
}

int pcpstate_is_ours(pid_t pid, const char *conf)
{
	char path[64], cmd[4096];
	ssize_t n, at = 0;
	int fd, bin = 0, cf = 0;

	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, cmd, sizeof(cmd) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	cmd[n] = '\0';
	/* NUL-separated arguments: argv[0] ends in miniupnpd, one of the
	 * others is exactly this run's config. */
	while (at < n) {
		const char *a = cmd + at, *base = strrchr(a, '/');

		if (at == 0)
			bin = !strcmp(base ? base + 1 : a, "miniupnpd");
		else if (!strcmp(a, conf))
			cf = 1;
		at += (ssize_t)strlen(a) + 1;
	}
	return bin && cf;
}

/* The process pidfile names, when it is ours: SIGTERM, then SIGKILL. */
static int pcpstate_stop(const char *dir, const char *pidfile)
{
	char path[PATH_MAX], conf[PATH_MAX], tag[NAME_MAX];
	unsigned long long st;
	size_t len = strlen(pidfile);
	FILE *f;
	int pid = 0;

	/* miniupnpd-<tag>.pid: the config beside it is the proof. */
	len -= strlen(PCPSTATE_PREFIX) + strlen(".pid");
	if (len >= sizeof(tag))
		return 0;
	memcpy(tag, pidfile + strlen(PCPSTATE_PREFIX), len);
	tag[len] = '\0';
	if (snprintf(path, sizeof(path), "%s/%s", dir, pidfile) >=
		    (int)sizeof(path) ||
	    pcpstate_path(conf, sizeof(conf), dir, tag, "conf") < 0)
		return 1;
	f = fopen(path, "re");
	if (!f)
		return 0;
	if (fscanf(f, "%d", &pid) != 1)
		pid = 0;
	fclose(f);
	if (pid <= 1 || !pcpstate_is_ours(pid, conf))
		return 0;
	st = proc_starttime(pid);
	if (!st || proc_kill_checked(pid, st, SIGTERM) < 0)
		return 0;
	for (int ms = 0; ms < PCPSTATE_GRACE_MS; ms += 10) {
		if (proc_starttime(pid) != st || proc_zombie(pid))
			return 0;
		usleep(10000);
	}
	proc_kill_checked(pid, st, SIGKILL);
	for (int ms = 0; ms < PROC_KILL_MS; ms += 10) {
		if (proc_starttime(pid) != st || proc_zombie(pid))
			return 0;
		usleep(10000);
	}
	return 1;
}

static int pcpstate_is_pidfile(const char *name)
{
	size_t n = strlen(name);

	return !strncmp(name, PCPSTATE_PREFIX, strlen(PCPSTATE_PREFIX)) &&
	       n > strlen(PCPSTATE_PREFIX) + 4 && !strcmp(name + n - 4, ".pid");
}

int pcpstate_clean(const char *state_dir)
{
	char path[PATH_MAX];
	struct dirent *de;
	int failed = 0;
	DIR *d;

	d = opendir(state_dir);
	if (!d)
		return errno == ENOENT ? 0 : 1;
	while ((de = readdir(d)))
		if (pcpstate_is_pidfile(de->d_name))
			failed += pcpstate_stop(state_dir, de->d_name);
	rewinddir(d);
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, PCPSTATE_PREFIX,
			    strlen(PCPSTATE_PREFIX)))
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", state_dir,
			     de->d_name) >= (int)sizeof(path) ||
		    (unlink(path) < 0 && errno != ENOENT))
			failed++;
	}
	closedir(d);
	return failed;
}
