/* Unit tests for stats (Wilson intervals, percentiles) and the results
 * gate built on them. Reference values computed independently. */
#include <CUnit/Basic.h>
#include <math.h>

#include "stats.h"

static void test_wilson_known(void)
{
	static const struct {
		unsigned k, n;
		double lo, hi;
	} cases[] = {
		{ 0, 50, 0.0, 0.0713476 },
		{ 50, 50, 0.9286524, 1.0 },
		{ 40, 50, 0.6696289, 0.8875625 },
		{ 49, 50, 0.8950456, 0.9964607 },
		{ 7, 20, 0.1811918, 0.5671457 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		double lo, hi;

		stats_wilson(cases[i].k, cases[i].n, STATS_Z95, &lo, &hi);
		CU_ASSERT_DOUBLE_EQUAL(lo, cases[i].lo, 1e-6);
		CU_ASSERT_DOUBLE_EQUAL(hi, cases[i].hi, 1e-6);
	}
}

static void test_wilson_ends_exact(void)
{
	double lo, hi;

	stats_wilson(0, 7, STATS_Z95, &lo, &hi);
	CU_ASSERT_EQUAL(lo, 0.0);
	stats_wilson(7, 7, STATS_Z95, &lo, &hi);
	CU_ASSERT_EQUAL(hi, 1.0);
}

static void test_percentile(void)
{
	double v[] = { 5, 1, 4, 2, 3 };
	double one[] = { 42 };

	CU_ASSERT_DOUBLE_EQUAL(stats_percentile(v, 5, 50), 3.0, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(stats_percentile(v, 5, 90), 4.6, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(stats_percentile(v, 5, 0), 1.0, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(stats_percentile(v, 5, 100), 5.0, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(stats_percentile(one, 1, 90), 42.0, 1e-12);
	CU_ASSERT(isnan(stats_percentile(v, 0, 50)));
}

/* The gate: a cell passes when its Wilson interval meets the range. */
static void test_gate(void)
{
	CU_ASSERT_TRUE(stats_gate(50, 50, 0.95, 1.0));
	CU_ASSERT_TRUE(stats_gate(45, 50, 0.95, 1.0));
	CU_ASSERT_FALSE(stats_gate(40, 50, 0.95, 1.0)); /* 80% caught */
	CU_ASSERT_TRUE(stats_gate(0, 50, 0.0, 0.0));
	CU_ASSERT_FALSE(stats_gate(1, 50, 0.0, 0.0));
	CU_ASSERT_FALSE(stats_gate(0, 0, 0.0, 1.0));
}

int main(void)
{
	CU_pSuite s;
	unsigned fails;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	s = CU_add_suite("stats", NULL, NULL);
	CU_add_test(s, "wilson against reference values", test_wilson_known);
	CU_add_test(s, "wilson ends are exact", test_wilson_ends_exact);
	CU_add_test(s, "percentiles", test_percentile);
	CU_add_test(s, "expectation gate", test_gate);
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	fails = CU_get_number_of_failures();
	CU_cleanup_registry();
	return fails ? 1 : 0;
}
