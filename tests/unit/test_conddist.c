/* test_conddist: distribution specs parse or are refused with a reason,
 * a [matrix] list keeps a spec's own commas, draws are reproducible from
 * (seed, cell, trial, key) and follow the distribution (median and p90
 * over many draws), CSV columns load with their errors named by line. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "celldraw.h"
#include "conddist.h"
#include "lib/testutil.h"

#define DATA "tests/unit/data/"
#define NDRAWS 20000

static int parse(const char *text, struct cond_dist *d, char *why)
{
	char path[256], column[64];

	return conddist_parse(text, strlen(text), 0, 60000, d, path,
			      sizeof(path), column, sizeof(column), why, 256);
}

static void test_parse(void)
{
	struct cond_dist d;
	char why[256], text[CONDDIST_TEXT_MAX], path[256], column[64];

	CU_ASSERT_EQUAL(parse(" lognormal:median=40,p90=120 ", &d, why), 0);
	CU_ASSERT_EQUAL(d.kind, CONDDIST_LOGNORMAL);
	CU_ASSERT_DOUBLE_EQUAL(d.a, 40, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(d.b, 120, 1e-12);
	conddist_format(&d, text, sizeof(text));
	CU_ASSERT_STRING_EQUAL(text, "lognormal:median=40,p90=120");
	CU_ASSERT_DOUBLE_EQUAL(conddist_median(&d), 40, 1e-12);

	CU_ASSERT_EQUAL(parse("uniform:2.5,10", &d, why), 0);
	CU_ASSERT_EQUAL(d.kind, CONDDIST_UNIFORM);
	CU_ASSERT_DOUBLE_EQUAL(conddist_median(&d), 6.25, 1e-12);
	CU_ASSERT_EQUAL(parse("uniform:3,3", &d, why), 0);
	CU_ASSERT_EQUAL(parse("normal:mean=20, sd=5", &d, why), 0);
	CU_ASSERT_EQUAL(d.kind, CONDDIST_NORMAL);
	conddist_format(&d, text, sizeof(text));
	CU_ASSERT_STRING_EQUAL(text, "normal:mean=20,sd=5");

	CU_ASSERT_EQUAL(conddist_parse("csv:x/y.csv:rtt_ms", 18, 0, 1, &d, path,
				       sizeof(path), column, sizeof(column),
				       why, sizeof(why)),
			0);
	CU_ASSERT_EQUAL(d.kind, CONDDIST_CSV);
	CU_ASSERT_STRING_EQUAL(path, "x/y.csv");
	CU_ASSERT_STRING_EQUAL(column, "rtt_ms");

	CU_ASSERT(conddist_is_spec("  csv:a", 7));
	CU_ASSERT(!conddist_is_spec("40", 2));
	CU_ASSERT(!conddist_is_spec("lognormal", 9));
}

static void test_refused(void)
{
	static const struct {
		const char *text, *why;
	} bad[] = {
		{"lognormal:median=40", "lognormal:median=M,p90=Q"},
		{"lognormal:median=40,p90=40", "0 < M < Q"},
		{"lognormal:median=0,p90=40", "0 < M < Q"},
		{"lognormal:p90=120,median=40", "lognormal:median=M"},
		{"lognormal:median=4e1,p90=120", "lognormal:median=M"},
		{"uniform:5", "uniform:LO,HI"},
		{"uniform:9,5", "LO <= HI"},
		{"uniform:1,2,3", "uniform:LO,HI"},
		{"uniform:1,99999", "in 0..60000"},
		{"uniform:-1,5", "in 0..60000"},
		{"normal:mean=5", "normal:mean=M,sd=S"},
		{"normal:mean=5,sd=-1", "S >= 0"},
		{"csv:", "csv:PATH[:COLUMN]"},
		{"csv:a.csv:", "csv:PATH[:COLUMN]"},
		{"csv:a.csv:x y", "letters, digits"},
		{"pareto:1,2", "is no distribution"},
	};
	struct cond_dist d;
	char why[256];

	for (size_t k = 0; k < sizeof(bad) / sizeof(*bad); k++) {
		why[0] = '\0';
		CU_ASSERT_EQUAL(parse(bad[k].text, &d, why), -EINVAL);
		if (!strstr(why, bad[k].why))
			fprintf(stderr, "\n'%s': '%s' lacks '%s'\n",
				bad[k].text, why, bad[k].why);
		CU_ASSERT_PTR_NOT_NULL(strstr(why, bad[k].why));
	}
}

static void test_span(void)
{
	const char *l = "lognormal:median=40,p90=120, 0, uniform:1,2,csv:a:b,7";
	const char *p = l;
	const char *want[] = {"lognormal:median=40,p90=120", " 0",
			      " uniform:1,2", "csv:a:b", "7"};
	size_t n;

	for (size_t k = 0; k < 5; k++) {
		n = conddist_span(p, strlen(p));
		CU_ASSERT_EQUAL(n, strlen(want[k]));
		CU_ASSERT_EQUAL(strncmp(p, want[k], n), 0);
		p += n + (p[n] ? 1 : 0);
	}
	CU_ASSERT_EQUAL(*p, '\0');
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The p-th percentile of NDRAWS draws of d, trial by trial. */
static void draws(const struct cond_dist *d, double *v)
{
	for (int t = 0; t < NDRAWS; t++)
		v[t] = conddist_draw(d, conddist_seed(1, "cell", t, 0), 0,
				     60000);
	qsort(v, NDRAWS, sizeof(*v), cmp);
}

