/* proc: starting a program inside a network namespace and stopping it by
 * pid (never by name). */
#ifndef PUNCHLAB_PROC_H
#define PUNCHLAB_PROC_H

#include <stddef.h>
#include <sys/types.h>

/* Forks; the child enters netns_fd (-1: stays), gets out_fd/err_fd as
 * stdout/stderr (-1: /dev/null), /dev/null as stdin, dies with its parent
 * (PR_SET_PDEATHSIG) and execs argv[0]. Returns the pid once exec has
 * succeeded, or -errno of the step that failed in the child. */
pid_t proc_spawn(int netns_fd, char *const argv[], int out_fd, int err_fd);
/* The same with in_fd as the child's stdin (a side channel). */
pid_t proc_spawn_in(int netns_fd, char *const argv[], int in_fd, int out_fd,
		    int err_fd);
/* The same, but the child does not die with its parent (punchlab up
 * leaves daemons running; punchlab down stops them by recorded pid). */
pid_t proc_spawn_kept(int netns_fd, char *const argv[], int out_fd,
		      int err_fd);
/* A child of ours that does not exec: it enters netns_fd (-1: stays)
 * like proc_spawn's, dies with its parent, has default signal handling,
 * runs setup(arg) (0, or an errno that fails the call) and then run(arg),
 * which does not return. The pid once setup succeeded, or -errno. */
pid_t proc_fork_in(int netns_fd, int (*setup)(void *arg),
		   void (*run)(void *arg), void *arg);
/* Makes the run's mount namespace, with path bind-mounted over
 * /etc/hosts, which every child proc_spawn* starts from now on enters
 * (NULL: no more, and this process lets go of it). The run's names
 * resolve in its processes, and nothing of the host's mounts or /etc
 * changes. 0 or -errno (-ENAMETOOLONG; the kernel's: needs root). */
int proc_set_hosts(const char *path);
/* In a child, before exec: enters the run's mount namespace, when
 * proc_set_hosts made one. 0 or -1 with errno. */
int proc_enter_hosts(void);

/* Our child pid: SIGTERM, up to grace_ms for it to exit, then SIGKILL;
 * reaps it. Returns its wait status, or -errno (-ECHILD if not our child,
 * which is left alone; -ETIMEDOUT if it outlived SIGKILL by PROC_KILL_MS). */
int proc_stop(pid_t pid, int grace_ms);

/* How long proc_stop_all waits after SIGKILL before it gives up on a
 * process (one in uninterruptible sleep can outlast any signal). */
#define PROC_KILL_MS 1000

/* One process for proc_stop_all: pid and starttime in, the rest out. */
struct proc_stop {
	pid_t pid;
	/* proc_starttime() when it was recorded; a pid now running with
	 * another start time is someone else's and is left alone. 0: not
	 * checked (our own unreaped child, whose pid cannot be reused). */
	unsigned long long starttime;
	int how;    /* PROC_GONE, PROC_TERM, PROC_KILLED, PROC_STUCK, -errno */
	int status; /* wait status when we reaped it (our child), else -1 */
};

enum {
	PROC_GONE = 0, /* not running (exited before, or the pid is reused) */
	PROC_TERM,     /* ended after SIGTERM */
	PROC_KILLED,   /* still there after grace_ms: ended by SIGKILL */
	PROC_STUCK,    /* still there PROC_KILL_MS after SIGKILL */
};

/* Stops every process of p[] at once: SIGTERM to each, then waits for
 * their exits on pidfds (no fixed sleep: it returns as soon as the last
 * one is gone), SIGKILL to what is left after grace_ms, and waits again.
 * Signals go through the pidfd, so a pid reused meanwhile is never hit.
 * Our own children are reaped. Returns how many are PROC_STUCK or could
 * not be signalled (0: all gone). */
int proc_stop_all(struct proc_stop *p, size_t n, int grace_ms);
/* Start time (clock ticks since boot, /proc/PID/stat field 22) of a live
 * process, or 0 when it is gone. Pairs with a pid to recognise the same
 * process later despite pid reuse. */
unsigned long long proc_starttime(pid_t pid);
/* 1 when pid is a zombie (exited, not yet reaped). */
int proc_zombie(pid_t pid);
/* Sends sig to pid only if it still has that start time. 0 or -errno
 * (-ESRCH when gone or reused). */
int proc_kill_checked(pid_t pid, unsigned long long starttime, int sig);

/* Writes all of data to fd (a pipe to or from a child), retrying after
 * EINTR and short writes. 0 or -1 with errno. */
int proc_write_all(int fd, const void *data, size_t len);

#endif
