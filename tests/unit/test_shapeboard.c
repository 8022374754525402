/* Unit tests for shapeboard: the file both punchlab and punch-shaper map
 * (configuration slots, statistics, per-trial deltas), and shapecalc
 * applying a configuration from it. No root needed. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "shapeboard.h"
#include "shapecalc.h"
#include "lib/testutil.h"

static char dir[64], path[128];

static int setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/test_shapeboard.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/%s", dir, SHAPEBOARD_FILE);
	return 0;
}

static int teardown(void)
{
	unlink(path);
	return rmdir(dir);
}

static void test_create_open(void)
{
	struct shapeboard *w, *r;
	struct shapeboard_config c;

	unlink(path);
	CU_ASSERT_EQUAL_FATAL(shapeboard_create(path, 8, &w), 0);
	/* A second create of the same file is refused: it is the run's. */
	CU_ASSERT_EQUAL(shapeboard_create(path, 8, &r), -EEXIST);
	CU_ASSERT_EQUAL_FATAL(shapeboard_open(path, &r), 0);
	CU_ASSERT_EQUAL(shapeboard_nqueues(r), 8);
	/* Fresh slots are unset, generation 0. */
	CU_ASSERT_EQUAL(shapeboard_config_gen(r, 3), 0);
	CU_ASSERT_EQUAL(shapeboard_config(r, 3, &c), 0);
	CU_ASSERT_EQUAL(c.set, 0);

	shapeboard_set(w, 3, 20000000, 1000000, 0.25);
	CU_ASSERT_NOT_EQUAL(shapeboard_config_gen(r, 3), 0);
	CU_ASSERT_EQUAL(shapeboard_config_gen(r, 3) % 2, 0);
	shapeboard_config(r, 3, &c);
	CU_ASSERT_EQUAL(c.set, 1);
	CU_ASSERT_EQUAL(c.delay_ns, 20000000);
	CU_ASSERT_EQUAL(c.jitter_ns, 1000000);
	CU_ASSERT_EQUAL(c.loss_ppb, 250000000u);
	/* Other slots untouched; queues past the end are ignored. */
	CU_ASSERT_EQUAL(shapeboard_config_gen(r, 2), 0);
	shapeboard_set(w, 8, 1, 1, 0.5);
	CU_ASSERT_EQUAL(shapeboard_config(r, 8, &c), 0);

	{
		uint64_t g = shapeboard_config_gen(r, 3);

		shapeboard_unset(w, 3);
		CU_ASSERT(shapeboard_config_gen(r, 3) > g);
		shapeboard_config(r, 3, &c);
		CU_ASSERT_EQUAL(c.set, 0);
	}
	/* Out-of-range inputs are clamped, not stored raw. */
	shapeboard_set(w, 1, -5, -5, 7.0);
	shapeboard_config(r, 1, &c);
	CU_ASSERT_EQUAL(c.delay_ns, 0);
	CU_ASSERT_EQUAL(c.jitter_ns, 0);
	CU_ASSERT_EQUAL(c.loss_ppb, 1000000000u);
	shapeboard_close(r);
	shapeboard_close(w);
	shapeboard_close(NULL);
}

