/* rt: SCHED_FIFO on and off, with its CPU bound. */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "rt.h"

static volatile sig_atomic_t rt_was_demoted;

/* SIGXCPU: the soft RLIMIT_RTTIME ran out (rttime_ms without blocking).
 * Rather than die, go on under the normal scheduler; RTTIME stops
 * counting there, so the hard limit's SIGKILL never comes. */
static void rt_on_xcpu(int sig)
{
	struct sched_param sp = {.sched_priority = 0};

	(void)sig;
	sched_setscheduler(0, SCHED_OTHER, &sp);
	rt_was_demoted = 1;
}

int rt_demoted(void)
{
	return rt_was_demoted;
}

enum rt_state rt_enter(int prio, unsigned rttime_ms, int *err)
{
	struct sched_param sp = {.sched_priority = prio};
	struct rlimit old, lim = {
				   .rlim_cur = (rlim_t)rttime_ms * 1000,
				   .rlim_max = (rlim_t)rttime_ms * 2000,
			   };
	struct sigaction sa = {.sa_handler = rt_on_xcpu};
	int e = 0;

	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	if (sigaction(SIGXCPU, &sa, NULL) < 0 ||
	    getrlimit(RLIMIT_RTTIME, &old) < 0 ||
	    setrlimit(RLIMIT_RTTIME, &lim) < 0)
		e = -errno;
	else if (sched_setscheduler(0, SCHED_FIFO, &sp) < 0) {
		e = -errno;
		setrlimit(RLIMIT_RTTIME, &old);
	}
	if (err)
		*err = e;
	return e ? RT_UNAVAILABLE : RT_FIFO;
}

void rt_leave(void)
{
	struct sched_param sp = {.sched_priority = 0};

	sched_setscheduler(0, SCHED_OTHER, &sp);
}

int rt_available(void)
{
	struct sched_param sp = {.sched_priority = 1};
	int status;
	pid_t pid = fork();

	if (pid == 0)
		_exit(sched_setscheduler(0, SCHED_FIFO, &sp) < 0);
	if (pid < 0)
		return 0;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return 0;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

const char *rt_state_name(enum rt_state s)
{
	static const char *const names[] = {"off", "fifo", "unavailable",
					    "demoted"};

	return names[s];
}
