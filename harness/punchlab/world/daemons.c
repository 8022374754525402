/* daemons: the run's coordinator and shaper, started in their namespaces
 * and waited for by the events they print. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "daemons.h"
#include "linkcond.h"
#include "plan6.h"
#include "proc.h"
#include "rundir.h"
#include "runid.h"
#include "shapeboard.h"
#include "monoclock.h"

#define READY_MS 5000

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

/* Readiness is polled, not slept: a daemon prints an {"event": NAME}
 * line into its output file once it is ready. The looks at that file
 * start 125 us apart and back off to STEP_MAX_US (a daemon of ours is
 * ready in 1-6 ms); in between, poll() sleeps on the daemon's pidfd, so
 * its death ends the wait at once. inotify would wake on the write
 * itself, but closing an inotify instance waits for an SRCU grace
 * period: 6-12 ms measured here, more than it saves. */
#define STEP_MIN_US 125
#define STEP_MAX_US 8000
static int wait_event(const char *dir, const char *file, const char *event,
		      pid_t pid, volatile sig_atomic_t *stop)
{
	struct pollfd pfd = { .fd = -1, .events = POLLIN };
	char path[PATH_MAX], want[64];
	struct timespec now, step;
	long long deadline, left_us;
	long step_us = STEP_MIN_US;
	int e = -ETIMEDOUT;

	if (snprintf(path, sizeof(path), "%s/%s", dir, file) >=
	    (int)sizeof(path))
		return -ENAMETOOLONG;
	/* The bare word: JSON events quote it, punch-probe-server does not. */
	snprintf(want, sizeof(want), "%s", event);
	clock_gettime(CLOCK_MONOTONIC, &now);
	deadline = now.tv_sec * 1000000LL + now.tv_nsec / 1000 +
		   READY_MS * 1000LL;
	pfd.fd = pidfd_open(pid, 0); /* -1: the same steps, blind */
	for (;;) {
		if (has_event(path, want)) {
			e = 0;
			break;
		}
		if (proc_starttime(pid) == 0 || proc_zombie(pid) ||
		    (stop && *stop)) {
			e = -ECHILD;
			break;
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		left_us = deadline - now.tv_sec * 1000000LL -
			  now.tv_nsec / 1000;
		if (left_us <= 0)
			break;
		if (left_us < step_us)
			step_us = (long)left_us;
		step = (struct timespec){ step_us / 1000000,
					  step_us % 1000000 * 1000 };
		ppoll(&pfd, 1, &step, NULL);
		step_us = step_us * 2 < STEP_MAX_US ? step_us * 2 : STEP_MAX_US;
	}
	if (pfd.fd >= 0)
		close(pfd.fd);
	return e;
}

/* Starts a daemon of ours in ns with stdout to <name>.jsonl and stderr to
 * <name>.log in the run folder, registered for cleanup, and waits for
 * its ready event in the file events (NULL: <name>.jsonl). argv[0] is
 * the program's name next to punchlab. */
static pid_t daemon_start_at(struct world *w, int ns,
			     const struct daemons_env *env, const char *name,
			     char **argv, const char *events, const char *event)
{
	char path[PATH_MAX], file[64];
	int out, err, e;
	pid_t pid;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", env->bindir,
			     argv[0]) >= sizeof(path))
		return -ENAMETOOLONG;
	argv[0] = path;
	snprintf(file, sizeof(file), "%s.jsonl", name);
	out = rundir_open(env->dir, file, O_TRUNC);
	snprintf(file, sizeof(file), "%s.log", name);
	err = rundir_open(env->dir, file, O_TRUNC);
	if (out < 0 || err < 0) {
		pid = -errno;
		goto out;
	}
	pid = env->keep ? proc_spawn_kept(ns, argv, out, err) :
		     proc_spawn(ns, argv, out, err);
	if (pid > 0)
		cleanup_pid(w->cu, pid);
	else
		fprintf(stderr, "punchlab run: cannot start %s: %s\n", path,
			strerror(-pid));
out:
	if (out >= 0)
		close(out);
	if (err >= 0)
		close(err);
	if (pid < 0)
		return pid;
	snprintf(file, sizeof(file), "%s.jsonl", name);
	e = wait_event(env->dir, events ? events : file, event, pid, env->stop);
	if (e < 0) {
		fprintf(stderr,
			"punchlab run: %s did not come up: %s (see %s/%s.log)\n",
			name, strerror(-e), env->dir, name);
		return e;
	}
	return pid;
}

static pid_t daemon_start(struct world *w, int ns,
			  const struct daemons_env *env, const char *name,
			  char **argv, const char *event)
{
	return daemon_start_at(w, ns, env, name, argv, NULL, event);
}

pid_t daemons_coordinator(struct world *w, const struct daemons_env *env,
			  enum scenario_mode mode, int verbose,
			  struct coordctl **ctl)
{
	char listen[64], listen6[64], probe[64], ctl_fd[16];
	struct coordctl *c = NULL;
	char *argv[20];
	int n = 0, wfd = -1;
	pid_t pid;

