/* punch-serve-stub: STAND-IN for `punch-agent --serve` (docs/
 * alternatives.md section 5, part pcpc) until that branch is merged;
 * the ladder's `direct` step needs a listener at bob that proves the
 * handshake. Listens on --local-port, accepts one connection within
 * --timeout-ms, answers version/verack as an inbound Bitcoin peer and
 * prints one JSON line as --serve will. Dual-stack ([::], IPv4 mapped):
 * the same listener serves the direct and the ipv6-direct steps. No --pcp: the
 * ladder reports pcp unavailable while this stub serves. Remove it with
 * harness/punchlab/trials/ladderstep.c's LADDERSTEP_SERVE_STUB once
 * punch-agent --serve exists (and listens on IPv6 too). */
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "monoclock.h"
#include "p2p.h"

#define STUB_BUF 65536

struct stub {
	int port, timeout_ms;
	int64_t deadline;
	uint8_t in[STUB_BUF];
	size_t len;
	char peer[64], error[160];
	int64_t t_established_ns, t_handshake_ns;
};

/* Waits for fd to be readable (or for the connection) before the
 * deadline: 1 ready, 0 timed out, -errno. */
static int stub_wait(const struct stub *st, int fd)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	int64_t left = (st->deadline - mono_ns()) / 1000000;

	if (left <= 0)
		return 0;
	int r = poll(&p, 1, (int)left);

	return r < 0 ? -errno : r;
}

static int stub_send(int fd, const char *cmd, const void *pl, size_t len)
{
	uint8_t buf[512];
	int n = p2p_msg_encode(buf, sizeof(buf), P2P_MAGIC_REGTEST, cmd, pl,
			       len);

	if (n < 0)
		return n;
	return send(fd, buf, (size_t)n, MSG_NOSIGNAL) == n ? 0 : -EIO;
}

static int stub_version(int fd)
{
	struct p2p_version v;
	uint8_t pl[400];
	int n;

	memset(&v, 0, sizeof(v));
	v.version = P2P_PROTOCOL_VERSION;
	v.timestamp = (int64_t)time(NULL);
	if (getrandom(&v.nonce, sizeof(v.nonce), 0) != sizeof(v.nonce))
		return -EIO;
	snprintf(v.user_agent, sizeof(v.user_agent), "/punch-serve-stub/");
	n = p2p_version_encode(pl, sizeof(pl), &v);
	if (n < 0)
		return n;
	if (stub_send(fd, "version", pl, (size_t)n) < 0)
		return -EIO;
	return stub_send(fd, "verack", NULL, 0);
}

/* Inbound side: their version, then ours and verack, then their verack. */
static int stub_handshake(struct stub *st, int fd)
{
	int have_version = 0;

	for (;;) {
		struct p2p_hdr h;
		const uint8_t *pl;
		int n = p2p_frame(st->in, st->len, P2P_MAGIC_REGTEST, 4000, &h,
				  &pl);

		if (n < 0)
			return snprintf(st->error, sizeof(st->error),
					"bad message"),
			       -EBADMSG;
		if (n == 0) {
			int w = stub_wait(st, fd);
			ssize_t got;

			if (w <= 0)
				return snprintf(st->error, sizeof(st->error),
						"handshake timed out"),
				       -ETIMEDOUT;
			got = recv(fd, st->in + st->len,
				   sizeof(st->in) - st->len, 0);
			if (got <= 0)
				return snprintf(st->error, sizeof(st->error),
						"peer closed"),
				       -ECONNRESET;
			st->len += (size_t)got;
			continue;
		}
		if (!strcmp(h.command, "version") && !have_version) {
			have_version = 1;
			if (stub_version(fd) < 0)
				return -EIO;
		} else if (!strcmp(h.command, "verack") && have_version) {
			st->t_handshake_ns = mono_ns();
			return 0;
		}
		memmove(st->in, st->in + n, st->len - (size_t)n);
		st->len -= (size_t)n;
	}
}

static int stub_serve(struct stub *st)
{
	struct sockaddr_in6 a = {.sin6_family = AF_INET6,
				 .sin6_port = htons((uint16_t)st->port)};
	socklen_t alen = sizeof(a);
	int one = 1, zero = 0, lfd, fd, r;
	char ip[INET6_ADDRSTRLEN];

	lfd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0 ||
	    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    setsockopt(lfd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero)) ||
	    bind(lfd, (struct sockaddr *)&a, sizeof(a)) || listen(lfd, 4)) {
		snprintf(st->error, sizeof(st->error), "listen: %s",
			 strerror(errno));
		return -1;
	}
	r = stub_wait(st, lfd);
	if (r <= 0) {
		snprintf(st->error, sizeof(st->error), "nobody came");
		return -ETIMEDOUT;
	}
	fd = accept4(lfd, (struct sockaddr *)&a, &alen, SOCK_CLOEXEC);
	close(lfd);
	if (fd < 0)
		return -errno;
	st->t_established_ns = mono_ns();
	inet_ntop(AF_INET6, &a.sin6_addr, ip, sizeof(ip));
	snprintf(st->peer, sizeof(st->peer), "[%s]:%u", ip, ntohs(a.sin6_port));
	r = stub_handshake(st, fd);
	close(fd);
	return r;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{"local-port", required_argument, NULL, 'p'},
		{"timeout-ms", required_argument, NULL, 't'},
		{"name", required_argument, NULL, 'n'},
		{"serve", no_argument, NULL, 's'},
		{0}};
	static struct stub st = {.timeout_ms = 5000};
	int c, r;

	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		if (c == 'p')
			st.port = atoi(optarg);
		else if (c == 't')
			st.timeout_ms = atoi(optarg);
		else if (c != 'n' && c != 's')
			return 2;
	}
	if (st.port <= 0 || st.port > 65535 || st.timeout_ms <= 0) {
		fprintf(stderr, "usage: punch-serve-stub --local-port P "
				"[--timeout-ms N] [--name NAME]\n");
		return 2;
	}
	st.deadline = mono_ns() + (int64_t)st.timeout_ms * 1000000;
	r = stub_serve(&st);
	printf("{\"outcome\":\"%s\",\"error\":%s%s%s,\"peer\":\"%s\","
	       "\"t_established_ns\":%lld,\"t_handshake_ns\":%lld,"
	       "\"serve\":\"stub\"}\n",
	       r == 0		 ? "ok"
	       : r == -ETIMEDOUT ? "timeout"
				 : "setup",
	       st.error[0] ? "\"" : "", st.error[0] ? st.error : "null",
	       st.error[0] ? "\"" : "", st.peer, (long long)st.t_established_ns,
	       (long long)st.t_handshake_ns);
	return r == 0 ? 0 : 1;
}
