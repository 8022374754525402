/* test_scenario_bad: the malformed-input corpus. Every file in
 * tests/unit/data/bad/ goes through scenario_load and must be refused with
 * the file, line and key its first line names ("; expect LINE |KEY| MSG",
 * KEY empty for none); devices, FIFOs, directories, huge files and 251-256
 * cells are made here. Run from the repo root; no root needed. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CUnit/Basic.h>

#include "scenario.h"
#include "lib/testutil.h"

#define BAD "tests/unit/data/bad/"
#define BAD_PROFILES BAD "profiles"

static struct scenario sc;

/* sc loaded again: what the last load allocated is freed first. */
static int reload(const char *path, const char *profiles, struct scenario *s,
		  struct cfg_error *err)
{
	scenario_free(s);
	return scenario_load(path, profiles, s, err);
}

/* Refused, with file, line and key as expected; the printed form starts
 * with "file:line:" (or "file:" for whole-file faults). */
static void check_refused(const char *path, const char *profiles, int line,
			  const char *key, const char *msg_part)
{
	struct cfg_error err;
	char text[1200], want[600];

	if (reload(path, profiles, &sc, &err) != -1) {
		fprintf(stderr, "\n%s: accepted\n", path);
		CU_FAIL("bad input accepted");
		return;
	}
	if (err.line != line || strcmp(err.key, key) ||
	    !strstr(err.msg, msg_part))
		fprintf(stderr, "\n%s: got %d '%s' '%s', want %d '%s' '%s'\n",
			path, err.line, err.key, err.msg, line, key, msg_part);
	testutil_check_cfg_error(&err, path, path, line, key, msg_part);
	cfg_error_str(&err, text, sizeof(text));
	if (line)
		snprintf(want, sizeof(want), "%s:%d: ", path, line);
	else
		snprintf(want, sizeof(want), "%s: ", path);
	CU_ASSERT_EQUAL(strncmp(text, want, strlen(want)), 0);
}

