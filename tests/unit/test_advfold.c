/* Unit tests for advfold and advsetting (harness/punchlab/results/): every
 * attack's headline effect, metrics and verdict from synthetic "adv"
 * records, the expect_effect gate, and an adversary cell in summary.json
 * through results_write. No root needed. */
#include <CUnit/Basic.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <unistd.h>

#include "../../harness/punchlab/results/advsetting.c"
#include "../../harness/punchlab/results/advfold.c"
#include "../../harness/punchlab/results/ladderfold.c"
#include "../../harness/punchlab/results/results.c"
#include "../../harness/punchlab/results/timing.c"
#include "lib/resultsfile.h"
#include "lib/testutil.h"

static const struct advsetting OFF = {.attack = NULL, .expect = ""};

/* Folds the records given as JSON texts (NULL ends them). */
static json_t *fold(const struct advsetting *ac, int *pass, ...)
{
	struct advfold_acc a = {0};
	va_list ap;
	const char *text;
	json_t *j;

	va_start(ap, pass);
	while ((text = va_arg(ap, const char *))) {
		json_t *r = json_loads(text, 0, NULL);

		CU_ASSERT_PTR_NOT_NULL_FATAL(r);
		CU_ASSERT_EQUAL(advfold_add(&a, r), 0);
		json_decref(r);
	}
	va_end(ap);
	j = advfold_cell(ac, &a, pass);
	advfold_free(&a);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	return j;
}

static double effect(json_t *j)
{
	json_t *v = json_object_get(json_object_get(j, "effect"), "value");

	return json_is_number(v) ? json_number_value(v) : NAN;
}

static double metric(json_t *j, const char *k)
{
	json_t *v = json_object_get(json_object_get(j, "metrics"), k);

	return json_is_number(v) ? json_number_value(v) : NAN;
}

static const char *verdict_of(json_t *j)
{
	return json_string_value(json_object_get(j, "verdict"));
}

static void test_expect(void)
{
	CU_ASSERT_EQUAL(advfold_expect("== 0", 0), 1);
	CU_ASSERT_EQUAL(advfold_expect("== 0", 0.05), 0);
	CU_ASSERT_EQUAL(advfold_expect(">= 0.95", 0.95), 1);
	CU_ASSERT_EQUAL(advfold_expect(">= 0.95", 0.9), 0);
	CU_ASSERT_EQUAL(advfold_expect("<= 1", 1), 1);
	CU_ASSERT_EQUAL(advfold_expect("< 1", 1), 0);
	CU_ASSERT_EQUAL(advfold_expect(" > 2 ", 2.5), 1);
	CU_ASSERT_EQUAL(advfold_expect("== 1", 1.0 / 3 * 3), 1);
	CU_ASSERT_EQUAL(advfold_expect(">= 0", NAN), 0); /* nothing measured */
	CU_ASSERT_EQUAL(advfold_expect("=> 1", 1), -EINVAL);
	CU_ASSERT_EQUAL(advfold_expect(">= x", 1), -EINVAL);
	CU_ASSERT_EQUAL(advfold_expect(">= 1 2", 1), -EINVAL);
}

