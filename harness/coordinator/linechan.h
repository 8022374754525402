/* linechan: a write-only channel of short text lines on an inherited
 * pipe or socket, as --control-fd and --tap-fd use it. Writes never
 * block and never stop the daemon: lines wait in a small buffer for a
 * slow reader; when the reader is gone the channel is closed and the
 * daemon carries on without it. */
#ifndef PUNCHLAB_COORD_LINECHAN_H
#define PUNCHLAB_COORD_LINECHAN_H

#include <stddef.h>

/* Buffered bytes at most; a line past it is lost (the caller logs). */
#define LINECHAN_BUF 4096

struct linechan {
	const char *name; /* for the log: "control", "tap" */
	int fd;		  /* -1: off */
	size_t len;
	char buf[LINECHAN_BUF];
};

/* fd: an inherited pipe or socket, made non-blocking and close-on-exec;
 * -1 turns the channel off. 0, -EBADF, or -EINVAL (not a pipe or a
 * socket). */
int linechan_init(struct linechan *ch, const char *name, int fd);
/* Appends line (len bytes) and writes what the reader takes now.
 * 0, -ENOSPC (the buffer is full: line lost) or -EPIPE (channel off). */
int linechan_put(struct linechan *ch, const char *line, size_t len);
/* The room left for the next line (0 when the channel is off). */
size_t linechan_room(const struct linechan *ch);
/* The fd to poll for POLLOUT while lines wait, else -1. */
int linechan_poll_fd(const struct linechan *ch);
/* Writes what the reader takes now. */
void linechan_flush(struct linechan *ch);

#endif
