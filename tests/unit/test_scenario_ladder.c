/* test_scenario_ladder: a cell's `mechanisms` list and its
 * expect_<mechanism> keys (docs/alternatives.md section 6): the order
 * kept, a [matrix] giving them to every cell, and each refusal with its
 * file, line and key. Run from the repo root; no root needed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/Basic.h>

#include "scenario.h"
#include "scenario_ladder.h"
#include "lib/scentext.h"
#include "lib/testutil.h"

static struct scenario sc;
static char path[64];

static int load(const char *text, struct cfg_error *err)
{
	return scentext_load(&sc, path, text, err);
}

static void refused(const char *text, int line, const char *key,
		    const char *msg_part)
{
	scentext_refused(&sc, text, line, key, msg_part);
}

static void test_order(void)
{
	struct cfg_error err;
	const struct cell_ladder *l;

	CU_ASSERT_EQUAL_FATAL(load("[cell c]\na = eim\nb = eim\nexpect = >= 0\n"
				   "mechanisms = ipv4-punch ,direct,  pcp\n"
				   "expect_ipv4_punch = >= 0.9\n"
				   "expect_direct = == 0\n",
				   &err),
			      0);
	l = &sc.cells[0].ladder;
	CU_ASSERT_EQUAL(l->n, 3);
	CU_ASSERT_EQUAL(l->mech[0], LADDER_IPV4_PUNCH);
	CU_ASSERT_EQUAL(l->mech[1], LADDER_DIRECT);
	CU_ASSERT_EQUAL(l->mech[2], LADDER_PCP);
	CU_ASSERT_EQUAL(l->line, 5);
	CU_ASSERT_STRING_EQUAL(l->expect_text[LADDER_IPV4_PUNCH], ">= 0.9");
	CU_ASSERT_DOUBLE_EQUAL(l->expect_min[LADDER_IPV4_PUNCH], 0.9, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(l->expect_max[LADDER_DIRECT], 0, 1e-9);
	CU_ASSERT_STRING_EQUAL(l->expect_text[LADDER_PCP], "");
	CU_ASSERT(scenario_ladder_has(l, LADDER_PCP));
	CU_ASSERT(!scenario_ladder_has(l, LADDER_IPV6_PUNCH));
	/* every name, and a cell without the key is no ladder */
	CU_ASSERT_EQUAL_FATAL(
		load("[cell c]\na = eim\nb = eim\nexpect = >= 0\nmechanisms = "
		     "direct, pcp, ipv6-direct, ipv6-punch, ipv4-punch\n"
		     "expect_ipv6_direct = <= 0.1\n[cell d]\na = eim\n"
		     "b = eim\nexpect = >= 0\n",
		     &err),
		0);
	CU_ASSERT_EQUAL(sc.cells[0].ladder.n, LADDER_NMECH);
	for (int m = 0; m < LADDER_NMECH; m++)
		CU_ASSERT_EQUAL(sc.cells[0].ladder.mech[m], m);
	CU_ASSERT_EQUAL(sc.cells[1].ladder.n, 0);
}

/* A matrix over homes gives its ladder to every cell it makes. */
static void test_matrix(void)
{
	struct cfg_error err;

	CU_ASSERT_EQUAL_FATAL(load("[matrix m]\na = eim\nb = eim, sym\n"
				   "expect = >= 0\nmechanisms = direct, "
				   "ipv4-punch\nexpect_direct = == 0\n",
				   &err),
			      0);
	CU_ASSERT_EQUAL_FATAL(sc.ncells, 2);
	for (int i = 0; i < 2; i++) {
		const struct cell_ladder *l = &sc.cells[i].ladder;

		CU_ASSERT_EQUAL(l->n, 2);
		CU_ASSERT_EQUAL(l->mech[0], LADDER_DIRECT);
		CU_ASSERT_EQUAL(l->mech[1], LADDER_IPV4_PUNCH);
		CU_ASSERT_STRING_EQUAL(l->expect_text[LADDER_DIRECT], "== 0");
	}
}

static void test_refused(void)
{
	refused("[cell c]\na = eim\nb = eim\nexpect = >= 0\n"
		"mechanisms = direct, relay\n",
		5, "mechanisms", "'relay' is not a mechanism");
	refused("[cell c]\na = eim\nb = eim\nexpect = >= 0\n"
		"mechanisms = direct, pcp, direct\n",
		5, "mechanisms", "direct listed twice");
	refused("[cell c]\na = eim\nb = eim\nexpect = >= 0\n"
		"mechanisms = direct,\n",
		5, "mechanisms", "not a mechanism");
	refused("[cell c]\na = eim\nb = eim\nexpect = >= 0\n"
		"mechanisms =\n",
		5, "mechanisms", "not a mechanism");
	refused("[cell c]\na = eim\nb = eim\nexpect = >= 0\n"
		"mechanisms = direct\nexpect_pcp = >= 0.5\n",
		6, "expect_pcp", "does not list pcp");
	refused("[cell c]\na = eim\nb = eim\nexpect = >= 0\n"
		"expect_ipv6_punch = >= 0.5\n",
		5, "expect_ipv6_punch", "does not list ipv6-punch");
	refused("[cell c]\na = eim\nb = eim\nexpect = >= 0\n"
		"mechanisms = pcp\nexpect_pcp = most\n",
		6, "expect_pcp", "not an expectation");
	refused("[cell c]\na = eim\nb = eim\nexpect = >= 0\n"
		"expect_relay = >= 0.5\n",
		5, "expect_relay", "unknown key");
	refused("[matrix m]\na = eim\nb = eim\nexpect = >= 0\n"
		"mechanisms = ipv4\n",
		5, "mechanisms", "not a mechanism");
}

/* A ladder's steps are fresh agents of the built-in node at charlie. */
static void test_mode_node(void)
{
	refused("[scenario]\nmode = handoff\n[cell c]\na = eim\nb = eim\n"
		"mechanisms = direct\nexpect = >= 0\n",
		6, "mechanisms", "mode = rendezvous");
	refused("[scenario]\nnode = bitcoind\n[cell c]\na = eim\nb = eim\n"
		"mechanisms = direct\nexpect = >= 0\n",
		6, "mechanisms", "node = embedded");
	refused("[cell c]\na = eim\nb = eim\nmechanisms = ipv4-punch\n"
		"adversary = delay\nexpect = >= 0\n",
		4, "mechanisms", "no adversary");
}

int main(void)
{
	static const struct testutil_case tests[] = {
		{"order and expectations", test_order},
		{"matrix", test_matrix},
		{"refusals name file, line, key", test_refused},
		{"mode, node, adversary", test_mode_node},
	};
	int fails = testutil_run_suite("scenario_ladder", NULL, NULL, tests,
				       TESTUTIL_N(tests));

	scenario_free(&sc);
	if (fails < 0)
		return 2;
	return fails ? 1 : 0;
}
