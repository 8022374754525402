/* test_testutil: testutil_run_suite counts a suite whose init failed as a
 * failure. CUnit runs none of such a suite's tests and counts no failed
 * assertion, so a suite that could not start (test_agent6 without its
 * coordinator, say) would otherwise exit 0 having checked nothing. Not a
 * CUnit suite itself: testutil_run_suite owns the registry. */
#include <stdio.h>

#include <CUnit/Basic.h>

#include "lib/testutil.h"

static int ran;

static int init_fails(void)
{
	return -1;
}

static int init_ok(void)
{
	return 0;
}

static void test_passes(void)
{
	ran++;
	CU_ASSERT(1);
}

int main(void)
{
	static const struct testutil_case tests[] = {
		{"passes", test_passes},
	};
	int bad, good;

	bad = testutil_run_suite("init fails", init_fails, NULL, tests,
				 TESTUTIL_N(tests));
	good = testutil_run_suite("init ok", init_ok, NULL, tests,
				  TESTUTIL_N(tests));
	printf("\ntestutil: failed init -> %d (want > 0), passing suite -> "
	       "%d (want 0), tests run %d (want 1)\n",
	       bad, good, ran);
	return bad > 0 && good == 0 && ran == 1 ? 0 : 1;
}
