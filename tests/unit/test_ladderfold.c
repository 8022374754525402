/* Unit tests for ladderfold (harness/punchlab/results/): trial records'
 * "ladder" and "first" folded into a cell's "ladder" object (per
 * mechanism trials, successes, Wilson interval, median ms; first-success
 * counts), the expect_<mechanism> gate, and a ladder cell in summary.json
 * through results_write. No root needed. */
#include <CUnit/Basic.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../harness/punchlab/results/advsetting.c"
#include "../../harness/punchlab/results/advfold.c"
#include "../../harness/punchlab/results/ladderfold.c"
#include "../../harness/punchlab/results/results.c"
#include "../../harness/punchlab/results/timing.c"
#include "lib/resultsfile.h"
#include "lib/testutil.h"

/* A trial record: direct failed (RST), pcp unavailable, ipv4-punch as
 * given with ms. */
static json_t *record(int punch_ok, double ms)
{
	json_t *t = json_pack(
		"{s:[{s:s, s:b, s:f, s:s, s:s}, {s:s, s:b, s:n, s:s, s:s},"
		" {s:s, s:b, s:f, s:s, s:n}]}",
		"ladder", "mechanism", "direct", "ok", 0, "ms", 40.0, "outcome",
		"refused", "why", "RST: refused", "mechanism", "pcp", "ok", 0,
		"ms", "outcome", "unavailable", "why", "no PCP server",
		"mechanism", "ipv4-punch", "ok", punch_ok, "ms", ms, "outcome",
		punch_ok ? "ok" : "timeout", "why");

	json_object_set_new(t, "first",
			    punch_ok ? json_string("ipv4-punch") : json_null());
	return t;
}

static struct cell_ladder three(void)
{
	struct cell_ladder l = {
		.n = 3, .mech = {LADDER_DIRECT, LADDER_PCP, LADDER_IPV4_PUNCH}};
	return l;
}

static double lnum(json_t *o, const char *m, const char *k)
{
	return json_number_value(json_object_get(json_object_get(o, m), k));
}

static void test_fold(void)
{
	struct ladderfold_acc a = {0};
	struct cell_ladder l = three();
	double ms[] = {300, 100, 200, 0};
	int pass = 1;
	json_t *j, *first, *other;

	for (int i = 0; i < 4; i++) {
		json_t *t = record(i < 3, ms[i]);

		CU_ASSERT_EQUAL(ladderfold_add(&a, t), 0);
		json_decref(t);
	}
	/* a record of a cell without a ladder is not counted (the fold
	 * takes no reference: the record is ours to drop) */
	other = json_pack("{s:s}", "outcome", "ok");
	CU_ASSERT_EQUAL(ladderfold_add(&a, other), 0);
	json_decref(other);
	CU_ASSERT_EQUAL(a.ntrials, 4);
	j = ladderfold_cell(&l, &a, &pass);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_EQUAL(pass, 1);
	CU_ASSERT_DOUBLE_EQUAL(lnum(j, "direct", "trials"), 4, 0);
	CU_ASSERT_DOUBLE_EQUAL(lnum(j, "direct", "successes"), 0, 0);
	CU_ASSERT(json_is_null(
		json_object_get(json_object_get(j, "direct"), "ms_p50")));
	CU_ASSERT_DOUBLE_EQUAL(lnum(j, "pcp", "rate"), 0, 0);
	CU_ASSERT_DOUBLE_EQUAL(lnum(j, "ipv4-punch", "successes"), 3, 0);
	CU_ASSERT_DOUBLE_EQUAL(lnum(j, "ipv4-punch", "rate"), 0.75, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(lnum(j, "ipv4-punch", "ms_p50"), 200, 1e-9);
	CU_ASSERT(lnum(j, "ipv4-punch", "wilson_low") < 0.75 &&
		  lnum(j, "ipv4-punch", "wilson_high") > 0.75);
	first = json_object_get(j, "first");
	CU_ASSERT_EQUAL(
		json_integer_value(json_object_get(first, "ipv4-punch")), 3);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(first, "direct")),
			0);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(first, "none")), 1);
	CU_ASSERT_EQUAL(json_array_size(json_object_get(j, "order")), 3);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_array_get(
				       json_object_get(j, "order"), 2)),
			       "ipv4-punch");
	/* no expect_<mechanism>: no verdict member */
	CU_ASSERT_PTR_NULL(
		json_object_get(json_object_get(j, "pcp"), "verdict"));
	json_decref(j);
	/* not a ladder cell: nothing */
	l.n = 0;
	CU_ASSERT_PTR_NULL(ladderfold_cell(&l, &a, &pass));
	ladderfold_free(&a);
}

