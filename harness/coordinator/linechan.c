/* linechan: the non-blocking writer both coordinator channels share. A
 * line is written at once and, if the pipe is full, again as soon as the
 * poll loop sees room: a reader waiting on it (the harness's "held", the
 * injector's "pair") must not wait for the next event. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "linechan.h"
#include "log.h"

int linechan_init(struct linechan *ch, const char *name, int fd)
{
	struct stat st;
	int fl;

	ch->name = name;
	ch->fd = -1;
	ch->len = 0;
	if (fd < 0)
		return 0;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISFIFO(st.st_mode) && !S_ISSOCK(st.st_mode))
		return -EINVAL;
	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0 ||
	    fcntl(fd, F_SETFD, FD_CLOEXEC) < 0)
		return -errno;
	ch->fd = fd;
	return 0;
}

static void linechan_off(struct linechan *ch, const char *why)
{
	log_info("%s channel closed (%s); events go on to stdout only",
		 ch->name, why);
	close(ch->fd);
	ch->fd = -1;
	ch->len = 0;
}

void linechan_flush(struct linechan *ch)
{
	ssize_t n;

	while (ch->fd >= 0 && ch->len) {
		/* SIGPIPE is ignored (main.c): a gone reader is EPIPE. */
		n = write(ch->fd, ch->buf, ch->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n < 0) {
			linechan_off(ch, errno == EPIPE ? "reader gone"
							: strerror(errno));
			return;
		}
		memmove(ch->buf, ch->buf + n, ch->len - (size_t)n);
		ch->len -= (size_t)n;
	}
}

size_t linechan_room(const struct linechan *ch)
{
	return ch->fd >= 0 ? sizeof(ch->buf) - ch->len : 0;
}

int linechan_put(struct linechan *ch, const char *line, size_t len)
{
	if (ch->fd < 0)
		return -EPIPE;
	if (len > linechan_room(ch))
		return -ENOSPC;
	memcpy(ch->buf + ch->len, line, len);
	ch->len += len;
	linechan_flush(ch);
	return 0;
}

int linechan_poll_fd(const struct linechan *ch)
{
	return ch->fd >= 0 && ch->len ? ch->fd : -1;
}
