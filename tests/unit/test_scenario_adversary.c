/* test_scenario_adversary: the attack and defence keys of a cell and a
 * matrix (docs/adversaries.md section 1): defaults, every value, and
 * every refusal with its file, line and key. Run from the repo root; no
 * root needed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/Basic.h>

#include "scenario.h"
#include "scenario_adversary.h"
#include "lib/scentext.h"
#include "lib/testutil.h"

static struct scenario sc;
static char path[64];

static int load(const char *text, struct cfg_error *err)
{
	return scentext_load(&sc, path, text, err);
}

/* One cell (line 1 its header, keys from line 2) with extra keys. */
static int load_cell(const char *keys, struct cfg_error *err)
{
	char text[1024];

	snprintf(text, sizeof(text), "[cell c]\na = eim\nb = eim\n%s", keys);
	return load(text, err);
}

static void refused(const char *text, int line, const char *key,
		    const char *msg_part)
{
	scentext_refused(&sc, text, line, key, msg_part);
}

static void test_defaults(void)
{
	struct cfg_error err;
	const struct cell_adv *a;

	CU_ASSERT_EQUAL_FATAL(load_cell("expect = >= 0.5\n", &err), 0);
	a = &sc.cells[0].adv;
	CU_ASSERT_EQUAL(a->attack, CELL_ATTACK_NONE);
	CU_ASSERT_EQUAL(a->victim, CELL_VICTIM_WAN);
	CU_ASSERT_EQUAL(a->attack_delay_ms, 4294967295u);
	CU_ASSERT_EQUAL(a->inject, CELL_INJECT_RST);
	CU_ASSERT_EQUAL(a->inject_offset_ms, 0);
	CU_ASSERT_EQUAL(a->flood, CELL_FLOOD_SLOWLORIS);
	CU_ASSERT_EQUAL(a->flood_count, 1100);
	CU_ASSERT_EQUAL(a->target_policy, 0);
	CU_ASSERT_EQUAL(a->peer_auth, 0);
	CU_ASSERT_EQUAL(a->coord_limits, 0);
	CU_ASSERT_EQUAL(a->max_clients, 1024);
	CU_ASSERT_EQUAL(a->start_jitter_ms, 0);
	CU_ASSERT_EQUAL(a->rst_guard, 0);
	CU_ASSERT_EQUAL(a->effect_op, CELL_EFFECT_NONE);
	CU_ASSERT_EQUAL(scenario_adv_any(&sc), 0);
}

/* Every attack, and each attack's own keys at their bounds. */
static void test_values(void)
{
	static const char *const keys[] = {
		"adversary = redirect\nvictim = wan-listen\n",
		"adversary = impersonate\n",
		"adversary = withhold\n",
		"adversary = delay\nattack_delay_ms = 0\n",
		"adversary = hijack\n",
		"adversary = inject\ninject = syn\ninject_offset_ms = -1000\n",
		"adversary = flood\nflood = pairs\nflood_count = 5000\n",
	};
	struct cfg_error err;
	char text[512];

	for (size_t i = 0; i < TESTUTIL_N(keys); i++) {
		snprintf(text, sizeof(text), "expect = >= 0\n%s", keys[i]);
		CU_ASSERT_EQUAL_FATAL(load_cell(text, &err), 0);
		CU_ASSERT_EQUAL(sc.cells[0].adv.attack, (int)i + 1);
		CU_ASSERT_EQUAL(scenario_adv_any(&sc), 1);
	}
	CU_ASSERT_EQUAL(sc.cells[0].adv.flood, CELL_FLOOD_PAIRS);
	CU_ASSERT_EQUAL(sc.cells[0].adv.flood_count, 5000);
	CU_ASSERT_EQUAL_FATAL(load_cell("adversary = inject\ninject_offset_ms "
					"= 1000\nexpect = >= 0\n", &err), 0);
	CU_ASSERT_EQUAL(sc.cells[0].adv.inject_offset_ms, 1000);
	CU_ASSERT_EQUAL_FATAL(load_cell("adversary = delay\nattack_delay_ms "
					"= 4294967295\nexpect = >= 0\n", &err),
			      0);
	CU_ASSERT_EQUAL(sc.cells[0].adv.attack_delay_ms, 4294967295u);
	for (int v = 0; scenario_adv_victims[v]; v++) {
		snprintf(text, sizeof(text),
			 "adversary = redirect\nvictim = %s\nexpect = >= 0\n",
			 scenario_adv_victims[v]);
		CU_ASSERT_EQUAL_FATAL(load_cell(text, &err), 0);
		CU_ASSERT_EQUAL(sc.cells[0].adv.victim, v);
	}
}

