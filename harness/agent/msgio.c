/* msgio: framed P2P message I/O. Reads into one buffer sized for the
 * largest allowed message, so a frame is parsed only once it is whole. */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "loop.h"
#include "msgio.h"

struct msgio {
	int fd;
	uint32_t magic;
	size_t max_payload;
	size_t len;  /* bytes buffered */
	size_t used; /* bytes of the message last returned */
	size_t cap;
	uint8_t buf[];
};

struct msgio *msgio_new(int fd, uint32_t magic, size_t max_payload)
{
	struct msgio *m;

	m = calloc(1, sizeof(*m) + P2P_HDR_LEN + max_payload);
	if (!m)
		return NULL;
	m->fd = fd;
	m->magic = magic;
	m->max_payload = max_payload;
	m->cap = P2P_HDR_LEN + max_payload;
	return m;
}

void msgio_free(struct msgio *m)
{
	free(m);
}

/* 0 when fd is ready for events, else -ETIMEDOUT / -EINTR / -errno. */
static int msgio_wait(int fd, short events, int64_t deadline_ns)
{
	struct pollfd pfd = {.fd = fd, .events = events};
	int r;

	r = loop_poll(&pfd, 1, deadline_ns);
	if (r < 0)
		return r;
	return r ? 0 : -ETIMEDOUT;
}

int msgio_send(struct msgio *m, const char *command, const void *payload,
	       size_t len, int64_t deadline_ns)
{
	uint8_t out[P2P_HDR_LEN + MSGIO_SEND_MAX];
	size_t off = 0;
	int total;

	if (len > MSGIO_SEND_MAX)
		return -EMSGSIZE;
	total = p2p_msg_encode(out, sizeof(out), m->magic, command, payload,
			       len);
	if (total < 0)
		return total;
	while (off < (size_t)total) {
		ssize_t n = send(m->fd, out + off, (size_t)total - off,
				 MSG_NOSIGNAL);
		int r;

		if (n >= 0) {
			off += (size_t)n;
			continue;
		}
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			return -errno;
		r = msgio_wait(m->fd, POLLOUT, deadline_ns);
		if (r < 0)
			return r;
	}
	log_debug("sent %s (%zu bytes)", command, len);
	return 0;
}

int msgio_recv(struct msgio *m, struct p2p_hdr *h, const uint8_t **payload,
	       int64_t deadline_ns)
{
	if (m->used) {
		memmove(m->buf, m->buf + m->used, m->len - m->used);
		m->len -= m->used;
		m->used = 0;
	}
	for (;;) {
		ssize_t n;
		int r;

		r = p2p_frame(m->buf, m->len, m->magic, m->max_payload, h,
			      payload);
		if (r > 0) {
			m->used = (size_t)r;
			log_debug("received %s (%u bytes)", h->command,
				  h->length);
			return 0;
		}
		if (r < 0)
			return r;
		/* p2p_frame refuses oversized headers, so a frame that is
		 * not yet whole always fits in the rest of buf. */
		if (m->len == m->cap)
			return -EMSGSIZE;
		n = recv(m->fd, m->buf + m->len, m->cap - m->len, 0);
		if (n > 0) {
			m->len += (size_t)n;
			continue;
		}
		if (n == 0)
			return -EPIPE;
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			return -errno;
		r = msgio_wait(m->fd, POLLIN, deadline_ns);
		if (r < 0)
			return r;
	}
}
