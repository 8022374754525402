/* Unit tests for timing (harness/punchlab/results/timing.c): the fields a
 * trial record gets from its agents' stamps, the per-cell percentiles and
 * the degraded rule. No root needed. */
#include <CUnit/Basic.h>
#include <jansson.h>
#include <math.h>

#include "../../harness/punchlab/results/timing.c"
#include "lib/testutil.h"

/* A record whose sides were due at t_punch_ns and sent at syn_ns[0]. */
static json_t *rec(long long due_a, long long syn_a, long long due_b,
		   long long syn_b)
{
	return json_pack("{s:{s:I, s:I, s:[I]}, s:{s:I, s:I, s:[I]}}", "alice",
			 "t_start_ns", (json_int_t)due_a, "t_punch_ns",
			 (json_int_t)due_a, "syn_ns", (json_int_t)syn_a, "bob",
			 "t_start_ns", (json_int_t)due_b, "t_punch_ns",
			 (json_int_t)due_b, "syn_ns", (json_int_t)syn_b);
}

static double num(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	return json_is_number(v) ? json_number_value(v) : NAN;
}

static void test_trial_fields(void)
{
	struct timing_acc t;
	struct shapeboard_delta sh = {.packets = 9,
				      .released = 8,
				      .late_us_mean = 40,
				      .late_us_max = 128};
	json_t *r = rec(1000000, 1012000, 1000000, 1003500);

	CU_ASSERT_EQUAL_FATAL(timing_acc_init(&t, 4), 0);
	timing_trial(r, &sh, &t);
	CU_ASSERT_DOUBLE_EQUAL(
		num(json_object_get(r, "alice"), "start_error_us"), 12.0, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(num(json_object_get(r, "bob"), "start_error_us"),
			       3.5, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(num(json_object_get(r, "bob"), "t_first_syn_ns"),
			       1003500, 0);
	/* bob first: negative */
	CU_ASSERT_DOUBLE_EQUAL(num(r, "first_syn_gap_us"), -8.5, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(num(r, "shaper_late_us_mean"), 40, 1e-9);
	CU_ASSERT_EQUAL(
		json_integer_value(json_object_get(r, "shaper_packets")), 9);
	CU_ASSERT_EQUAL(t.n_start_err, 2);
	CU_ASSERT_EQUAL(t.n_syn_gap, 1);
	CU_ASSERT_DOUBLE_EQUAL(t.syn_gap_us[0], 8.5, 1e-9); /* |gap| */
	json_decref(r);

	/* A side without a SYN (and a record without shaping): nulls, and
	 * nothing accounted for it. */
	r = json_pack("{s:{s:I, s:[]}, s:{s:I, s:[I]}}", "alice", "t_start_ns",
		      (json_int_t)5, "syn_ns", "bob", "t_start_ns",
		      (json_int_t)5, "syn_ns", (json_int_t)7005);
	timing_trial(r, NULL, &t);
	CU_ASSERT(json_is_null(json_object_get(json_object_get(r, "alice"),
					       "start_error_us")));
	/* no t_punch_ns: t_start_ns is when it was due */
	CU_ASSERT_DOUBLE_EQUAL(num(json_object_get(r, "bob"), "start_error_us"),
			       7.0, 1e-9);
	CU_ASSERT(json_is_null(json_object_get(r, "first_syn_gap_us")));
	CU_ASSERT(json_is_null(json_object_get(r, "shaper_late_us_mean")));
	CU_ASSERT_EQUAL(t.n_start_err, 3);
	CU_ASSERT_EQUAL(t.n_syn_gap, 1);
	json_decref(r);
	timing_acc_free(&t);
}

/* 10 trials, start errors 0..1800 us step 200 (alice) and 50 us (bob):
 * 20 values; p90 by linear interpolation between closest ranks. */
static void test_cell_percentiles_and_rule(void)
{
	struct timing_acc t;
	json_t *j;

	CU_ASSERT_EQUAL_FATAL(timing_acc_init(&t, 10), 0);
	for (int i = 0; i < 10; i++) {
		json_t *r = rec(0, 200000LL * i, 0, 50000);

		timing_trial(r, NULL, &t);
		json_decref(r);
	}
	j = json_object();
	/* sorted: 0, ten 50s, 200, 400, ..., 1800: ranks 9.5 and 17.1 */
	CU_ASSERT_EQUAL(timing_cell(j, &t, 1.0), TIMING_DEGRADED);
	CU_ASSERT_DOUBLE_EQUAL(num(j, "start_error_us_p50"), 50, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(num(j, "start_error_us_p90"), 1400 + 0.1 * 200,
			       1e-9);
	CU_ASSERT_DOUBLE_EQUAL(num(j, "start_error_us_max"), 1800, 1e-9);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(j, "timing")),
			       "degraded");
	CU_ASSERT_PTR_NOT_NULL(json_object_get(j, "timing_note"));
	CU_ASSERT(json_is_null(json_object_get(j, "shaper_late_us_mean")));
	json_decref(j);

	/* The same values under 2 ms: ok, no note. */
	j = json_object();
	CU_ASSERT_EQUAL(timing_cell(j, &t, 2.0), TIMING_OK);
	CU_ASSERT_PTR_NULL(json_object_get(j, "timing_note"));
	json_decref(j);

	/* A shaper late by more than the threshold on average degrades a
	 * cell whose starts were on time. */
	t.shaped = 1;
	t.shaper_released = 10;
	t.shaper_late_us_mean = 2500;
	t.shaper_late_us_max = 9000;
	j = json_object();
	CU_ASSERT_EQUAL(timing_cell(j, &t, 2.0), TIMING_DEGRADED);
	CU_ASSERT_DOUBLE_EQUAL(num(j, "shaper_late_us_max"), 9000, 1e-9);
	json_decref(j);
	timing_acc_free(&t);

	/* No SYN at all: unmeasured, all null. */
	CU_ASSERT_EQUAL_FATAL(timing_acc_init(&t, 1), 0);
	j = json_object();
	CU_ASSERT_EQUAL(timing_cell(j, &t, 1.0), TIMING_UNMEASURED);
	CU_ASSERT(json_is_null(json_object_get(j, "start_error_us_p90")));
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(j, "timing")),
			       "unmeasured");
	json_decref(j);
	timing_acc_free(&t);
}

