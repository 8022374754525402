/* coordd: the coordinator's poll() loop: accept, read and frame input,
 * flush output, enforce per-state deadlines, reap closed clients. What a
 * message means is dispatch.c's business. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "coordd.h"
#include "dispatch.h"
#include "evlog.h"
#include "log.h"

#define COORDD_MAX_WAIT_MS 1000
#define COORDD_ACCEPT_PAUSE_MS 100

int64_t coordd_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

uint64_t coordd_random64(void)
{
	static uint64_t fallback = 0x9e3779b97f4a7c15ULL;
	uint64_t v;
	ssize_t n;

	do
		n = getrandom(&v, sizeof(v), 0);
	while (n < 0 && errno == EINTR);
	if (n == (ssize_t)sizeof(v))
		return v;
	/* Nonces only have to be unpredictable enough to tell sessions
	 * apart in a testbed; never stop the daemon for them. */
	log_warn("getrandom");
	fallback ^= (uint64_t)coordd_now_us();
	fallback *= 0xbf58476d1ce4e5b9ULL;
	return fallback ^ (fallback >> 31);
}

int coordd_open(struct coordd *d, const struct coordd_opts *o)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	struct p2p_netaddr na;
	char name[CONN_NAME_LEN];
	int one = 1, err;

	memset(d, 0, sizeof(*d));
	d->opt = *o;
	d->lfd = socket(o->listen.ss_family,
			SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (d->lfd < 0)
		return -errno;
	if (setsockopt(d->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)))
		goto err_sock;
	if (bind(d->lfd, (const struct sockaddr *)&o->listen, o->listen_len))
		goto err_sock;
	if (listen(d->lfd, 128))
		goto err_sock;
	if (getsockname(d->lfd, (struct sockaddr *)&ss, &len))
		goto err_sock;
	err = p2p_netaddr_from_sockaddr(&na, (struct sockaddr *)&ss);
	if (err) {
		errno = -err;
		goto err_sock;
	}
	p2p_netaddr_str(&na, name, sizeof(name));
	log_info("listening on %s", name);
	evlog_listening(name,
			o->mode == COORDD_HANDOFF ? "handoff" : "rendezvous",
			o->mode == COORDD_HANDOFF ? o->inbound_limit : -1);
	return 0;

err_sock:
	err = -errno;
	close(d->lfd);
	d->lfd = -1;
	return err;
}

void coordd_close(struct coordd *d)
{
	for (size_t i = 0; i < d->nconns; i++)
		conn_free(d->conns[i]);
	d->nconns = 0;
	if (d->lfd >= 0)
		close(d->lfd);
	d->lfd = -1;
}

void coordd_drop(struct coordd *d, struct conn *c, const char *reason)
{
	(void)d;
	if (c->dead)
		return;
	c->dead = true;
	log_info("drop %s: %s", c->name, reason);
	evlog_drop(c->name, reason);
}

void coordd_finish(struct conn *c)
{
	c->state = CONN_CLOSING;
	c->deadline_us = coordd_now_us() + (int64_t)COORDD_FLUSH_MS * 1000;
	c->in_len = 0;
}

void coordd_reject(struct coordd *d, struct conn *c, unsigned code,
		   const char *text, const char *reason)
{
	struct coord_reject rj = {.code = (uint8_t)code};
	uint8_t buf[1 + 3 + sizeof(rj.reason)];
	int n;

	snprintf(rj.reason, sizeof(rj.reason), "%s", text);
	n = coord_reject_encode(buf, sizeof(buf), &rj);
	if (n < 0 || conn_send(c, d->opt.magic, COORD_CMD_REJECT, buf, n)) {
		coordd_drop(d, c, reason);
		return;
	}
	log_info("reject %s (key %llu): %s", c->name,
		 (unsigned long long)c->key, text);
	evlog_reject(c->name, c->key, code, text);
	evlog_drop(c->name, reason);
	coordd_finish(c);
}