/* results_write: the cell carries "ladder"; a missed expect_direct fails
 * the cell although its own expect (first success) holds. */
static int write_cell(struct scenario_cell *c, json_t **summary)
{
	struct cell_result r;

	CU_ASSERT_EQUAL_FATAL(results_cell_init(&r, 2), 0);
	for (int t = 0; t < 2; t++) {
		json_t *rec = record(1, 250);

		results_account(&r, OUTCOME_OK, 290, -1);
		CU_ASSERT_EQUAL(results_ladder(&r, rec), 0);
		json_decref(rec);
	}
	return resultsfile_cell(c, &r, summary);
}

static void test_results_write(void)
{
	struct scenario_cell c = {
		.name = "ladder-home",
		.expect_min = 0.5,
		.expect_max = 1,
		.expect_text = ">= 0.5",
		.puncher = {SCENARIO_PUNCHER_AGENT, SCENARIO_PUNCHER_AGENT}};
	json_t *sum, *cell, *lad;

	strcpy(c.a.name, "home-eim");
	strcpy(c.b.name, "home-eim");
	c.ladder = three();
	strcpy(c.ladder.expect_text[LADDER_DIRECT], "== 0");
	CU_ASSERT_EQUAL(write_cell(&c, &sum), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sum);
	cell = json_array_get(json_object_get(sum, "cells"), 0);
	lad = json_object_get(cell, "ladder");
	CU_ASSERT_PTR_NOT_NULL_FATAL(lad);
	CU_ASSERT_STRING_EQUAL(testutil_jstr(cell, "verdict"), "pass");
	CU_ASSERT_STRING_EQUAL(
		testutil_jstr(json_object_get(lad, "direct"), "verdict"),
		"pass");
	json_decref(sum);

	/* expect_direct >= 0.9 while direct never connects: FAIL */
	strcpy(c.ladder.expect_text[LADDER_DIRECT], ">= 0.9");
	c.ladder.expect_min[LADDER_DIRECT] = 0.9;
	c.ladder.expect_max[LADDER_DIRECT] = 1;
	CU_ASSERT_EQUAL(write_cell(&c, &sum), 1);
	cell = json_array_get(json_object_get(sum, "cells"), 0);
	CU_ASSERT_STRING_EQUAL(testutil_jstr(cell, "verdict"), "fail");
	CU_ASSERT_STRING_EQUAL(
		testutil_jstr(json_object_get(json_object_get(cell, "ladder"),
					      "direct"),
			      "verdict"),
		"fail");
	json_decref(sum);
}

/* The line under the cell's: each mechanism, then the first successes. */
static void test_line(void)
{
	struct ladderfold_acc a = {0};
	struct cell_ladder l = three();
	json_t *t = record(1, 120), *j;
	char buf[512];
	int pass = 1;

	ladderfold_add(&a, t);
	json_decref(t);
	j = ladderfold_cell(&l, &a, &pass);
	ladderfold_line(j, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "direct 0/1  pcp 0/1  ipv4-punch 1/1 p50 "
				    "120.0 ms  | first: direct 0 pcp 0 "
				    "ipv4-punch 1 none 0");
	ladderfold_line(NULL, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "");
	json_decref(j);
	ladderfold_free(&a);
}

int main(void)
{
	static const struct testutil_case tests[] = {
		{"fold", test_fold},
		{"results_write", test_results_write},
		{"line", test_line},
	};
	int fails = testutil_run_suite("ladderfold", NULL, NULL, tests,
				       TESTUTIL_N(tests));

	if (fails < 0)
		return 2;
	return fails ? 1 : 0;
}