	if (ctl)
		*ctl = NULL;
	snprintf(listen, sizeof(listen), "%s:%d", PLAN_COORD_ADDR,
		 PLAN_COORD_PORT);
	if (mode == SCENARIO_MODE_OOB) {
		/* Out of band: no coordinator; charlie only runs the probe
		 * server the agents learn their public endpoints from. */
		snprintf(probe, sizeof(probe), "%s:%d", PLAN_COORD_ADDR,
			 PLAN_PROBE_PORT);
		argv[n++] = "punch-probe-server";
		if (env->keep)
			argv[n++] = "--stay";
		argv[n++] = probe;
		argv[n] = NULL;
		return daemon_start(w, w->charlie->fd, env, "probe-server",
				    argv, "ready");
	}
	argv[n++] = "punch-coordinator";
	argv[n++] = "--listen";
	argv[n++] = listen;
	argv[n++] = "--run-id";
	argv[n++] = (char *)w->rid;
	/* A dual-stack world: charlie listens on IPv6 too, for the cells
	 * that punch over it (family = 6); IPv4-only worlds keep the old
	 * command line. */
	if (w->plan->ns[w->plan->charlie].v6 == PLAN6_HOST) {
		snprintf(listen6, sizeof(listen6), "[%s]:%d", PLAN6_COORD_ADDR,
			 PLAN_COORD_PORT);
		argv[n++] = "--listen6";
		argv[n++] = listen6;
	}
	if (mode == SCENARIO_MODE_HANDOFF) {
		/* One inbound slot: the first agent of a trial is held, the
		 * second arrives to a full node and is handed off with it. */
		argv[n++] = "--mode";
		argv[n++] = "handoff";
		argv[n++] = "--inbound-limit";
		argv[n++] = "1";
	}
	if (mode == SCENARIO_MODE_ADVERTISED) {
		/* Bob holds the trial's key; alice seeks it. */
		argv[n++] = "--mode";
		argv[n++] = "advertised";
	}
	if (ctl) {
		/* A pipe it inherits: "held KEY" lines, read by trials.c. */
		c = coordctl_open(&wfd);
		if (!c)
			return -errno;
		snprintf(ctl_fd, sizeof(ctl_fd), "%d", wfd);
		argv[n++] = "--control-fd";
		argv[n++] = ctl_fd;
	}
	if (verbose)
		argv[n++] = "-v";
	if (env->realtime)
		argv[n++] = "--realtime";
	argv[n] = NULL;
	pid = daemon_start(w, w->charlie->fd, env, "coordinator", argv,
			   "listening");
	/* Only the coordinator holds the write end: its exit is our EOF,
	 * and no later child inherits it. */
	if (wfd >= 0)
		close(wfd);
	if (pid < 0)
		coordctl_free(c);
	else if (ctl)
		*ctl = c;
	return pid;
}

/* Link conditions: queue rules in inet plus punch-shaper holding the
 * queues (or netem, where the kernel has it). */
int daemons_shaper(struct world *w, const struct scenario *s,
		   const struct daemons_env *env, const char **method_name,
		   struct shapeboard **board)
{
	char **specs = NULL, err[512] = "", seed[32], bpath[PATH_MAX];
	char **argv;
	int n, method, e = 0, k = 0;

	*board = NULL;
	n = world_shape(w, s, &specs, &method, err, sizeof(err));
	*method_name = method ? linkcond_method_name(method) : "none";
	if (n < 0) {
		fprintf(stderr, "punchlab run: link conditions: %s\n", err);
		e = n;
		goto out;
	}
	if (n == 0)
		goto out;
	/* Queue numbers run 1..n: slot q is queue q. In the run's state
	 * folder, so the run's cleanup removes it. */
	snprintf(bpath, sizeof(bpath), "%s/%s/%s", RUNID_STATE_DIR, w->rid,
		 SHAPEBOARD_FILE);
	e = shapeboard_create(bpath, (unsigned)n + 1, board);
	if (e < 0) {
		fprintf(stderr, "punchlab run: shapeboard %s: %s\n", bpath,
			strerror(-e));
		goto out;
	}
	argv = calloc(2 * n + 10, sizeof(*argv));
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
	argv[k++] = (char *)w->rid;
	argv[k++] = "--board";
	argv[k++] = bpath;
	if (env->realtime)
		argv[k++] = "--realtime";
	argv[k] = NULL;
	e = daemon_start(w, w->inet->fd, env, "shaper", argv, "ready");
	free(argv);
	e = e < 0 ? e : 0;
out:
	for (int i = 0; specs && specs[i]; i++)
		free(specs[i]);
	free(specs);
	return e;
}


pid_t daemons_start(struct world *w, int ns_fd, const struct daemons_env *env,
		    const char *name, char **argv, const char *event)
{
	return daemon_start(w, ns_fd, env, name, argv, event);
}

pid_t daemons_start_events(struct world *w, int ns_fd,
			   const struct daemons_env *env, const char *name,
			   char **argv, const char *events, const char *event)
{
	return daemon_start_at(w, ns_fd, env, name, argv, events, event);
}
