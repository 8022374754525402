/* test_cfg: line numbers, section reports and errors of the INI reader,
 * and the value parsers. Fixtures in tests/unit/data/; run from the repo
 * root. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CUnit/Basic.h>

#include "cfg.h"
#include "lib/testutil.h"

#define DATA "tests/unit/data/"

struct rec_event {
	char section[64];
	char key[64]; /* "" for a section header */
	char value[256];
	int line;
};

struct rec {
	struct rec_event ev[32];
	int n;
	const char *fail_key; /* key (or "[section]") to refuse */
};

static int rec_handler(void *user, const char *section, const char *key,
		       const char *value, int line, struct cfg_error *err)
{
	struct rec *r = user;
	struct rec_event *e;
	char sec[80];

	snprintf(sec, sizeof(sec), "[%s]", section);
	if (r->fail_key && ((key && !strcmp(key, r->fail_key)) ||
			    (!key && !strcmp(sec, r->fail_key)))) {
		snprintf(err->msg, sizeof(err->msg), "refused by test");
		return -1;
	}
	if (r->n == (int)(sizeof(r->ev) / sizeof(*r->ev)))
		return 0;
	e = &r->ev[r->n++];
	snprintf(e->section, sizeof(e->section), "%s", section);
	snprintf(e->key, sizeof(e->key), "%s", key ? key : "");
	snprintf(e->value, sizeof(e->value), "%s", value ? value : "");
	e->line = line;
	return 0;
}

static void check_event(const struct rec *r, int i, const char *section,
			const char *key, const char *value, int line)
{
	CU_ASSERT_FATAL(i < r->n);
	CU_ASSERT_STRING_EQUAL(r->ev[i].section, section);
	CU_ASSERT_STRING_EQUAL(r->ev[i].key, key);
	CU_ASSERT_STRING_EQUAL(r->ev[i].value, value);
	CU_ASSERT_EQUAL(r->ev[i].line, line);
}

static void test_lines(void)
{
	struct rec r = {.n = 0};
	struct cfg_error err;

	CU_ASSERT_EQUAL_FATAL(
	    cfg_parse_file(DATA "cfg-lines.ini", rec_handler, &r, &err), 0);
	CU_ASSERT_EQUAL(r.n, 6);
	check_event(&r, 0, "alpha", "", "", 4);
	check_event(&r, 1, "alpha", "one", "1", 5);
	/* Indented: a key of its own, not a continuation of "one". */
	check_event(&r, 2, "alpha", "two", "two words", 6);
	check_event(&r, 3, "alpha", "three", "3", 7);
	check_event(&r, 4, "beta", "", "", 8);
	check_event(&r, 5, "beta", "four", "4", 10);
}

static void test_bom(void)
{
	struct rec r = {.n = 0};
	struct cfg_error err;

	CU_ASSERT_EQUAL_FATAL(
	    cfg_parse_file(DATA "cfg-bom.ini", rec_handler, &r, &err), 0);
	CU_ASSERT_EQUAL(r.n, 2);
	check_event(&r, 0, "alpha", "", "", 1);
	check_event(&r, 1, "alpha", "one", "1", 2);
}

static void check_error(const char *file, const char *fail_key, int line,
			const char *key, const char *msg_part)
{
	struct rec r = {.n = 0, .fail_key = fail_key};
	struct cfg_error err;

	CU_ASSERT_EQUAL(cfg_parse_file(file, rec_handler, &r, &err), -1);
	CU_ASSERT_STRING_EQUAL(err.file, file);
	CU_ASSERT_EQUAL(err.line, line);
	CU_ASSERT_STRING_EQUAL(err.key, key);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, msg_part));
}

