/* probe_sock: sockets created in another namespace by a setns() round
 * trip, non-blocking connects resolved with poll(), and ICMP errors read
 * from the socket's error queue (IP_RECVERR). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_ether.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "icmperr.h"
#include "monoclock.h"
#include "log.h"
#include "netns.h"
#include "probe_sock.h"
#include "punchlab.h"

/* socket() inside ns. A thread that cannot get back would go on in a
 * probe namespace: that is reported and the socket is not handed out. */
int probe_sock_in(int ns, int domain, int type, int proto)
{
	int self, fd, e, back;

	self = netns_self();
	if (self < 0)
		return self;
	e = netns_enter(ns);
	if (e < 0) {
		close(self);
		return e;
	}
	fd = socket(domain, type | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
	e = fd < 0 ? -errno : 0;
	back = netns_enter(self);
	close(self);
	if (back < 0) {
		log_warnx("probe: cannot return to own namespace: %s",
			  strerror(-back));
		if (fd >= 0)
			close(fd);
		return back;
	}
	return fd < 0 ? e : fd;
}

int probe_sock_new(int ns, const struct probe_ep *local)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	int fd, one = 1, e;

	fd = probe_sock_in(ns, AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		return fd;
	sa.sin_addr.s_addr = local ? local->ip : 0;
	sa.sin_port = htons(local ? local->port : 0);
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) < 0 ||
	    setsockopt(fd, IPPROTO_IP, IP_RECVERR, &one, sizeof(one)) < 0 ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		e = -errno;
		close(fd);
		return e;
	}
	return fd;
}

int probe_sock_udp(int ns, const struct probe_ep *local,
		   const struct probe_ep *peer)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	int fd, one = 1, e;

	fd = probe_sock_in(ns, AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		return fd;
	sa.sin_addr.s_addr = local ? local->ip : 0;
	sa.sin_port = htons(local ? local->port : 0);
	if (setsockopt(fd, IPPROTO_IP, IP_RECVERR, &one, sizeof(one)) < 0 ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    (peer && probe_sock_connect(fd, peer) < 0)) {
		e = -errno;
		close(fd);
		return e;
	}
	return fd;
}

int probe_sock_packet(int ns)
{
	return probe_sock_in(ns, AF_PACKET, SOCK_DGRAM, htons(ETH_P_IP));
}

int probe_sock_sendto(int fd, const struct probe_ep *dst, const char *msg)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	size_t len = strlen(msg);
	ssize_t n;

	sa.sin_addr.s_addr = dst ? dst->ip : 0;
	sa.sin_port = htons(dst ? dst->port : 0);
	n = sendto(fd, msg, len, 0, dst ? (struct sockaddr *)&sa : NULL,
		   dst ? sizeof(sa) : 0);
	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

long probe_sock_recvfrom(int fd, char *buf, size_t cap, struct probe_ep *from)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	ssize_t n;

	if (cap == 0)
		return -EINVAL;
	n = recvfrom(fd, buf, cap - 1, MSG_DONTWAIT, (struct sockaddr *)&sa,
		     &len);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	if (from) {
		from->ip = sa.sin_addr.s_addr;
		from->port = ntohs(sa.sin_port);
	}
	return (long)n;
}

int probe_sock_listen(int ns, const struct probe_ep *local)
{
	int fd = probe_sock_new(ns, local), e;

	if (fd < 0)
		return fd;
	if (listen(fd, 16) < 0) {
		e = -errno;
		close(fd);
		return e;
	}
	return fd;
}

int probe_sock_connect(int fd, const struct probe_ep *dst)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};

	sa.sin_addr.s_addr = dst->ip;
	sa.sin_port = htons(dst->port);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 &&
	    errno != EINPROGRESS)
		return -errno;
	return 0;
}

/* The ICMP error queued on fd, if any: 1 with type and code, else 0. */
static int probe_sock_icmp(int fd, struct probe_attempt *a)
{
	struct icmp_err e;

	if (!icmperr_read(fd, &e))
		return 0;
	a->icmp_type = e.type;
	a->icmp_code = e.code;
	a->err = e.err;
	return 1;
}

