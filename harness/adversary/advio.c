/* advio: buffered P2P I/O for the adversary. The output buffer is fixed:
 * a victim that never reads costs us nothing but its slot. */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "advio.h"
#include "monoclock.h"

/* What a punchlab node calls itself: a false peer says the same. */
#define ADVIO_NODE_UA "/punchlab-agent:0.1/"

static uint64_t advio_sent;

void advio_init(struct advio *io, int fd, uint32_t magic)
{
	io->fd = fd;
	io->magic = magic;
	p2pbuf_reset(&io->b);
}

void advio_close(struct advio *io)
{
	if (io->fd >= 0)
		close(io->fd);
	io->fd = -1;
	p2pbuf_reset(&io->b);
}

int advio_fill(struct advio *io)
{
	return p2pbuf_fill(&io->b, io->fd);
}

int advio_next(struct advio *io, struct p2p_hdr *h, const uint8_t **payload)
{
	return p2p_frame(io->b.in, io->b.in_len, io->magic, ADVIO_MAX_PAYLOAD,
			 h, payload);
}

void advio_consume(struct advio *io, size_t n)
{
	p2pbuf_consume(&io->b, n);
}

int advio_send(struct advio *io, const char *command, const void *payload,
	       size_t len)
{
	return p2pbuf_queue(&io->b, io->magic, command, payload, len);
}

int advio_flush(struct advio *io)
{
	size_t before = io->b.out_off;
	int n = p2pbuf_flush(&io->b, io->fd);

	/* A hard error after a partial send leaves out_off where the sent
	 * bytes end: they went out and count too. */
	if (n < 0) {
		advio_sent += (uint64_t)(io->b.out_off - before);
		return n;
	}
	advio_sent += (uint64_t)n;
	return 0;
}

int advio_version_encode(uint8_t *buf, size_t cap,
			 const struct p2p_netaddr *recv, uint64_t nonce,
			 const char *ua)
{
	struct p2p_version v;

	memset(&v, 0, sizeof(v));
	v.version = P2P_PROTOCOL_VERSION;
	v.timestamp = (int64_t)time(NULL);
	if (recv)
		v.recv = *recv;
	v.nonce = nonce;
	snprintf(v.user_agent, sizeof(v.user_agent), "%s", ua);
	return p2p_version_encode(buf, cap, &v);
}

int advio_send_version(struct advio *io, const struct p2p_netaddr *recv,
		       uint64_t nonce)
{
	uint8_t buf[256];
	int n = advio_version_encode(buf, sizeof(buf), recv, nonce,
				     ADVIO_NODE_UA);

	if (n < 0)
		return n;
	return advio_send(io, "version", buf, (size_t)n);
}

int advio_pending(const struct advio *io)
{
	return p2pbuf_has_output(&io->b);
}

/* poll() on io for events until deadline_ns: 0 ready, -ETIMEDOUT, -EINTR
 * once stopped (the signal handler set *stop), or -errno. */
static int advio_poll(struct advio *io, short events, int64_t deadline_ns,
		      volatile sig_atomic_t *stop)
{
	struct pollfd pfd = {.fd = io->fd, .events = events};
	int64_t left;
	int r;

	for (;;) {
		if (stop && *stop)
			return -EINTR;
		left = (deadline_ns - mono_ns()) / 1000000;
		if (left <= 0)
			return -ETIMEDOUT;
		r = poll(&pfd, 1, left > 200 ? 200 : (int)left);
		if (r > 0)
			return 0;
		if (r < 0 && errno != EINTR)
			return -errno;
	}
}

int advio_recv_wait(struct advio *io, struct p2p_hdr *h,
		    const uint8_t **payload, int64_t deadline_ns,
		    volatile sig_atomic_t *stop)
{
	int n;

	for (;;) {
		n = advio_next(io, h, payload);
		if (n)
			return n;
		n = advio_poll(io, POLLIN, deadline_ns, stop);
		if (n)
			return n;
		n = advio_fill(io);
		if (n == 0)
			return -EPIPE;
		if (n < 0 && n != -EAGAIN)
			return n;
	}
}

int advio_flush_wait(struct advio *io, int64_t deadline_ns)
{
	int r;

	for (;;) {
		r = advio_flush(io);
		if (r || !advio_pending(io))
			return r;
		r = advio_poll(io, POLLOUT, deadline_ns, NULL);
		if (r)
			return r;
	}
}

uint64_t advio_bytes_sent(void)
{
	return advio_sent;
}

void advio_stop_event(struct adv_ctx *c)
{
	adv_event(c, "stop",
		  json_pack("{s:I}", "bytes_sent", (json_int_t)advio_sent));
}

int advio_bound(const struct sockaddr_storage *ss, int backlog)
{
	socklen_t len = ss->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6)
						  : sizeof(struct sockaddr_in);
	int one = 1, fd, err;

	fd = socket(ss->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    0);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) ||
	    bind(fd, (const struct sockaddr *)ss, len) ||
	    (backlog > 0 && listen(fd, backlog)))
		goto err_sock;
	return fd;

err_sock:
	err = -errno;
	close(fd);
	return err;
}

uint16_t advio_local_port(int fd)
{
	struct sockaddr_storage ss;
	struct p2p_netaddr na;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len) ||
	    p2p_netaddr_from_sockaddr(&na, (struct sockaddr *)&ss))
		return 0;
	return na.port;
}