static void test_long_line(void)
{
	struct rec r = {.n = 0};
	struct cfg_error err;

	check_error(DATA "cfg-long-line.ini", NULL, 3, "", "longer than 199");
	check_error(DATA "cfg-over-line.ini", NULL, 2, "", "longer than 199");
	/* Nothing after the long line reaches the handler. */
	cfg_parse_file(DATA "cfg-long-line.ini", rec_handler, &r, &err);
	CU_ASSERT_EQUAL(r.n, 2);
	/* 199 characters is the most that fits, and is accepted whole. */
	r.n = 0;
	CU_ASSERT_EQUAL_FATAL(
	    cfg_parse_file(DATA "cfg-max-line.ini", rec_handler, &r, &err), 0);
	CU_ASSERT_EQUAL_FATAL(r.n, 2);
	CU_ASSERT_EQUAL(strlen(r.ev[1].value), 195);
}

static void test_syntax(void)
{
	check_error(DATA "cfg-syntax.ini", NULL, 3, "", "syntax error");
	check_error(DATA "cfg-unclosed.ini", NULL, 3, "", "syntax error");
	check_error(DATA "cfg-long-section.ini", NULL, 3, "",
		    "section name longer");
}

static void test_duplicate(void)
{
	check_error(DATA "cfg-dup.ini", NULL, 7, "one", "first at line 2");
}

static void test_handler_error(void)
{
	check_error(DATA "cfg-lines.ini", "three", 7, "three",
		    "refused by test");
	check_error(DATA "cfg-lines.ini", "[beta]", 8, "[beta]",
		    "refused by test");
}

static void test_missing_file(void)
{
	check_error(DATA "no-such-file.ini", NULL, 0, "", "cannot open");
}

/* Writes len bytes of text to a file of its own; its path into path. */
static int write_tmp(const char *text, size_t len, char *path, size_t cap)
{
	FILE *f;
	int fd;

	snprintf(path, cap, "/tmp/cfg-XXXXXX.ini");
	fd = mkstemps(path, 4);
	if (fd < 0)
		return -1;
	f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		return -1;
	}
	if (fwrite(text, 1, len, f) != len) {
		fclose(f);
		return -1;
	}
	return fclose(f);
}

static void check_text(const char *text, size_t len, int line,
		       const char *msg_part)
{
	struct rec r = {.n = 0};
	struct cfg_error err;
	char path[64];
	int ret;

	CU_ASSERT_EQUAL_FATAL(write_tmp(text, len, path, sizeof(path)), 0);
	ret = cfg_parse_file(path, rec_handler, &r, &err);
	unlink(path);
	if (!msg_part) {
		CU_ASSERT_EQUAL(ret, 0);
		return;
	}
	CU_ASSERT_EQUAL(ret, -1);
	CU_ASSERT_STRING_EQUAL(err.file, path);
	CU_ASSERT_EQUAL(err.line, line);
	CU_ASSERT_STRING_EQUAL(err.key, "");
	if (!strstr(err.msg, msg_part))
		fprintf(stderr, "\n'%s' lacks '%s'\n", err.msg, msg_part);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, msg_part));
	/* Refused before parsing: the handler heard nothing. */
	CU_ASSERT_EQUAL(r.n, 0);
}

#define TEXT(s) s, sizeof(s) - 1

/* Bytes that C strings, logs or JSON would mangle are refused before the
 * handler sees a key, at their line. */
static void test_bytes(void)
{
	check_text(TEXT("[a]\nk = v\0x\n"), 2, "NUL byte at column 6");
	check_text(TEXT("[a]\nk = v\n\0\0\0\0"), 3, "NUL byte");
	check_text(TEXT("[a]\nk = \x1b[31mred\n"), 2, "control byte 0x1B");
	check_text(TEXT("[a]\nk = a\rb\n"), 2, "control byte 0x0D");
	check_text(TEXT("[a]\nk = \x7f\n"), 2, "control byte 0x7F");
	check_text(TEXT("[a]\n\nk = caf\xe9\n"), 3,
		   "byte 0xE9 at column 8 is not UTF-8");
	check_text(TEXT("[a]\nk = \xc0\xaf\n"), 2, "not UTF-8"); /* overlong */
	check_text(TEXT("[a]\nk = \xed\xa0\x80\n"), 2, "not UTF-8");
	check_text(TEXT("[a]\nk = \xf4\x90\x80\x80\n"), 2, "not UTF-8");
	check_text(TEXT("[a]\nk = \xe2\x82\n"), 2, "not UTF-8"); /* cut */
	/* What text files do have: CRLF, tabs, UTF-8. */
	check_text(TEXT("[a]\r\nk =\tv\r\nd = caf\xc3\xa9 \xe2\x82\xac\n"),
		   0, NULL);
}