void probe_sock_outcome(int fd, int timed_out, struct probe_attempt *a)
{
	socklen_t len = sizeof(int);
	int err = 0;

	if (timed_out) {
		a->ans = PROBE_ANS_NONE;
		return;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		err = errno;
	if (!err) {
		a->ans = PROBE_ANS_ACCEPTED;
		return;
	}
	a->err = err;
	/* A SYN refused by ICMP port unreachable fails with ECONNREFUSED
	 * just as one refused by RST; only the error queue tells. */
	if (probe_sock_icmp(fd, a))
		a->ans = PROBE_ANS_ICMP;
	else if (err == ECONNREFUSED)
		a->ans = PROBE_ANS_RST;
	else
		a->ans = PROBE_ANS_ERROR;
}

void probe_sock_udp_error(int fd, struct probe_attempt *a)
{
	socklen_t len = sizeof(int);
	int err = 0;

	if (probe_sock_icmp(fd, a)) {
		a->ans = PROBE_ANS_ICMP;
		return;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		err = errno;
	a->ans = PROBE_ANS_ERROR;
	a->err = err ? err : EIO;
}

int probe_sock_wait(int fd, int ms, struct probe_attempt *a)
{
	int64_t end = mono_ms() + ms, now;
	struct pollfd p = {.fd = fd, .events = POLLOUT};
	int r;

	for (;;) {
		if (punchlab_stop)
			return -EINTR;
		now = mono_ms();
		if (now >= end) {
			probe_sock_outcome(fd, 1, a);
			return 0;
		}
		r = poll(&p, 1, (int)(end - now));
		if (r < 0 && errno != EINTR) {
			a->ans = PROBE_ANS_ERROR;
			a->err = errno;
			return 0;
		}
		if (r > 0) {
			probe_sock_outcome(fd, 0, a);
			return 0;
		}
	}
}

static void probe_ep_of(const struct sockaddr_in *sa, struct probe_ep *ep)
{
	ep->ip = sa->sin_addr.s_addr;
	ep->port = ntohs(sa->sin_port);
}

int probe_sock_until(int fd, int64_t end)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	int64_t now = mono_ms();

	if (punchlab_stop)
		return -EINTR;
	if (now >= end)
		return -ETIMEDOUT;
	poll(&p, 1, (int)(end - now));
	return punchlab_stop ? -EINTR : 0;
}

int probe_sock_accept(int lfd, int ms, struct probe_ep *peer)
{
	int64_t end = mono_ms() + ms;
	struct sockaddr_in sa;
	socklen_t len;
	int fd, e;

	for (;;) {
		if (punchlab_stop)
			return -EINTR;
		len = sizeof(sa);
		fd = accept4(lfd, (struct sockaddr *)&sa, &len,
			     SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd >= 0) {
			probe_ep_of(&sa, peer);
			return fd;
		}
		if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
			return -errno;
		if ((e = probe_sock_until(lfd, end)) < 0)
			return e;
	}
}

int probe_sock_local(int fd, struct probe_ep *ep)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);

	if (getsockname(fd, (struct sockaddr *)&sa, &len) < 0)
		return -errno;
	probe_ep_of(&sa, ep);
	return 0;
}

long probe_sock_read_all(int fd, char *buf, size_t cap, int ms)
{
	int64_t end = mono_ms() + ms;
	size_t got = 0;
	ssize_t n;
	char extra;
	int e;

	for (;;) {
		if (punchlab_stop)
			return -EINTR;
		n = got < cap ? read(fd, buf + got, cap - got)
			      : read(fd, &extra, 1);
		if (n == 0)
			return (long)got;
		if (n > 0) {
			if (got == cap)
				return -EMSGSIZE;
			got += (size_t)n;
			continue;
		}
		if (errno != EAGAIN && errno != EINTR)
			return -errno;
		if ((e = probe_sock_until(fd, end)) < 0)
			return e;
	}
}

int probe_sleep_ms(int ms)
{
	int64_t end = mono_ms() + ms, now;

	while ((now = mono_ms()) < end) {
		if (punchlab_stop)
			return -EINTR;
		poll(NULL, 0, (int)(end - now));
	}
	return punchlab_stop ? -EINTR : 0;
}
