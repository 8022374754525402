/* netconn: the per-connection state machine. Both sides send their
 * version as soon as the TCP connection is up (an inbound side waits for
 * the peer's first, as Bitcoin Core does), so a simultaneous open, where
 * neither side accepted, needs no role to get going. */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "monoclock.h"
#include "netconn.h"

#define NETCONN_UA "/punch-net:1/"

/* As Bitcoin Core: without it Nagle holds a getdata or block behind the
 * peer's delayed ACK (seen: ~40 ms a hop on loopback). */
int netconn_nodelay(int fd)
{
	return setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &(int){1},
			  sizeof(int));
}

int netconn_enter(struct networld *w, struct netnode *n)
{
	w->setns_calls++;
	if (setns(n->ns_fd, CLONE_NEWNET))
		return -errno;
	return 0;
}

void netconn_leave(struct networld *w)
{
	/* Failing to get back would put every later socket in the wrong
	 * namespace: nothing sensible is left to do. */
	if (setns(w->home_ns_fd, CLONE_NEWNET)) {
		log_warn("setns back to our own namespace");
		abort();
	}
}

int netconn_socket(struct networld *w, struct netnode *n, int reuse,
		   uint16_t local_port)
{
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_port = htons(local_port),
	};
	int one = 1, fd, err = 0;

	if ((err = netconn_enter(w, n)))
		return err;
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		err = -errno;
	else if (netconn_nodelay(fd))
		err = -errno;
	else if (reuse &&
		 (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
		  setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) ||
		  bind(fd, (struct sockaddr *)&sin, sizeof(sin))))
		err = -errno;
	netconn_leave(w);
	if (err && fd >= 0)
		close(fd);
	if (err)
		return err;
	w->sockets++;
	if (++w->open_fds > w->peak_fds)
		w->peak_fds = w->open_fds;
	return fd;
}

static struct netconn *netconn_new(struct networld *w, struct netnode *n,
				   int fd, enum netconn_kind kind,
				   uint32_t events)
{
	struct netconn *c = calloc(1, sizeof(*c));
	struct epoll_event ev = {.events = events};

	if (!c)
		return NULL;
	c->fdtype = NETFD_CONN;
	c->fd = fd;
	c->node = n;
	c->kind = kind;
	c->peer_id = -1;
	c->rec = c->am = c->via = -1;
	c->nonce = n->nonce;
	c->relay = kind != NETCONN_BLOCK;
	c->t_start_ns = mono_ns();
	c->deadline_ns = c->t_start_ns + NET_HANDSHAKE_MS * NET_NS_PER_MS;
	ev.data.ptr = c;
	if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, fd, &ev)) {
		free(c);
		return NULL;
	}
	c->epollout = !!(events & EPOLLOUT);
	c->nnext = n->conns;
	if (n->conns)
		n->conns->nprev = c;
	n->conns = c;
	c->gnext = w->conns;
	if (w->conns)
		w->conns->gprev = c;
	w->conns = c;
	return c;
}

struct netconn *netconn_dial(struct networld *w, struct netnode *n,
			     enum netconn_kind kind,
			     const struct sockaddr_in *to, int reuse,
			     uint16_t local_port)
{
	struct netconn *c;
	int fd = netconn_socket(w, n, reuse, local_port), err;

	if (fd < 0) {
		errno = -fd;
		return NULL;
	}
	if (connect(fd, (const struct sockaddr *)to, sizeof(*to)) &&
	    errno != EINPROGRESS)
		goto err_close;
	c = netconn_new(w, n, fd, kind, EPOLLIN | EPOLLOUT);
	if (!c)
		goto err_close;
	c->peer = *to;
	c->state = NETCONN_CONNECTING;
	return c;

err_close:
	err = errno;
	close(fd);
	w->open_fds--;
	errno = err;
	return NULL;
}

struct netconn *netconn_accepted(struct networld *w, struct netnode *n,
				 int fd, const struct sockaddr_in *from)
{
	struct netconn *c = netconn_new(w, n, fd, NETCONN_FULL, EPOLLIN);

	if (!c)
		return NULL;
	c->peer = *from;
	c->inbound = 1;
	c->state = NETCONN_HANDSHAKE;
	return c;
}

uint16_t netconn_local_port(const struct netconn *c)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);

	if (getsockname(c->fd, (struct sockaddr *)&sin, &len))
		return 0;
	return ntohs(sin.sin_port);
}

