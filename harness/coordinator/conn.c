/* conn: buffers and socket I/O of one coordinator client. Output is a
 * fixed buffer so a client that never reads cannot make the coordinator
 * grow; it is dropped instead. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conn.h"

struct conn *conn_new(int fd, const struct sockaddr *peer)
{
	struct conn *c;
	int err;

	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	err = p2p_netaddr_from_sockaddr(&c->observed, peer);
	if (err) {
		free(c);
		errno = -err;
		return NULL;
	}
	p2p_netaddr_str(&c->observed, c->name, sizeof(c->name));
	c->fd = fd;
	c->state = CONN_HELLO;
	c->rtt_us = -1;
	return c;
}

void conn_free(struct conn *c)
{
	if (!c)
		return;
	if (c->fd >= 0)
		close(c->fd);
	free(c);
}

int conn_fill(struct conn *c)
{
	ssize_t n;

	if (c->in_len >= sizeof(c->in))
		return -ENOBUFS;
	do
		n = read(c->fd, c->in + c->in_len, sizeof(c->in) - c->in_len);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	c->in_len += (size_t)n;
	return (int)n;
}

void conn_consume(struct conn *c, size_t n)
{
	if (n >= c->in_len) {
		c->in_len = 0;
		return;
	}
	memmove(c->in, c->in + n, c->in_len - n);
	c->in_len -= n;
}

int conn_send(struct conn *c, uint32_t magic, const char *command,
	      const void *payload, size_t len)
{
	int n;

	if (c->out_off) {
		memmove(c->out, c->out + c->out_off, c->out_len - c->out_off);
		c->out_len -= c->out_off;
		c->out_off = 0;
	}
	n = p2p_msg_encode(c->out + c->out_len, sizeof(c->out) - c->out_len,
			   magic, command, payload, len);
	if (n == -ENOSPC)
		return -ENOBUFS;
	if (n < 0)
		return n;
	c->out_len += (size_t)n;
	return 0;
}

int conn_flush(struct conn *c)
{
	ssize_t n;

	while (c->out_off < c->out_len) {
		n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off,
			 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			return -errno;
		}
		c->out_off += (size_t)n;
	}
	c->out_off = c->out_len = 0;
	return 0;
}

bool conn_has_output(const struct conn *c)
{
	return c->out_off < c->out_len;
}
