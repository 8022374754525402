/* conn: one coordinator client. Its buffers are p2pbuf's (fixed, so a
 * client that never reads cannot make the coordinator grow; it is
 * dropped instead). */
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
	return p2pbuf_fill(&c->buf, c->fd);
}

void conn_consume(struct conn *c, size_t n)
{
	p2pbuf_consume(&c->buf, n);
}

int conn_send(struct conn *c, uint32_t magic, const char *command,
	      const void *payload, size_t len)
{
	int n = p2pbuf_queue(&c->buf, magic, command, payload, len);

	return n < 0 ? n : 0;
}

int conn_flush(struct conn *c)
{
	int n = p2pbuf_flush(&c->buf, c->fd);

	return n < 0 ? n : 0;
}

bool conn_has_output(const struct conn *c)
{
	return p2pbuf_has_output(&c->buf);
}