static void netconn_want_out(struct networld *w, struct netconn *c, int on)
{
	struct epoll_event ev = {.events = EPOLLIN | (on ? EPOLLOUT : 0),
				 .data.ptr = c};

	if (c->epollout == on)
		return;
	if (!epoll_ctl(w->epfd, EPOLL_CTL_MOD, c->fd, &ev))
		c->epollout = on;
}

static void netconn_flush(struct networld *w, struct netconn *c)
{
	while (c->outoff < c->outlen) {
		ssize_t k = send(c->fd, c->out + c->outoff,
				 c->outlen - c->outoff,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break; /* EAGAIN, or an error epoll reports next */
		c->outoff += (size_t)k;
	}
	if (c->outoff == c->outlen)
		c->outoff = c->outlen = 0;
	netconn_want_out(w, c, c->outlen > 0);
}

int netconn_send(struct networld *w, struct netconn *c, const char *cmd,
		 const void *payload, size_t len)
{
	size_t need = P2P_HDR_LEN + len;
	int k;

	if (c->state == NETCONN_CLOSED)
		return -EPIPE;
	if (c->outoff && c->outlen + need > c->outcap) {
		memmove(c->out, c->out + c->outoff, c->outlen - c->outoff);
		c->outlen -= c->outoff;
		c->outoff = 0;
	}
	if (c->outlen + need > c->outcap) {
		size_t cap = c->outcap ? c->outcap : 1024;
		uint8_t *o;

		while (cap < c->outlen + need)
			cap *= 2;
		o = realloc(c->out, cap);
		if (!o)
			return -ENOMEM;
		c->out = o;
		c->outcap = cap;
	}
	k = p2p_msg_encode(c->out + c->outlen, c->outcap - c->outlen,
			   P2P_MAGIC_REGTEST, cmd, payload, len);
	if (k < 0)
		return k;
	c->outlen += (size_t)k;
	if (c->state != NETCONN_CONNECTING)
		netconn_flush(w, c);
	return 0;
}

static int netconn_send_version(struct networld *w, struct netconn *c)
{
	uint8_t buf[256];
	struct p2p_version v = {
		.version = P2P_PROTOCOL_VERSION,
		.services = 1,
		.timestamp = (int64_t)time(NULL),
		.nonce = c->nonce,
		.start_height = c->node->c->id, /* who we are, for the peer */
		.relay = (uint8_t)c->relay,
	};
	int len;

	p2p_netaddr_from_sockaddr(&v.recv, (const struct sockaddr *)&c->peer);
	memcpy(v.user_agent, NETCONN_UA, sizeof(NETCONN_UA));
	len = p2p_version_encode(buf, sizeof(buf), &v);
	if (len < 0)
		return len;
	c->sent_version = 1;
	return netconn_send(w, c, "version", buf, (size_t)len);
}

static void netconn_connected(struct networld *w, struct netconn *c)
{
	c->state = NETCONN_HANDSHAKE;
	if (netconn_send_version(w, c))
		netconn_close(w, c, -ENOMEM);
	else
		netconn_flush(w, c);
}

static void netconn_on_version(struct networld *w, struct netconn *c,
			       const uint8_t *p, size_t len)
{
	struct p2p_version v;

	if (c->got_version || p2p_version_decode(p, len, &v))
		return netconn_close(w, c, -EBADMSG);
	if (c->check && v.nonce != c->check_nonce)
		return netconn_close(w, c, -EPROTO);
	c->got_version = 1;
	if (c->kind != NETCONN_COORD && c->kind != NETCONN_LIGHT)
		c->peer_id = v.start_height;
	if (c->inbound) {
		c->kind = v.relay ? NETCONN_FULL : NETCONN_BLOCK;
		c->relay = v.relay;
	}
	if ((!c->sent_version && netconn_send_version(w, c)) ||
	    netconn_send(w, c, "verack", NULL, 0))
		netconn_close(w, c, -ENOMEM);
}

static void netconn_msg(struct networld *w, struct netconn *c,
			const struct p2p_hdr *h, const uint8_t *p)
{
	if (!strcmp(h->command, "version")) {
		netconn_on_version(w, c, p, h->length);
	} else if (!strcmp(h->command, "verack")) {
		if (!c->got_version)
			return netconn_close(w, c, -EBADMSG);
		c->got_verack = 1;
	} else if (!strcmp(h->command, "ping")) {
		/* The coordinator times its punches by these: answered at
		 * once. */
		if (h->length == 8)
			netconn_send(w, c, "pong", p, 8);
		return;
	} else if (c->state == NETCONN_OPEN) {
		w->ops->msg(w, c, h, p);
		return;
	}
	if (c->state == NETCONN_HANDSHAKE && c->got_version &&
	    c->got_verack) {
		c->state = NETCONN_OPEN;
		c->t_open_ns = mono_ns();
		w->ops->open(w, c);
	}
}

static void netconn_read(struct networld *w, struct netconn *c)
{
	for (;;) {
		ssize_t k;

		if (c->incap - c->inlen < 4096) {
			size_t cap = c->incap ? 2 * c->incap : 8192;
			uint8_t *in;

			if (cap > w->max_payload + 2 * P2P_HDR_LEN + 8192)
				cap = w->max_payload + 2 * P2P_HDR_LEN + 8192;
			if (cap <= c->inlen)
				return netconn_close(w, c, -EMSGSIZE);
			in = realloc(c->in, cap);
			if (!in)
				return netconn_close(w, c, -ENOMEM);
			c->in = in;
			c->incap = cap;
		}
		k = recv(c->fd, c->in + c->inlen, c->incap - c->inlen,
			 MSG_DONTWAIT);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (k <= 0)
			return netconn_close(w, c, k ? -errno : -ECONNRESET);
		c->inlen += (size_t)k;
		for (;;) {
			const uint8_t *p;
			struct p2p_hdr h;
			size_t used;
			int r = p2p_frame(c->in, c->inlen, P2P_MAGIC_REGTEST,
					  w->max_payload, &h, &p);

			if (r < 0)
				return netconn_close(w, c, r);
			if (!r)
				break;
			netconn_msg(w, c, &h, p);
			if (c->state == NETCONN_CLOSED)
				return;
			used = (size_t)r;
			memmove(c->in, c->in + used, c->inlen - used);
			c->inlen -= used;
		}
	}
}

void netconn_event(struct networld *w, struct netconn *c, uint32_t events)
{
	if (c->state == NETCONN_CLOSED)
		return;
	if (c->state == NETCONN_CONNECTING) {
		int soerr = 0;
		socklen_t len = sizeof(soerr);

		if (!(events & (EPOLLOUT | EPOLLERR | EPOLLHUP)))
			return;
		if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &soerr, &len))
			soerr = errno;
		if (soerr)
			return netconn_close(w, c, -soerr);
		netconn_connected(w, c);
		if (c->state == NETCONN_CLOSED)
			return;
	}
	if (events & (EPOLLIN | EPOLLERR | EPOLLHUP))
		netconn_read(w, c);
	if (c->state != NETCONN_CLOSED && (events & EPOLLOUT))
		netconn_flush(w, c);
}

