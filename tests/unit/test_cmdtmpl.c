/* test_cmdtmpl: outside punchers' command templates (split, filled, each
 * fault refused) and their scenario sections (which puncher each cell's
 * side runs). No root; run from the repo root. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "cmdtmpl.h"
#include "scenario.h"
#include "lib/testutil.h"

static const char *const vals[CMDTMPL_N] = {
	[CMDTMPL_LOCAL_PORT] = "20001",
	[CMDTMPL_PUBLIC_IP] = "198.51.100.1",
	[CMDTMPL_PUBLIC_PORT] = "20001",
	[CMDTMPL_PEER_IP] = "203.0.113.1",
	[CMDTMPL_PEER_PORT] = "31337",
	[CMDTMPL_ROLE] = "initiator",
	[CMDTMPL_NONCE] = "00000000deadbeef",
	[CMDTMPL_START_UNIX_MS] = "1700000000000",
	[CMDTMPL_START_MONO_NS] = "123456789",
};

static int expand(const char *t, char **argv, char *buf, size_t cap)
{
	return cmdtmpl_expand(t, vals, buf, cap, argv, CMDTMPL_MAX_ARGS);
}

static void test_fill(void)
{
	char buf[1024], *argv[CMDTMPL_MAX_ARGS];

	CU_ASSERT_EQUAL_FATAL(expand("prog  --peer {peer_ip}:{peer_port} "
				     "x{role}y",
				     argv, buf, sizeof(buf)),
			      4);
	CU_ASSERT_STRING_EQUAL(argv[0], "prog");
	CU_ASSERT_STRING_EQUAL(argv[1], "--peer");
	CU_ASSERT_STRING_EQUAL(argv[2], "203.0.113.1:31337");
	CU_ASSERT_STRING_EQUAL(argv[3], "xinitiatory");
	CU_ASSERT_PTR_NULL(argv[4]);
	/* Every placeholder, each to its own value. */
	for (int k = 0; k < CMDTMPL_N; k++) {
		char t[64];

		snprintf(t, sizeof(t), "p {%s}", cmdtmpl_names[k]);
		CU_ASSERT_EQUAL(expand(t, argv, buf, sizeof(buf)), 2);
		CU_ASSERT_STRING_EQUAL(argv[1], vals[k]);
	}
}

static void test_quotes(void)
{
	char buf[1024], *argv[CMDTMPL_MAX_ARGS];

	/* Quotes group; a single-quoted brace is literal; {{ }} are braces;
	 * an empty quoted word stays a word. */
	CU_ASSERT_EQUAL_FATAL(expand("sh -c 'echo {role} x' \"{role} y\" {{a}} ''",
				     argv, buf, sizeof(buf)),
			      6);
	CU_ASSERT_STRING_EQUAL(argv[2], "echo {role} x");
	CU_ASSERT_STRING_EQUAL(argv[3], "initiator y");
	CU_ASSERT_STRING_EQUAL(argv[4], "{a}");
	CU_ASSERT_STRING_EQUAL(argv[5], "");
}

static void test_refused(void)
{
	static const struct {
		const char *t, *why;
	} bad[] = {
		{ "p {local_prot}", "unknown placeholder {local_prot}" },
		{ "p {peer_ip", "'{' without '}'" },
		{ "p 'x", "unclosed ' quote" },
		{ "   ", "no program" },
		{ "", "no program" },
	};
	char why[400], buf[64], *argv[4];

	for (size_t i = 0; i < TESTUTIL_N(bad); i++) {
		CU_ASSERT_EQUAL(cmdtmpl_check(bad[i].t, why, sizeof(why)),
				-EINVAL);
		CU_ASSERT_PTR_NOT_NULL(strstr(why, bad[i].why));
	}
	CU_ASSERT_EQUAL(cmdtmpl_check("p {role} {nonce}", why, sizeof(why)), 0);
	/* Too small a buffer or too few argv slots: refused, not cut. */
	CU_ASSERT_EQUAL(cmdtmpl_expand("p {start_unix_ms}{start_unix_ms}"
				       "{start_unix_ms}{start_unix_ms}{nonce}",
				       vals, buf, sizeof(buf), argv, 4),
			-E2BIG);
	CU_ASSERT_EQUAL(cmdtmpl_expand("a b c d", vals, buf, sizeof(buf), argv,
				       4),
			-E2BIG);
}

static void test_env_name(void)
{
	char b[32];

	cmdtmpl_env_name(CMDTMPL_LOCAL_PORT, b, sizeof(b));
	CU_ASSERT_STRING_EQUAL(b, "PUNCH_LOCAL_PORT");
	cmdtmpl_env_name(CMDTMPL_START_MONO_NS, b, sizeof(b));
	CU_ASSERT_STRING_EQUAL(b, "PUNCH_START_MONO_NS");
}

static struct scenario sc; /* large: not on the stack */

static const char *label(int cell, int side)
{
	return scenario_puncher_label(&sc, &sc.cells[cell], side);
}

static void test_scenario_punchers(void)
{
	struct cfg_error err;
	const struct scenario_puncher *p;

	CU_ASSERT_EQUAL_FATAL(scenario_load("tests/unit/data/scen-punchers.ini",
					    "tests/unit/data/profiles", &sc,
					    &err),
			      0);
	CU_ASSERT_EQUAL_FATAL(sc.npunchers, 2);
	CU_ASSERT_EQUAL_FATAL(sc.ncells, 5);
	/* [scenario]'s puncher_b reaches cells defined before it. */
	CU_ASSERT_STRING_EQUAL(label(0, 0), "agent");
	CU_ASSERT_STRING_EQUAL(label(0, 1), "py");
	CU_ASSERT_STRING_EQUAL(label(1, 0), "ct");
	CU_ASSERT_STRING_EQUAL(label(1, 1), "ct");
	CU_ASSERT_STRING_EQUAL(label(2, 0), "agent");
	CU_ASSERT_STRING_EQUAL(label(2, 1), "py");
	/* The matrix sweeps alice's puncher, one cell each, named so. */
	CU_ASSERT_STRING_EQUAL(sc.cells[3].name, "m:eim:eim:puncher_a=py");
	CU_ASSERT_STRING_EQUAL(sc.cells[4].name, "m:eim:eim:puncher_a=ct");
	CU_ASSERT_STRING_EQUAL(label(3, 0), "py");
	CU_ASSERT_STRING_EQUAL(label(4, 0), "ct");
	CU_ASSERT_STRING_EQUAL(label(4, 1), "py");
	p = scenario_cell_puncher(&sc, &sc.cells[1], 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_EQUAL(p->verify, SCENARIO_VERIFY_CONNTRACK);
	CU_ASSERT_EQUAL(p->line, 13);
	CU_ASSERT_EQUAL(sc.punchers[0].verify, SCENARIO_VERIFY_TOKEN);
	CU_ASSERT_PTR_NULL(scenario_cell_puncher(&sc, &sc.cells[0], 0));
}

int main(void)
{
	static const struct testutil_case tests[] = {
		{ "placeholders filled", test_fill },
		{ "quotes and braces", test_quotes },
		{ "bad templates refused", test_refused },
		{ "environment names", test_env_name },
		{ "[puncher] sections and references", test_scenario_punchers },
	};
	int fails = testutil_run_suite("cmdtmpl", NULL, NULL, tests,
				       TESTUTIL_N(tests));

	if (fails < 0)
		return 2;
	return fails ? 1 : 0;
}
