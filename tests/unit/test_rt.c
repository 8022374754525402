/* Unit tests for rt: SCHED_FIFO taken and left, and a process that runs
 * past its RLIMIT_RTTIME demoted to the normal scheduler instead of
 * killed. Each case runs in a child, so this program's own scheduling
 * never changes. Without the privilege (not root, or a cgroup that
 * forbids it) the cases that need it SKIP. */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/testutil.h"
#include "monoclock.h"
#include "rt.h"

/* Runs fn in a child; its exit status, or -1 when a signal ended it. */
static int in_child(int (*fn)(void))
{
	int status;
	pid_t pid = fork();

	if (pid == 0)
		_exit(fn());
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int enter_leave(void)
{
	int e;

	if (rt_enter(RT_PRIO_AGENT, 50, &e) != RT_FIFO || e)
		return 1;
	if (sched_getscheduler(0) != SCHED_FIFO)
		return 2;
	rt_leave();
	return sched_getscheduler(0) == SCHED_OTHER && !rt_demoted() ? 0 : 3;
}

/* 10 ms of RTTIME, then 200 ms of spinning: SIGXCPU must demote it
 * (SCHED_OTHER again, rt_demoted) and the hard limit's SIGKILL never
 * come, since RTTIME stops counting outside SCHED_FIFO. */
static int spin_past_rttime(void)
{
	int64_t end;

	if (rt_enter(1, 10, NULL) != RT_FIFO)
		return 1;
	end = mono_ns() + 200 * 1000000LL;
	while (mono_ns() < end)
		;
	return rt_demoted() && sched_getscheduler(0) == SCHED_OTHER ? 0 : 2;
}

static void test_enter_leave(void)
{
	if (!rt_available()) {
		printf("SKIP (no SCHED_FIFO here) ");
		return;
	}
	CU_ASSERT_EQUAL(in_child(enter_leave), 0);
}

static void test_demoted_not_killed(void)
{
	if (!rt_available()) {
		printf("SKIP (no SCHED_FIFO here) ");
		return;
	}
	CU_ASSERT_EQUAL(in_child(spin_past_rttime), 0);
}

static void test_names(void)
{
	CU_ASSERT_STRING_EQUAL(rt_state_name(RT_OFF), "off");
	CU_ASSERT_STRING_EQUAL(rt_state_name(RT_FIFO), "fifo");
	CU_ASSERT_STRING_EQUAL(rt_state_name(RT_UNAVAILABLE), "unavailable");
	CU_ASSERT_STRING_EQUAL(rt_state_name(RT_DEMOTED), "demoted");
}

int main(void)
{
	static const struct testutil_case tests[] = {
		{"state names", test_names},
		{"enter and leave SCHED_FIFO", test_enter_leave},
		{"past RLIMIT_RTTIME: demoted, not killed",
		 test_demoted_not_killed},
	};

	return testutil_run_suite("rt", NULL, NULL, tests, TESTUTIL_N(tests))
		       ? 1
		       : 0;
}
