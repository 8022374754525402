/* test_scenario_family: the cell key family (4 | 6): read in a cell, a
 * matrix list and [scenario], 4 by default, reported in the results'
 * params only when given; family = 6 needs IPv6 in both homes (the
 * refusals with their keys are in tests/unit/data/bad/family-*.ini).
 * The shipped profiles: mikrotik-defconf has [ipv6] enabled, home-eim
 * not. No root. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/Basic.h>

#include "scenario.h"
#include "lib/testutil.h"

#define PROFILES "nat-profiles"

static struct scenario sc;

static int load(const char *text, struct cfg_error *err)
{
	char path[64] = "/tmp/scen-fam-XXXXXX.ini";
	int r;

	scenario_free(&sc);
	if (testutil_temp_file(path, 4, text) < 0)
		return -2;
	r = scenario_load(path, PROFILES, &sc, err);
	unlink(path);
	return r;
}

static void test_family_values(void)
{
	struct cfg_error err;

	CU_ASSERT_EQUAL_FATAL(
		load("[scenario]\nfamily = 6\n"
		     "[cell six]\na = mikrotik-defconf\nb = mikrotik-defconf\n"
		     "expect = >= 0\n"
		     "[cell four]\na = home-eim\nb = home-eim\nfamily = 4\n"
		     "expect = >= 0\n"
		     "[matrix m]\na = mikrotik-defconf\nb = mikrotik-defconf\n"
		     "family = 4, 6\nexpect = >= 0\n",
		     &err),
		0);
	CU_ASSERT_EQUAL_FATAL(sc.ncells, 4);
	CU_ASSERT_EQUAL(sc.cells[0].cond.family, CELLCOND_FAMILY_6);
	CU_ASSERT_EQUAL(sc.cells[1].cond.family, CELLCOND_FAMILY_4);
	CU_ASSERT_EQUAL(sc.cells[2].cond.family + sc.cells[3].cond.family,
			CELLCOND_FAMILY_6);
	CU_ASSERT(sc.cells[0].params & (1u << CELLCOND_FAMILY));
	CU_ASSERT_STRING_EQUAL(
		cellcond_value_name(&sc.cells[0].cond, CELLCOND_FAMILY), "6");
}

static void test_family_default(void)
{
	struct cfg_error err;

	CU_ASSERT_EQUAL_FATAL(load("[scenario]\n[cell x]\na = home-eim\n"
				   "b = home-eim\nexpect = >= 0\n",
				   &err),
			      0);
	CU_ASSERT_EQUAL(sc.cells[0].cond.family, CELLCOND_FAMILY_4);
	/* Not given: not in the results' params, so IPv4 records stay. */
	CU_ASSERT(!(sc.cells[0].params & (1u << CELLCOND_FAMILY)));
}

/* A shared home inherits a's IPv6; a home without it is named. */
static void test_family_homes(void)
{
	struct cfg_error err;

	CU_ASSERT_EQUAL(load("[scenario]\n[cell x]\na = mikrotik-defconf\n"
			     "home = shared\nfamily = 6\nexpect = >= 0\n",
			     &err),
			0);
	CU_ASSERT_EQUAL(load("[scenario]\n[cell x]\na = mikrotik-defconf\n"
			     "b = home-eim\nfamily = 6\nexpect = >= 0\n",
			     &err),
			-1);
	CU_ASSERT_STRING_EQUAL(err.key, "b");
	CU_ASSERT(strstr(err.msg, "home b (home-eim) has no IPv6") != NULL);
}

int main(void)
{
	static const struct testutil_case tests[] = {
		{"family in a cell, a matrix and [scenario]",
		 test_family_values},
		{"family 4 by default, not reported", test_family_default},
		{"family = 6 needs IPv6 in both homes", test_family_homes},
	};
	int fails = testutil_run_suite("scenario_family", NULL, NULL, tests,
				       TESTUTIL_N(tests));

	scenario_free(&sc);
	return fails ? 1 : 0;
}
