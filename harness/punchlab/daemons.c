/* daemons: the run's coordinator and shaper, started in their namespaces
 * and waited for by the events they print. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/pidfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "daemons.h"
#include "linkcond.h"
#include "proc.h"
#include "punchlab.h"

#define READY_MS 5000

int daemons_mkdir_p(const char *path)
{
	char tmp[PATH_MAX];

	if (snprintf(tmp, sizeof(tmp), "%s", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	return mkdir(tmp, 0755) < 0 && errno != EEXIST ? -errno : 0;
}

int daemons_open_out(const char *dir, const char *name, int flags)
{
	char path[PATH_MAX];

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    (int)sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return open(path, flags | O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
}

/* 1 when the file at path holds a line with want, 0 if not (yet). */
static int has_event(const char *path, const char *want)
{
	char line[1024];
	FILE *f = fopen(path, "re");
	int found = 0;

	while (f && !found && fgets(line, sizeof(line), f))
		found = strstr(line, want) != NULL;
	if (f)
		fclose(f);
	return found;
}

/* Readiness is waited for, not slept: a daemon prints an {"event": NAME}
 * line into its output file once it is ready. poll() wakes on a write to
 * that file (inotify) or on the daemon's exit (pidfd); a signal that
 * lands just before poll() is seen within STOP_CHECK_MS. */
