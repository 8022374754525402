/* test_advrecord: an adversary trial's "adv" object (docs/adversaries.md
 * section 6) from an events file, victim counters, agents' times and
 * reports: which members each attack gets, and their values. No root. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/Basic.h>

#include "../../harness/punchlab/trials/advrecord.c"
#include "lib/testutil.h"

/* advrecord.c's neighbours, not under test */
const char *advcell_events(struct advcells *a, int cell)
{
	(void)a;
	(void)cell;
	return "";
}

unsigned long long agentcmd_key(int cell, int trial)
{
	return (unsigned long long)(cell + 1) * 1000000ull + trial + 1;
}

static struct running run;
static char events[] = "/tmp/test-advrecord-XXXXXX";

static int init(void)
{
	static const char text[] =
		"{\"event\":\"ready\",\"t_ns\":1}\n"
		"{\"event\":\"punch\",\"t_ns\":2,\"key\":1000001,\"to\":\"198.51."
		"100.1:20000\",\"named\":\"192.0.2.99:8333\",\"bytes\":90}\n"
		"{\"event\":\"punch\",\"t_ns\":3,\"key\":1000001,\"to\":\"203.0."
		"113.1:20000\",\"named\":\"192.0.2.99:8333\",\"bytes\":92}\n"
		"{\"event\":\"punch\",\"t_ns\":4,\"key\":1000002,\"bytes\":1000}\n"
		"{\"event\":\"played\",\"t_ns\":5,\"key\":1000002,\"with\":\"1.2."
		"3.4:5\",\"handshake\":true}\n"
		"{\"event\":\"inject\",\"t_ns\":6,\"key\":1000003,\"kind\":\"rst\","
		"\"count\":3,\"offset_ns\":-250000000}\n"
		"{\"event\":\"inject\",\"t_ns\":7,\"key\":1000003,\"kind\":\"rst\","
		"\"count\":3,\"offset_ns\":900000000}\n"
		"{\"event\":\"punch\",\"t_ns\":8,\"key\":10000\n"; /* cut short */
	int fd = mkstemp(events);

	if (fd < 0 || write(fd, text, sizeof(text) - 1) !=
			      (ssize_t)sizeof(text) - 1)
		return -1;
	close(fd);
	return 0;
}

static int clean(void)
{
	unlink(events);
	return 0;
}

/* alice registered at 1 ms and ended at 5 ms; bob never registered
 * (spawned at 2 ms) and ended at 9 ms: bob's 7 ms is the cost. */
static void reports(json_t **ra, json_t **rb, const char *outcome_b)
{
	*ra = json_pack("{s:s, s:I, s:I, s:I, s:[I,I]}", "outcome", "ok",
			"t_register_ns", (json_int_t)1000000, "t_match_ns",
			(json_int_t)1500000, "syns_sent", (json_int_t)3,
			"syn_ns", (json_int_t)1, (json_int_t)2);
	*rb = json_pack("{s:s, s:n, s:n, s:I, s:[I]}", "outcome", outcome_b,
			"t_register_ns", "t_match_ns", "syns_sent",
			(json_int_t)1, "syn_ns", (json_int_t)1);
	run.sd[0].t_spawn_ns = 500000;
	run.sd[0].t_end_ns = 5000000;
	run.sd[1].t_spawn_ns = 2000000;
	run.sd[1].t_end_ns = 9000000;
}

static json_t *adv_of(enum cell_attack attack, unsigned long long key,
		      const char *outcome_b, int ok)
{
	struct cell_adv a = { .attack = attack };
	json_t *ra, *rb, *j;

	reports(&ra, &rb, outcome_b);
	j = advrecord_json(&a, events, key, &run, ra, rb, ok);
	json_decref(ra);
	json_decref(rb);
	return j;
}

