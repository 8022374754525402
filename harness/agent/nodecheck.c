/* nodecheck: resolve, dial (each address in turn, one deadline), handshake.
 * Name resolution is the one wait without our own deadline: getaddrinfo
 * has only the resolver's timeouts. */
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "monoclock.h"
#include "log.h"
#include "loop.h"
#include "msgio.h"
#include "nodecheck.h"
#include "sock.h"

static int nodecheck_dial(const char *host, uint16_t port, int64_t deadline,
			  struct nodecheck_result *r, struct p2p_netaddr *na)
{
	struct addrinfo hints = {
		.ai_socktype = SOCK_STREAM,
		.ai_flags = AI_ADDRCONFIG,
	};
	struct addrinfo *res, *ai;
	char service[8];
	int fd = -ENOENT, err;

	snprintf(service, sizeof(service), "%u", port);
	err = getaddrinfo(host, service, &hints, &res);
	if (err)
		return outcome_set(&r->o, OUTCOME_SETUP, "resolve %s: %s", host,
				   gai_strerror(err));
	for (ai = res; ai; ai = ai->ai_next) {
		sock_str(ai->ai_addr, r->peer, sizeof(r->peer));
		fd = sock_dial(ai->ai_addr, ai->ai_addrlen, deadline);
		if (fd >= 0) {
			p2p_netaddr_from_sockaddr(na, ai->ai_addr);
			break;
		}
		log_debug("connect %s: %s", r->peer, outcome_errstr(fd));
		if (fd == -EINTR || fd == -ETIMEDOUT)
			break;
	}
	freeaddrinfo(res);
	if (fd < 0)
		return outcome_errno(&r->o, outcome_from_peer_errno(fd), fd,
				     "connect");
	return fd;
}

int nodecheck_handshake(int fd, enum node_role role, uint32_t magic,
			int64_t deadline, struct nodecheck_result *r)
{
	struct node_params np = {
		.role = role,
		.features = 1,
	};
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	struct msgio *m;
	char why[160], what[200];
	int err;

	r->t_established_ns = mono_ns();
	if (getpeername(fd, (struct sockaddr *)&ss, &len) == 0)
		p2p_netaddr_from_sockaddr(&np.peer, (struct sockaddr *)&ss);
	err = node_random_u64(&np.nonce);
	if (err)
		return outcome_errno(&r->o, OUTCOME_SETUP, err, "getrandom");
	m = msgio_new(fd, magic, NODE_MAX_PAYLOAD);
	if (!m)
		return outcome_errno(&r->o, OUTCOME_SETUP, -errno, "msgio");
	err = node_handshake(m, &np, &r->np, deadline, why, sizeof(why));
	msgio_free(m);
	r->have_version = r->np.version.version != 0;
	if (!err)
		return 0;
	snprintf(what, sizeof(what), "handshake: %s", why);
	if (err == -EPROTO)
		return outcome_set(&r->o, OUTCOME_WRONG_PEER, "%s", what);
	return outcome_errno(&r->o, outcome_from_peer_errno(err), err, what);
}

int nodecheck_run(const char *host, uint16_t port, uint32_t magic,
		  int64_t timeout_ms, struct nodecheck_result *r)
{
	int64_t deadline = mono_ns() + timeout_ms * LOOP_NS_PER_MS;
	struct p2p_netaddr na;
	int fd, err;

	memset(r, 0, sizeof(*r));
	fd = nodecheck_dial(host, port, deadline, r, &na);
	if (fd < 0)
		return -1;
	err = nodecheck_handshake(fd, NODE_OUTBOUND, magic, deadline, r);
	close(fd);
	return err ? -1 : 0;
}