/* Not a regular file, or too large: refused from its metadata, without
 * reading (a FIFO without a writer would block; /dev/zero never ends). */
static void test_not_a_file(void)
{
	/* room for "/f.ini" after the template */
	char fifo[32] = "/tmp/cfg-fifo-XXXXXX", path[64];
	struct rec r = {.n = 0};
	struct cfg_error err;
	char *big;

	check_error("/dev/zero", NULL, 0, "", "a device, not a regular file");
	check_error("/dev/null", NULL, 0, "", "a device");
	check_error(DATA, NULL, 0, "", "a directory");
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(fifo));
	strcat(fifo, "/f.ini");
	CU_ASSERT_EQUAL_FATAL(mkfifo(fifo, 0600), 0);
	check_error(fifo, NULL, 0, "", "a FIFO");
	unlink(fifo);
	*strrchr(fifo, '/') = '\0';
	rmdir(fifo);

	/* CFG_FILE_MAX bytes of comments pass; one byte more does not. */
	big = malloc(CFG_FILE_MAX + 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(big);
	memset(big, '#', CFG_FILE_MAX + 1);
	for (size_t i = 99; i < CFG_FILE_MAX + 1; i += 100)
		big[i] = '\n';
	CU_ASSERT_EQUAL_FATAL(write_tmp(big, CFG_FILE_MAX, path, sizeof(path)),
			      0);
	CU_ASSERT_EQUAL(cfg_parse_file(path, rec_handler, &r, &err), 0);
	unlink(path);
	CU_ASSERT_EQUAL_FATAL(
	    write_tmp(big, CFG_FILE_MAX + 1, path, sizeof(path)), 0);
	check_error(path, NULL, 0, "", "larger than 1048576 bytes");
	unlink(path);
	free(big);
}

static void test_error_str(void)
{
	struct cfg_error err;
	char buf[1200], small[12];

	cfg_fail(&err, "a.ini", 3, "trials", "bad %d", 7);
	CU_ASSERT_STRING_EQUAL(cfg_error_str(&err, buf, sizeof(buf)),
			       "a.ini:3: key 'trials': bad 7");
	cfg_fail(&err, "a.ini", 0, "", "cannot open");
	CU_ASSERT_STRING_EQUAL(cfg_error_str(&err, buf, sizeof(buf)),
			       "a.ini: cannot open");
	cfg_fail(&err, "a.ini", 9, "[cell x]", "duplicate");
	CU_ASSERT_STRING_EQUAL(cfg_error_str(&err, buf, sizeof(buf)),
			       "a.ini:9: [cell x]: duplicate");
	cfg_fail(&err, "", 0, "", "just a message");
	CU_ASSERT_STRING_EQUAL(cfg_error_str(&err, buf, sizeof(buf)),
			       "just a message");
	/* Truncated, still terminated. */
	cfg_fail(&err, "a.ini", 3, "trials", "bad");
	cfg_error_str(&err, small, sizeof(small));
	CU_ASSERT(strlen(small) < sizeof(small));
}

