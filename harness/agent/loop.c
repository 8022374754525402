/* loop: monotonic time and the deadline-bounded waits of the agent. The
 * termination signals stay blocked except inside ppoll(), which removes the
 * check-then-wait race without a self-pipe. */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>

#include "monoclock.h"
#include "loop.h"

/* Below this much time left, loop_sleep_until hands over to
 * clock_nanosleep; above, it waits interruptibly in ppoll. */
#define LOOP_PRECISE_NS (20 * LOOP_NS_PER_MS)

static volatile sig_atomic_t loop_term;
static int64_t loop_spin_ns;
static sigset_t loop_waitmask; /* mask while waiting: signals unblocked */

static void loop_on_signal(int sig)
{
	(void)sig;
	loop_term = 1;
}

int loop_init(void)
{
	struct sigaction sa;
	sigset_t block;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = loop_on_signal;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGTERM, &sa, NULL) < 0 ||
	    sigaction(SIGINT, &sa, NULL) < 0)
		return -errno;
	/* Writes to a peer that has gone must fail with EPIPE, not kill us
	 * before the JSON line is out. */
	sa.sa_handler = SIG_IGN;
	if (sigaction(SIGPIPE, &sa, NULL) < 0)
		return -errno;

	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	if (sigprocmask(SIG_BLOCK, &block, &loop_waitmask) < 0)
		return -errno;
	sigdelset(&loop_waitmask, SIGTERM);
	sigdelset(&loop_waitmask, SIGINT);
	/* The default 50 us slack would show up in every syn_ns. */
	if (prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL) < 0)
		return -errno;
	return 0;
}

int loop_terminated(void)
{
	return loop_term;
}

static struct timespec loop_ts(int64_t ns)
{
	struct timespec ts;

	if (ns < 0)
		ns = 0;
	ts.tv_sec = ns / 1000000000;
	ts.tv_nsec = ns % 1000000000;
	return ts;
}

int loop_poll(struct pollfd *fds, unsigned int n, int64_t deadline_ns)
{
	for (;;) {
		struct timespec ts;
		int64_t left;
		int r;

		if (loop_term)
			return -EINTR;
		left = deadline_ns - mono_ns();
		if (left <= 0)
			return 0;
		ts = loop_ts(left);
		r = ppoll(fds, n, &ts, &loop_waitmask);
		if (r >= 0)
			return loop_term ? -EINTR : r;
		if (errno != EINTR)
			return -errno;
	}
}

void loop_spin(int64_t spin_ns)
{
	loop_spin_ns = spin_ns;
}

int loop_sleep_until(int64_t t_ns)
{
	for (;;) {
		struct timespec ts;
		int64_t left;
		int r;

		if (loop_term)
			return -EINTR;
		left = t_ns - mono_ns();
		if (left <= 0)
			return 0;
		if (left <= loop_spin_ns) {
			while (mono_ns() < t_ns)
				;
			return 0;
		}
		if (left > LOOP_PRECISE_NS) {
			ts = loop_ts(left - LOOP_PRECISE_NS / 2);
			if (ppoll(NULL, 0, &ts, &loop_waitmask) < 0 &&
			    errno != EINTR)
				return -errno;
			continue;
		}
		/* The last few ms are not interruptible: a signal is then
		 * noticed right at the start time. */
		ts = loop_ts(t_ns - loop_spin_ns);
		r = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
		if (r && r != EINTR)
			return -r;
	}
}
