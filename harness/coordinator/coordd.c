/* coordd: the coordinator's poll() loop: accept, read and frame input,
 * flush output, enforce per-state deadlines, reap closed clients. What a
 * message means is dispatch.c's business; what may be done to a client,
 * clients.c's. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "advertised.h"
#include "control.h"
#include "coordd.h"
#include "dispatch.h"
#include "monoclock.h"
#include "evlog.h"
#include "log.h"
#include "tap.h"
#include "lograte.h"

#define COORDD_MAX_WAIT_MS 1000
#define COORDD_ACCEPT_PAUSE_MS 100
#define COORDD_NFIXED 5 /* pollfds before the clients' */

/* A listening socket on ss (v6only: IPv6 alone, so that it shares its
 * port with an IPv4 listener). The fd, or -errno. */
static int coordd_listen(const struct sockaddr_storage *ss, socklen_t len,
			 int v6only)
{
	int fd, one = 1, err;

	fd = socket(ss->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    0);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)))
		goto err_sock;
	if (v6only &&
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)))
		goto err_sock;
	/* Keep each client's SYN: its TTL tells the hops to us (low-ttl). */
	if (setsockopt(fd, IPPROTO_TCP, TCP_SAVE_SYN, &one, sizeof(one)))
		log_warn("TCP_SAVE_SYN");
	if (bind(fd, (const struct sockaddr *)ss, len))
		goto err_sock;
	if (listen(fd, 128))
		goto err_sock;
	return fd;

err_sock:
	err = -errno;
	close(fd);
	return err;
}

/* The probe listener next to the main one (predict.h); a coordinator
 * without it still pairs, only without port deltas. */
static void coordd_open_probe(struct coordd *d, struct sockaddr_storage ss,
			      socklen_t len)
{
	struct p2p_netaddr na;
	char name[CONN_NAME_LEN];

	if (p2p_netaddr_from_sockaddr(&na, (struct sockaddr *)&ss) ||
	    !na.port || na.port > 65535 - COORD_PROBE_PORT_OFFSET)
		return;
	na.port += COORD_PROBE_PORT_OFFSET;
	if (ss.ss_family == AF_INET)
		((struct sockaddr_in *)&ss)->sin_port = htons(na.port);
	else
		((struct sockaddr_in6 *)&ss)->sin6_port = htons(na.port);
	d->lfd2 = coordd_listen(&ss, len, 0);
	p2p_netaddr_str(&na, name, sizeof(name));
	if (d->lfd2 < 0) {
		errno = -d->lfd2;
		d->lfd2 = -1;
		log_warn("probe listener %s", name);
		return;
	}
	log_info("probe listener on %s", name);
}

static const char *coordd_mode_name(enum opts_mode m)
{
	switch (m) {
	case OPTS_HANDOFF:
		return "handoff";
	case OPTS_ADVERTISED:
		return "advertised";
	case OPTS_RENDEZVOUS:
	default:
		return "rendezvous";
	}
}

/* --listen6: the IPv6 listener, its bound address into name (port 0
 * works). 0 or -errno. */
static int coordd_open6(struct coordd *d, const struct opts *o, char *name,
			size_t cap)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	struct p2p_netaddr na;

	d->lfd6 = coordd_listen(&o->listen6, o->listen6_len, 1);
	if (d->lfd6 < 0) {
		int err = d->lfd6;

		d->lfd6 = -1;
		return err;
	}
	if (getsockname(d->lfd6, (struct sockaddr *)&ss, &len) ||
	    p2p_netaddr_from_sockaddr(&na, (struct sockaddr *)&ss))
		return -errno;
	p2p_netaddr_str(&na, name, cap);
	log_info("listening on %s", name);
	return 0;
}

int coordd_open(struct coordd *d, const struct opts *o)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	struct p2p_netaddr na;
	char name[CONN_NAME_LEN], name6[CONN_NAME_LEN];
	int err;

	memset(d, 0, sizeof(*d));
	d->lfd = d->lfd2 = d->lfd6 = -1;
	err = clients_init(&d->cl, o);
	if (err)
		return err;
	d->lfd = coordd_listen(&o->listen, o->listen_len, 0);
	if (d->lfd < 0) {
		err = d->lfd;
		d->lfd = -1;
		return err;
	}
	if (getsockname(d->lfd, (struct sockaddr *)&ss, &len))
		goto err_sock;
	err = p2p_netaddr_from_sockaddr(&na, (struct sockaddr *)&ss);
	if (err) {
		errno = -err;
		goto err_sock;
	}
	p2p_netaddr_str(&na, name, sizeof(name));
	log_info("listening on %s", name);
	coordd_open_probe(d, ss, len);
	if (o->listen6_len) {
		err = coordd_open6(d, o, name6, sizeof(name6));
		if (err) {
			coordd_close(d); /* every listener and the table */
			return err;
		}
	}
	evlog_listening(name, o->listen6_len ? name6 : NULL,
			coordd_mode_name(o->mode),
			o->mode == OPTS_HANDOFF ? o->inbound_limit : -1);
	return 0;

err_sock:
	err = -errno;
	close(d->lfd);
	d->lfd = -1;
	return err;
}

