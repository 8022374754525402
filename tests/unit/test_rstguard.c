/* test_rstguard: the RST guard's nft text (testbed/rstguard.c): the one
 * rule in raw prerouting on the WAN, the table named after the run, and
 * names that nft would misread refused. No root needed (text only; the
 * integration part inject-defences.sh loads it). */
#include <errno.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "lib/testutil.h"
#include "rstguard.h"

static void test_text(void)
{
	char buf[1024];
	int n = rstguard_render("punchlab_abc123", "abc123-wan", buf,
				sizeof(buf));

	CU_ASSERT_FATAL(n > 0);
	CU_ASSERT_EQUAL((size_t)n, strlen(buf));
	CU_ASSERT_PTR_NOT_NULL(
		strstr(buf, "table inet punchlab_abc123_rstguard {"));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "counter rst_dropped { }"));
	CU_ASSERT_PTR_NOT_NULL(
		strstr(buf, "type filter hook prerouting priority raw;"));
	CU_ASSERT_PTR_NOT_NULL(
		strstr(buf, "iifname \"abc123-wan\" tcp flags & (rst | ack) == "
			    "rst counter name \"rst_dropped\" drop"));
}

static void test_refused(void)
{
	char buf[1024];

	CU_ASSERT_EQUAL(
		rstguard_render("t", "wan\"; flush ruleset", buf, sizeof(buf)),
		-EINVAL);
	CU_ASSERT_EQUAL(rstguard_render("bad-name", "wan", buf, sizeof(buf)),
			-EINVAL);
	CU_ASSERT_EQUAL(rstguard_render("", "wan", buf, sizeof(buf)), -EINVAL);
	CU_ASSERT_EQUAL(
		rstguard_render("t", "sixteen-chars-ab", buf, sizeof(buf)),
		-EINVAL);
	CU_ASSERT_EQUAL(rstguard_render("t", "wan", buf, 20), -ENOSPC);
}

int main(void)
{
	static const struct testutil_case tests[] = {
		{"the rule and its table", test_text},
		{"bad names and a short buffer", test_refused},
	};

	return testutil_run_suite("rstguard", NULL, NULL, tests,
				  TESTUTIL_N(tests))
		       ? 1
		       : 0;
}
