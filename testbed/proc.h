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
/* SIGTERM, up to grace_ms for it to exit, then SIGKILL; reaps it.
 * Returns its wait status, or -errno (-ECHILD if not our child). */
int proc_stop(pid_t pid, int grace_ms);
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