void netconn_close(struct networld *w, struct netconn *c, int err)
{
	struct netnode *n = c->node;

	if (c->state == NETCONN_CLOSED)
		return;
	c->state = NETCONN_CLOSED;
	epoll_ctl(w->epfd, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	w->open_fds--;
	if (c->nprev)
		c->nprev->nnext = c->nnext;
	else
		n->conns = c->nnext;
	if (c->nnext)
		c->nnext->nprev = c->nprev;
	if (c->gprev)
		c->gprev->gnext = c->gnext;
	else
		w->conns = c->gnext;
	if (c->gnext)
		c->gnext->gprev = c->gprev;
	/* gnext stays: a sweep standing on c goes on from there. */
	c->nprev = w->dead;
	w->dead = c;
	w->ops->closed(w, c, err);
}

void netconn_sweep(struct networld *w, int64_t now)
{
	struct netconn *c = w->conns, *next;

	for (; c; c = next) {
		next = c->gnext;
		if (c->state != NETCONN_CLOSED && c->state != NETCONN_OPEN &&
		    now > c->deadline_ns)
			netconn_close(w, c, -ETIMEDOUT);
	}
}

void netconn_reap(struct networld *w)
{
	while (w->dead) {
		struct netconn *c = w->dead;

		w->dead = c->nprev;
		free(c->in);
		free(c->out);
		free(c);
	}
}