static void coordd_accept(struct coordd *d)
{
	struct sockaddr_storage ss;
	socklen_t len;
	struct conn *c;
	int fd, one = 1;

	for (;;) {
		len = sizeof(ss);
		fd = accept4(d->lfd, (struct sockaddr *)&ss, &len,
			     SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno == EMFILE || errno == ENFILE ||
			    errno == ENOBUFS || errno == ENOMEM) {
				log_warn("accept");
				d->accept_paused_until_us =
					coordd_now_us() +
					COORDD_ACCEPT_PAUSE_MS * 1000;
			} else if (errno != EAGAIN && errno != EWOULDBLOCK) {
				log_warn("accept");
			}
			return;
		}
		/* The peer address of the accepted socket (what getpeername()
		 * returns) is the NAT's translated endpoint: the whole point
		 * of the coordinator. */
		c = conn_new(fd, (struct sockaddr *)&ss);
		if (!c) {
			log_warn("client");
			close(fd);
			continue;
		}
		if (d->nconns >= COORDD_MAX_CONNS) {
			coordd_drop(d, c, "full");
			conn_free(c);
			continue;
		}
		/* Small messages must leave at once or the RTT is Nagle's. */
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		c->deadline_us = coordd_now_us() +
				 (int64_t)d->opt.pair_timeout_ms * 1000;
		d->conns[d->nconns++] = c;
		log_debug("accepted %s", c->name);
	}
}

/* p2p_frame says only -EBADMSG; the harness wants to know which check. */
static const char *coordd_frame_error(const struct conn *c, uint32_t magic)
{
	uint8_t want[4];
	struct p2p_hdr h;
	size_t n = c->in_len < 4 ? c->in_len : 4;

	p2p_put_u32le(want, magic);
	if (memcmp(c->in, want, n))
		return "bad-magic";
	if (c->in_len >= P2P_HDR_LEN && p2p_hdr_decode(c->in, &h))
		return "bad-command";
	return "bad-checksum";
}

static void coordd_input(struct coordd *d, struct conn *c)
{
	const uint8_t *payload;
	const char *reason;
	struct p2p_hdr h;
	int n;

	n = conn_fill(c);
	if (n == -EAGAIN)
		return;
	if (n < 0) {
		errno = -n;
		log_debug("read %s: %s", c->name, strerror(errno));
		coordd_drop(d, c, n == -ECONNRESET ? "reset" : "io");
		return;
	}
	if (n == 0) {
		/* After our last message the client's FIN is the normal end. */
		if (c->state == CONN_CLOSING || c->state == CONN_LINGER) {
			log_debug("closed %s", c->name);
			c->dead = true;
		} else {
			coordd_drop(d, c, "eof");
		}
		return;
	}
	if (c->state == CONN_CLOSING || c->state == CONN_LINGER) {
		c->in_len = 0;
		return;
	}
	while (!c->dead && c->state != CONN_CLOSING &&
	       c->state != CONN_LINGER) {
		n = p2p_frame(c->in, c->in_len, d->opt.magic, COORD_MAX_PAYLOAD,
			      &h, &payload);
		if (n == 0)
			return;
		if (n == -EMSGSIZE) {
			coordd_drop(d, c, "oversize");
			return;
		}
		if (n < 0) {
			coordd_drop(d, c, coordd_frame_error(c, d->opt.magic));
			return;
		}
		reason = dispatch_message(d, c, &h, payload);
		conn_consume(c, (size_t)n);
		if (reason)
			coordd_drop(d, c, reason);
	}
}