/* A ladder trial's record: its sides are the punch step's reports
 * (timing_step "ipv4-punch"), or a dial's when no punch step ran
 * (timing_step null). */
static json_t *ladder_rec(long long err_a_ns, int punched)
{
	json_t *r = rec(1000000, 1000000 + err_a_ns, 1000000, 1000500);

	json_object_set_new(r, "ladder", json_array());
	json_object_set_new(r, "timing_step", punched
						      ? json_string("ipv4-punch")
						      : json_null());
	return r;
}

/* The openwrt-upnp case: the shaper was late by ms while PCP mapped
 * (the run's figure), on time through the punch steps, and the punches
 * started on time: ok, and the cell shows the punch steps' lateness. A
 * punch that really started late is still marked; a dial (no punch step)
 * is not judged at all, and a ladder cell that never punched is n/a. */
static void test_ladder_judges_punch_steps(void)
{
	struct shapeboard_delta sh = {.packets = 50,
				      .released = 40,
				      .late_us_mean = 60,
				      .late_us_max = 500};
	struct timing_acc t;
	json_t *j, *r;

	CU_ASSERT_EQUAL_FATAL(timing_acc_init(&t, 10), 0);
	t.shaped = 1; /* the whole run's, PCP steps included */
	t.shaper_released = 500;
	t.shaper_late_us_mean = 3205;
	t.shaper_late_us_max = 78738;
	for (int i = 0; i < 10; i++) {
		r = ladder_rec(1000, i < 8);
		timing_trial(r, i < 8 ? &sh : NULL, &t);
		if (i >= 8) /* a dial's SYN 1 ms after its start: not judged */
			CU_ASSERT(json_is_null(json_object_get(
				json_object_get(r, "alice"),
				"start_error_us")));
		json_decref(r);
	}
	CU_ASSERT_EQUAL(t.n_start_err, 16);
	CU_ASSERT_EQUAL(t.ladder, 10);
	CU_ASSERT_EQUAL(t.ladder_timed, 8);
	j = json_object();
	CU_ASSERT_EQUAL(timing_cell(j, &t, 1.0), TIMING_OK);
	CU_ASSERT_DOUBLE_EQUAL(num(j, "shaper_late_us_mean"), 60, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(num(j, "shaper_late_us_max"), 500, 1e-9);
	json_decref(j);
	/* punch steps late on the shaper: degraded */
	t.step_late_us_sum = 8 * 1500.0;
	j = json_object();
	CU_ASSERT_EQUAL(timing_cell(j, &t, 1.0), TIMING_DEGRADED);
	json_decref(j);
	timing_acc_free(&t);

	/* A punch step's start 2 ms late in every trial: still degraded. */
	CU_ASSERT_EQUAL_FATAL(timing_acc_init(&t, 10), 0);
	for (int i = 0; i < 10; i++) {
		r = ladder_rec(2000000, 1);
		timing_trial(r, &sh, &t);
		json_decref(r);
	}
	j = json_object();
	CU_ASSERT_EQUAL(timing_cell(j, &t, 1.0), TIMING_DEGRADED);
	CU_ASSERT_PTR_NOT_NULL(json_object_get(j, "timing_note"));
	json_decref(j);
	timing_acc_free(&t);

	/* Only dials (mechanisms = pcp): n/a, whatever their SYNs say;
	 * a merge (sh NULL) reads the same records alike. */
	CU_ASSERT_EQUAL_FATAL(timing_acc_init(&t, 4), 0);
	t.shaped = 1;
	t.shaper_released = 9;
	t.shaper_late_us_mean = 3205;
	for (int i = 0; i < 4; i++) {
		r = ladder_rec(5000000, 0);
		timing_trial(r, NULL, &t);
		json_decref(r);
	}
	j = json_object();
	CU_ASSERT_EQUAL(timing_cell(j, &t, 1.0), TIMING_NA);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(j, "timing")),
			       "n/a");
	CU_ASSERT(json_is_null(json_object_get(j, "start_error_us_p90")));
	CU_ASSERT(json_is_null(json_object_get(j, "shaper_late_us_mean")));
	json_decref(j);
	timing_acc_free(&t);

	/* A merge reads a punch step's shaper figures from the record. */
	CU_ASSERT_EQUAL_FATAL(timing_acc_init(&t, 1), 0);
	r = ladder_rec(1000, 1);
	json_object_set_new(r, "shaper_late_us_mean", json_real(70));
	json_object_set_new(r, "shaper_late_us_max", json_real(300));
	timing_trial(r, NULL, &t);
	json_decref(r);
	j = json_object();
	CU_ASSERT_EQUAL(timing_cell(j, &t, 1.0), TIMING_OK);
	CU_ASSERT_DOUBLE_EQUAL(num(j, "shaper_late_us_mean"), 70, 1e-9);
	json_decref(j);
	timing_acc_free(&t);
}

int main(void)
{
	static const struct testutil_case tests[] = {
		{"trial fields from the agents' stamps", test_trial_fields},
		{"cell percentiles and the degraded rule",
		 test_cell_percentiles_and_rule},
		{"a ladder cell is judged on its punch steps",
		 test_ladder_judges_punch_steps},
	};

	return testutil_run_suite("timing", NULL, NULL, tests,
				  TESTUTIL_N(tests))
		       ? 1
		       : 0;
}