static void test_draws(void)
{
	struct cond_dist d;
	char why[256];
	double *v = malloc(NDRAWS * sizeof(*v)), lo = 1e9, hi = -1;

	CU_ASSERT_PTR_NOT_NULL_FATAL(v);
	/* Reproducible, and apart for another trial, cell, key or seed. */
	CU_ASSERT_EQUAL(conddist_seed(1, "c", 3, 0),
			conddist_seed(1, "c", 3, 0));
	CU_ASSERT_NOT_EQUAL(conddist_seed(1, "c", 3, 0),
			    conddist_seed(1, "c", 4, 0));
	CU_ASSERT_NOT_EQUAL(conddist_seed(1, "c", 3, 0),
			    conddist_seed(1, "d", 3, 0));
	CU_ASSERT_NOT_EQUAL(conddist_seed(1, "c", 3, 0),
			    conddist_seed(1, "c", 3, 1));
	CU_ASSERT_NOT_EQUAL(conddist_seed(1, "c", 3, 0),
			    conddist_seed(2, "c", 3, 0));

	/* lognormal median 40, p90 120: the draws' percentiles within 3%
	 * (20000 draws: the sample median's sd is about 1%). */
	parse("lognormal:median=40,p90=120", &d, why);
	draws(&d, v);
	printf("\n  lognormal:median=40,p90=120 over %d draws: p50 %.2f "
	       "p90 %.2f\n",
	       NDRAWS, v[NDRAWS / 2], v[NDRAWS * 9 / 10]);
	CU_ASSERT_DOUBLE_EQUAL(v[NDRAWS / 2], 40, 1.2);
	CU_ASSERT_DOUBLE_EQUAL(v[NDRAWS * 9 / 10], 120, 3.6);
	CU_ASSERT_EQUAL(conddist_draw(&d, 42, 0, 60000),
			conddist_draw(&d, 42, 0, 60000));

	parse("uniform:10,20", &d, why);
	draws(&d, v);
	CU_ASSERT(v[0] >= 10 && v[NDRAWS - 1] < 20);
	CU_ASSERT_DOUBLE_EQUAL(v[NDRAWS / 2], 15, 0.3);

	/* normal cut to the key's range: never below 0 */
	parse("normal:mean=5,sd=10", &d, why);
	draws(&d, v);
	CU_ASSERT(v[0] >= 0);
	CU_ASSERT_DOUBLE_EQUAL(v[NDRAWS * 3 / 4], 5 + 0.6745 * 10, 0.5);

	/* a cut: draws stay within the min..max given */
	for (int t = 0; t < 1000; t++) {
		double x = conddist_draw(&d, (uint64_t)t, 2, 7);

		lo = x < lo ? x : lo;
		hi = x > hi ? x : hi;
	}
	CU_ASSERT(lo >= 2 && hi <= 7);
	free(v);
}

