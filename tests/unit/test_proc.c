/* test_proc: stopping recorded processes. Each case checks the state of
 * the pids afterwards (reaped, gone, left alone, how they died), never how
 * long it took: timings belong in bench/. No root needed. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>
#include <sys/pidfd.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <CUnit/Basic.h>

#include "proc.h"
#include "lib/testutil.h"

/* Far longer than any test may take: a stop that waited it out instead of
 * returning on the exit would hang the suite, not pass it. */
#define LONG_GRACE_MS (10 * 60 * 1000)

/* A child that waits for signals; with ignore_term it ignores SIGTERM.
 * Returns once the child has set that up. */
static pid_t child_waiting(int ignore_term)
{
	int fds[2];
	char c;
	pid_t pid;

	if (pipe(fds) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		if (ignore_term)
			signal(SIGTERM, SIG_IGN);
		if (write(fds[1], "r", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(fds[1]);
	if (pid > 0 && read(fds[0], &c, 1) != 1)
		pid = -1;
	close(fds[0]);
	return pid;
}

static int reaped(pid_t pid)
{
	return waitpid(pid, NULL, WNOHANG) < 0 && errno == ECHILD &&
	       kill(pid, 0) < 0 && errno == ESRCH;
}

/* After a failed case: no child of ours outlives it. */
static void no_leftover(pid_t pid)
{
	if (pid > 0 && waitpid(pid, NULL, WNOHANG) == 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
}

static void test_term_reaps(void)
{
	struct proc_stop p[2] = { 0 };

	for (int i = 0; i < 2; i++) {
		p[i].pid = child_waiting(0);
		CU_ASSERT_FATAL(p[i].pid > 0);
		p[i].starttime = proc_starttime(p[i].pid);
	}
	CU_ASSERT_EQUAL(proc_stop_all(p, 2, LONG_GRACE_MS), 0);
	for (int i = 0; i < 2; i++) {
		CU_ASSERT_EQUAL(p[i].how, PROC_TERM);
		CU_ASSERT(WIFSIGNALED(p[i].status) &&
			  WTERMSIG(p[i].status) == SIGTERM);
		CU_ASSERT(reaped(p[i].pid));
		no_leftover(p[i].pid);
	}
}

static int fork_setup(void *arg)
{
	return *(int *)arg;
}

static void fork_run(void *arg)
{
	(void)arg;
	for (;;)
		pause();
}

static void on_term(int sig)
{
	(void)sig;
}

/* proc_fork_in: a setup failure is the call's errno and leaves no child;
 * a running child ends by SIGTERM's default action although its parent
 * catches SIGTERM and blocks it (what the child inherited is undone). */
static void test_fork_in(void)
{
	struct sigaction sa = { .sa_handler = on_term }, old;
	struct proc_stop p = { 0 };
	sigset_t term, mask;
	int fail = EADDRINUSE, fine = 0;

	CU_ASSERT_EQUAL(proc_fork_in(-1, fork_setup, fork_run, &fail),
			-EADDRINUSE);
	CU_ASSERT(waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD);
	sigaction(SIGTERM, &sa, &old);
	sigemptyset(&term);
	sigaddset(&term, SIGTERM);
	sigprocmask(SIG_BLOCK, &term, &mask);
	p.pid = proc_fork_in(-1, fork_setup, fork_run, &fine);
	sigprocmask(SIG_SETMASK, &mask, NULL);
	sigaction(SIGTERM, &old, NULL);
	CU_ASSERT_FATAL(p.pid > 0);
	p.starttime = proc_starttime(p.pid);
	CU_ASSERT_EQUAL(proc_stop_all(&p, 1, LONG_GRACE_MS), 0);
	CU_ASSERT_EQUAL(p.how, PROC_TERM);
	CU_ASSERT(WIFSIGNALED(p.status) && WTERMSIG(p.status) == SIGTERM);
	no_leftover(p.pid);
}

static void test_ignores_term_gets_kill(void)
{
	struct proc_stop p = { .pid = child_waiting(1) };

	CU_ASSERT_FATAL(p.pid > 0);
	p.starttime = proc_starttime(p.pid);
	CU_ASSERT_EQUAL(proc_stop_all(&p, 1, 50), 0);
	CU_ASSERT_EQUAL(p.how, PROC_KILLED);
	CU_ASSERT(WIFSIGNALED(p.status) && WTERMSIG(p.status) == SIGKILL);
	CU_ASSERT(reaped(p.pid));
	no_leftover(p.pid);
}

static void test_proc_stop_kills(void)
{
	pid_t pid = child_waiting(1);
	int st;

	CU_ASSERT_FATAL(pid > 0);
	st = proc_stop(pid, 50);
	CU_ASSERT(st >= 0 && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	CU_ASSERT(reaped(pid));
	no_leftover(pid);
}

static void test_exited_child_reaped(void)
{
	struct proc_stop p = { 0 };
	siginfo_t si;

	p.pid = fork();
	if (p.pid == 0)
		_exit(7);
	CU_ASSERT_FATAL(p.pid > 0);
	/* Wait for the exit without reaping it: a zombie to stop. */
	CU_ASSERT_FATAL(waitid(P_PID, p.pid, &si, WEXITED | WNOWAIT) == 0);
	p.starttime = proc_starttime(p.pid);
	CU_ASSERT_EQUAL(proc_stop_all(&p, 1, LONG_GRACE_MS), 0);
	CU_ASSERT_EQUAL(p.how, PROC_GONE);
	CU_ASSERT(WIFEXITED(p.status) && WEXITSTATUS(p.status) == 7);
	CU_ASSERT(reaped(p.pid));
}

/* Another start time under the same pid: someone else's process. */
static void test_reused_pid_left_alone(void)
{
	struct proc_stop p = { .pid = child_waiting(0) };

	CU_ASSERT_FATAL(p.pid > 0);
	p.starttime = proc_starttime(p.pid) + 1;
	CU_ASSERT_EQUAL(proc_stop_all(&p, 1, LONG_GRACE_MS), 0);
	CU_ASSERT_EQUAL(p.how, PROC_GONE);
	CU_ASSERT_EQUAL(waitpid(p.pid, NULL, WNOHANG), 0); /* still running */
	CU_ASSERT(proc_stop(p.pid, 0) >= 0);
}

/* Not our child (punchlab down stopping what punchlab up left): stopped
 * and waited for through its pidfd, reaped by whoever is its parent. */
static void test_not_our_child(void)
{
	struct proc_stop p = { 0 };
	int fds[2];
	pid_t mid;

	CU_ASSERT_FATAL(pipe(fds) == 0);
	mid = fork();
	if (mid == 0) {
		pid_t g = child_waiting(0);

		_exit(write(fds[1], &g, sizeof(g)) == sizeof(g) ? 0 : 1);
	}
	close(fds[1]);
	CU_ASSERT_FATAL(read(fds[0], &p.pid, sizeof(p.pid)) ==
			sizeof(p.pid));
	close(fds[0]);
	waitpid(mid, NULL, 0);
	CU_ASSERT_FATAL(p.pid > 0);
	p.starttime = proc_starttime(p.pid);
	CU_ASSERT_FATAL(p.starttime != 0);
	CU_ASSERT_EQUAL(proc_stop(p.pid, 0), -ECHILD); /* left alone */
	CU_ASSERT_EQUAL(kill(p.pid, 0), 0);
	CU_ASSERT_EQUAL(proc_stop_all(&p, 1, LONG_GRACE_MS), 0);
	CU_ASSERT_EQUAL(p.how, PROC_TERM);
	CU_ASSERT_EQUAL(p.status, -1);
	/* Exited: a zombie until its new parent reaps it, or gone. */
	CU_ASSERT(proc_starttime(p.pid) != p.starttime ||
		  proc_zombie(p.pid));
	proc_kill_checked(p.pid, p.starttime, SIGKILL); /* if it failed */
}

/* No fd left for a pidfd (EMFILE): the same stop, by kill() and looks. */
static void test_without_pidfd(void)
{
	struct proc_stop p[2] = { { .pid = child_waiting(0) },
				  { .pid = child_waiting(1) } };
	struct rlimit old, low;
	int fill[64], nfill = 0, fd;

	CU_ASSERT_FATAL(p[0].pid > 0 && p[1].pid > 0);
	for (int i = 0; i < 2; i++)
		p[i].starttime = proc_starttime(p[i].pid);
	CU_ASSERT_FATAL(getrlimit(RLIMIT_NOFILE, &old) == 0);
	low = old;
	low.rlim_cur = 48;
	CU_ASSERT_FATAL(setrlimit(RLIMIT_NOFILE, &low) == 0);
	while (nfill < 64 && (fd = open("/dev/null", O_RDONLY)) >= 0)
		fill[nfill++] = fd;
	CU_ASSERT(pidfd_open(getpid(), 0) < 0 && errno == EMFILE);
	CU_ASSERT_EQUAL(proc_stop_all(p, 2, 50), 0);
	while (nfill > 0)
		close(fill[--nfill]);
	setrlimit(RLIMIT_NOFILE, &old);
	CU_ASSERT_EQUAL(p[0].how, PROC_TERM);
	CU_ASSERT_EQUAL(p[1].how, PROC_KILLED);
	CU_ASSERT(WIFSIGNALED(p[1].status) && WTERMSIG(p[1].status) == SIGKILL);
	CU_ASSERT(reaped(p[0].pid) && reaped(p[1].pid));
	no_leftover(p[0].pid);
	no_leftover(p[1].pid);
}

int main(void)
{
	static const struct testutil_case tests[] = {
		{ "SIGTERM ends and reaps", test_term_reaps },
		{ "proc_fork_in: setup, default SIGTERM", test_fork_in },
		{ "ignored SIGTERM ends by SIGKILL",
		  test_ignores_term_gets_kill },
		{ "proc_stop falls back to SIGKILL", test_proc_stop_kills },
		{ "exited child is reaped", test_exited_child_reaped },
		{ "reused pid is left alone", test_reused_pid_left_alone },
		{ "process that is not our child", test_not_our_child },
		{ "without a pidfd", test_without_pidfd },
	};
	int failures;

	failures = testutil_run_suite("proc", NULL, NULL, tests,
				      TESTUTIL_N(tests));
	return failures ? 1 : 0;
}