void coordd_flush(struct coordd *d, struct conn *c)
{
	int err;

	if (c->dead)
		return;
	err = conn_flush(c);
	if (err) {
		errno = -err;
		log_debug("write %s: %s", c->name, strerror(errno));
		coordd_drop(d, c, err == -ECONNRESET ? "reset" : "io");
		return;
	}
	if (c->state == CONN_CLOSING && !conn_has_output(c)) {
		/* FIN rather than close(): close() with unread input would
		 * send RST, which can destroy the hppunch in flight. */
		shutdown(c->fd, SHUT_WR);
		c->state = CONN_LINGER;
		c->deadline_us = coordd_now_us() + COORDD_LINGER_MS * 1000;
	}
}

static void coordd_timeouts(struct coordd *d, int64_t now)
{
	for (size_t i = 0; i < d->nconns; i++) {
		struct conn *c = d->conns[i];

		if (c->dead || now < c->deadline_us)
			continue;
		switch (c->state) {
		case CONN_HELLO:
		case CONN_READY:
			coordd_drop(d, c, "timeout");
			break;
		case CONN_PINGED:
		case CONN_WAITING:
			coordd_reject(d, c, COORDD_REJECT_NO_PEER, "no peer",
				      "timeout");
			coordd_flush(d, c);
			break;
		case CONN_CLOSING:
			coordd_drop(d, c, "flush-timeout");
			break;
		case CONN_LINGER:
			c->dead = true;
			break;
		}
	}
}

static void coordd_reap(struct coordd *d)
{
	for (size_t i = 0; i < d->nconns;) {
		if (d->conns[i]->dead) {
			conn_free(d->conns[i]);
			d->conns[i] = d->conns[--d->nconns];
		} else {
			i++;
		}
	}
}

static int coordd_wait_ms(const struct coordd *d, int64_t now)
{
	int64_t next = now + COORDD_MAX_WAIT_MS * 1000;

	for (size_t i = 0; i < d->nconns; i++)
		if (d->conns[i]->deadline_us < next)
			next = d->conns[i]->deadline_us;
	if (d->accept_paused_until_us > now && d->accept_paused_until_us < next)
		next = d->accept_paused_until_us;
	if (next <= now)
		return 0;
	return (int)((next - now + 999) / 1000);
}

int coordd_run(struct coordd *d, volatile sig_atomic_t *stop,
	       const sigset_t *waitmask)
{
	static struct pollfd pfd[COORDD_MAX_CONNS + 1];
	static struct conn *polled[COORDD_MAX_CONNS];
	struct timespec ts;
	size_t npolled, i;
	int64_t now;
	int n, wait;

	while (!*stop) {
		now = coordd_now_us();
		coordd_timeouts(d, now);
		coordd_reap(d);

		pfd[0].fd = d->accept_paused_until_us > now ? -1 : d->lfd;
		pfd[0].events = POLLIN;
		pfd[0].revents = 0;
		npolled = d->nconns;
		for (i = 0; i < npolled; i++) {
			polled[i] = d->conns[i];
			pfd[i + 1].fd = polled[i]->fd;
			pfd[i + 1].events = POLLIN;
			if (conn_has_output(polled[i]))
				pfd[i + 1].events |= POLLOUT;
			pfd[i + 1].revents = 0;
		}
		wait = coordd_wait_ms(d, now);
		ts.tv_sec = wait / 1000;
		ts.tv_nsec = (long)(wait % 1000) * 1000000;
		n = ppoll(pfd, npolled + 1, &ts, waitmask);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			log_warn("poll");
			return -errno;
		}

		/* Existing clients first: accept() below appends to conns,
		 * and polled[] keeps the pairing with pfd[]. */
		for (i = 0; i < npolled; i++) {
			struct conn *c = polled[i];
			short re = pfd[i + 1].revents;

			if (re & (POLLIN | POLLHUP | POLLERR))
				coordd_input(d, c);
			if (!c->dead &&
			    (conn_has_output(c) || c->state == CONN_CLOSING))
				coordd_flush(d, c);
		}
		if (pfd[0].revents & POLLIN)
			coordd_accept(d);
	}
	log_info("stopping: %zu clients open", d->nconns);
	evlog_stopped();
	return 0;
}
