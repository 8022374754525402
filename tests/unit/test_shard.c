/* test_shard: `--shard I/N` takes 0 <= I < N and nothing else, and a
 * shard keeps exactly the cells at positions I, I+N, ... in file order,
 * so N shards hold every cell once. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "../../harness/punchlab/cli/shard.c"
#include "lib/testutil.h"

static void test_parse(void)
{
	struct shard sh;

	CU_ASSERT_EQUAL(shard_parse("0/1", &sh), 0);
	CU_ASSERT(sh.index == 0 && sh.count == 1);
	CU_ASSERT_EQUAL(shard_parse("2/3", &sh), 0);
	CU_ASSERT(sh.index == 2 && sh.count == 3);
	for (const char *const *b = (const char *const[]){
		     "3/3", "-1/3", "1/0", "1", "/3", "1/", "a/3", "1/3x",
		     " 1/3", "1//3", "1/4097", "99999999999/3", NULL };
	     *b; b++) {
		CU_ASSERT_EQUAL(shard_parse(*b, &sh), -EINVAL);
		CU_ASSERT_EQUAL(sh.count, 0);
	}
}

/* Every cell in exactly one of n shards, in file order within each. */
static void test_select(void)
{
	static const int ncells = 7, counts[] = { 1, 2, 3, 7, 9 };

	for (size_t k = 0; k < TESTUTIL_N(counts); k++) {
		int seen[7] = { 0 };

		for (int i = 0; i < counts[k]; i++) {
			struct scenario s = { .ncells = ncells };
			struct shard sh = { .index = i, .count = counts[k] };

			s.cells = calloc(ncells, sizeof(*s.cells));
			CU_ASSERT_PTR_NOT_NULL_FATAL(s.cells);
			for (int c = 0; c < ncells; c++)
				snprintf(s.cells[c].name,
					 sizeof(s.cells[c].name), "c%d", c);
			shard_select(&s, &sh);
			CU_ASSERT_EQUAL(s.ncells, i < ncells ?
				(ncells - i + counts[k] - 1) / counts[k] : 0);
			for (int c = 0; c < s.ncells; c++) {
				int pos = atoi(s.cells[c].name + 1);

				CU_ASSERT_EQUAL(pos, i + c * counts[k]);
				seen[pos]++;
			}
			free(s.cells);
		}
		for (int c = 0; c < ncells; c++)
			CU_ASSERT_EQUAL(seen[c], 1);
	}
}

int main(void)
{
	static const struct testutil_case tests[] = {
		{ "parse: 0 <= I < N, nothing else", test_parse },
		{ "select: positions I, I+N, ..., each cell once", test_select },
	};

	return testutil_run_suite("shard", NULL, NULL, tests,
				  TESTUTIL_N(tests)) ? 1 : 0;
}
