/* coordctl: text lines on a pipe, parsed with every length checked before
 * use. Held keys go into a growing array: one key per handoff trial, a
 * few thousand in the largest run. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "coordctl.h"

struct coordctl {
	int fd;
	int eof;
	int skipping; /* inside an over-long line: drop up to its '\n' */
	size_t len;
	char buf[COORDCTL_LINE_MAX];
	uint64_t *held;
	size_t nheld, capheld;
};

int coordctl_format(char *buf, size_t cap, const struct coordctl_event *ev)
{
	int n;

	if (ev->kind != COORDCTL_HELD)
		return -EINVAL;
	n = snprintf(buf, cap, "held %llu\n", (unsigned long long)ev->key);
	if (n < 0 || (size_t)n >= cap)
		return -ENOSPC;
	return n;
}

/* Decimal digits only, no sign or space, at most UINT64_MAX. */
static int coordctl_u64(const char *p, size_t len, uint64_t *out)
{
	uint64_t v = 0;

	if (len == 0 || len > 20)
		return -EBADMSG;
	for (size_t i = 0; i < len; i++) {
		unsigned d = (unsigned char)p[i] - '0';

		if (d > 9 || v > (UINT64_MAX - d) / 10)
			return -EBADMSG;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

int coordctl_parse(const char *line, size_t len, struct coordctl_event *ev)
{
	const char *sp = memchr(line, ' ', len);
	size_t vlen;

	if (!sp || sp == line)
		return -EBADMSG;
	vlen = (size_t)(sp - line);
	for (size_t i = 0; i < vlen; i++)
		if (line[i] < 'a' || line[i] > 'z')
			return -EBADMSG;
	if (vlen != 4 || memcmp(line, "held", 4))
		return -ENOENT;
	ev->kind = COORDCTL_HELD;
	return coordctl_u64(sp + 1, len - vlen - 1, &ev->key);
}

struct coordctl *coordctl_open(int *write_fd)
{
	struct coordctl *ctl;
	int pfd[2], w, e;

	ctl = calloc(1, sizeof(*ctl));
	if (!ctl)
		return NULL;
	if (pipe2(pfd, O_CLOEXEC | O_NONBLOCK) < 0)
		goto err_pipe;
	/* The writer's end blocks or not as the coordinator decides. */
	if (fcntl(pfd[1], F_SETFL, 0) < 0)
		goto err_fd;
	/* Not 0..2: the spawner puts the child's stdio there. */
	w = fcntl(pfd[1], F_DUPFD, 3);
	if (w < 0)
		goto err_fd;
	close(pfd[1]);
	ctl->fd = pfd[0];
	*write_fd = w;
	return ctl;

err_fd:
	e = errno;
	close(pfd[0]);
	close(pfd[1]);
	errno = e;
err_pipe:
	free(ctl);
	return NULL;
}

void coordctl_free(struct coordctl *ctl)
{
	if (!ctl)
		return;
	if (ctl->fd >= 0)
		close(ctl->fd);
	free(ctl->held);
	free(ctl);
}

int coordctl_poll_fd(const struct coordctl *ctl)
{
	return ctl->eof ? -1 : ctl->fd;
}

static int coordctl_hold(struct coordctl *ctl, uint64_t key)
{
	uint64_t *h;
	size_t cap;

	if (coordctl_is_held(ctl, key))
		return 0;
	if (ctl->nheld == ctl->capheld) {
		cap = ctl->capheld ? 2 * ctl->capheld : 64;
		h = realloc(ctl->held, cap * sizeof(*h));
		if (!h)
			return -ENOMEM;
		ctl->held = h;
		ctl->capheld = cap;
	}
	ctl->held[ctl->nheld++] = key;
	return 0;
}

/* Whole lines in buf[0..len) become events; the rest stays. */
static int coordctl_lines(struct coordctl *ctl, coordctl_cb cb, void *arg)
{
	struct coordctl_event ev;
	size_t off = 0;
	char *nl;
	int n = 0, e;

	while ((nl = memchr(ctl->buf + off, '\n', ctl->len - off))) {
		size_t l = (size_t)(nl - (ctl->buf + off));

		if (ctl->skipping) {
			ctl->skipping = 0;
		} else if (coordctl_parse(ctl->buf + off, l, &ev) == 0) {
			if ((e = coordctl_hold(ctl, ev.key)) < 0)
				return e;
			if (cb)
				cb(arg, &ev);
			n++;
		}
		off += l + 1;
	}
	memmove(ctl->buf, ctl->buf + off, ctl->len - off);
	ctl->len -= off;
	if (ctl->len == sizeof(ctl->buf)) {
		/* No '\n' in a whole line's room: not one of ours. */
		ctl->len = 0;
		ctl->skipping = 1;
	}
	return n;
}

int coordctl_read(struct coordctl *ctl, coordctl_cb cb, void *arg)
{
	int total = 0, n;
	ssize_t r;

	if (ctl->eof)
		return -EPIPE;
	for (;;) {
		r = read(ctl->fd, ctl->buf + ctl->len,
			 sizeof(ctl->buf) - ctl->len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return total;
		if (r < 0)
			return -errno;
		if (r == 0) {
			ctl->eof = 1; /* a last line without '\n' is cut off */
			return total ? total : -EPIPE;
		}
		ctl->len += (size_t)r;
		n = coordctl_lines(ctl, cb, arg);
		if (n < 0)
			return n;
		total += n;
	}
}

int coordctl_is_held(const struct coordctl *ctl, uint64_t key)
{
	for (size_t i = 0; i < ctl->nheld; i++)
		if (ctl->held[i] == key)
			return 1;
	return 0;
}