static void test_csv(void)
{
	struct conddist_csv c;
	struct cond_dist d = {.kind = CONDDIST_CSV, .csv = &c};
	char why[256], text[CONDDIST_TEXT_MAX];
	int seen[5] = {0};

	CU_ASSERT_EQUAL_FATAL(conddist_csv_load(DATA "cond-rtt.csv", "r.csv",
						"rtt_ms", 0, 60000, &c, why,
						sizeof(why)),
			      0);
	CU_ASSERT_EQUAL(c.n, 4);
	CU_ASSERT_DOUBLE_EQUAL(c.v[3], 40, 1e-12);
	conddist_format(&d, text, sizeof(text));
	CU_ASSERT_STRING_EQUAL(text, "csv:r.csv:rtt_ms");
	CU_ASSERT_DOUBLE_EQUAL(conddist_median(&d), 30, 1e-12);
	/* every row is drawn, nothing else */
	for (int t = 0; t < 400; t++) {
		double x = conddist_draw(&d, conddist_seed(1, "x", t, 0), 0,
					 60000);
		int k = (int)(x / 10);

		CU_ASSERT(k >= 1 && k <= 4 && x == k * 10);
		if (k >= 1 && k <= 4)
			seen[k]++;
	}
	CU_ASSERT(seen[1] && seen[2] && seen[3] && seen[4]);
	conddist_csv_free(&c);

	/* the first column when none is named, the header row skipped */
	CU_ASSERT_EQUAL(conddist_csv_load(DATA "cond-bad.csv", "b", "", 0,
					  60000, &c, why, sizeof(why)),
			-EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "cond-bad.csv:4: column 1 is not "
					   "a number"));
	CU_ASSERT_EQUAL(conddist_csv_load(DATA "cond-rtt.csv", "r", "nope", 0,
					  60000, &c, why, sizeof(why)),
			-EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, ":2: no column 'nope'"));
	CU_ASSERT_EQUAL(conddist_csv_load(DATA "cond-rtt.csv", "r", "loss", 0,
					  0.015, &c, why, sizeof(why)),
			-EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, ":6: 0.02 is not in 0..0.015"));
	CU_ASSERT_EQUAL(conddist_csv_load(DATA "none.csv", "r", "", 0, 1, &c,
					  why, sizeof(why)),
			-ENOENT);
}

/* A cell's trial draws: fixed keys stay, drawn ones differ by trial and
 * repeat for the same trial; drawn shaper keys run one trial at a time. */
static void test_celldraw(void)
{
	struct scenario s = {.seed = 5, .parallel = 8, .ncells = 1};
	struct scenario_cell cell = {.name = "c"};
	struct cell_cond a, b;
	char why[256];

	s.cells = &cell;
	cell.cond.jitter_ms = 2;
	CU_ASSERT_EQUAL(celldraw_parallel(&s, 0), 8);
	parse("uniform:0,100", &cell.dist[CELLCOND_SKEW], why);
	CU_ASSERT(celldraw_any(&cell) && !celldraw_shaper(&cell));
	CU_ASSERT_EQUAL(celldraw_parallel(&s, 0), 8);
	parse("lognormal:median=40,p90=120", &cell.dist[CELLCOND_RTT], why);
	CU_ASSERT(celldraw_shaper(&cell) && celldraw_shaped(&cell));
	CU_ASSERT_EQUAL(celldraw_parallel(&s, 0), 1);
	celldraw_trial(&s, 0, 3, &a);
	celldraw_trial(&s, 0, 3, &b);
	CU_ASSERT_EQUAL(memcmp(&a, &b, sizeof(a)), 0);
	CU_ASSERT_DOUBLE_EQUAL(a.jitter_ms, 2, 1e-12);
	celldraw_trial(&s, 0, 4, &b);
	CU_ASSERT(a.rtt_ms != b.rtt_ms && a.skew_ms != b.skew_ms);
	CU_ASSERT_EQUAL(a.rtt_ms,
			conddist_draw(&cell.dist[CELLCOND_RTT],
				      conddist_seed(5, "c", 3, CELLCOND_RTT), 0,
				      60000));
}

int main(void)
{
	static const struct testutil_case tests[] = {
		{"specs parse", test_parse},
		{"specs refused with a reason", test_refused},
		{"a list keeps a spec's commas", test_span},
		{"draws: reproducible, median and p90", test_draws},
		{"csv columns", test_csv},
		{"a trial's conditions", test_celldraw},
	};
	int fails = testutil_run_suite("conddist", NULL, NULL, tests,
				       TESTUTIL_N(tests));

	return fails < 0 ? 2 : fails ? 1 : 0;
}