static void test_redirect(void)
{
	json_t *j;

	run.adv = (struct adv_trial){ .counted = 1, .syn0 = 10, .syn1 = 14,
				      .bytes0 = 600, .bytes1 = 840 };
	j = adv_of(CELL_ATTACK_REDIRECT, 1000001, "timeout", 0);
	CU_ASSERT_STRING_EQUAL(testutil_jstr(j, "attack"), "redirect");
	CU_ASSERT_EQUAL(testutil_jint(j, "victim_syns"), 4);
	CU_ASSERT_EQUAL(testutil_jint(j, "victim_bytes"), 240);
	CU_ASSERT_EQUAL(testutil_jint(j, "attacker_bytes"), 182);
	CU_ASSERT_DOUBLE_EQUAL(json_real_value(json_object_get(j, "cost_ms")),
			       7.0, 1e-9);
	CU_ASSERT_EQUAL(testutil_jint(j, "syns_sent"), 4);
	CU_ASSERT_EQUAL(testutil_jint(j, "sockets"), 3);
	CU_ASSERT_EQUAL(testutil_jint(j, "paired"), 0); /* bob has none */
	CU_ASSERT_PTR_NULL(json_object_get(j, "played"));
	CU_ASSERT_PTR_NULL(json_object_get(j, "killed"));
	json_decref(j);
	/* counters unread: absent, not zero */
	run.adv.counted = 0;
	j = adv_of(CELL_ATTACK_REDIRECT, 1000001, "timeout", 0);
	CU_ASSERT_PTR_NULL(json_object_get(j, "victim_syns"));
	CU_ASSERT_EQUAL(testutil_jint(j, "attacker_bytes"), 182);
	json_decref(j);
}

static void test_played(void)
{
	json_t *j = adv_of(CELL_ATTACK_IMPERSONATE, 1000002, "wrong-peer", 0);

	CU_ASSERT_EQUAL(testutil_jint(j, "played"), 1);
	CU_ASSERT_EQUAL(testutil_jint(j, "detected"), 1);
	CU_ASSERT_PTR_NULL(json_object_get(j, "attacker_bytes"));
	json_decref(j);
	j = adv_of(CELL_ATTACK_HIJACK, 1000002, "ok", 1);
	CU_ASSERT_EQUAL(testutil_jint(j, "played"), 1);
	CU_ASSERT_EQUAL(testutil_jint(j, "detected"), 0);
	json_decref(j);
	/* wrong-peer without mallory playing is not a detection */
	j = adv_of(CELL_ATTACK_HIJACK, 1000001, "wrong-peer", 0);
	CU_ASSERT_EQUAL(testutil_jint(j, "played"), 0);
	CU_ASSERT_EQUAL(testutil_jint(j, "detected"), 0);
	json_decref(j);
}

static void test_inject(void)
{
	json_t *j = adv_of(CELL_ATTACK_INJECT, 1000003, "refused", 0);

	CU_ASSERT_EQUAL(testutil_jint(j, "killed"), 1);
	CU_ASSERT_DOUBLE_EQUAL(
		json_real_value(json_object_get(j, "inject_offset_ms")), -250.0,
		1e-9);
	json_decref(j);
	j = adv_of(CELL_ATTACK_INJECT, 1000003, "ok", 1);
	CU_ASSERT_EQUAL(testutil_jint(j, "killed"), 0);
	json_decref(j);
	/* no injection for the key: nothing killed, no offset */
	j = adv_of(CELL_ATTACK_INJECT, 1000004, "timeout", 0);
	CU_ASSERT_EQUAL(testutil_jint(j, "killed"), 0);
	CU_ASSERT_PTR_NULL(json_object_get(j, "inject_offset_ms"));
	json_decref(j);
}

static void test_flood(void)
{
	json_t *j = adv_of(CELL_ATTACK_FLOOD, 1000005, "ok", 1);

	CU_ASSERT_PTR_NOT_NULL(json_object_get(j, "paired"));
	CU_ASSERT_PTR_NULL(json_object_get(j, "played"));
	CU_ASSERT_PTR_NULL(json_object_get(j, "victim_syns"));
	CU_ASSERT_PTR_NULL(json_object_get(j, "killed"));
	json_decref(j);
}

int main(void)
{
	static const struct testutil_case tests[] = {
		{ "redirect: counters, attacker bytes, cost", test_redirect },
		{ "impersonate, hijack: played, detected", test_played },
		{ "inject: killed, offset", test_inject },
		{ "flood: paired only", test_flood },
	};
	int fails = testutil_run_suite("advrecord", init, clean, tests,
				       TESTUTIL_N(tests));

	if (fails < 0)
		return 2;
	return fails ? 1 : 0;
}