void coordd_close(struct coordd *d)
{
	clients_free_all(&d->cl);
	free(d->pfd);
	free(d->polled);
	d->pfd = NULL;
	d->polled = NULL;
	d->pcap = 0;
	if (d->lfd >= 0)
		close(d->lfd);
	if (d->lfd2 >= 0)
		close(d->lfd2);
	if (d->lfd6 >= 0)
		close(d->lfd6);
	d->lfd = d->lfd2 = d->lfd6 = -1;
}

/* The hops of a client's SYN, from the IP header the listener saved
 * (TCP_SAVE_SYN; read once, the kernel frees it): the IPv4 TTL, or the
 * IPv6 hop limit (byte 7 of its 40-byte header). 0 when unknown. */
static uint8_t coordd_hops(int fd)
{
	uint8_t syn[512];
	socklen_t len = sizeof(syn);

	if (getsockopt(fd, IPPROTO_TCP, TCP_SAVED_SYN, syn, &len) < 0)
		return 0;
	if (len >= 20 && (syn[0] >> 4) == 4)
		return coord_hops_from_ttl(syn[8]);
	if (len >= 40 && (syn[0] >> 4) == 6)
		return coord_hops_from_ttl(syn[7]);
	return 0;
}

static void coordd_accept(struct coordd *d, int lfd)
{
	struct sockaddr_storage ss;
	socklen_t len;
	struct linger rst = {.l_onoff = 1, .l_linger = 0};
	struct conn *c;
	int fd, one = 1, err;

	for (;;) {
		len = sizeof(ss);
		fd = accept4(lfd, (struct sockaddr *)&ss, &len,
			     SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno == EMFILE || errno == ENFILE ||
			    errno == ENOBUFS || errno == ENOMEM) {
				log_warn("accept");
				d->accept_paused_until_us =
					mono_us() +
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
		err = clients_add(&d->cl, c);
		if (err == -EBUSY) {
			/* Counted and reported once a second (coordd_second):
			 * a flood must not write a line per connection. RST,
			 * not FIN: no TIME_WAIT kept here for each refusal. */
			setsockopt(fd, SOL_SOCKET, SO_LINGER, &rst, sizeof(rst));
			conn_free(c);
			continue;
		}
		if (err) {
			clients_drop(c, "full");
			conn_free(c);
			continue;
		}
		c->hops = coordd_hops(fd);
		/* Small messages must leave at once or the RTT is Nagle's. */
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		c->deadline_us = mono_us() +
				 (int64_t)d->cl.opt.pair_timeout_ms * 1000;
		log_debug("accepted %s", c->name);
	}
}

/* p2p_frame says only -EBADMSG; the harness wants to know which check. */
static const char *coordd_frame_error(const struct conn *c, uint32_t magic)
{
	uint8_t want[4];
	struct p2p_hdr h;
	size_t n = c->buf.in_len < 4 ? c->buf.in_len : 4;

	p2p_put_u32le(want, magic);
	if (memcmp(c->buf.in, want, n))
		return "bad-magic";
	if (c->buf.in_len >= P2P_HDR_LEN && p2p_hdr_decode(c->buf.in, &h))
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
		clients_drop(c, n == -ECONNRESET ? "reset" : "io");
		return;
	}
	if (n == 0) {
		/* After our last message the client's FIN is the normal end. */
		if (c->state == CONN_CLOSING || c->state == CONN_LINGER) {
			log_debug("closed %s", c->name);
			c->dead = true;
		} else {
			clients_drop(c, "eof");
		}
		return;
	}
	if (c->state == CONN_CLOSING || c->state == CONN_LINGER) {
		c->buf.in_len = 0;
		return;
	}
	while (!c->dead && c->state != CONN_CLOSING &&
	       c->state != CONN_LINGER) {
		n = p2p_frame(c->buf.in, c->buf.in_len, d->cl.opt.magic,
			      COORD_MAX_PAYLOAD, &h, &payload);
		if (n == 0)
			return;
		if (n == -EMSGSIZE) {
			clients_drop(c, "oversize");
			return;
		}
		if (n < 0) {
			clients_drop(c, coordd_frame_error(c, d->cl.opt.magic));
			return;
		}
		reason = dispatch_message(&d->cl, c, &h, payload);
		conn_consume(c, (size_t)n);
		if (reason)
			clients_drop(c, reason);
	}
}

static void coordd_timeouts(struct coordd *d, int64_t now)
{
	for (size_t i = 0; i < d->cl.n; i++) {
		struct conn *c = d->cl.conns[i];

		if (c->dead || now < c->deadline_us)
			continue;
		switch (c->state) {
		case CONN_HELLO:
		case CONN_READY:
			clients_drop(c, "timeout");
			break;
		case CONN_WAITING:
			/* A light connection lasts while it answers. */
			if (advertised_is_holder(&d->cl, c)) {
				advertised_keepalive(&d->cl, c, now);
				break;
			}
			/* fall through */
		case CONN_PINGED:
			clients_reject(&d->cl, c, COORD_REJECT_NO_PEER,
				       "no peer", "timeout");
			clients_flush(c);
			break;
		case CONN_CLOSING:
			clients_drop(c, "flush-timeout");
			break;
		case CONN_LINGER:
			c->dead = true;
			break;
		}
	}
}