#define STOP_CHECK_MS 50
static int wait_event(const char *dir, const char *file, const char *event,
		      pid_t pid)
{
	struct pollfd pfd[2] = { { .fd = -1 }, { .fd = -1 } };
	char path[PATH_MAX], want[64], buf[4096];
	struct timespec now;
	long long deadline;
	int e = -ETIMEDOUT, backoff = 1;

	if (snprintf(path, sizeof(path), "%s/%s", dir, file) >=
	    (int)sizeof(path))
		return -ENAMETOOLONG;
	/* The bare word: JSON events quote it, punch-probe-server does not. */
	snprintf(want, sizeof(want), "%s", event);
	clock_gettime(CLOCK_MONOTONIC, &now);
	deadline = now.tv_sec * 1000LL + now.tv_nsec / 1000000 + READY_MS;
	/* Watch before the first look: a write in between still wakes us. */
	pfd[0].fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (pfd[0].fd >= 0 &&
	    inotify_add_watch(pfd[0].fd, path, IN_MODIFY | IN_CLOSE_WRITE) < 0) {
		close(pfd[0].fd);
		pfd[0].fd = -1;
	}
	pfd[0].events = POLLIN;
	pfd[1].fd = pidfd_open(pid, 0);
	pfd[1].events = POLLIN;
	for (;;) {
		int left, wait_ms;

		if (has_event(path, want)) {
			e = 0;
			break;
		}
		if (proc_starttime(pid) == 0 || proc_zombie(pid) ||
		    punchlab_stop) {
			e = -ECHILD;
			break;
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		left = (int)(deadline - now.tv_sec * 1000LL -
			     now.tv_nsec / 1000000);
		if (left <= 0)
			break;
		wait_ms = left < STOP_CHECK_MS ? left : STOP_CHECK_MS;
		/* Without inotify or pidfd: a tight poll with backoff. */
		if ((pfd[0].fd < 0 || pfd[1].fd < 0) && wait_ms > backoff) {
			wait_ms = backoff;
			backoff = backoff < 8 ? backoff * 2 : 10;
		}
		if (poll(pfd, 2, wait_ms) > 0 && (pfd[0].revents & POLLIN))
			while (read(pfd[0].fd, buf, sizeof(buf)) > 0)
				; /* drain; the file itself is the truth */
	}
	for (int i = 0; i < 2; i++)
		if (pfd[i].fd >= 0)
			close(pfd[i].fd);
	return e;
}

/* Starts a daemon of ours in ns with stdout to <name>.jsonl and stderr to
 * <name>.log in the run folder, registered for cleanup, and waits for
 * its ready event. argv[0] is the program's name next to punchlab. */
static pid_t daemon_start(struct world *w, int ns, const char *dir,
			  const char *name, char **argv, const char *event,
			  int keep)
{
	char path[PATH_MAX], file[64];
	int out, err, e;
	pid_t pid;

	if (punchlab_sibling(argv[0], path, sizeof(path)) < 0)
		return -ENOENT;
	argv[0] = path;
	snprintf(file, sizeof(file), "%s.jsonl", name);
	out = daemons_open_out(dir, file, O_TRUNC);
	snprintf(file, sizeof(file), "%s.log", name);
	err = daemons_open_out(dir, file, O_TRUNC);
	if (out < 0 || err < 0) {
		pid = -errno;
		goto out;
	}
	pid = keep ? proc_spawn_kept(ns, argv, out, err) :
		     proc_spawn(ns, argv, out, err);
	if (pid > 0)
		cleanup_pid(w->cu, pid);
out:
	if (out >= 0)
		close(out);
	if (err >= 0)
		close(err);
	if (pid < 0)
		return pid;
	snprintf(file, sizeof(file), "%s.jsonl", name);
	e = wait_event(dir, file, event, pid);
	if (e < 0) {
		fprintf(stderr,
			"punchlab run: %s did not come up: %s (see %s/%s.log)\n",
			name, strerror(-e), dir, name);
		return e;
	}
	return pid;
}

pid_t daemons_coordinator(struct world *w, const char *dir, int mode,
			  int verbose, int keep)
{
	char listen[64], probe[64];
	char *argv[12];
	int n = 0;

	snprintf(listen, sizeof(listen), "%s:%d", WORLD_COORD_ADDR,
		 WORLD_COORD_PORT);
	if (mode == 2) {
		/* Out of band: no coordinator; charlie only runs the probe
		 * server the agents learn their public endpoints from. */
		snprintf(probe, sizeof(probe), "%s:%d", WORLD_COORD_ADDR,
			 WORLD_PROBE_PORT);
		argv[n++] = "punch-probe-server";
		if (keep)
			argv[n++] = "--stay";
		argv[n++] = probe;
		argv[n] = NULL;
		return daemon_start(w, w->charlie.fd, dir, "probe-server",
				    argv, "ready", keep);
	}
	argv[n++] = "punch-coordinator";
	argv[n++] = "--listen";
	argv[n++] = listen;
	argv[n++] = "--run-id";
	argv[n++] = (char *)w->rid;
	if (mode == 1) {
		/* One inbound slot: the first agent of a trial is held, the
		 * second arrives to a full node and is handed off with it. */
		argv[n++] = "--mode";
		argv[n++] = "handoff";
		argv[n++] = "--inbound-limit";
		argv[n++] = "1";
	}
	if (verbose)
		argv[n++] = "-v";
	argv[n] = NULL;
	return daemon_start(w, w->charlie.fd, dir, "coordinator", argv,
			    "listening", keep);
}

/* Link conditions: queue rules in inet plus punch-shaper holding the
 * queues (or netem, where the kernel has it). */
int daemons_shaper(struct world *w, const struct scenario *s,
		   const char *dir, const char **method_name, int keep)
{
	char **specs = NULL, err[512] = "", seed[32];
	char **argv;
	int n, method, e = 0, k = 0;

	n = world_shape(w, s, &specs, &method, err, sizeof(err));
	*method_name = method ? linkcond_method_name(method) : "none";
	if (n < 0) {
		fprintf(stderr, "punchlab run: link conditions: %s\n", err);
		e = n;
		goto out;
	}
	if (n == 0)
		goto out;
	argv = calloc(2 * n + 8, sizeof(*argv));
	if (!argv) {
		e = -ENOMEM;
		goto out;
	}
	snprintf(seed, sizeof(seed), "%llu", (unsigned long long)s->seed);
	argv[k++] = "punch-shaper";
	for (int i = 0; i < n; i++) {
		argv[k++] = "--queue";
		argv[k++] = specs[i];
	}
	argv[k++] = "--seed";
	argv[k++] = seed;
	argv[k++] = "--run-id";
	argv[k++] = w->rid;
	argv[k] = NULL;
	e = daemon_start(w, w->inet.fd, dir, "shaper", argv, "ready", keep);
	free(argv);
	e = e < 0 ? e : 0;
out:
	for (int i = 0; specs && specs[i]; i++)
		free(specs[i]);
	free(specs);
	return e;
}