static void test_int(void)
{
	struct cfg_error err;
	long v = 0;

	CU_ASSERT_EQUAL(cfg_int("42", 0, 100, &v, &err), 0);
	CU_ASSERT_EQUAL(v, 42);
	CU_ASSERT_EQUAL(cfg_int("-5", -10, 10, &v, &err), 0);
	CU_ASSERT_EQUAL(v, -5);
	CU_ASSERT_EQUAL(cfg_int("0", 0, 0, &v, &err), 0);
	CU_ASSERT_EQUAL(cfg_int("", 0, 100, &v, &err), -1);
	CU_ASSERT_EQUAL(cfg_int(" 5", 0, 100, &v, &err), -1);
	CU_ASSERT_EQUAL(cfg_int("5 ", 0, 100, &v, &err), -1);
	CU_ASSERT_EQUAL(cfg_int("5x", 0, 100, &v, &err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "not a whole number"));
	CU_ASSERT_EQUAL(cfg_int("0x10", 0, 100, &v, &err), -1);
	CU_ASSERT_EQUAL(cfg_int("1.5", 0, 100, &v, &err), -1);
	CU_ASSERT_EQUAL(cfg_int("101", 0, 100, &v, &err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "out of range 0..100"));
	CU_ASSERT_EQUAL(cfg_int("-1", 0, 100, &v, &err), -1);
	CU_ASSERT_EQUAL(cfg_int("99999999999999999999", 0, 100, &v, &err), -1);
	CU_ASSERT_EQUAL(v, 0); /* untouched by the failures after "0" */
}

static void test_u64(void)
{
	struct cfg_error err;
	uint64_t v = 0;

	CU_ASSERT_EQUAL(cfg_u64("18446744073709551615", &v, &err), 0);
	CU_ASSERT_EQUAL(v, UINT64_MAX);
	CU_ASSERT_EQUAL(cfg_u64("0", &v, &err), 0);
	CU_ASSERT_EQUAL(v, 0);
	CU_ASSERT_EQUAL(cfg_u64("18446744073709551616", &v, &err), -1);
	CU_ASSERT_EQUAL(cfg_u64("-1", &v, &err), -1);
	CU_ASSERT_EQUAL(cfg_u64("+1", &v, &err), -1);
	CU_ASSERT_EQUAL(cfg_u64("", &v, &err), -1);
	CU_ASSERT_EQUAL(cfg_u64("12 ", &v, &err), -1);
}

static void test_bool(void)
{
	struct cfg_error err;
	int v = -1;

	CU_ASSERT_EQUAL(cfg_bool("on", &v, &err), 0);
	CU_ASSERT_EQUAL(v, 1);
	CU_ASSERT_EQUAL(cfg_bool("No", &v, &err), 0);
	CU_ASSERT_EQUAL(v, 0);
	CU_ASSERT_EQUAL(cfg_bool("1", &v, &err), 0);
	CU_ASSERT_EQUAL(v, 1);
	CU_ASSERT_EQUAL(cfg_bool("false", &v, &err), 0);
	CU_ASSERT_EQUAL(v, 0);
	CU_ASSERT_EQUAL(cfg_bool("maybe", &v, &err), -1);
	CU_ASSERT_EQUAL(cfg_bool("", &v, &err), -1);
	CU_ASSERT_EQUAL(v, 0);
}

static void test_enum(void)
{
	static const char *const names[] = {"drop", "rst", "icmp", NULL};
	struct cfg_error err;

	CU_ASSERT_EQUAL(cfg_enum("drop", names, &err), 0);
	CU_ASSERT_EQUAL(cfg_enum("icmp", names, &err), 2);
	CU_ASSERT_EQUAL(cfg_enum("DROP", names, &err), -1);
	CU_ASSERT_EQUAL(cfg_enum("reject", names, &err), -1);
	CU_ASSERT_STRING_EQUAL(err.msg,
			       "'reject' is not one of: drop, rst, icmp");
}

int main(void)
{
	static const struct testutil_case tests[] = {
		{"key and section lines", test_lines},
		{"UTF-8 BOM", test_bom},
		{"line too long", test_long_line},
		{"syntax errors", test_syntax},
		{"key given twice", test_duplicate},
		{"handler errors", test_handler_error},
		{"missing file", test_missing_file},
		{"NUL, control and non-UTF-8 bytes", test_bytes},
		{"devices, FIFOs, directories, huge files", test_not_a_file},
		{"cfg_error_str", test_error_str},
		{"cfg_int", test_int},
		{"cfg_u64", test_u64},
		{"cfg_bool", test_bool},
		{"cfg_enum", test_enum},
	};
	int fails;

	fails = testutil_run_suite("cfg", NULL, NULL, tests, TESTUTIL_N(tests));
	if (fails < 0)
		return 2;
	return fails ? 1 : 0;
}
