/* sock: the agent's TCP sockets. Everything is non-blocking so that every
 * wait goes through loop_poll and its deadline. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr6.h"
#include "loop.h"
#include "sock.h"

int sock_bound_af(int family, uint16_t port)
{
	union addr6 any;
	int one = 1;
	int fd, err;

	addr6_any(&any, family, port);
	fd = socket(any.sa.sa_family,
		    SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* IPv6 only: an IPv6 punch port must not also take the IPv4
	 * connections of the same port (another agent's, or our own). */
	if (family == AF_INET6 &&
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) < 0)
		goto err_close;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) < 0 ||
	    bind(fd, &any.sa, addr6_len(&any)) < 0)
		goto err_close;
	return fd;

err_close:
	err = -errno;
	close(fd);
	return err;
}

int sock_bound(uint16_t port)
{
	return sock_bound_af(AF_INET, port);
}

int sock_listener_af(int family, uint16_t port)
{
	int fd = sock_bound_af(family, port), err;

	if (fd < 0)
		return fd;
	if (listen(fd, 16) < 0) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

int sock_listener(uint16_t port)
{
	return sock_listener_af(AF_INET, port);
}

int sock_connect(int fd, const struct sockaddr *sa, socklen_t len)
{
	if (connect(fd, sa, len) == 0)
		return 0;
	return -errno;
}

int sock_wait_connect(int fd, int64_t deadline_ns)
{
	struct pollfd pfd = {.fd = fd, .events = POLLOUT};
	socklen_t len = sizeof(int);
	int r, soerr = 0;

	r = loop_poll(&pfd, 1, deadline_ns);
	if (r < 0)
		return r;
	if (r == 0)
		return -ETIMEDOUT;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0)
		return -errno;
	return -soerr;
}

int sock_dial(const struct sockaddr *sa, socklen_t len, int64_t deadline_ns)
{
	int fd, r;

	fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    0);
	if (fd < 0)
		return -errno;
	r = sock_connect(fd, sa, len);
	if (r == -EINPROGRESS)
		r = sock_wait_connect(fd, deadline_ns);
	if (r) {
		close(fd);
		return r;
	}
	return fd;
}

char *sock_str(const struct sockaddr *sa, char *buf, size_t cap)
{
	char ip[INET6_ADDRSTRLEN] = "?";

	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const void *)sa;

		inet_ntop(AF_INET, &s4->sin_addr, ip, sizeof(ip));
		snprintf(buf, cap, "%s:%u", ip, ntohs(s4->sin_port));
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)sa;

		inet_ntop(AF_INET6, &s6->sin6_addr, ip, sizeof(ip));
		snprintf(buf, cap, "[%s]:%u", ip, ntohs(s6->sin6_port));
	} else {
		snprintf(buf, cap, "?");
	}
	return buf;
}

uint16_t sock_peer_port(int fd)
{
	union addr6 a;
	socklen_t len = sizeof(a);

	if (getpeername(fd, &a.sa, &len) < 0 ||
	    (a.sa.sa_family != AF_INET && a.sa.sa_family != AF_INET6))
		return 0;
	return addr6_port(&a);
}
