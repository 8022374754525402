/* serve: one inbound connection, proven. The listener is the agent's usual
 * bound socket (SO_REUSEADDR/SO_REUSEPORT on 0.0.0.0), so the mapped port
 * is the port a PCP mapping or a router's port forward points at. */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "loop.h"
#include "serve.h"
#include "sock.h"

int serve_listen(uint16_t port, int lfd[2], struct nodecheck_result *r)
{
	lfd[0] = sock_listener(port);
	if (lfd[0] < 0)
		return outcome_errno(&r->o, OUTCOME_BIND, lfd[0], "listen");
	/* IPv6 beside it (V6ONLY, same port), for the ladder's ipv6-direct;
	 * a host without IPv6 still binds [::] */
	lfd[1] = sock_listener_af(AF_INET6, port);
	if (lfd[1] < 0) {
		int e = lfd[1];

		close(lfd[0]);
		lfd[0] = lfd[1] = -1;
		return outcome_errno(&r->o, OUTCOME_BIND, e, "listen [::]");
	}
	return 0;
}

/* The first connection by the deadline, non-blocking. fd or -errno
 * (-ETIMEDOUT when none came). */
static int serve_wait(const int lfd[2], int64_t deadline_ns,
		      struct nodecheck_result *r)
{
	struct pollfd pfd[2] = {{.fd = lfd[0], .events = POLLIN},
				{.fd = lfd[1], .events = POLLIN}};
	struct sockaddr_storage ss;
	socklen_t len;
	int k, fd;

	for (;;) {
		k = loop_poll(pfd, 2, deadline_ns);
		if (k < 0)
			return k;
		if (k == 0)
			return -ETIMEDOUT;
		len = sizeof(ss);
		fd = accept4(lfd[pfd[0].revents ? 0 : 1], (struct sockaddr *)&ss,
			     &len,
			     SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd >= 0) {
			sock_str((struct sockaddr *)&ss, r->peer,
				 sizeof(r->peer));
			return fd;
		}
		/* gone before we took it (RST): wait for another */
		if (errno != EAGAIN && errno != ECONNABORTED && errno != EINTR)
			return -errno;
	}
}

int serve_accept(const int lfd[2], uint32_t magic, int64_t deadline_ns,
		 struct nodecheck_result *r)
{
	int fd, err;

	fd = serve_wait(lfd, deadline_ns, r);
	if (fd == -ETIMEDOUT)
		return outcome_set(&r->o, OUTCOME_TIMEOUT,
				   "no inbound connection by the deadline");
	if (fd < 0)
		return outcome_errno(&r->o, OUTCOME_SETUP, fd, "accept");
	err = nodecheck_handshake(fd, NODE_INBOUND, magic, deadline_ns, r);
	close(fd);
	return err;
}