static void test_open_refuses(void)
{
	char other[160];
	struct shapeboard *b = (struct shapeboard *)1;
	FILE *f;

	snprintf(other, sizeof(other), "%s/not-a-board", dir);
	f = fopen(other, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("hello, not a board, but long enough to hold a header......"
	      "................................................",
	      f);
	fclose(f);
	CU_ASSERT_EQUAL(shapeboard_open(other, &b), -EPROTO);
	CU_ASSERT_PTR_NULL(b);
	unlink(other);
	CU_ASSERT_EQUAL(shapeboard_open(other, &b), -ENOENT);
	CU_ASSERT_EQUAL(shapeboard_create(other, 0, &b), -EINVAL);
}

static void test_bucket(void)
{
	CU_ASSERT_EQUAL(shapeboard_bucket(0), 0);
	CU_ASSERT_EQUAL(shapeboard_bucket(999), 0);
	CU_ASSERT_EQUAL(shapeboard_bucket(1000), 1);
	CU_ASSERT_EQUAL(shapeboard_bucket(1999), 1);
	CU_ASSERT_EQUAL(shapeboard_bucket(2000), 2);
	CU_ASSERT_EQUAL(shapeboard_bucket(200000), 8); /* [128, 256) us */
	CU_ASSERT_EQUAL(shapeboard_bucket(UINT64_MAX), SHAPEBOARD_HIST - 1);
}

static void test_stats_delta(void)
{
	struct shapeboard *b;
	struct shapeboard_stats a, z;
	struct shapeboard_delta d;

	unlink(path);
	CU_ASSERT_EQUAL_FATAL(shapeboard_create(path, 4, &b), 0);
	shapeboard_seen(b, 2, 0);
	shapeboard_released(b, 2, 500000); /* 500 us: the running max */
	shapeboard_stats(b, 2, &a);
	CU_ASSERT_EQUAL(a.packets, 1);
	CU_ASSERT_EQUAL(a.late_ns_max, 500000);

	/* A trial with two releases below the running max: mean exact, max
	 * from the histogram (the 100 us one lands in [64, 128) us). */
	shapeboard_seen(b, 2, 0);
	shapeboard_seen(b, 2, 0);
	shapeboard_seen(b, 2, 1);
	shapeboard_released(b, 2, 20000);
	shapeboard_released(b, 2, 100000);
	shapeboard_stats(b, 2, &z);
	shapeboard_delta(&a, &z, &d);
	CU_ASSERT_EQUAL(d.packets, 3);
	CU_ASSERT_EQUAL(d.lost, 1);
	CU_ASSERT_EQUAL(d.released, 2);
	CU_ASSERT_DOUBLE_EQUAL(d.late_us_mean, 60.0, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(d.late_us_max, 128.0, 1e-9);

	/* A trial that raises the running max gets it exactly. */
	a = z;
	shapeboard_released(b, 2, 700000);
	shapeboard_stats(b, 2, &z);
	shapeboard_delta(&a, &z, &d);
	CU_ASSERT_DOUBLE_EQUAL(d.late_us_max, 700.0, 1e-9);

	/* The bucket bound never exceeds the running max. */
	a = z;
	shapeboard_released(b, 2, 690000); /* bucket [512, 1024) us */
	shapeboard_stats(b, 2, &z);
	shapeboard_delta(&a, &z, &d);
	CU_ASSERT_DOUBLE_EQUAL(d.late_us_max, 700.0, 1e-9);

	/* Several queues as one: sums, and the largest maximum. */
	shapeboard_released(b, 3, 900000);
	{
		unsigned q[2] = {2, 3};
		struct shapeboard_stats sum;

		shapeboard_stats_sum(b, q, 2, &sum);
		CU_ASSERT_EQUAL(sum.released, z.released + 1);
		CU_ASSERT_EQUAL(sum.late_ns_sum, z.late_ns_sum + 900000);
		CU_ASSERT_EQUAL(sum.late_ns_max, 900000);
		CU_ASSERT_EQUAL(sum.hist[shapeboard_bucket(900000)],
				z.hist[shapeboard_bucket(900000)] + 1);
	}

	/* Nothing released: all zero. */
	shapeboard_delta(&z, &z, &d);
	CU_ASSERT_EQUAL(d.released, 0);
	CU_ASSERT_EQUAL(d.late_us_max, 0.0);
	/* Another queue's slot saw none of it. */
	shapeboard_stats(b, 1, &a);
	CU_ASSERT_EQUAL(a.packets, 0);
	shapeboard_close(b);
}

/* A reader on another mapping never sees a torn configuration: every
 * write keeps delay == 2 * jitter, and every read must too. */
struct tear_arg {
	struct shapeboard *b;
	volatile int stop;
	volatile unsigned long reads;
	unsigned long torn;
};

static void *tear_reader(void *p)
{
	struct tear_arg *t = p;
	struct shapeboard_config c;

	while (!t->stop) {
		shapeboard_config(t->b, 0, &c);
		t->reads++;
		if (c.set && c.delay_ns != 2 * c.jitter_ns)
			t->torn++;
	}
	return NULL;
}

static void test_no_torn_config(void)
{
	struct shapeboard *w;
	struct tear_arg t = {0};
	pthread_t th;

	unlink(path);
	CU_ASSERT_EQUAL_FATAL(shapeboard_create(path, 1, &w), 0);
	CU_ASSERT_EQUAL_FATAL(shapeboard_open(path, &t.b), 0);
	CU_ASSERT_EQUAL_FATAL(pthread_create(&th, NULL, tear_reader, &t), 0);
	/* Writes go on until the reader has read a good many times while
	 * they did (a thread may start late). */
	for (int64_t i = 1; i <= 200000 || t.reads < 100000; i++)
		shapeboard_set(w, 0, 2 * i, i, 0);
	t.stop = 1;
	pthread_join(th, NULL);
	CU_ASSERT(t.reads > 0);
	CU_ASSERT_EQUAL(t.torn, 0);
	shapeboard_close(t.b);
	shapeboard_close(w);
}

/* What the shaper does with a configuration: the delay of the packets
 * that follow changes, the queue stays FIFO, and unset restores the
 * spec's delay. */
static void test_shapecalc_configure(void)
{
	struct shape_spec sp = {.queue = 1, .delay_ns = 1000000};
	struct shapecalc c;
	uint64_t rel;

	shapecalc_init(&c, &sp, 1, SHAPECALC_UNIFORM, 0);
	CU_ASSERT_EQUAL(shapecalc_packet(&c, 1000, 100, &rel), 1);
	CU_ASSERT_EQUAL(rel, 1000 + 1000000);
	shapecalc_configure(&c, 20000000, 0, 0);
	CU_ASSERT_EQUAL(shapecalc_packet(&c, 2000, 100, &rel), 1);
	CU_ASSERT_EQUAL(rel, 2000 + 20000000);
	/* Back to 1 ms, but FIFO: not before the 20 ms packet. */
	shapecalc_configure(&c, sp.delay_ns, 0, 0);
	CU_ASSERT_EQUAL(shapecalc_packet(&c, 3000, 100, &rel), 1);
	CU_ASSERT_EQUAL(rel, 2000 + 20000000);
	CU_ASSERT_EQUAL(shapecalc_packet(&c, 30000000, 100, &rel), 1);
	CU_ASSERT_EQUAL(rel, 30000000 + 1000000);
	/* Loss 1 drops everything. */
	shapecalc_configure(&c, 0, 0, 1000000000u);
	CU_ASSERT_EQUAL(shapecalc_packet(&c, 40000000, 100, &rel), 0);
}

int main(void)
{
	static const struct testutil_case tests[] = {
		{"create, open, set, unset", test_create_open},
		{"open refuses what is not a board", test_open_refuses},
		{"lateness histogram buckets", test_bucket},
		{"statistics and per-trial delta", test_stats_delta},
		{"no torn configuration across mappings", test_no_torn_config},
		{"shapecalc applies a configuration", test_shapecalc_configure},
	};

	return testutil_run_suite("shapeboard", setup, teardown, tests,
				  TESTUTIL_N(tests))
		       ? 1
		       : 0;
}
