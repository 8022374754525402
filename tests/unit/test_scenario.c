/* test_scenario: scenario files parse to the expected structs, and every
 * kind of mistake is reported with the right file, line and key. Fixtures
 * in tests/unit/data/ (profiles in data/profiles/); run from the repo root. */
#include <string.h>

#include <CUnit/Basic.h>

#include "scenario.h"

#define DATA "tests/unit/data/"
#define PROFILES DATA "profiles"

static struct scenario sc; /* ~1 MB: not on the stack */

static void test_good(void)
{
	struct cfg_error err;
	const struct scenario_cell *c;

	CU_ASSERT_EQUAL_FATAL(
	    scenario_load(DATA "scen-good.ini", PROFILES, &sc, &err), 0);
	CU_ASSERT_STRING_EQUAL(sc.path, DATA "scen-good.ini");
	CU_ASSERT_STRING_EQUAL(sc.name, "scen-good");
	CU_ASSERT_STRING_EQUAL(sc.description, "unit test scenario");
	CU_ASSERT_EQUAL(sc.trials, 50);
	CU_ASSERT_EQUAL(sc.seed, UINT64_MAX);
	CU_ASSERT_EQUAL(sc.parallel, 10);
	CU_ASSERT_EQUAL(sc.timeout_ms, 100);
	CU_ASSERT_EQUAL_FATAL(sc.ncells, 3);

	c = &sc.cells[0];
	CU_ASSERT_STRING_EQUAL(c->name, "eim-eim");
	CU_ASSERT_EQUAL(c->line, 9);
	CU_ASSERT_STRING_EQUAL(c->a.name, "eim");
	CU_ASSERT_STRING_EQUAL(c->b.name, "eim");
	CU_ASSERT_EQUAL(c->a.port_min, 2000); /* the profile really loaded */
	CU_ASSERT_DOUBLE_EQUAL(c->expect_min, 0.95, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(c->expect_max, 1.0, 1e-12);
	CU_ASSERT_STRING_EQUAL(c->expect_text, ">= 0.95");
	CU_ASSERT_STRING_EQUAL(c->reason, "EIM on both sides");

	c = &sc.cells[1];
	CU_ASSERT_STRING_EQUAL(c->name, "eim-sym");
	CU_ASSERT_EQUAL(c->line, 15);
	CU_ASSERT_EQUAL(c->b.mapping, NAT_MAP_APDM);
	CU_ASSERT_DOUBLE_EQUAL(c->expect_min, 0.2, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(c->expect_max, 0.8, 1e-12);
	CU_ASSERT_STRING_EQUAL(c->reason, "");

	c = &sc.cells[2];
	CU_ASSERT_STRING_EQUAL(c->name, "sym-sym");
	CU_ASSERT_EQUAL(c->line, 20);
	CU_ASSERT_STRING_EQUAL(c->b.name, "empty");
	CU_ASSERT_EQUAL(c->b.unsolicited_syn, NAT_SYN_RST);
	CU_ASSERT_DOUBLE_EQUAL(c->expect_min, 0.0, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(c->expect_max, 0.0, 1e-12);
}

static void test_defaults(void)
{
	struct cfg_error err;

	CU_ASSERT_EQUAL_FATAL(
	    scenario_load(DATA "scen-defaults.ini", PROFILES, &sc, &err), 0);
	CU_ASSERT_STRING_EQUAL(sc.name, "scen-defaults");
	CU_ASSERT_EQUAL(sc.trials, 20);
	CU_ASSERT_EQUAL(sc.seed, 1);
	CU_ASSERT_EQUAL(sc.parallel, 8);
	CU_ASSERT_EQUAL(sc.timeout_ms, 5000);
	CU_ASSERT_EQUAL_FATAL(sc.ncells, 1);
	CU_ASSERT_STRING_EQUAL(sc.cells[0].name, "only");
	CU_ASSERT_DOUBLE_EQUAL(sc.cells[0].expect_min, 0.0, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(sc.cells[0].expect_max, 0.1, 1e-12);
}

static void check_error(const char *name, int line, const char *key,
			const char *msg_part)
{
	char path[256];
	struct cfg_error err;

	snprintf(path, sizeof(path), DATA "%s", name);
	CU_ASSERT_EQUAL(scenario_load(path, PROFILES, &sc, &err), -1);
	CU_ASSERT_STRING_EQUAL(err.file, path);
	CU_ASSERT_EQUAL(err.line, line);
	CU_ASSERT_STRING_EQUAL(err.key, key);
	if (!strstr(err.msg, msg_part))
		fprintf(stderr, "\n%s: '%s' lacks '%s'\n", name, err.msg,
			msg_part);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, msg_part));
}

static void test_errors(void)
{
	check_error("scen-unknown-key.ini", 8, "expected",
		    "unknown key in a cell");
	check_error("scen-unknown-section.ini", 2, "[cel x]",
		    "unknown section");
	check_error("scen-unnamed-cell.ini", 2, "[cell]", "needs a name");
	check_error("scen-bad-number.ini", 3, "parallel",
		    "out of range 1..256");
	check_error("scen-bad-int.ini", 2, "trials", "not a whole number");
	check_error("scen-bad-seed.ini", 2, "seed", "not an unsigned");
	check_error("scen-missing-key.ini", 9, "b", "missing in [cell y]");
	check_error("scen-no-cells.ini", 0, "", "no [cell NAME] section");
	check_error("scen-unknown-profile.ini", 5, "b",
		    "no NAT profile 'nosuch'");
	check_error("scen-bad-profile-name.ini", 2, "a", "not a profile name");
	check_error("scen-bad-expect.ini", 4, "expect",
		    "'> 0.5' is not an expectation");
	check_error("scen-bad-expect-range.ini", 4, "expect",
		    "not an expectation");
	check_error("scen-dup-cell.ini", 10, "[cell x]", "first at line 2");
	check_error("scen-dup-key.ini", 4, "a", "first at line 2");
	check_error("scen-too-many-cells.ini", 1026, "[cell c256]",
		    "more than 256 cells");
	check_error("scen-long-line.ini", 7, "", "longer than 199");
	check_error("scen-syntax.ini", 6, "", "syntax error");
	check_error("no-such-scenario.ini", 0, "", "cannot open");
}

/* A broken profile: the scenario's line and key, plus the profile's own
 * file, line and key so the user can go and fix it. */
static void test_broken_profile(void)
{
	check_error(
	    "scen-broken-profile.ini", 3, "a",
	    "NAT profile 'broken' is broken: " PROFILES
	    "/broken.ini:4: key 'filtering': 'sometimes' is not one of");
}

/* A profile with behind brings its carrier; a bad carrier is reported at
 * the scenario line that named the profile, with the profile's own file,
 * line and key `behind` in the message. */
static void test_carrier(void)
{
	struct cfg_error err;
	const struct scenario_cell *c;

	CU_ASSERT_EQUAL_FATAL(
	    scenario_load(DATA "scen-carrier.ini", PROFILES, &sc, &err), 0);
	CU_ASSERT_EQUAL_FATAL(sc.ncells, 1);
	c = &sc.cells[0];
	CU_ASSERT_STRING_EQUAL(c->a.name, "home-behind");
	CU_ASSERT_EQUAL(c->a_has_carrier, 1);
	CU_ASSERT_STRING_EQUAL(c->a_carrier.name, "carrier");
	CU_ASSERT_EQUAL(c->a_carrier.port_block, 1000);
	CU_ASSERT_EQUAL(c->b_has_carrier, 0);

	CU_ASSERT_EQUAL_FATAL(
	    scenario_load(DATA "scen-good.ini", PROFILES, &sc, &err), 0);
	CU_ASSERT_EQUAL(sc.cells[0].a_has_carrier, 0);

	check_error("scen-carrier-missing.ini", 6, "b",
		    "NAT profile 'behind-missing' is broken: " PROFILES
		    "/behind-missing.ini:5: key 'behind': no carrier profile "
		    "'nosuch'");
	check_error("scen-nat4444.ini", 2, "a",
		    PROFILES "/behind-4444.ini:3: key 'behind': carrier "
			     "profile 'home-behind' is itself behind "
			     "'carrier'");
}

static void check_expect(const char *text, double min, double max)
{
	double lo = -1, hi = -1;

	CU_ASSERT_EQUAL(scenario_parse_expect(text, &lo, &hi), 0);
	CU_ASSERT_DOUBLE_EQUAL(lo, min, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(hi, max, 1e-12);
}

static void test_expect(void)
{
	static const char *const bad[] = {
	    "> 0.5",  ">= 1.5",	    ">= -0.1",	">= 0x1",   ">= inf",
	    ">= nan", ">= 1e-1",    "0.9..0.1", "1..",	    "..1",
	    "",	      ">=",	    "0.5",	">= 0.5 x", "1.2.3..2",
	    "0...1",  "== 0.5 0.6", "=< 0.5",	">= .",	    NULL,
	};
	double lo, hi;
	int i;

	check_expect(">= 0.95", 0.95, 1.0);
	check_expect("<=0.1", 0.0, 0.1);
	check_expect("== 0", 0.0, 0.0);
	check_expect("==1", 1.0, 1.0);
	check_expect("0.8..1.0", 0.8, 1.0);
	check_expect("0 .. 1", 0.0, 1.0);
	check_expect("1..1", 1.0, 1.0);
	check_expect("0..0.5", 0.0, 0.5);
	check_expect(">= .5", 0.5, 1.0);
	for (i = 0; bad[i]; i++) {
		if (scenario_parse_expect(bad[i], &lo, &hi) == 0)
			fprintf(stderr, "\naccepted bad expect '%s'\n", bad[i]);
		CU_ASSERT_EQUAL(scenario_parse_expect(bad[i], &lo, &hi), -1);
	}
}

int main(void)
{
	unsigned int failed;
	CU_pSuite s;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	s = CU_add_suite("scenario", NULL, NULL);
	if (!s || !CU_add_test(s, "good file", test_good) ||
	    !CU_add_test(s, "defaults", test_defaults) ||
	    !CU_add_test(s, "errors name file, line, key", test_errors) ||
	    !CU_add_test(s, "broken profile", test_broken_profile) ||
	    !CU_add_test(s, "carrier profiles (behind)", test_carrier) ||
	    !CU_add_test(s, "expect syntax", test_expect)) {
		CU_cleanup_registry();
		return 2;
	}
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failed = CU_get_number_of_failures();
	CU_cleanup_registry();
	return failed ? 1 : 0;
}