/* "; expect LINE |KEY| MSG" from the file's first line. */
static int read_expect(const char *path, int *line, char *key, size_t kcap,
		       char *msg, size_t mcap)
{
	char buf[512], *k, *end;
	FILE *f = fopen(path, "r");
	int n = -1, ok = 0;

	if (!f)
		return -1;
	if (fgets(buf, sizeof(buf), f) &&
	    sscanf(buf, "; expect %d |%n", line, &n) == 1 && n > 0) {
		buf[strcspn(buf, "\n")] = '\0';
		k = buf + n;
		end = strstr(k, "| ");
		if (end) {
			*end = '\0';
			snprintf(key, kcap, "%s", k);
			snprintf(msg, mcap, "%s", end + 2);
			ok = 1;
		}
	}
	fclose(f);
	return ok ? 0 : -1;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void test_corpus(void)
{
	char *names[256], path[512], key[128], msg[400];
	struct dirent *de;
	int n = 0, line;
	DIR *d = opendir(BAD);

	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	while ((de = readdir(d)) && n < (int)TESTUTIL_N(names)) {
		size_t len = strlen(de->d_name);

		if (len > 4 && !strcmp(de->d_name + len - 4, ".ini"))
			names[n++] = strdup(de->d_name);
	}
	closedir(d);
	qsort(names, (size_t)n, sizeof(*names), name_cmp);
	for (int i = 0; i < n; i++) {
		snprintf(path, sizeof(path), BAD "%s", names[i]);
		if (read_expect(path, &line, key, sizeof(key), msg,
				sizeof(msg)) < 0) {
			fprintf(stderr, "\n%s: no '; expect' line\n", path);
			CU_FAIL("corpus file without expectation");
		} else {
			check_refused(path, BAD_PROFILES, line, key, msg);
		}
		free(names[i]);
	}
	printf("\n  %d malformed files refused with file, line and key\n", n);
	CU_ASSERT(n >= 100);
}

static int write_file(const char *path, const char *text, size_t len)
{
	FILE *f = fopen(path, "w");
	size_t ok;

	if (!f)
		return -1;
	ok = fwrite(text, 1, len, f);
	return fclose(f) == 0 && ok == len ? 0 : -1;
}

/* Not files at all: refused from their metadata, nothing read (a FIFO
 * without a writer would block, /dev/zero never ends). */
static void test_not_files(void)
{
	char dir[] = "/tmp/scen-bad-XXXXXX", fifo[64];

	check_refused("/dev/zero", BAD_PROFILES, 0, "",
		      "a device, not a regular file");
	check_refused("/dev/null", BAD_PROFILES, 0, "", "a device");
	check_refused("tests/unit/data/bad", BAD_PROFILES, 0, "",
		      "a directory");
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	snprintf(fifo, sizeof(fifo), "%s/fifo.ini", dir);
	CU_ASSERT_EQUAL_FATAL(mkfifo(fifo, 0600), 0);
	check_refused(fifo, BAD_PROFILES, 0, "", "a FIFO");
	unlink(fifo);
	rmdir(dir);
}

/* 2 MiB scenario, and a profile past CFG_FILE_MAX behind a good scenario. */
static void test_huge(void)
{
	char dir[] = "/tmp/scen-bad-XXXXXX", path[64], want[128];
	size_t len = 2 << 20;
	char *big = malloc(len);

	CU_ASSERT_PTR_NOT_NULL_FATAL(big);
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	memset(big, ';', len);
	for (size_t i = 99; i < len; i += 100)
		big[i] = '\n';
	snprintf(path, sizeof(path), "%s/huge.ini", dir);
	CU_ASSERT_EQUAL_FATAL(write_file(path, big, len), 0);
	check_refused(path, BAD_PROFILES, 0, "", "larger than 1048576 bytes");
	unlink(path);

	snprintf(path, sizeof(path), "%s/big.ini", dir);
	memcpy(big, "[nat]\n", 6);
	CU_ASSERT_EQUAL_FATAL(write_file(path, big, CFG_FILE_MAX + 1), 0);
	snprintf(path, sizeof(path), "%s/eim.ini", dir);
	CU_ASSERT_EQUAL_FATAL(write_file(path, "[nat]\n", 6), 0);
	snprintf(path, sizeof(path), "%s/s.ini", dir);
	CU_ASSERT_EQUAL_FATAL(
		write_file(path, "[cell c]\na = eim\nb = big\nexpect = >= 0\n",
			   38),
		0);
	snprintf(want, sizeof(want), "%s/big.ini: larger than", dir);
	check_refused(path, dir, 3, "b", want);
	unlink(path);
	snprintf(path, sizeof(path), "%s/big.ini", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/eim.ini", dir);
	unlink(path);
	rmdir(dir);
	free(big);
}

/* SCENARIO_MAX_CELLS cells load; up to 6 more are refused at the header
 * of the first cell past it. */
static void test_cell_limit(void)
{
	static const char cell[] = "[cell c%d]\na = eim\nb = eim\n"
				   "expect = >= 0\n";
	char path[] = "/tmp/scen-cells-XXXXXX.ini", key[32], msg[64];
	struct cfg_error err;
	FILE *f;
	int fd;

	snprintf(msg, sizeof(msg), "more than %d cells", SCENARIO_MAX_CELLS);
	for (int n = SCENARIO_MAX_CELLS; n <= SCENARIO_MAX_CELLS + 6; n++) {
		fd = mkstemps(path, 4);
		CU_ASSERT_FATAL(fd >= 0);
		f = fdopen(fd, "w");
		CU_ASSERT_PTR_NOT_NULL_FATAL(f);
		for (int i = 0; i < n; i++)
			fprintf(f, cell, i);
		fclose(f);
		if (n == SCENARIO_MAX_CELLS) {
			CU_ASSERT_EQUAL(
				reload(path, BAD_PROFILES, &sc, &err),
				0);
			CU_ASSERT_EQUAL(sc.ncells, SCENARIO_MAX_CELLS);
		} else {
			snprintf(key, sizeof(key), "[cell c%d]",
				 SCENARIO_MAX_CELLS);
			check_refused(path, BAD_PROFILES,
				      1 + 4 * SCENARIO_MAX_CELLS, key,
				      msg);
		}
		unlink(path);
		strcpy(path, "/tmp/scen-cells-XXXXXX.ini");
	}
}

int main(void)
{
	static const struct testutil_case tests[] = {
		{"malformed files of tests/unit/data/bad", test_corpus},
		{"devices, FIFOs, directories", test_not_files},
		{"files past CFG_FILE_MAX", test_huge},
		{"SCENARIO_MAX_CELLS cells load, 6 more do not", test_cell_limit},
	};
	int fails;

	fails = testutil_run_suite("scenario_bad", NULL, NULL, tests,
				   TESTUTIL_N(tests));
	if (fails < 0)
		return 2;
	return fails ? 1 : 0;
}
