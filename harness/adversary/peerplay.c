/* peerplay: the false peer. The node's check is the version nonce, and
 * the nonce came from the coordinator — the one that lies, or the honest
 * one that handed it to whoever registered the key first. */
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "advio.h"
#include "log.h"
#include "monoclock.h"
#include "peerplay.h"

#define PEERPLAY_WAVE_MS 200 /* a refused connect is tried again after */
#define PEERPLAY_LINGER_MS 1000

static pid_t peerplay_pids[PEERPLAY_MAX_CHILDREN];
static unsigned peerplay_n;

/* One connect from local to peer, started now. fd or -errno. */
static int peerplay_connect(const struct peerplay_params *p)
{
	socklen_t len = p->peer.ss_family == AF_INET6
				? sizeof(struct sockaddr_in6)
				: sizeof(struct sockaddr_in);
	int fd = advio_bound(&p->local, 0);

	if (fd < 0)
		return fd;
	if (connect(fd, (const struct sockaddr *)&p->peer, len) &&
	    errno != EINPROGRESS) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

/* The TCP connection with the node: whichever comes first, our connect
 * (simultaneous open) or its SYN on the listener. fd or -errno. */
static int peerplay_tcp(struct adv_ctx *c, const struct peerplay_params *p,
			int lfd, int64_t deadline_ns)
{
	struct pollfd pfd[2] = {{.fd = lfd, .events = POLLIN},
				{.fd = -1, .events = POLLOUT}};
	int64_t next_ns = p->t_start_ns, now;
	int soerr, fd;
	socklen_t sl;

	while (!*c->stop && (now = mono_ns()) < deadline_ns) {
		if (pfd[1].fd < 0 && now >= next_ns) {
			pfd[1].fd = peerplay_connect(p);
			next_ns = now + PEERPLAY_WAVE_MS * INT64_C(1000000);
		}
		if (poll(pfd, 2, 50) <= 0)
			continue;
		if (pfd[0].revents & POLLIN) {
			fd = accept4(lfd, NULL, NULL,
				     SOCK_NONBLOCK | SOCK_CLOEXEC);
			if (fd >= 0) {
				if (pfd[1].fd >= 0)
					close(pfd[1].fd);
				return fd;
			}
		}
		if (pfd[1].fd >= 0 && pfd[1].revents) {
			sl = sizeof(soerr);
			soerr = 0;
			getsockopt(pfd[1].fd, SOL_SOCKET, SO_ERROR, &soerr, &sl);
			if (!soerr)
				return pfd[1].fd;
			close(pfd[1].fd);
			pfd[1].fd = -1;
		}
	}
	if (pfd[1].fd >= 0)
		close(pfd[1].fd);
	return *c->stop ? -EINTR : -ETIMEDOUT;
}

static int peerplay_send_version(struct advio *io,
				 const struct peerplay_params *p,
				 uint64_t nonce)
{
	struct p2p_netaddr recv;
	int n;

	p2p_netaddr_from_sockaddr(&recv, (const struct sockaddr *)&p->peer);
	n = advio_send_version(io, &recv, nonce);
	return n < 0 ? n : 0;
}

/* The node's version must carry the nonce its role gives it; ours the
 * other. 0 once both verack are through, or -errno with why. */
static int peerplay_handshake(struct adv_ctx *c, struct advio *io,
			      const struct peerplay_params *p,
			      int64_t deadline_ns, const char **why)
{
	uint64_t ours = p->initiator ? p->nonce : p->nonce + 1;
	uint64_t theirs = p->initiator ? p->nonce + 1 : p->nonce;
	struct p2p_version v;
	const uint8_t *pl;
	struct p2p_hdr h;
	int n, r, got_version = 0;

	*why = "sending";
	if (p->initiator && (r = peerplay_send_version(io, p, ours)))
		return r;
	for (;;) {
		if ((r = advio_flush_wait(io, deadline_ns)))
			return r;
		*why = got_version ? "waiting for verack" : "waiting for version";
		n = advio_recv_wait(io, &h, &pl, deadline_ns, c->stop);
		if (n < 0)
			return n;
		if (!got_version) {
			*why = "version";
			if (strcmp(h.command, "version") ||
			    p2p_version_decode(pl, h.length, &v) ||
			    v.nonce != theirs)
				return -EPROTO;
			got_version = 1;
			if (!p->initiator &&
			    (r = peerplay_send_version(io, p, ours)))
				return r;
			if ((r = advio_send(io, "verack", NULL, 0)) < 0)
				return r;
		} else if (!strcmp(h.command, "verack")) {
			advio_consume(io, (size_t)n);
			return 0;
		} else if (!strcmp(h.command, "ping") && h.length == 8 &&
			   advio_send(io, "pong", pl, 8) < 0) {
			return -ENOBUFS;
		}
		advio_consume(io, (size_t)n);
	}
}

/* The child keeps only its listener and the events file: a copy of a
 * connection the parent closes would keep it open (a coordinator would
 * keep pairing a registration the parent gave up). */
static void peerplay_close_inherited(int keep_a, int keep_b)
{
	int lo = keep_a < keep_b ? keep_a : keep_b;
	int hi = keep_a < keep_b ? keep_b : keep_a;

	if (lo < 3)
		lo = hi;
	if (lo < 3) {
		close_range(3, ~0U, 0);
		return;
	}
	if (lo > 3)
		close_range(3, (unsigned)lo - 1, 0);
	if (hi > lo + 1)
		close_range((unsigned)lo + 1, (unsigned)hi - 1, 0);
	close_range((unsigned)hi + 1, ~0U, 0);
}

/* The child's whole life. Returns its exit code. */
static int peerplay_child(struct adv_ctx *c, const struct peerplay_params *p)
{
	int64_t deadline_ns = p->t_start_ns + PEERPLAY_MAX_MS * INT64_C(1000000);
	uint64_t bytes0 = advio_bytes_sent(); /* the parent's, inherited */
	int lfd = p->listen_fd, fd, r;
	struct advio io;
	const char *why = "tcp";
	char with[64];
	struct p2p_netaddr na;
	json_t *ev;

	if (deadline_ns > c->deadline_ns)
		deadline_ns = c->deadline_ns;
	peerplay_close_inherited(fileno(c->events), lfd);
	if (lfd < 0)
		lfd = advio_bound(&p->local, 16);
	p2p_netaddr_from_sockaddr(&na, (const struct sockaddr *)&p->peer);
	p2p_netaddr_str(&na, with, sizeof(with));
	fd = lfd < 0 ? lfd : peerplay_tcp(c, p, lfd, deadline_ns);
	if (lfd >= 0)
		close(lfd);
	r = fd;
	if (fd >= 0) {
		advio_init(&io, fd, c->magic);
		r = peerplay_handshake(c, &io, p, deadline_ns, &why);
	}
	ev = json_pack("{s:I,s:s,s:b,s:I}", "key", (json_int_t)p->key, "with",
		       with, "handshake", r == 0, "bytes",
		       (json_int_t)(advio_bytes_sent() - bytes0));
	if (r)
		json_object_set_new(ev, "error", json_sprintf("%s: %s", why,
							      strerror(-r)));
	adv_event(c, "played", ev);
	log_info("played key %" PRIu64 " with %s: %s", p->key, with,
		 r ? strerror(-r) : "handshake done");
	if (fd >= 0) {
		/* The node reports once its side is done; a close at once
		 * could reach it first. */
		struct p2p_hdr h;
		const uint8_t *pl;
		int64_t end = mono_ns() + PEERPLAY_LINGER_MS * INT64_C(1000000);

		while (advio_recv_wait(&io, &h, &pl, end, c->stop) > 0)
			advio_consume(&io, P2P_HDR_LEN + h.length);
		advio_close(&io);
	}
	return r ? 1 : 0;
}

int peerplay_spawn(struct adv_ctx *c, const struct peerplay_params *p)
{
	pid_t pid;

	peerplay_reap();
	if (peerplay_n >= PEERPLAY_MAX_CHILDREN)
		return -EAGAIN;
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		/* A play never outlives the role that started it. */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (getppid() == 1)
			_exit(1);
		_exit(peerplay_child(c, p));
	}
	peerplay_pids[peerplay_n++] = pid;
	return 0;
}

unsigned peerplay_reap(void)
{
	unsigned i = 0;

	while (i < peerplay_n) {
		if (waitpid(peerplay_pids[i], NULL, WNOHANG) == 0) {
			i++;
			continue;
		}
		peerplay_pids[i] = peerplay_pids[--peerplay_n];
	}
	return peerplay_n;
}

void peerplay_stop_all(void)
{
	for (unsigned i = 0; i < peerplay_n; i++)
		kill(peerplay_pids[i], SIGTERM);
	for (unsigned i = 0; i < peerplay_n; i++)
		waitpid(peerplay_pids[i], NULL, 0);
	peerplay_n = 0;
}
