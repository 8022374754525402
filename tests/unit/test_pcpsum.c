/* test_pcpsum: natpmp.json from natpmp trial records — the counts, the
 * percentiles of the mapping's time, the failure lines counted without
 * their timestamps, and a cell without trials left out. No root. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/Basic.h>

#include "../../harness/punchlab/trials/pcpsum.c"
#include "lib/testutil.h"

static char dir[] = "/tmp/test-pcpsum-XXXXXX";

static int init(void)
{
	return mkdtemp(dir) ? 0 : -1;
}

static int clean(void)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/natpmp.json", dir);
	unlink(path);
	return rmdir(dir);
}

static json_t *rec(int ok, double ms, const char *ext, int honoured,
		   const char *log)
{
	return json_pack("{s:{s:b, s:f, s:s?, s:b, s:s}, s:{s:b}, s:b, s:o}",
			 "pcp", "ok", ok, "ms", ms, "external", ext,
			 "port_honoured", honoured, "log", log, "inbound", "ok",
			 ok, "advertised", 0, "ttc_ms",
			 ok ? json_real(ms + 80) : json_null());
}

static void test_fold(void)
{
	static const char *const names[] = {"pcp", "off", "unused"};
	struct pcpsum *s = pcpsum_new(3, 4);
	char path[PATH_MAX];
	json_t *j, *r;

	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	for (int t = 0; t < 4; t++) {
		r = rec(1, 100 + 10 * t, "198.51.100.1:18444", 1,
			"2026-12-07T18:55:25.742099Z portmap: Added mapping");
		pcpsum_add(s, 0, r);
		json_decref(r);
		r = rec(0, 150, NULL, 0,
			"2026-12-07T18:55:26.9Z [net] pcp: Could not receive "
			"response: Connection refused (111)");
		pcpsum_add(s, 1, r);
		pcpsum_add(s, 1, r); /* 8 adds: past ntrials they are ignored */
		json_decref(r);
	}
	CU_ASSERT_EQUAL(pcpsum_write(s, names, dir), 0);
	pcpsum_free(s);
	snprintf(path, sizeof(path), "%s/natpmp.json", dir);
	j = json_load_file(path, 0, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	r = json_object_get(j, "pcp");
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(r, "mapped")), 4);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(r, "inbound")), 4);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(r, "port_honoured")),
			4);
	CU_ASSERT_DOUBLE_EQUAL(
		json_real_value(json_object_get(r, "map_ms_p50")), 115, 1e-9);
	CU_ASSERT_EQUAL(
		json_integer_value(json_object_get(
			json_object_get(r, "external"), "198.51.100.1:18444")),
		4);
	CU_ASSERT_EQUAL(json_object_size(json_object_get(r, "why")), 0);
	r = json_object_get(j, "off");
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(r, "trials")), 4);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(r, "mapped")), 0);
	CU_ASSERT(
		json_is_null(json_object_get(r, "inbound_from_start_ms_p50")));
	CU_ASSERT_EQUAL(
		json_integer_value(json_object_get(
			json_object_get(r, "why"),
			"[net] pcp: Could not receive response: Connection "
			"refused (111)")),
		4);
	CU_ASSERT_PTR_NULL(json_object_get(j, "unused"));
	json_decref(j);
}

int main(void)
{
	static const struct testutil_case tests[] = {
		{"counts, percentiles, reasons without timestamps", test_fold},
	};
	int fails = testutil_run_suite("pcpsum", init, clean, tests,
				       TESTUTIL_N(tests));

	if (fails < 0)
		return 2;
	return fails ? 1 : 0;
}
