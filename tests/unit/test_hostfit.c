/* test_hostfit: a world's needs against a machine's limits, without
 * root: what a plan needs grows with its namespaces, each limit refuses
 * with its own name and number, an unknown limit (-1) refuses nothing,
 * and the ARP table is no longer a limit at all. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <CUnit/Basic.h>

#include "../../harness/punchlab/plan/plan.c"
#include "../../harness/punchlab/plan/plan6.c"
#include "../../harness/punchlab/plan/plan_print.c"
#include "../../harness/punchlab/world/hostfit.c"
#include "lib/testutil.h"

static char tmpdir[] = "/tmp/punchlab-test-hostfit.XXXXXX";

/* n home-eim cells, planned. */
static struct plan *plan_of(int n, struct scenario *s)
{
	char path[600], err[256] = "";
	struct cfg_error ce;
	struct plan *p;
	FILE *f;

	snprintf(path, sizeof(path), "%s/n%d.ini", tmpdir, n);
	f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fprintf(f, "[scenario]\ntrials = 1\n");
	for (int c = 0; c < n; c++)
		fprintf(f, "[cell c%d]\na = home-eim\nb = home-eim\n"
			   "expect = >= 0\n", c);
	fclose(f);
	CU_ASSERT_EQUAL_FATAL(scenario_load(path, "nat-profiles", s, &ce), 0);
	p = plan_new(s, "a1b2c3", err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	return p;
}

static void test_need(void)
{
	struct scenario s1, s2;
	struct plan *p1 = plan_of(1, &s1), *p2 = plan_of(300, &s2);
	struct hostfit n1, n2;

	hostfit_need(p1, &s1, &n1);
	hostfit_need(p2, &s2, &n2);
	CU_ASSERT_EQUAL(n1.netns, 6);
	CU_ASSERT_EQUAL(n2.netns, 2 + 4 * 300);
	/* one fd per namespace on top of the same agents */
	CU_ASSERT(n1.files > n1.netns);
	CU_ASSERT(n2.files > n2.netns);
	CU_ASSERT(n2.mem_kb >= n2.netns * HOSTFIT_NS_KB);
	/* the world and one trial: trials at once are hostfit_inflight's */
	CU_ASSERT_EQUAL(n2.tasks, 2 + 16);
	CU_ASSERT_EQUAL(n1.tasks, n2.tasks);
	plan_free(p1);
	plan_free(p2);
	scenario_free(&s1);
	scenario_free(&s2);
}

/* Trials at once: the scenario's ceiling, cut by each limit in turn. */
static void test_inflight(void)
{
	struct scenario s;
	struct plan *p = plan_of(300, &s);
	struct hostfit need, have = { -1, -1, -1, -1 };
	long ceiling = 300L * s.parallel;

	hostfit_need(p, &s, &need);
	/* nothing known: the scenario's own ceiling, or the coordinator's
	 * client table (two agents a trial) */
	CU_ASSERT_EQUAL(hostfit_inflight_of(p, &s, &have, -1, 0),
			ceiling < 448 ? ceiling : 448);
	/* cores */
	CU_ASSERT_EQUAL(hostfit_inflight_of(p, &s, &have, 1, 0),
			HOSTFIT_TRIALS_PER_CORE);
	/* an explicit cap (PUNCHLAB_INFLIGHT) */
	CU_ASSERT_EQUAL(hostfit_inflight_of(p, &s, &have, 2, 96), 96);
	/* files: the world's, then 4 a task, 2 tasks a trial */
	have.files = need.files + 8 * 99;
	CU_ASSERT_EQUAL(hostfit_inflight_of(p, &s, &have, -1, 0), 100);
	have.files = -1;
	/* tasks: half of what is free after the world's */
	have.tasks = need.tasks + 2 * 2 * 49;
	CU_ASSERT_EQUAL(hostfit_inflight_of(p, &s, &have, -1, 0), 50);
	have.tasks = -1;
	have.mem_kb = need.mem_kb + 2 * 2 * HOSTFIT_TASK_KB * 9;
	CU_ASSERT_EQUAL(hostfit_inflight_of(p, &s, &have, -1, 0), 10);
	/* less than the world needs: still one (hostfit_check refuses) */
	have.mem_kb = 1;
	CU_ASSERT_EQUAL(hostfit_inflight_of(p, &s, &have, -1, 0), 1);
	plan_free(p);
	scenario_free(&s);
}

static void test_compare(void)
{
	const struct hostfit need = { .files = 5000, .netns = 4000,
				      .tasks = 300, .mem_kb = 1000000 };
	struct hostfit have = { .files = 20000, .netns = 90000,
				.tasks = 30000, .mem_kb = 8000000 };
	char err[512] = "";

	CU_ASSERT_EQUAL(hostfit_compare(&need, &have, "x.ini", 1000, err,
					sizeof(err)), 0);
	have.files = 1024;
	CU_ASSERT_EQUAL(hostfit_compare(&need, &have, "x.ini", 1000, err,
					sizeof(err)), -E2BIG);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "x.ini: 1000 cells need about 5000 "
					   "open files"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "RLIMIT_NOFILE is 1024"));
	have.files = -1; /* unknown: not a reason to refuse */
	have.netns = 100;
	CU_ASSERT_EQUAL(hostfit_compare(&need, &have, "x.ini", 1000, err,
					sizeof(err)), -E2BIG);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "max_net_namespaces is 100"));
	have.netns = -1;
	have.tasks = 200;
	CU_ASSERT_EQUAL(hostfit_compare(&need, &have, "x.ini", 1000, err,
					sizeof(err)), -E2BIG);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "300 tasks"));
	have.tasks = -1;
	have.mem_kb = 999999;
	CU_ASSERT_EQUAL(hostfit_compare(&need, &have, "x.ini", 1000, err,
					sizeof(err)), -E2BIG);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "MemAvailable is 999999"));
	CU_ASSERT_PTR_NULL(strstr(err, "gc_thresh"));
}

/* The soft limit ends at the hard one; the hard one is not touched. */
static void test_raise_nofile(void)
{
	struct rlimit before, after;

	CU_ASSERT_EQUAL_FATAL(getrlimit(RLIMIT_NOFILE, &before), 0);
	if (before.rlim_cur > 256 && before.rlim_max == before.rlim_cur) {
		before.rlim_cur = 256; /* so there is something to raise */
		CU_ASSERT_EQUAL_FATAL(setrlimit(RLIMIT_NOFILE, &before), 0);
	}
	CU_ASSERT_EQUAL(hostfit_raise_nofile(), 0);
	CU_ASSERT_EQUAL_FATAL(getrlimit(RLIMIT_NOFILE, &after), 0);
	CU_ASSERT_EQUAL(after.rlim_max, before.rlim_max);
	CU_ASSERT_EQUAL(after.rlim_cur, before.rlim_max);
}

static int init(void)
{
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int clean(void)
{
	return testutil_rm_tree(tmpdir);
}

int main(void)
{
	static const struct testutil_case tests[] = {
		{ "need: namespaces, files, tasks, memory", test_need },
		{ "trials in flight: each limit cuts", test_inflight },
		{ "compare: each limit named, unknown skipped", test_compare },
		{ "RLIMIT_NOFILE soft raised to hard", test_raise_nofile },
	};
	int fails;

	fails = testutil_run_suite("hostfit", init, clean, tests,
				   sizeof(tests) / sizeof(tests[0]));
	return fails ? 1 : 0;
}