/* The defences, max_clients and expect_effect in place of expect. */
static void test_defences(void)
{
	struct cfg_error err;
	const struct cell_adv *a;

	CU_ASSERT_EQUAL_FATAL(
		load_cell("adversary = flood\ntarget_policy = on\n"
			  "peer_auth = secret\ncoord_limits = on\n"
			  "max_clients = 65536\nexpect_effect = >= 0.9\n",
			  &err),
		0);
	a = &sc.cells[0].adv;
	CU_ASSERT_EQUAL(a->target_policy, 1);
	CU_ASSERT_EQUAL(a->peer_auth, 1);
	CU_ASSERT_EQUAL(a->coord_limits, 1);
	CU_ASSERT_EQUAL(a->max_clients, 65536);
	CU_ASSERT_EQUAL(a->effect_op, CELL_EFFECT_GE);
	CU_ASSERT_DOUBLE_EQUAL(a->effect_value, 0.9, 1e-12);
	CU_ASSERT_STRING_EQUAL(a->effect_text, ">= 0.9");
	/* no expect: any success rate */
	CU_ASSERT_DOUBLE_EQUAL(sc.cells[0].expect_min, 0, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(sc.cells[0].expect_max, 1, 1e-12);
	CU_ASSERT_STRING_EQUAL(sc.cells[0].expect_text, "");
	CU_ASSERT_EQUAL_FATAL(load_cell("adversary = redirect\nmax_clients = 1\n"
					"expect_effect = <2.5\n", &err), 0);
	CU_ASSERT_EQUAL(sc.cells[0].adv.effect_op, CELL_EFFECT_LT);
	CU_ASSERT_DOUBLE_EQUAL(sc.cells[0].adv.effect_value, 2.5, 1e-12);
	for (int op = 1; scenario_adv_effect_ops[op]; op++) {
		char text[128];

		snprintf(text, sizeof(text),
			 "adversary = hijack\nexpect_effect = %s 0\n",
			 scenario_adv_effect_ops[op]);
		CU_ASSERT_EQUAL_FATAL(load_cell(text, &err), 0);
		CU_ASSERT_EQUAL(sc.cells[0].adv.effect_op, op);
	}
	/* An honest cell may run the agents' defences (their cost). */
	CU_ASSERT_EQUAL(load_cell("expect = >= 0\ntarget_policy = on\n"
				  "peer_auth = secret\n", &err), 0);
	/* inject's: the jitter with the secret, the routers' guard */
	CU_ASSERT_EQUAL_FATAL(
		load_cell("adversary = inject\ninject = syn\npeer_auth = secret\n"
			  "start_jitter_ms = 5000\nexpect_effect = <= 0.3\n",
			  &err),
		0);
	CU_ASSERT_EQUAL(sc.cells[0].adv.start_jitter_ms, 5000);
	CU_ASSERT_EQUAL_FATAL(
		load_cell("adversary = inject\nrst_guard = on\n"
			  "expect_effect = <= 500\n", &err),
		0);
	CU_ASSERT_EQUAL(sc.cells[0].adv.rst_guard, 1);
	CU_ASSERT_EQUAL(load_cell("expect = >= 0\nrst_guard = on\npeer_auth = "
				  "secret\nstart_jitter_ms = 0\n", &err), 0);
	CU_ASSERT_EQUAL(sc.cells[0].adv.rst_guard, 1);
}

/* A [matrix] takes single values into every cell it makes. */
static void test_matrix(void)
{
	struct cfg_error err;

	CU_ASSERT_EQUAL_FATAL(
		load("[matrix m]\na = eim\nb = eim\nrtt_ms = 10, 20\n"
		     "adversary = withhold\ntarget_policy = on\n"
		     "expect_effect = <= 6000\n", &err),
		0);
	CU_ASSERT_EQUAL_FATAL(sc.ncells, 2);
	for (int i = 0; i < 2; i++) {
		CU_ASSERT_EQUAL(sc.cells[i].adv.attack, CELL_ATTACK_WITHHOLD);
		CU_ASSERT_EQUAL(sc.cells[i].adv.target_policy, 1);
		CU_ASSERT_EQUAL(sc.cells[i].adv.line[CELL_ADV_ADVERSARY], 5);
		CU_ASSERT_STRING_EQUAL(sc.cells[i].expect_text, "");
	}
	refused("[matrix m]\na = eim\nb = eim\nvictim = lan\n"
		"adversary = delay\nexpect = >= 0\n", 4, "victim",
		"belongs to adversary = redirect");
	refused("[matrix m]\na = eim\nb = eim\nadversary = delay\n", 1,
		"expect", "expect_effect instead");
}

static void test_refused(void)
{
	static const struct {
		const char *keys;
		int line;
		const char *key, *msg;
	} bad[] = {
		{ "adversary = evil\n", 4, "adversary", "not one of: none" },
		{ "adversary = redirect\nvictim = moon\n", 5, "victim",
		  "not one of: wan" },
		{ "adversary = delay\nattack_delay_ms = 4294967296\n", 5,
		  "attack_delay_ms", "" },
		{ "adversary = delay\nattack_delay_ms = -1\n", 5,
		  "attack_delay_ms", "" },
		{ "adversary = inject\ninject = fin\n", 5, "inject",
		  "not one of: rst, syn" },
		{ "adversary = inject\ninject_offset_ms = 1001\n", 5,
		  "inject_offset_ms", "" },
		{ "adversary = inject\ninject_offset_ms = -1001\n", 5,
		  "inject_offset_ms", "" },
		{ "adversary = flood\nflood = storm\n", 5, "flood",
		  "not one of: slowloris, pairs" },
		{ "adversary = flood\nflood_count = 0\n", 5, "flood_count", "" },
		{ "adversary = flood\nflood_count = 5001\n", 5, "flood_count",
		  "" },
		{ "adversary = flood\ntarget_policy = yes\n", 5,
		  "target_policy", "not one of: off, on" },
		{ "adversary = flood\npeer_auth = on\n", 5, "peer_auth",
		  "not one of: off, secret" },
		{ "adversary = flood\ncoord_limits = 1\n", 5, "coord_limits",
		  "not one of: off, on" },
		{ "adversary = flood\nmax_clients = 0\n", 5, "max_clients", "" },
		{ "adversary = flood\nmax_clients = 65537\n", 5, "max_clients",
		  "" },
		{ "adversary = inject\npeer_auth = secret\n"
		  "start_jitter_ms = 5001\n", 6, "start_jitter_ms", "" },
		{ "adversary = inject\npeer_auth = secret\n"
		  "start_jitter_ms = -1\n", 6, "start_jitter_ms", "" },
		{ "adversary = inject\nstart_jitter_ms = 1000\n"
		  "expect_effect = <= 1\n", 5, "start_jitter_ms",
		  "needs peer_auth = secret" },
		{ "adversary = inject\npeer_auth = off\nstart_jitter_ms = 0\n"
		  "expect_effect = <= 1\n", 6, "start_jitter_ms",
		  "needs peer_auth = secret" },
		{ "adversary = inject\nrst_guard = yes\n", 5, "rst_guard",
		  "not one of: off, on" },
		{ "adversary = flood\nexpect_effect = 0.5\n", 5,
		  "expect_effect", "\"OP NUMBER\"" },
		{ "adversary = flood\nexpect_effect = >= x\n", 5,
		  "expect_effect", "\"OP NUMBER\"" },
		{ "adversary = flood\nexpect_effect = =< 1\n", 5,
		  "expect_effect", "\"OP NUMBER\"" },
		/* decimal only: strtod alone read 0x10 as 16 */
		{ "adversary = flood\nexpect_effect = >= 0x10\n", 5,
		  "expect_effect", "a decimal number" },
		{ "adversary = flood\nexpect_effect = <= inf\n", 5,
		  "expect_effect", "a decimal number" },
		{ "adversary = flood\nexpect_effect = >= 0.000000000000000"
		  "000000000000000000001\n", 5,
		  "expect_effect", "longer than" },
		/* an attack's own keys with another attack (any order) */
		{ "victim = lan\nadversary = delay\n", 4, "victim",
		  "belongs to adversary = redirect" },
		{ "adversary = redirect\nattack_delay_ms = 5\n", 5,
		  "attack_delay_ms", "belongs to adversary = delay" },
		{ "adversary = flood\ninject = syn\n", 5, "inject",
		  "belongs to adversary = inject" },
		{ "adversary = flood\ninject_offset_ms = 5\n", 5,
		  "inject_offset_ms", "belongs to adversary = inject" },
		{ "adversary = inject\nflood = pairs\n", 5, "flood",
		  "belongs to adversary = flood" },
		{ "flood_count = 5\n", 4, "flood_count",
		  "belongs to adversary = flood" },
		/* what only an attack gives meaning to */
		{ "coord_limits = on\n", 4, "coord_limits",
		  "needs an adversary" },
		{ "max_clients = 10\n", 4, "max_clients", "needs an adversary" },
		{ "adversary = none\nexpect_effect = >= 1\n", 5,
		  "expect_effect", "needs an adversary" },
	};
	char text[512];

	for (size_t i = 0; i < TESTUTIL_N(bad); i++) {
		snprintf(text, sizeof(text),
			 "[cell c]\na = eim\nb = eim\n%sexpect = >= 0\n",
			 bad[i].keys);
		refused(text, bad[i].line, bad[i].key, bad[i].msg);
	}
	/* honest cells still need expect; an attack needs expect or
	 * expect_effect */
	refused("[cell c]\na = eim\nb = eim\nadversary = hijack\n", 1, "expect",
		"expect may be expect_effect");
	refused("[cell c]\na = eim\nb = eim\nexpect_effect = >= 1\n", 4,
		"expect_effect", "needs an adversary");
}

/* An attack needs the rendezvous and the built-in node. */
static void test_mode_node(void)
{
	refused("[scenario]\nmode = handoff\n[cell c]\na = eim\nb = eim\n"
		"adversary = delay\nexpect = >= 0\n", 6, "adversary",
		"needs mode = rendezvous");
	refused("[cell c]\na = eim\nb = eim\nadversary = delay\n"
		"expect = >= 0\n[scenario]\nmode = out-of-band\n", 4,
		"adversary", "needs mode = rendezvous");
	refused("[scenario]\nnode = bitcoind\n[cell c]\na = eim\nb = eim\n"
		"adversary = hijack\nexpect = >= 0\n", 6, "adversary",
		"needs node = embedded");
	refused("[scenario]\nnode = bitcoind\n[cell c]\na = eim\nb = eim\n"
		"peer_auth = secret\nexpect = >= 0\n", 6, "peer_auth",
		"needs node = embedded");
	refused("[scenario]\nnode = bitcoind-import\n[cell c]\na = eim\n"
		"b = eim\ntarget_policy = on\nexpect = >= 0\n", 6,
		"target_policy", "needs node = embedded");
}

int main(void)
{
	static const struct testutil_case tests[] = {
		{ "defaults", test_defaults },
		{ "every attack and its keys", test_values },
		{ "defences and expect_effect", test_defences },
		{ "matrix", test_matrix },
		{ "refusals name file, line, key", test_refused },
		{ "mode and node", test_mode_node },
	};
	int fails = testutil_run_suite("scenario_adversary", NULL, NULL, tests,
				       TESTUTIL_N(tests));

	scenario_free(&sc);
	if (fails < 0)
		return 2;
	return fails ? 1 : 0;
}