static void test_redirect(void)
{
	struct advsetting on = {
		.attack = "redirect", .target_policy = 1, .expect = "== 0"};
	struct advsetting off = {.attack = "redirect", .expect = ""};
	int pass = -1;
	json_t *j;

	/* Policy on: no SYN reached the victim. */
	j = fold(
		&on, &pass,
		"{\"attack\":\"redirect\",\"victim_syns\":0,\"victim_bytes\":0,"
		"\"attacker_bytes\":300,\"syns_sent\":0}",
		"{\"attack\":\"redirect\",\"victim_syns\":0,\"victim_bytes\":0,"
		"\"attacker_bytes\":300,\"syns_sent\":0}",
		NULL);
	CU_ASSERT_EQUAL(pass, 1);
	CU_ASSERT_DOUBLE_EQUAL(effect(j), 0, 0);
	CU_ASSERT_STRING_EQUAL(
		verdict_of(j),
		"defence holds: victim got 0 SYNs in 2 requests");
	CU_ASSERT_STRING_EQUAL(
		testutil_jstr(json_object_get(j, "effect"), "name"),
		"victim_syns_per_request");
	CU_ASSERT_STRING_EQUAL(
		testutil_jstr(json_object_get(j, "defences"), "target_policy"),
		"on");
	CU_ASSERT_DOUBLE_EQUAL(metric(j, "amplification"), 0, 0);
	json_decref(j);

	/* Policy off: the node is a SYN cannon. 5 and 7 SYNs, 300 and 500
	 * bytes to the victim for 100 bytes of lie each. */
	j = fold(&off, &pass,
		 "{\"attack\":\"redirect\",\"victim_syns\":5,\"victim_bytes\":"
		 "300,"
		 "\"attacker_bytes\":100,\"syns_sent\":6,\"requests\":1}",
		 "{\"attack\":\"redirect\",\"victim_syns\":7,\"victim_bytes\":"
		 "500,"
		 "\"attacker_bytes\":100,\"syns_sent\":8,\"requests\":1}",
		 NULL);
	CU_ASSERT_EQUAL(pass, 1); /* no expect_effect: a measurement */
	CU_ASSERT_DOUBLE_EQUAL(effect(j), 6, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(metric(j, "victim_syns_per_trial_max"), 7, 0);
	CU_ASSERT_DOUBLE_EQUAL(metric(j, "victim_bytes_per_request"), 400,
			       1e-9);
	CU_ASSERT_DOUBLE_EQUAL(metric(j, "attacker_bytes_per_request"), 100,
			       1e-9);
	CU_ASSERT_DOUBLE_EQUAL(metric(j, "amplification"), 4, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(metric(j, "syns_sent_per_trial_mean"), 7,
			       1e-9);
	CU_ASSERT_STRING_EQUAL(verdict_of(j),
			       "measured: victim got 6.0 SYNs per request (2 "
			       "requests), amplification 4.0");
	CU_ASSERT(json_is_null(json_object_get(j, "expect_effect")));
	json_decref(j);

	/* The policy leaks one SYN: the gate fails the cell. */
	j = fold(&on, &pass,
		 "{\"attack\":\"redirect\",\"victim_syns\":1,"
		 "\"victim_bytes\":60,\"attacker_bytes\":100}",
		 NULL);
	CU_ASSERT_EQUAL(pass, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(verdict_of(j), "defence fails: "));
	CU_ASSERT_PTR_NOT_NULL(strstr(verdict_of(j), "(expect_effect == 0)"));
	json_decref(j);

	/* The victim's counter could not be read: no SYN count is not a
	 * count of 0, and the claim fails. */
	j = fold(&on, &pass,
		 "{\"attack\":\"redirect\",\"requests\":1,"
		 "\"attacker_bytes\":93}",
		 NULL);
	CU_ASSERT_EQUAL(pass, 0);
	CU_ASSERT(isnan(effect(j)));
	CU_ASSERT_PTR_NOT_NULL(
		strstr(verdict_of(j), "no victim counter was read in 1 trials"));
	json_decref(j);
}

static void test_impersonate(void)
{
	struct advsetting ac = {
		.attack = "impersonate", .peer_auth = 1, .expect = "== 1"};
	int pass = -1;
	json_t *j;

	j = fold(&ac, &pass, "{\"played\":1,\"detected\":1}",
		 "{\"played\":1,\"detected\":1}",
		 "{\"played\":0,\"detected\":0}", NULL);
	CU_ASSERT_EQUAL(pass, 1);
	CU_ASSERT_DOUBLE_EQUAL(effect(j), 1, 0);
	CU_ASSERT_DOUBLE_EQUAL(metric(j, "played"), 2, 0);
	CU_ASSERT_DOUBLE_EQUAL(metric(j, "detected"), 2, 0);
	CU_ASSERT_STRING_EQUAL(verdict_of(j),
			       "defence holds: detected 2 of 2 impersonations "
			       "(mallory played the peer in 2 of 3 trials)");
	json_decref(j);

	/* Without the secret nobody notices. */
	ac.peer_auth = 0;
	ac.expect = "== 0";
	j = fold(&ac, &pass, "{\"played\":1,\"detected\":0}", "{\"played\":1}",
		 NULL);
	CU_ASSERT_EQUAL(pass, 1);
	CU_ASSERT_DOUBLE_EQUAL(effect(j), 0, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(verdict_of(j), "attack works: "));
	json_decref(j);

	/* Mallory never played: no rate, and a claim on it fails. */
	ac.expect = ">= 0";
	j = fold(&ac, &pass, "{\"played\":0}", NULL);
	CU_ASSERT_EQUAL(pass, 0);
	CU_ASSERT(isnan(effect(j)));
	json_decref(j);
}

static void test_cost(void)
{
	struct advsetting ac = {
		.attack = "withhold", .target_policy = 1, .expect = "<= 11000"};
	int pass = -1;
	json_t *j;

	j = fold(&ac, &pass,
		 "{\"cost_ms\":10000,\"syns_sent\":0,\"sockets\":1}",
		 "{\"cost_ms\":10010,\"syns_sent\":0,\"sockets\":1}",
		 "{\"cost_ms\":10020,\"syns_sent\":0,\"sockets\":1}", NULL);
	CU_ASSERT_EQUAL(pass, 1);
	CU_ASSERT_STRING_EQUAL(
		testutil_jstr(json_object_get(j, "effect"), "name"),
		"cost_ms_per_request");
	CU_ASSERT_DOUBLE_EQUAL(effect(j), 10010, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(metric(j, "cost_ms_p90"), 10018, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(metric(j, "cost_ms_max"), 10020, 0);
	CU_ASSERT_DOUBLE_EQUAL(metric(j, "sockets_mean"), 1, 0);
	CU_ASSERT_STRING_EQUAL(
		verdict_of(j),
		"defence holds: a request cost the node 10010 ms "
		"mean (p90 10018), 0.0 SYNs, 1.0 sockets in 3 "
		"requests");
	json_decref(j);

	/* delay: same fold; a node without caps waits the lie out. */
	ac = (struct advsetting){.attack = "delay", .expect = ""};
	j = fold(&ac, &pass, "{\"cost_ms\":60000,\"syns_sent\":16}", NULL);
	CU_ASSERT_DOUBLE_EQUAL(effect(j), 60000, 0);
	CU_ASSERT_DOUBLE_EQUAL(metric(j, "syns_max"), 16, 0);
	CU_ASSERT(json_is_null(json_object_get(json_object_get(j, "metrics"),
					       "sockets_mean")));
	json_decref(j);

	/* Records without a cost: no effect, said so. */
	j = fold(&ac, &pass, "{\"syns_sent\":1}", NULL);
	CU_ASSERT(isnan(effect(j)));
	CU_ASSERT_STRING_EQUAL(verdict_of(j), "measured: no trial recorded "
					      "its cost (1 requests)");
	json_decref(j);
}

static void test_hijack(void)
{
	struct advsetting ac = {.attack = "hijack",
			     .peer_auth = 1,
			     .coord_limits = 1,
			     .expect = "== 0"};
	int pass = -1;
	json_t *j;

	j = fold(&ac, &pass, "{\"played\":1,\"detected\":1}",
		 "{\"played\":0,\"detected\":0}", NULL);
	CU_ASSERT_EQUAL(pass, 1);
	CU_ASSERT_DOUBLE_EQUAL(effect(j), 0, 0);
	CU_ASSERT_DOUBLE_EQUAL(metric(j, "played"), 1, 0);
	json_decref(j);

	/* Undetected plays are hijacks: 2 of 4. */
	ac = (struct advsetting){.attack = "hijack", .expect = ""};
	j = fold(&ac, &pass, "{\"played\":1,\"detected\":0}", "{\"played\":1}",
		 "{\"played\":0}", "{\"played\":1,\"detected\":1}", NULL);
	CU_ASSERT_DOUBLE_EQUAL(effect(j), 0.5, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(metric(j, "hijacked"), 2, 0);
	CU_ASSERT_STRING_EQUAL(
		verdict_of(j),
		"measured: attacker completed undetected in 2 of "
		"4 trials (played 3, detected 1)");
	json_decref(j);
}

static void test_inject(void)
{
	struct advsetting ac = {.attack = "inject", .expect = ""};
	int pass = -1;
	json_t *j, *bo, *e;

	j = fold(&ac, &pass, "{\"inject_offset_ms\":5,\"killed\":1}",
		 "{\"inject_offset_ms\":-5,\"killed\":0}",
		 "{\"inject_offset_ms\":5,\"killed\":0}",
		 "{\"inject_offset_ms\":5,\"killed\":1}", NULL);
	CU_ASSERT_DOUBLE_EQUAL(effect(j), 0.5, 1e-12);
	bo = json_object_get(json_object_get(j, "metrics"), "by_offset");
	CU_ASSERT_EQUAL_FATAL(json_array_size(bo), 2);
	e = json_array_get(bo, 0);
	CU_ASSERT_DOUBLE_EQUAL(
		json_number_value(json_object_get(e, "offset_ms")), -5, 0);
	CU_ASSERT_EQUAL(testutil_jint(e, "trials"), 1);
	CU_ASSERT_EQUAL(testutil_jint(e, "killed"), 0);
	e = json_array_get(bo, 1);
	CU_ASSERT_EQUAL(testutil_jint(e, "trials"), 3);
	CU_ASSERT_EQUAL(testutil_jint(e, "killed"), 2);
	CU_ASSERT_STRING_EQUAL(verdict_of(j),
			       "measured: 2 of 4 punches killed");
	json_decref(j);

	j = fold(&ac, &pass, "{\"inject_offset_ms\":20,\"killed\":0}", NULL);
	CU_ASSERT_STRING_EQUAL(verdict_of(j),
			       "measured: 0 of 1 punches killed at +20 ms");
	json_decref(j);
}

/* Spoofed RSTs kill nothing: their effect is the survivors' time to
 * connect (p50); the jitter's defence counts as a defence. */
static void test_inject_defences(void)
{
	struct advsetting ac = {.attack = "inject", .expect = "<= 500",
				.rst_guard = 1};
	int pass = -1;
	json_t *j;

	ac.setting = json_pack("{s:s}", "inject", "rst");
	j = fold(&ac, &pass, "{\"kind\":\"rst\",\"killed\":0,\"ttc_ms\":101}",
		 "{\"kind\":\"rst\",\"killed\":0,\"ttc_ms\":103}",
		 "{\"kind\":\"rst\",\"killed\":0,\"ttc_ms\":1104}", NULL);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(
		json_object_get(j, "effect"), "name")), "ttc_ms_p50");
	CU_ASSERT_DOUBLE_EQUAL(effect(j), 103, 1e-9);
	CU_ASSERT_EQUAL(pass, 1);
	CU_ASSERT_STRING_EQUAL(
		json_string_value(json_object_get(
			json_object_get(j, "defences"), "rst_guard")), "on");
	CU_ASSERT_STRING_EQUAL(verdict_of(j),
			       "defence holds: 0 of 3 punches killed, time to "
			       "connect p50 103 ms");
	json_decref(j);
	json_decref(ac.setting);

	ac = (struct advsetting){.attack = "inject", .expect = "<= 0.3",
				 .peer_auth = 1, .start_jitter_ms = 1000};
	ac.setting = json_pack("{s:s}", "inject", "syn");
	j = fold(&ac, &pass, "{\"kind\":\"syn\",\"killed\":1,"
		 "\"start_jitter_ms\":30}",
		 "{\"kind\":\"syn\",\"killed\":0,\"start_jitter_ms\":700,"
		 "\"ttc_ms\":800}", NULL);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(
		json_object_get(j, "effect"), "name")), "killed_rate");
	CU_ASSERT_DOUBLE_EQUAL(effect(j), 0.5, 1e-12);
	CU_ASSERT_EQUAL(pass, 0);
	CU_ASSERT_DOUBLE_EQUAL(metric(j, "start_jitter_ms_mean"), 365, 1e-9);
	CU_ASSERT_EQUAL(testutil_jint(json_object_get(j, "defences"),
				      "start_jitter_ms"), 1000);
	json_decref(j);
	json_decref(ac.setting);
}

static void test_flood(void)
{
	struct advsetting ac = {
		.attack = "flood", .coord_limits = 1, .expect = ">= 0.95"};
	int pass = -1;
	json_t *j;

	j = fold(&ac, &pass, "{\"paired\":1}", "{\"paired\":1}",
		 "{\"paired\":0}", NULL);
	CU_ASSERT_EQUAL(pass, 0);
	CU_ASSERT_DOUBLE_EQUAL(effect(j), 2.0 / 3, 1e-12);
	CU_ASSERT_PTR_NOT_NULL(strstr(verdict_of(j),
				      "defence fails: 2 of 3 "
				      "legitimate trials paired"));
	json_decref(j);
}

/* No records at all (the wiring lost them): no effect, and a cell that
 * claims one fails; the attack comes from the records when the cell
 * has none. */
static void test_no_records(void)
{
	struct advsetting ac = {.attack = "flood", .expect = ">= 0.95"};
	int pass = -1;
	json_t *j;

	j = fold(&ac, &pass, NULL);
	CU_ASSERT_EQUAL(pass, 0);
	CU_ASSERT(json_is_null(
		json_object_get(json_object_get(j, "effect"), "value")));
	CU_ASSERT_PTR_NOT_NULL(strstr(verdict_of(j), "no measurement"));
	json_decref(j);
	j = fold(&OFF, &pass, "{\"attack\":\"flood\",\"paired\":1}", NULL);
	CU_ASSERT_EQUAL(pass, 1);
	CU_ASSERT_STRING_EQUAL(testutil_jstr(j, "attack"), "flood");
	CU_ASSERT_DOUBLE_EQUAL(effect(j), 1, 0);
	json_decref(j);
}

/* advsetting reads the model; results_write puts the object in the cell,
 * gates on it and counts the miss. */
static int write_cell(struct scenario_cell *c, int victim_syns,
		      json_t **summary)
{
	struct cell_result r;

	CU_ASSERT_EQUAL_FATAL(results_cell_init(&r, 2), 0);
	for (int t = 0; t < 2; t++) {
		json_t *rec = json_pack("{s:{s:s, s:i}}", "adv", "attack",
					"redirect", "victim_syns", victim_syns);

		results_account(&r, OUTCOME_SETUP, -1, -1);
		CU_ASSERT_EQUAL(results_adv(&r, rec), 0);
		json_decref(rec);
	}
	return resultsfile_cell(c, &r, summary);
}

static void test_results_write(void)
{
	struct scenario_cell c = {
		.name = "redirect-lan-policy",
		.puncher = {SCENARIO_PUNCHER_AGENT, SCENARIO_PUNCHER_AGENT}};
	json_t *sum, *cell, *adv;

	strcpy(c.a.name, "home-eim");
	strcpy(c.b.name, "home-eim");
	c.adv = (struct cell_adv){.attack = CELL_ATTACK_REDIRECT,
				  .victim = CELL_VICTIM_LAN,
				  .target_policy = 1,
				  .effect_op = CELL_EFFECT_EQ, .effect_value = 0,
				  .effect_text = "== 0"};
	CU_ASSERT_EQUAL(write_cell(&c, 0, &sum), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sum);
	cell = json_array_get(json_object_get(sum, "cells"), 0);
	adv = json_object_get(cell, "adversary");
	CU_ASSERT_PTR_NOT_NULL_FATAL(adv);
	CU_ASSERT_STRING_EQUAL(testutil_jstr(cell, "verdict"), "pass");
	CU_ASSERT_STRING_EQUAL(testutil_jstr(adv, "attack"), "redirect");
	CU_ASSERT_STRING_EQUAL(testutil_jstr(adv, "expect_effect"), "== 0");
	CU_ASSERT_STRING_EQUAL(
		testutil_jstr(json_object_get(adv, "setting"), "victim"),
		"lan");
	CU_ASSERT_STRING_EQUAL(
		testutil_jstr(json_object_get(adv, "defences"), "peer_auth"),
		"off");
	json_decref(sum);

	/* One SYN per request reached the router's admin page: FAIL. */
	CU_ASSERT_EQUAL(write_cell(&c, 1, &sum), 1);
	cell = json_array_get(json_object_get(sum, "cells"), 0);
	CU_ASSERT_STRING_EQUAL(testutil_jstr(cell, "verdict"), "fail");
	json_decref(sum);

	/* A cell without an adversary gets no object. */
	c.adv.attack = CELL_ATTACK_NONE;
	strcpy(c.expect_text, ">= 0");
	c.expect_max = 1;
	CU_ASSERT_EQUAL(write_cell(&c, 0, &sum), 0);
	cell = json_array_get(json_object_get(sum, "cells"), 0);
	CU_ASSERT_PTR_NULL(json_object_get(cell, "adversary"));
	json_decref(sum);
}

int main(void)
{
	static const struct testutil_case tests[] = {
		{"expect_effect comparisons", test_expect},
		{"redirect: victim SYNs, bytes, amplification", test_redirect},
		{"impersonate: detected rate", test_impersonate},
		{"withhold and delay: cost per request", test_cost},
		{"hijack: undetected completions", test_hijack},
		{"inject: killed rate by offset", test_inject},
		{"inject: rst's time to connect, the defences", test_inject_defences},
		{"flood: legitimate pairs", test_flood},
		{"no records, attack from the records", test_no_records},
		{"summary.json and the gate", test_results_write},
	};

	return testutil_run_suite("advfold", NULL, NULL, tests,
				  TESTUTIL_N(tests))
		       ? 1
		       : 0;
}
