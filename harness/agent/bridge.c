/* bridge: reach bitcoind, then relay. While the initiator waits for its
 * bitcoind to come through the proxy, it also watches the punched socket:
 * a peer that hangs up first ends the wait at once. */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "monoclock.h"
#include "bridge.h"
#include "log.h"
#include "loop.h"
#include "sock.h"
#include "socks5.h"

/* A SOCKS client gets this long for its greeting and request. */
#define BRIDGE_SOCKS_NS (5000 * LOOP_NS_PER_MS)

int bridge_listen(const struct sockaddr_in *at)
{
	int one = 1, fd, err;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, (const struct sockaddr *)at, sizeof(*at)) < 0 ||
	    listen(fd, 16) < 0)
		goto err_close;
	return fd;

err_close:
	err = -errno;
	close(fd);
	return err;
}

static int64_t bridge_min(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

/* Bitcoin messages are small and latency is what we measure: no Nagle
 * delay on either hop. */
static void bridge_nodelay(int fd)
{
	int one = 1;

	if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) < 0)
		log_warn("TCP_NODELAY");
}

/* One accepted client: 0 when it asked for the peer and was told yes. */
static int bridge_socks_client(const struct bridge_params *p, int punched_fd,
			       int c, struct bridge_result *r)
{
	struct sockaddr_storage ss;
	struct sockaddr_in bnd;
	struct socks5_request req;
	socklen_t len = sizeof(ss);
	char who[64], want[64];
	int err;

	if (getpeername(c, (struct sockaddr *)&ss, &len) < 0)
		return -errno;
	sock_str((struct sockaddr *)&ss, who, sizeof(who));
	len = sizeof(bnd);
	if (getsockname(punched_fd, (struct sockaddr *)&bnd, &len) < 0)
		memset(&bnd, 0, sizeof(bnd));
	err = socks5_serve(c, &p->peer, &bnd,
			   bridge_min(mono_ns() + BRIDGE_SOCKS_NS,
				      p->hold_deadline_ns),
			   &req);
	if (!err) {
		snprintf(r->local, sizeof(r->local), "%s", who);
		snprintf(r->node_addr, sizeof(r->node_addr), "%s:%u", req.host,
			 req.port);
		return 0;
	}
	r->socks_refused++;
	sock_str((const struct sockaddr *)&p->peer, want, sizeof(want));
	if (err == -EACCES)
		log_info("SOCKS client %s asked for %s port %u, not the peer "
			 "%s: refused",
			 who, req.host, req.port, want);
	else
		log_info("SOCKS client %s: %s", who, outcome_errstr(err));
	return err;
}

/* Initiator: the local fd of the first SOCKS client that asks for the
 * peer, or -1 with r->o filled. */
static int bridge_wait_socks(const struct bridge_params *p, int punched_fd,
			     struct bridge_result *r)
{
	char peer[64];

	sock_str((const struct sockaddr *)&p->peer, peer, sizeof(peer));
	for (;;) {
		struct pollfd pfd[2] = {
			{.fd = p->socks_fd, .events = POLLIN},
			{.fd = punched_fd, .events = POLLRDHUP},
		};
		int n, c, err;

		n = loop_poll(pfd, 2, p->hold_deadline_ns);
		if (n < 0)
			return outcome_errno(&r->o, OUTCOME_SETUP, n, "poll");
		if (n == 0)
			return outcome_set(&r->o, OUTCOME_TIMEOUT,
					   "bitcoind did not connect to %s "
					   "through the SOCKS5 proxy in time",
					   peer);
		if (pfd[1].revents)
			return outcome_set(&r->o, OUTCOME_SETUP,
					   "peer closed the punched connection "
					   "before bitcoind connected");
		if (!(pfd[0].revents & POLLIN))
			continue;
		c = accept4(p->socks_fd, NULL, NULL,
			    SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (c < 0) {
			if (errno == EAGAIN || errno == EINTR ||
			    errno == ECONNABORTED)
				continue;
			return outcome_errno(&r->o, OUTCOME_SETUP, -errno,
					     "accept SOCKS client");
		}
		err = bridge_socks_client(p, punched_fd, c, r);
		if (!err)
			return c;
		close(c);
		if (err == -EINTR)
			return outcome_set(&r->o, OUTCOME_TIMEOUT,
					   "terminated");
	}
}

/* Responder: bitcoind's P2P port, as an inbound connection. */
static int bridge_dial(const struct bridge_params *p, struct bridge_result *r)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char where[64];
	int fd;

	sock_str((const struct sockaddr *)&p->p2p, where, sizeof(where));
	fd = sock_dial((const struct sockaddr *)&p->p2p, p->p2p_len,
		       bridge_min(p->dial_deadline_ns, p->hold_deadline_ns));
	if (fd < 0) {
		char what[96];

		snprintf(what, sizeof(what), "bitcoind P2P %s", where);
		return outcome_errno(&r->o, OUTCOME_SETUP, fd, what);
	}
	snprintf(r->local, sizeof(r->local), "%s", where);
	/* bitcoind sees the connection come from our end of it. */
	if (getsockname(fd, (struct sockaddr *)&ss, &len) == 0)
		sock_str((struct sockaddr *)&ss, r->node_addr,
			 sizeof(r->node_addr));
	return fd;
}

int bridge_connect(const struct bridge_params *p, int punched_fd,
		   struct bridge_result *r)
{
	int local;

	memset(r, 0, sizeof(*r));
	local = p->initiator ? bridge_wait_socks(p, punched_fd, r)
			     : bridge_dial(p, r);
	/* From now on a SOCKS client is refused at once by the kernel
	 * instead of waiting in a backlog nobody serves. */
	if (p->socks_fd >= 0)
		close(p->socks_fd);
	if (local < 0)
		return -1;
	bridge_nodelay(punched_fd);
	bridge_nodelay(local);
	r->t_spliced_ns = mono_ns();
	return local;
}

int bridge_relay(const struct bridge_params *p, int punched_fd, int local_fd,
		 struct bridge_result *r)
{
	int err;

	log_debug("relaying %s <-> punched connection", r->local);
	err = relay_run(punched_fd, local_fd, p->mode, p->hold_deadline_ns,
			&r->rr);
	close(local_fd);
	if (err) {
		r->t_spliced_ns = 0;
		return outcome_errno(&r->o, OUTCOME_SETUP, r->rr.err, "relay");
	}
	log_debug("relay ended: %s (%llu bytes in, %llu out)",
		  relay_end_name(r->rr.end), (unsigned long long)r->rr.bytes_in,
		  (unsigned long long)r->rr.bytes_out);
	r->o.code = OUTCOME_OK;
	return 0;
}