static int coordd_wait_ms(const struct coordd *d, int64_t now)
{
	int64_t next = now + COORDD_MAX_WAIT_MS * 1000;

	for (size_t i = 0; i < d->cl.n; i++)
		if (d->cl.conns[i]->deadline_us < next)
			next = d->cl.conns[i]->deadline_us;
	if (d->accept_paused_until_us > now && d->accept_paused_until_us < next)
		next = d->accept_paused_until_us;
	if (next <= now)
		return 0;
	return (int)((next - now + 999) / 1000);
}

/* Once a second: what was counted instead of logged line by line. */
static void coordd_second(struct coordd *d, int64_t now)
{
	struct addrlimit *al = &d->cl.addrs;

	if (now - d->report_us < 1000000)
		return;
	d->report_us = now;
	if (al->refused) {
		log_info("refused %llu connections over the per-address "
			 "limit of %u (%llu in all)",
			 (unsigned long long)al->refused, al->limit,
			 (unsigned long long)al->refused_total);
		al->refused = 0;
	}
	lograte_report(now * 1000);
}

/* The poll set as large as the client table. 0 or -ENOMEM. */
static int coordd_pollset(struct coordd *d)
{
	struct pollfd *p;
	struct conn **q;

	if (d->pcap >= d->cl.cap && d->pfd)
		return 0;
	p = realloc(d->pfd, (d->cl.cap + COORDD_NFIXED) * sizeof(*p));
	if (!p)
		return -ENOMEM;
	d->pfd = p;
	q = realloc(d->polled, (d->cl.cap + 1) * sizeof(*q));
	if (!q)
		return -ENOMEM;
	d->polled = q;
	d->pcap = d->cl.cap;
	return 0;
}

/* [0] the listener, [1] the control channel, [2] the probe listener,
 * [3] the tap, [4] the IPv6 listener, then the clients; returns how many
 * clients are polled. */
static size_t coordd_fill(struct coordd *d, int64_t now)
{
	struct pollfd *pfd = d->pfd;
	struct conn **polled = d->polled;
	size_t npolled, i;

	int paused = d->accept_paused_until_us > now;

	/* The control channel and the tap only while their lines wait
	 * for a slow reader. */
	pfd[0] = (struct pollfd){.fd = paused ? -1 : d->lfd, .events = POLLIN};
	pfd[1] = (struct pollfd){.fd = control_poll_fd(), .events = POLLOUT};
	pfd[2] = (struct pollfd){.fd = paused ? -1 : d->lfd2, .events = POLLIN};
	pfd[3] = (struct pollfd){.fd = tap_poll_fd(), .events = POLLOUT};
	pfd[4] = (struct pollfd){.fd = paused ? -1 : d->lfd6, .events = POLLIN};
	npolled = d->cl.n;
	for (i = 0; i < npolled; i++) {
		polled[i] = d->cl.conns[i];
		pfd[i + COORDD_NFIXED].fd = polled[i]->fd;
		pfd[i + COORDD_NFIXED].events = POLLIN;
		if (conn_has_output(polled[i]))
			pfd[i + COORDD_NFIXED].events |= POLLOUT;
		pfd[i + COORDD_NFIXED].revents = 0;
	}
	return npolled;
}

int coordd_run(struct coordd *d, volatile sig_atomic_t *stop,
	       const sigset_t *waitmask)
{
	struct pollfd *pfd;
	struct conn **polled;
	struct timespec ts;
	size_t npolled, i;
	int64_t now;
	int n, wait;

	while (!*stop) {
		now = mono_us();
		coordd_timeouts(d, now);
		clients_reap(&d->cl);
		coordd_second(d, now);
		if (coordd_pollset(d)) {
			log_warnx("poll set: out of memory");
			return -ENOMEM;
		}
		pfd = d->pfd;
		polled = d->polled;
		npolled = coordd_fill(d, now);
		wait = coordd_wait_ms(d, now);
		ts.tv_sec = wait / 1000;
		ts.tv_nsec = (long)(wait % 1000) * 1000000;
		n = ppoll(pfd, npolled + COORDD_NFIXED, &ts, waitmask);
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
			short re = pfd[i + COORDD_NFIXED].revents;

			if (re & (POLLIN | POLLHUP | POLLERR))
				coordd_input(d, c);
			if (!c->dead &&
			    (conn_has_output(c) || c->state == CONN_CLOSING))
				clients_flush(c);
		}
		if (pfd[1].revents)
			control_flush();
		if (pfd[3].revents)
			tap_flush();
		if (pfd[0].revents & POLLIN)
			coordd_accept(d, d->lfd);
		if (pfd[2].revents & POLLIN)
			coordd_accept(d, d->lfd2);
		if (pfd[4].revents & POLLIN)
			coordd_accept(d, d->lfd6);
	}
	log_info("stopping: %zu clients open", d->cl.n);
	evlog_stopped();
	return 0;
}
