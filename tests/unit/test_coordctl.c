/* test_coordctl: the control channel's lines byte for byte, every
 * malformed line refused, and the reader on a real pipe: lines split
 * across reads, unknown verbs and over-long lines skipped, EOF. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/Basic.h>

#include "coordctl.h"
#include "lib/testutil.h"

static int parse(const char *line, uint64_t *key)
{
	struct coordctl_event ev = {0};
	int e = coordctl_parse(line, strlen(line), &ev);

	if (e == 0) {
		CU_ASSERT_EQUAL(ev.kind, COORDCTL_HELD);
		*key = ev.key;
	}
	return e;
}

static void test_lines(void)
{
	struct coordctl_event ev = {.kind = COORDCTL_HELD, .key = 1000001};
	char buf[COORDCTL_LINE_MAX];
	uint64_t k = 0;

	CU_ASSERT_EQUAL(coordctl_format(buf, sizeof(buf), &ev), 13);
	CU_ASSERT_STRING_EQUAL(buf, "held 1000001\n");
	CU_ASSERT_EQUAL(coordctl_format(buf, 13, &ev), -ENOSPC);
	ev.key = UINT64_MAX;
	CU_ASSERT_EQUAL(coordctl_format(buf, sizeof(buf), &ev), 26);
	CU_ASSERT(26 <= COORDCTL_LINE_MAX);
	ev.kind = 0;
	CU_ASSERT_EQUAL(coordctl_format(buf, sizeof(buf), &ev), -EINVAL);

	CU_ASSERT_EQUAL(parse("held 1000001", &k), 0);
	CU_ASSERT_EQUAL(k, 1000001);
	CU_ASSERT_EQUAL(parse("held 0", &k), 0);
	CU_ASSERT_EQUAL(k, 0);
	CU_ASSERT_EQUAL(parse("held 18446744073709551615", &k), 0);
	CU_ASSERT_EQUAL(k, UINT64_MAX);
	/* A verb from a newer coordinator: well-formed, skipped. */
	CU_ASSERT_EQUAL(parse("released 5", &k), -ENOENT);
	CU_ASSERT_EQUAL(parse("held 18446744073709551616", &k), -EBADMSG);
	CU_ASSERT_EQUAL(parse("held", &k), -EBADMSG);
	CU_ASSERT_EQUAL(parse("held ", &k), -EBADMSG);
	CU_ASSERT_EQUAL(parse("held -1", &k), -EBADMSG);
	CU_ASSERT_EQUAL(parse("held +1", &k), -EBADMSG);
	CU_ASSERT_EQUAL(parse("held 1 ", &k), -EBADMSG);
	CU_ASSERT_EQUAL(parse("held  1", &k), -EBADMSG);
	CU_ASSERT_EQUAL(parse("held 1\r", &k), -EBADMSG);
	CU_ASSERT_EQUAL(parse("Held 1", &k), -EBADMSG);
	CU_ASSERT_EQUAL(parse(" held 1", &k), -EBADMSG);
	CU_ASSERT_EQUAL(parse("", &k), -EBADMSG);
	/* Length-checked: bytes past len are never looked at. */
	CU_ASSERT_EQUAL(coordctl_parse("held 12", 6, &ev), 0);
	CU_ASSERT_EQUAL(ev.key, 1);
}

struct seen {
	int n;
	uint64_t keys[8];
};

static void collect(void *arg, const struct coordctl_event *ev)
{
	struct seen *s = arg;

	if (s->n < 8)
		s->keys[s->n++] = ev->key;
}

static void put(int fd, const char *s)
{
	CU_ASSERT_FATAL(write(fd, s, strlen(s)) == (ssize_t)strlen(s));
}

static void test_reader(void)
{
	struct seen s = {0};
	struct coordctl *ctl;
	char longline[200];
	int w;

	ctl = coordctl_open(&w);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ctl);
	CU_ASSERT(w >= 3);
	CU_ASSERT_EQUAL(fcntl(w, F_GETFD) & FD_CLOEXEC, 0);
	CU_ASSERT(fcntl(coordctl_poll_fd(ctl), F_GETFL) & O_NONBLOCK);
	/* Nothing there: returns at once. */
	CU_ASSERT_EQUAL(coordctl_read(ctl, collect, &s), 0);

	/* A line split across two reads. */
	put(w, "held 4");
	CU_ASSERT_EQUAL(coordctl_read(ctl, collect, &s), 0);
	CU_ASSERT(!coordctl_is_held(ctl, 4));
	put(w, "2\nreleased 42\ngarbage\n");
	CU_ASSERT_EQUAL(coordctl_read(ctl, collect, &s), 1);
	CU_ASSERT(coordctl_is_held(ctl, 42));

	/* An over-long line is skipped whole, also the part that would
	 * parse; the next line counts. NULL cb is fine. */
	memset(longline, 'x', sizeof(longline));
	memcpy(longline + sizeof(longline) - 9, " held 99\n", 9);
	CU_ASSERT_FATAL(write(w, longline, sizeof(longline)) ==
			(ssize_t)sizeof(longline));
	put(w, "held 7\nheld 42\n");
	CU_ASSERT_EQUAL(coordctl_read(ctl, NULL, NULL), 2);
	CU_ASSERT(!coordctl_is_held(ctl, 99));
	CU_ASSERT(coordctl_is_held(ctl, 7));

	/* EOF: a cut-off last line is not an event. */
	put(w, "held 8");
	close(w);
	CU_ASSERT_EQUAL(coordctl_read(ctl, collect, &s), -EPIPE);
	CU_ASSERT(!coordctl_is_held(ctl, 8));
	CU_ASSERT_EQUAL(coordctl_poll_fd(ctl), -1);
	CU_ASSERT_EQUAL(coordctl_read(ctl, collect, &s), -EPIPE);
	CU_ASSERT_EQUAL(s.n, 1);
	CU_ASSERT_EQUAL(s.keys[0], 42);
	coordctl_free(ctl);
	coordctl_free(NULL);
}

/* Many held keys: the set grows past its first allocation. */
static void test_many(void)
{
	struct coordctl *ctl;
	char line[COORDCTL_LINE_MAX];
	int w, total = 0, n;

	ctl = coordctl_open(&w);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ctl);
	for (int i = 0; i < 1000; i++) {
		struct coordctl_event ev = {.kind = COORDCTL_HELD,
					    .key = 5000000u + (unsigned)i};

		n = coordctl_format(line, sizeof(line), &ev);
		CU_ASSERT_FATAL(n > 0 && write(w, line, (size_t)n) == n);
		if (i % 100 == 99) {
			n = coordctl_read(ctl, NULL, NULL);
			CU_ASSERT_FATAL(n >= 0);
			total += n;
		}
	}
	CU_ASSERT_EQUAL(total, 1000);
	CU_ASSERT(coordctl_is_held(ctl, 5000000));
	CU_ASSERT(coordctl_is_held(ctl, 5000999));
	CU_ASSERT(!coordctl_is_held(ctl, 5001000));
	close(w);
	coordctl_free(ctl);
}

int main(void)
{
	static const struct testutil_case tests[] = {
		{"lines: format and parse", test_lines},
		{"reader on a pipe", test_reader},
		{"a thousand held keys", test_many},
	};
	int fails;

	fails = testutil_run_suite("coordctl", NULL, NULL, tests,
				   TESTUTIL_N(tests));
	return fails ? 1 : 0;
}
