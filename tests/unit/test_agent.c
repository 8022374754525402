/* test_agent: runs build/bin/punch-agent against build/bin/punch-coordinator
 * on loopback, no root. Loopback answers a SYN to a port without a socket
 * with RST, so the punch tests hold a listener with a full accept queue on
 * each agent port: it makes such SYNs vanish, as a NAT that drops
 * unsolicited SYNs does, and the SYNs cross by simultaneous open.
 * PUNCH_AGENT, PUNCH_COORDINATOR and PUNCH_PROBE_SERVER override the
 * binaries' paths. */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <CUnit/Basic.h>
#include <jansson.h>

#include "monoclock.h"
#include "p2p.h"
#include "lib/testutil.h"

#define WAIT_MS 15000
#define MS INT64_C(1000000)
#define UA "/punchlab-agent:0.1/"

static const char *agent_bin, *coord_bin;
static char coord_addr[64];

static struct testutil_proc coord = {-1, -1, "", 0};

static int agent_start(struct testutil_proc *p, uint16_t port, const char *name,
		       uint64_t key, ...)
{
	static char sport[8], skey[24];
	char *argv[32] = {
		(char *)agent_bin,
		"--coordinator",
		coord_addr,
		"--local-port",
		sport,
		"--key",
		skey,
		"--name",
		(char *)name,
	};
	int i = 9;
	va_list ap;

	snprintf(sport, sizeof(sport), "%u", port);
	snprintf(skey, sizeof(skey), "%" PRIu64, key);
	va_start(ap, key);
	while (i < 30 && (argv[i] = va_arg(ap, char *)))
		i++;
	va_end(ap);
	argv[i] = NULL;
	return testutil_proc_spawn(p, argv);
}

/* Keys unique to this run, so a leftover registration never pairs. */
static uint64_t next_key(void)
{
	static uint64_t n;

	return ((uint64_t)getpid() << 16) + ++n;
}

static void check_ok_pair(json_t *a, json_t *b, uint16_t pa, uint16_t pb)
{
	char ea[32], eb[32];
	json_t *j[2] = {a, b};

	snprintf(ea, sizeof(ea), "127.0.0.1:%u", pa);
	snprintf(eb, sizeof(eb), "127.0.0.1:%u", pb);
	CU_ASSERT_STRING_EQUAL(testutil_jstr(a, "outcome"), "ok");
	CU_ASSERT_STRING_EQUAL(testutil_jstr(b, "outcome"), "ok");
	CU_ASSERT_STRING_EQUAL(testutil_jstr(a, "public"), ea);
	CU_ASSERT_STRING_EQUAL(testutil_jstr(b, "public"), eb);
	CU_ASSERT_STRING_EQUAL(testutil_jstr(a, "peer"), eb);
	CU_ASSERT_STRING_EQUAL(testutil_jstr(b, "peer"), ea);
	CU_ASSERT_STRING_EQUAL(testutil_jstr(a, "nonce"),
			       testutil_jstr(b, "nonce"));
	CU_ASSERT_EQUAL(strlen(testutil_jstr(a, "nonce")), 16);
	CU_ASSERT(strcmp(testutil_jstr(a, "role"), testutil_jstr(b, "role")) !=
		  0);
	for (int i = 0; i < 2; i++) {
		json_t *syn = json_object_get(j[i], "syn_ns");
		const char *role = testutil_jstr(j[i], "role");

		CU_ASSERT(!strcmp(role, "initiator") ||
			  !strcmp(role, "responder"));
		CU_ASSERT(json_is_null(json_object_get(j[i], "error")));
		CU_ASSERT(testutil_jint(j[i], "attempts") >= 1);
		CU_ASSERT_EQUAL(json_array_size(syn),
				(size_t)testutil_jint(j[i], "attempts"));
		CU_ASSERT(testutil_jint(j[i], "t_register_ns") > 0);
		CU_ASSERT(testutil_jint(j[i], "t_match_ns") >
			  testutil_jint(j[i], "t_register_ns"));
		CU_ASSERT(testutil_jint(j[i], "t_start_ns") >=
			  testutil_jint(j[i], "t_match_ns"));
		CU_ASSERT(json_integer_value(json_array_get(syn, 0)) >=
			  testutil_jint(j[i], "t_start_ns"));
		CU_ASSERT(testutil_jint(j[i], "t_established_ns") >
			  json_integer_value(json_array_get(syn, 0)));
		CU_ASSERT(testutil_jint(j[i], "t_handshake_ns") >
			  testutil_jint(j[i], "t_established_ns"));
		CU_ASSERT(
			json_is_integer(json_object_get(j[i], "syn_retrans")));
		CU_ASSERT_STRING_EQUAL(testutil_jstr(j[i], "peer_user_agent"),
				       UA);
	}
}

/* Runs alice and bob (each with up to two extra args, NULL: none) with
 * SYN-dropping listeners on both ports; their reports, exit codes and
 * ports. */
static void pair_spawn(const char *const extra[4], json_t **ja, json_t **jb,
		       int rc[2], uint16_t port[2])
{
	int fa = -1, fb = -1, la, lb;
	uint64_t key = next_key();
	struct testutil_proc a, b;

	port[0] = testutil_free_port();
	port[1] = testutil_free_port();
	la = testutil_listener(port[0], 0, 1, &fa);
	lb = testutil_listener(port[1], 0, 1, &fb);
	CU_ASSERT_FATAL(port[0] && port[1] && la >= 0 && lb >= 0);
	CU_ASSERT_FATAL(!agent_start(&a, port[0], "alice", key, "--timeout-ms",
				     "6000", extra[0], extra[1],
				     (char *)NULL));
	CU_ASSERT_FATAL(!agent_start(&b, port[1], "bob", key, "--timeout-ms",
				     "6000", extra[2], extra[3],
				     (char *)NULL));
	*ja = testutil_proc_json(&a, WAIT_MS);
	*jb = testutil_proc_json(&b, WAIT_MS);
	rc[0] = testutil_proc_wait(&a, WAIT_MS);
	rc[1] = testutil_proc_wait(&b, WAIT_MS);
	close(la);
	close(lb);
	close(fa);
	close(fb);
	CU_ASSERT_FATAL(*ja && *jb);
}

/* Both must succeed. */
static void run_pair(const char *bob_arg1, const char *bob_arg2, json_t **ja,
		     json_t **jb)
{
	const char *const extra[4] = {NULL, NULL, bob_arg1, bob_arg2};
	uint16_t port[2];
	int rc[2];

	pair_spawn(extra, ja, jb, rc, port);
	CU_ASSERT_EQUAL(rc[0], 0);
	CU_ASSERT_EQUAL(rc[1], 0);
	check_ok_pair(*ja, *jb, port[0], port[1]);
}

static void test_pair(void)
{
	json_t *a, *b;

	run_pair(NULL, NULL, &a, &b);
	json_decref(a);
	json_decref(b);
}

/* Bob starts 2 s late: alice's first wave runs out, and bob's first SYN
 * meets alice's second wave, still in SYN-SENT. */
static void test_pair_skew(void)
{
	json_t *a, *b;
	int64_t late;

	run_pair("--skew-ms", "2000", &a, &b);
	if (!a || !b)
		return;
	late = json_integer_value(
		       json_array_get(json_object_get(b, "syn_ns"), 0)) -
	       testutil_jint(a, "t_start_ns");
	CU_ASSERT(late >= 1900 * MS && late < 2500 * MS);
	CU_ASSERT(testutil_jint(a, "attempts") >= 2);
	CU_ASSERT_EQUAL(testutil_jint(b, "attempts"), 1);
	CU_ASSERT(testutil_jint(a, "t_established_ns") >=
		  json_integer_value(
			  json_array_get(json_object_get(b, "syn_ns"), 0)));
	json_decref(a);
	json_decref(b);
}

/* Bob waits 5 s, so alice's SYNs meet his port with no connecting socket:
 * RST, outcome refused. Bob, stopped by SIGTERM, still prints his line. */
static void test_refused_and_sigterm(void)
{
	uint16_t pa = testutil_free_port(), pb = testutil_free_port();
	uint64_t key = next_key();
	struct testutil_proc a, b;
	json_t *ja, *jb;

	CU_ASSERT_FATAL(pa && pb);
	CU_ASSERT_FATAL(!agent_start(&b, pb, "bob", key, "--skew-ms", "5000",
				     (char *)NULL));
	CU_ASSERT_FATAL(!agent_start(&a, pa, "alice", key, "--timeout-ms",
				     "800", (char *)NULL));
	ja = testutil_proc_json(&a, WAIT_MS);
	CU_ASSERT_EQUAL(testutil_proc_wait(&a, WAIT_MS), 1);
	kill(b.pid, SIGTERM);
	jb = testutil_proc_json(&b, WAIT_MS);
	CU_ASSERT_EQUAL(testutil_proc_wait(&b, WAIT_MS), 1);
	CU_ASSERT_FATAL(ja && jb);
	CU_ASSERT_STRING_EQUAL(testutil_jstr(ja, "outcome"), "refused");
	/* 800 ms of waves each refused at once, then a 50-150 ms pause. */
	CU_ASSERT(testutil_jint(ja, "attempts") >= 3 &&
		  testutil_jint(ja, "attempts") <= 17);
	CU_ASSERT(json_is_null(json_object_get(ja, "t_established_ns")));
	CU_ASSERT_STRING_EQUAL(testutil_jstr(jb, "outcome"), "timeout");
	CU_ASSERT_STRING_EQUAL(testutil_jstr(jb, "error"), "terminated");
	CU_ASSERT_EQUAL(testutil_jint(jb, "attempts"), 0);
	CU_ASSERT_STRING_EQUAL(testutil_jstr(jb, "nonce"),
			       testutil_jstr(ja, "nonce"));
	json_decref(ja);
	json_decref(jb);
}

static int send_msg(int fd, const char *cmd, const void *p, size_t len)
{
	uint8_t buf[1024];
	int n = p2p_msg_encode(buf, sizeof(buf), P2P_MAGIC_REGTEST, cmd, p,
			       len);

	return n > 0 && send(fd, buf, (size_t)n, MSG_NOSIGNAL) == n ? 0 : -1;
}

static int send_version(int fd, uint64_t nonce, uint64_t services,
			const char *ua, int32_t height)
{
	struct p2p_version v = {
		.version = P2P_PROTOCOL_VERSION,
		.services = services,
		.nonce = nonce,
		.start_height = height,
	};
	uint8_t buf[512];
	int n;

	snprintf(v.user_agent, sizeof(v.user_agent), "%s", ua);
	n = p2p_version_encode(buf, sizeof(buf), &v);
	return n > 0 ? send_msg(fd, "version", buf, (size_t)n) : -1;
}

/* Next message from a blocking socket, within the deadline. */
struct rx {
	uint8_t buf[65536];
	size_t len, used;
};

static int recv_msg(int fd, struct rx *rx, struct p2p_hdr *h,
		    const uint8_t **payload, int64_t deadline)
{
	struct pollfd pfd = {.fd = fd, .events = POLLIN};

	memmove(rx->buf, rx->buf + rx->used, rx->len - rx->used);
	rx->len -= rx->used;
	rx->used = 0;
	for (;;) {
		int r = p2p_frame(rx->buf, rx->len, P2P_MAGIC_REGTEST, 60000, h,
				  payload);
		ssize_t n;

		if (r > 0) {
			rx->used = (size_t)r;
			return 0;
		}
		if (r < 0 || poll(&pfd, 1, testutil_left_ms(deadline)) <= 0)
			return -1;
		n = recv(fd, rx->buf + rx->len, sizeof(rx->buf) - rx->len, 0);
		if (n <= 0)
			return -1;
		rx->len += (size_t)n;
	}
}

static int accept_within(int lfd, int ms)
{
	struct pollfd pfd = {.fd = lfd, .events = POLLIN};

	if (poll(&pfd, 1, ms) != 1)
		return -1;
	return accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
}

/* Someone else answers at bob's endpoint (bob is late): alice connects,
 * but the version there carries the wrong nonce. */
static void test_wrong_peer(void)
{
	uint16_t pa = testutil_free_port(), pb = testutil_free_port();
	uint64_t key = next_key();
	struct testutil_proc a, b;
	json_t *ja, *jb;
	int lfd, fd;

	lfd = testutil_listener(pb, 8, 1, NULL);
	CU_ASSERT_FATAL(pa && pb && lfd >= 0);
	CU_ASSERT_FATAL(!agent_start(&b, pb, "bob", key, "--skew-ms", "5000",
				     (char *)NULL));
	CU_ASSERT_FATAL(!agent_start(&a, pa, "alice", key, (char *)NULL));
	fd = accept_within(lfd, WAIT_MS);
	CU_ASSERT(fd >= 0);
	if (fd >= 0)
		CU_ASSERT(!send_version(fd, 0x1234, 0, "/intruder:1/", 0));
	ja = testutil_proc_json(&a, WAIT_MS);
	CU_ASSERT_EQUAL(testutil_proc_wait(&a, WAIT_MS), 1);
	kill(b.pid, SIGTERM);
	jb = testutil_proc_json(&b, WAIT_MS);
	CU_ASSERT_EQUAL(testutil_proc_wait(&b, WAIT_MS), 1);
	close(fd);
	close(lfd);
	CU_ASSERT_FATAL(ja != NULL);
	CU_ASSERT_STRING_EQUAL(testutil_jstr(ja, "outcome"), "wrong-peer");
	CU_ASSERT(strstr(testutil_jstr(ja, "error"),
			 "nonce 0000000000001234") != NULL);
	CU_ASSERT_STRING_EQUAL(testutil_jstr(ja, "peer_user_agent"),
			       "/intruder:1/");
	CU_ASSERT(testutil_jint(ja, "t_established_ns") > 0);
	CU_ASSERT(json_is_null(json_object_get(ja, "t_handshake_ns")));
	json_decref(ja);
	json_decref(jb);
}

static json_t *run_alone(uint16_t port, const char *where, int *status)
{
	char sport[8];
	char *argv[] = {(char *)agent_bin, "--coordinator", (char *)where,
			"--local-port",	   sport,	    NULL};
	struct testutil_proc p;
	json_t *j;

	snprintf(sport, sizeof(sport), "%u", port);
	if (testutil_proc_spawn(&p, argv))
		return NULL;
	j = testutil_proc_json(&p, WAIT_MS);
	*status = testutil_proc_wait(&p, WAIT_MS);
	return j;
}

static void test_bind_and_coordinator(void)
{
	uint16_t port = testutil_free_port(), dead = testutil_free_port();
	char nowhere[32];
	int lfd, status;
	json_t *j;

	/* A listener without SO_REUSEPORT owns the port. */
	lfd = testutil_listener(port, 8, 0, NULL);
	CU_ASSERT_FATAL(lfd >= 0);
	j = run_alone(port, coord_addr, &status);
	close(lfd);
	CU_ASSERT_EQUAL(status, 1);
	CU_ASSERT_STRING_EQUAL(testutil_jstr(j, "outcome"), "bind");
	CU_ASSERT(json_is_null(json_object_get(j, "t_register_ns")));
	json_decref(j);

	snprintf(nowhere, sizeof(nowhere), "127.0.0.1:%u", dead);
	j = run_alone(testutil_free_port(), nowhere, &status);
	CU_ASSERT_EQUAL(status, 1);
	CU_ASSERT_STRING_EQUAL(testutil_jstr(j, "outcome"), "coordinator");
	CU_ASSERT(json_is_null(json_object_get(j, "role")));
	json_decref(j);
}

/* --connect against a node played here, in Bitcoin Core's order. */
static void test_connect(void)
{
	uint16_t port = testutil_free_port();
	int64_t deadline = mono_ms() + WAIT_MS;
	char target[32];
	char *argv[] = {(char *)agent_bin, "--connect", target, NULL};
	struct p2p_version v = {0};
	const uint8_t *pl;
	struct p2p_hdr h;
	static struct rx rx;
	int lfd, fd, verack = 0, pong = 0;
	struct testutil_proc p;
	json_t *j;

	lfd = testutil_listener(port, 8, 0, NULL);
	snprintf(target, sizeof(target), "127.0.0.1:%u", port);
	CU_ASSERT_FATAL(lfd >= 0 && !testutil_proc_spawn(&p, argv));
	fd = accept_within(lfd, WAIT_MS);
	CU_ASSERT(fd >= 0 && !recv_msg(fd, &rx, &h, &pl, deadline));
	CU_ASSERT(fd >= 0 && !strcmp(h.command, "version") &&
		  !p2p_version_decode(pl, h.length, &v));
	CU_ASSERT_EQUAL(v.version, 70016);
	CU_ASSERT_STRING_EQUAL(v.user_agent, UA);
	CU_ASSERT_EQUAL(v.recv.port, port);
	CU_ASSERT_EQUAL(v.relay, 0);
	CU_ASSERT(!send_version(fd, 42, 0x409, "/Satoshi:99.0.0/", 321));
	CU_ASSERT(!send_msg(fd, "wtxidrelay", NULL, 0));
	CU_ASSERT(!send_msg(fd, "sendaddrv2", NULL, 0));
	CU_ASSERT(!send_msg(fd, "ping", "abcdefgh", 8));
	CU_ASSERT(!send_msg(fd, "verack", NULL, 0));
	while (fd >= 0 && !(verack && pong) &&
	       !recv_msg(fd, &rx, &h, &pl, deadline)) {
		verack |= !strcmp(h.command, "verack");
		pong |= !strcmp(h.command, "pong") && h.length == 8 &&
			!memcmp(pl, "abcdefgh", 8);
	}
	CU_ASSERT(verack && pong);
	j = testutil_proc_json(&p, WAIT_MS);
	CU_ASSERT_EQUAL(testutil_proc_wait(&p, WAIT_MS), 0);
	close(fd);
	close(lfd);
	CU_ASSERT_STRING_EQUAL(testutil_jstr(j, "outcome"), "ok");
	CU_ASSERT_STRING_EQUAL(testutil_jstr(j, "peer"), target);
	CU_ASSERT_EQUAL(testutil_jint(j, "peer_version"), 70016);
	CU_ASSERT_STRING_EQUAL(testutil_jstr(j, "peer_services"), "0x409");
	CU_ASSERT_STRING_EQUAL(testutil_jstr(j, "peer_user_agent"),
			       "/Satoshi:99.0.0/");
	CU_ASSERT_EQUAL(testutil_jint(j, "peer_start_height"), 321);
	CU_ASSERT(testutil_jint(j, "t_handshake_ns") >
		  testutil_jint(j, "t_established_ns"));
	json_decref(j);

	/* Nothing listens any more: RST. */
	CU_ASSERT_FATAL(!testutil_proc_spawn(&p, argv));
	j = testutil_proc_json(&p, WAIT_MS);
	CU_ASSERT_EQUAL(testutil_proc_wait(&p, WAIT_MS), 1);
	CU_ASSERT_STRING_EQUAL(testutil_jstr(j, "outcome"), "refused");
	json_decref(j);
}

/* --- bitcoind node modes, with this test playing both bitcoinds --- */

static int fd_wait(int fd, short ev, int64_t deadline)
{
	struct pollfd pfd = {.fd = fd, .events = ev};

	return poll(&pfd, 1, testutil_left_ms(deadline)) == 1 ? 0 : -1;
}

static int read_exact(int fd, void *buf, size_t len, int64_t deadline)
{
	size_t off = 0;

	while (off < len) {
		ssize_t n;

		if (fd_wait(fd, POLLIN, deadline))
			return -1;
		n = recv(fd, (char *)buf + off, len - off, 0);
		if (n <= 0)
			return -1;
		off += (size_t)n;
	}
	return 0;
}

/* 1 when the peer closed (EOF or reset) before the deadline. */
static int sees_eof(int fd, int64_t deadline)
{
	char c;

	return !fd_wait(fd, POLLIN, deadline) && recv(fd, &c, 1, 0) <= 0;
}

static int dial(uint16_t port)
{
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_port = htons(port),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd >= 0 && connect(fd, (struct sockaddr *)&sin, sizeof(sin))) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Greeting with the given methods; the method the server chose, -1. */
static int socks_greet(int fd, const uint8_t *methods, uint8_t n)
{
	uint8_t msg[16] = {5, n}, rep[2];

	memcpy(msg + 2, methods, n);
	if (send(fd, msg, 2 + n, MSG_NOSIGNAL) != 2 + n ||
	    read_exact(fd, rep, 2, mono_ms() + WAIT_MS) || rep[0] != 5)
		return -1;
	return rep[1];
}

/* CONNECT request (atyp 1: host is dotted IPv4, 3: a name, 4: IPv6);
 * the reply code, or -1 when the server closed without one. */
static int socks_connect(int fd, uint8_t atyp, const char *host, uint16_t port)
{
	uint8_t msg[300] = {5, 1, 0, atyp}, rep[10];
	size_t len = 4;

	if (atyp == 1) {
		inet_pton(AF_INET, host, msg + 4);
		len += 4;
	} else if (atyp == 4) {
		inet_pton(AF_INET6, host, msg + 4);
		len += 16;
	} else {
		msg[4] = (uint8_t)strlen(host);
		memcpy(msg + 5, host, strlen(host));
		len += 1 + strlen(host);
	}
	msg[len++] = (uint8_t)(port >> 8);
	msg[len++] = (uint8_t)port;
	if (send(fd, msg, len, MSG_NOSIGNAL) != (ssize_t)len ||
	    read_exact(fd, rep, sizeof(rep), mono_ms() + WAIT_MS) ||
	    rep[0] != 5 || rep[3] != 1)
		return -1;
	return rep[1];
}

/* Core's own greeting (no auth + user/pass) and a request by name. */
static int socks_open(uint16_t socks_port, const char *host, uint16_t port,
		      int *fd)
{
	static const uint8_t core[] = {0, 2};
	int r = -1;

	*fd = dial(socks_port);
	if (*fd >= 0 && socks_greet(*fd, core, 2) == 0)
		r = socks_connect(*fd, 3, host, port);
	return r;
}

/* Sends len bytes on w while reading them back on r, checking each. */
static int transfer(int w, int r, size_t len)
{
	static uint8_t out[1 << 20], in[65536];
	int64_t deadline = mono_ms() + WAIT_MS;
	size_t sent = 0, got = 0;

	if (len > sizeof(out))
		return -1;
	for (size_t i = 0; i < len; i++)
		out[i] = (uint8_t)(i * 7 + (i >> 10));
	while (got < len) {
		struct pollfd pfd[2] = {
			{.fd = r, .events = POLLIN},
			{.fd = w, .events = sent < len ? POLLOUT : 0},
		};
		ssize_t n;

		if (poll(pfd, 2, testutil_left_ms(deadline)) <= 0)
			return -1;
		if (pfd[1].revents & POLLOUT) {
			n = send(w, out + sent, len - sent,
				 MSG_DONTWAIT | MSG_NOSIGNAL);
			if (n < 0 && errno != EAGAIN)
				return -1;
			sent += n > 0 ? (size_t)n : 0;
		}
		if (pfd[0].revents & POLLIN) {
			n = recv(r, in, sizeof(in), MSG_DONTWAIT);
			if (n <= 0 || got + (size_t)n > len ||
			    memcmp(in, out + got, (size_t)n))
				return -1;
			got += (size_t)n;
		}
	}
	return 0;
}

/* One agent of a bitcoind-mode pair and the sockets around it. */
struct bside {
	struct testutil_proc p;
	uint16_t port, socks, p2p;
	int lfd, filler, p2p_lfd;
	char sport[8], ssocks[24], sp2p[24];
	json_t *ev;
};

static int bside_start(struct bside *s, const char *name, uint64_t key,
		       const char *hold, const char *relay, int p2p_listen)
{
	memset(s, 0, sizeof(*s));
	s->port = testutil_free_port();
	s->socks = testutil_free_port();
	s->p2p = testutil_free_port();
	s->filler = s->p2p_lfd = -1;
	s->lfd = testutil_listener(s->port, 0, 1, &s->filler);
	if (p2p_listen)
		s->p2p_lfd = testutil_listener(s->p2p, 8, 0, NULL);
	if (!s->port || !s->socks || !s->p2p || s->lfd < 0 ||
	    (p2p_listen && s->p2p_lfd < 0))
		return -1;
	snprintf(s->ssocks, sizeof(s->ssocks), "127.0.0.1:%u", s->socks);
	snprintf(s->sp2p, sizeof(s->sp2p), "127.0.0.1:%u", s->p2p);
	return agent_start(&s->p, s->port, name, key, "--timeout-ms", "6000",
			   "--node", "bitcoind", "--socks", s->ssocks,
			   "--bitcoind-p2p", s->sp2p, "--hold-ms", hold,
			   "--relay", relay, (char *)NULL);
}

static void bside_close(struct bside *s)
{
	if (s->p.pid > 0) {
		kill(s->p.pid, SIGTERM);
		testutil_proc_wait(&s->p, WAIT_MS);
	}
	close(s->lfd);
	close(s->filler);
	if (s->p2p_lfd >= 0)
		close(s->p2p_lfd);
	json_decref(s->ev);
}

/* Reads both "punched" events; *ini is the initiator's side. */
static int bpair_punched(struct bside s[2], struct bside **ini,
			 struct bside **rsp)
{
	for (int i = 0; i < 2; i++) {
		s[i].ev = testutil_proc_json(&s[i].p, WAIT_MS);
		if (!s[i].ev ||
		    strcmp(testutil_jstr(s[i].ev, "event"), "punched"))
			return -1;
	}
	*ini = !strcmp(testutil_jstr(s[0].ev, "role"), "initiator") ? &s[0]
								    : &s[1];
	*rsp = *ini == &s[0] ? &s[1] : &s[0];
	return strcmp(testutil_jstr((*rsp)->ev, "role"), "responder") ? -1 : 0;
}

/* 0 when the next line of s's agent is a "spliced" event whose node_addr
 * is want (and, when local is not NULL, whose local is that). */
static int check_spliced(struct bside *s, const char *want, const char *local)
{
	json_t *j = testutil_proc_json(&s->p, WAIT_MS);
	int r = -1;

	if (j && !strcmp(testutil_jstr(j, "event"), "spliced") &&
	    !strcmp(testutil_jstr(j, "node_addr"), want) &&
	    (!local || !strcmp(testutil_jstr(j, "local"), local)) &&
	    testutil_jint(j, "t_spliced_ns") >
		    testutil_jint(s->ev, "t_established_ns"))
		r = 0;
	json_decref(j);
	return r;
}

/* "ip:port" of fd's own end (self) or of its peer. */
static char *fd_addr(int fd, int self, char *buf, size_t cap)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	char ip[INET_ADDRSTRLEN] = "?";

	memset(&sin, 0, sizeof(sin));
	if (self)
		getsockname(fd, (struct sockaddr *)&sin, &len);
	else
		getpeername(fd, (struct sockaddr *)&sin, &len);
	inet_ntop(AF_INET, &sin.sin_addr, ip, sizeof(ip));
	snprintf(buf, cap, "%s:%u", ip, ntohs(sin.sin_port));
	return buf;
}

static void check_punched(struct bside *s, const struct bside *other)
{
	char pub[32], peer[32];

	snprintf(pub, sizeof(pub), "127.0.0.1:%u", s->port);
	snprintf(peer, sizeof(peer), "127.0.0.1:%u", other->port);
	CU_ASSERT_STRING_EQUAL(testutil_jstr(s->ev, "public"), pub);
	CU_ASSERT_STRING_EQUAL(testutil_jstr(s->ev, "peer"), peer);
	snprintf(peer, sizeof(peer), "127.0.0.1.invalid:%u", other->port);
	CU_ASSERT_STRING_EQUAL(testutil_jstr(s->ev, "addnode"), peer);
	CU_ASSERT(testutil_jint(s->ev, "t_established_ns") > 0);
}

/* The initiator's bitcoind (played here) goes through the SOCKS5 proxy,
 * the responder's gets an inbound; bytes flow both ways, the initiator's
 * bitcoind hangs up and both relays end. Bob copies instead of splicing. */
static void test_bitcoind_relay(void)
{
	static const uint8_t userpass[] = {2};
	uint64_t key = next_key();
	struct bside s[2], *ini, *rsp;
	const char *hello = "version-from-the-initiator's-bitcoind";
	char buf[64];
	int c = -1, in = -1, x;
	json_t *ri, *rr;

	CU_ASSERT_FATAL(
		!bside_start(&s[0], "alice", key, "10000", "splice", 1));
	CU_ASSERT_FATAL(!bside_start(&s[1], "bob", key, "10000", "copy", 1));
	if (bpair_punched(s, &ini, &rsp)) {
		CU_FAIL("no punched events");
		goto out;
	}
	check_punched(ini, rsp);
	check_punched(rsp, ini);
	/* The responder delivers the connection to its bitcoind at once, and
	 * says how bitcoind will list it: from the agent's address. */
	in = accept_within(rsp->p2p_lfd, WAIT_MS);
	CU_ASSERT_FATAL(in >= 0);
	CU_ASSERT(!check_spliced(rsp, fd_addr(in, 0, buf, sizeof(buf)),
				 rsp->sp2p));

	/* Refusals: another destination (by name and by address), IPv6, a
	 * client without "no auth", a command other than CONNECT. */
	snprintf(buf, sizeof(buf), "127.0.0.1");
	CU_ASSERT_EQUAL(socks_open(ini->socks, buf, rsp->port + 1, &x), 2);
	CU_ASSERT(sees_eof(x, mono_ms() + WAIT_MS));
	close(x);
	CU_ASSERT_EQUAL(socks_open(ini->socks, "localhost", rsp->port, &x), 2);
	close(x);
	CU_ASSERT_EQUAL(
		socks_open(ini->socks, "127.0.0.2.invalid", rsp->port, &x), 2);
	close(x);
	x = dial(ini->socks);
	CU_ASSERT_EQUAL(socks_greet(x, (const uint8_t *)"\0", 1), 0);
	CU_ASSERT_EQUAL(socks_connect(x, 1, "127.0.0.2", rsp->port), 2);
	close(x);
	x = dial(ini->socks);
	CU_ASSERT_EQUAL(socks_greet(x, (const uint8_t *)"\0", 1), 0);
	CU_ASSERT_EQUAL(socks_connect(x, 4, "::1", rsp->port), 8);
	close(x);
	x = dial(ini->socks);
	CU_ASSERT_EQUAL(socks_greet(x, userpass, 1), 0xff);
	CU_ASSERT(sees_eof(x, mono_ms() + WAIT_MS));
	close(x);

	/* Bitcoin Core's way: the peer by name, as a dotted literal. */
	CU_ASSERT_EQUAL(socks_open(ini->socks, "127.0.0.1", rsp->port, &c), 0);
	CU_ASSERT_FATAL(c >= 0);
	{
		char want[32], local[32];

		snprintf(want, sizeof(want), "127.0.0.1:%u", rsp->port);
		CU_ASSERT(!check_spliced(ini, want,
					 fd_addr(c, 1, local, sizeof(local))));
	}
	CU_ASSERT(send(c, hello, strlen(hello), MSG_NOSIGNAL) ==
		  (ssize_t)strlen(hello));
	memset(buf, 0, sizeof(buf));
	CU_ASSERT(!read_exact(in, buf, strlen(hello),
			      mono_ms() + WAIT_MS));
	CU_ASSERT_STRING_EQUAL(buf, hello);
	/* A megabyte back, through splice on one side and copy on the other,
	 * and another one forward. */
	CU_ASSERT(!transfer(in, c, 1 << 20));
	CU_ASSERT(!transfer(c, in, 1 << 20));
	/* The proxy is closed while relaying: a second client is refused. */
	CU_ASSERT_EQUAL(dial(ini->socks), -1);

	close(c);
	CU_ASSERT(sees_eof(in, mono_ms() + WAIT_MS));
	ri = testutil_proc_json(&ini->p, WAIT_MS);
	rr = testutil_proc_json(&rsp->p, WAIT_MS);
	CU_ASSERT_EQUAL(testutil_proc_wait(&s[0].p, WAIT_MS), 0);
	CU_ASSERT_EQUAL(testutil_proc_wait(&s[1].p, WAIT_MS), 0);
	CU_ASSERT_FATAL(ri && rr);
	for (int i = 0; i < 2; i++) {
		json_t *j = i ? rr : ri;

		CU_ASSERT_STRING_EQUAL(testutil_jstr(j, "outcome"), "ok");
		CU_ASSERT_STRING_EQUAL(testutil_jstr(j, "node"), "bitcoind");
		CU_ASSERT(json_is_null(json_object_get(j, "t_handshake_ns")));
		CU_ASSERT(testutil_jint(j, "t_spliced_ns") >
			  testutil_jint(j, "t_established_ns"));
	}
	CU_ASSERT_EQUAL(testutil_jint(ri, "bytes_out"),
			(json_int_t)strlen(hello) + (1 << 20));
	CU_ASSERT_EQUAL(testutil_jint(ri, "bytes_in"), 1 << 20);
	CU_ASSERT_EQUAL(testutil_jint(rr, "bytes_in"),
			testutil_jint(ri, "bytes_out"));
	CU_ASSERT_EQUAL(testutil_jint(rr, "bytes_out"),
			testutil_jint(ri, "bytes_in"));
	CU_ASSERT_EQUAL(testutil_jint(ri, "socks_refused"), 6);
	CU_ASSERT_STRING_EQUAL(testutil_jstr(ri, "relay_end"),
			       "bitcoind closed");
	CU_ASSERT_STRING_EQUAL(testutil_jstr(rr, "relay_end"), "peer closed");
	CU_ASSERT_STRING_EQUAL(testutil_jstr(rr, "local"), rsp->sp2p);
	CU_ASSERT_STRING_EQUAL(testutil_jstr(rr, "node_addr"),
			       fd_addr(in, 0, buf, sizeof(buf)));
	CU_ASSERT_STRING_EQUAL(testutil_jstr(ini == &s[0] ? ri : rr, "relay"),
			       "splice");
	CU_ASSERT_STRING_EQUAL(testutil_jstr(ini == &s[1] ? ri : rr, "relay"),
			       "copy");
	json_decref(ri);
	json_decref(rr);
out:
	if (in >= 0)
		close(in);
	bside_close(&s[0]);
	bside_close(&s[1]);
}

/* No bitcoind comes through the proxy. Alice's hold time is the shorter:
 * as initiator she gives up waiting for a SOCKS client, as responder her
 * relay ends; either way the other side sees the punched socket close. */
static void test_bitcoind_hold_and_sigterm(void)
{
	uint64_t key = next_key();
	struct bside s[2], *ini, *rsp;
	json_t *ra, *rb, *ri, *rr;
	char buf[32];
	int in = -1;

	CU_ASSERT_FATAL(!bside_start(&s[0], "alice", key, "1500", "splice", 1));
	CU_ASSERT_FATAL(!bside_start(&s[1], "bob", key, "4000", "splice", 1));
	if (bpair_punched(s, &ini, &rsp)) {
		CU_FAIL("no punched events");
		goto out;
	}
	in = accept_within(rsp->p2p_lfd, WAIT_MS);
	CU_ASSERT(in >= 0);
	CU_ASSERT(!check_spliced(rsp, fd_addr(in, 0, buf, sizeof(buf)), NULL));
	ra = testutil_proc_json(&s[0].p, WAIT_MS);
	rb = testutil_proc_json(&s[1].p, WAIT_MS);
	if (ini == &s[0]) {
		CU_ASSERT_EQUAL(testutil_proc_wait(&s[0].p, WAIT_MS), 1);
		CU_ASSERT_EQUAL(testutil_proc_wait(&s[1].p, WAIT_MS), 0);
		CU_ASSERT_STRING_EQUAL(testutil_jstr(ra, "outcome"), "timeout");
		CU_ASSERT(strstr(testutil_jstr(ra, "error"), "SOCKS5") != NULL);
		CU_ASSERT(json_is_null(json_object_get(ra, "t_spliced_ns")));
		CU_ASSERT_EQUAL(testutil_jint(ra, "bytes_in"), 0);
		CU_ASSERT_STRING_EQUAL(testutil_jstr(rb, "outcome"), "ok");
		CU_ASSERT_STRING_EQUAL(testutil_jstr(rb, "relay_end"),
				       "peer closed");
	} else {
		CU_ASSERT_EQUAL(testutil_proc_wait(&s[0].p, WAIT_MS), 0);
		CU_ASSERT_EQUAL(testutil_proc_wait(&s[1].p, WAIT_MS), 1);
		CU_ASSERT_STRING_EQUAL(testutil_jstr(ra, "outcome"), "ok");
		CU_ASSERT_STRING_EQUAL(testutil_jstr(ra, "relay_end"),
				       "hold time over");
		CU_ASSERT_STRING_EQUAL(testutil_jstr(rb, "outcome"), "setup");
		CU_ASSERT(strstr(testutil_jstr(rb, "error"), "peer closed") !=
			  NULL);
	}
	json_decref(ra);
	json_decref(rb);
	if (in >= 0)
		close(in);
	in = -1;
	bside_close(&s[0]);
	bside_close(&s[1]);

	/* Both relaying, then SIGTERM: reports still come, outcome ok. */
	key = next_key();
	CU_ASSERT_FATAL(
		!bside_start(&s[0], "alice", key, "20000", "splice", 1));
	CU_ASSERT_FATAL(!bside_start(&s[1], "bob", key, "20000", "splice", 1));
	if (bpair_punched(s, &ini, &rsp)) {
		CU_FAIL("no punched events");
		goto out;
	}
	in = accept_within(rsp->p2p_lfd, WAIT_MS);
	CU_ASSERT(in >= 0);
	CU_ASSERT(!check_spliced(rsp, fd_addr(in, 0, buf, sizeof(buf)), NULL));
	kill(rsp->p.pid, SIGTERM);
	rr = testutil_proc_json(&rsp->p, WAIT_MS);
	CU_ASSERT_EQUAL(testutil_proc_wait(&rsp->p, WAIT_MS), 0);
	CU_ASSERT_STRING_EQUAL(testutil_jstr(rr, "relay_end"), "terminated");
	CU_ASSERT(sees_eof(in, mono_ms() + WAIT_MS));
	/* The initiator's wait for a SOCKS client ends with the peer. */
	ri = testutil_proc_json(&ini->p, WAIT_MS);
	CU_ASSERT_EQUAL(testutil_proc_wait(&ini->p, WAIT_MS), 1);
	CU_ASSERT_STRING_EQUAL(testutil_jstr(ri, "outcome"), "setup");
	CU_ASSERT(strstr(testutil_jstr(ri, "error"), "peer closed") != NULL);
	json_decref(ri);
	json_decref(rr);
out:
	if (in >= 0)
		close(in);
	bside_close(&s[0]);
	bside_close(&s[1]);
}

/* The responder's bitcoind does not listen: setup on both sides. */
static void test_bitcoind_unreachable(void)
{
	uint64_t key = next_key();
	struct bside s[2], *ini, *rsp;
	json_t *ri, *rr;

	CU_ASSERT_FATAL(
		!bside_start(&s[0], "alice", key, "10000", "splice", 0));
	CU_ASSERT_FATAL(!bside_start(&s[1], "bob", key, "10000", "splice", 0));
	if (bpair_punched(s, &ini, &rsp)) {
		CU_FAIL("no punched events");
		goto out;
	}
	ri = testutil_proc_json(&ini->p, WAIT_MS);
	rr = testutil_proc_json(&rsp->p, WAIT_MS);
	CU_ASSERT_EQUAL(testutil_proc_wait(&ini->p, WAIT_MS), 1);
	CU_ASSERT_EQUAL(testutil_proc_wait(&rsp->p, WAIT_MS), 1);
	CU_ASSERT_STRING_EQUAL(testutil_jstr(rr, "outcome"), "setup");
	CU_ASSERT(strstr(testutil_jstr(rr, "error"),
			 "bitcoind P2P 127.0.0.1:") != NULL);
	CU_ASSERT_STRING_EQUAL(testutil_jstr(ri, "outcome"), "setup");
	json_decref(ri);
	json_decref(rr);
out:
	bside_close(&s[0]);
	bside_close(&s[1]);
}

/* A fake -importpeersocket receiver: the metadata, one fd, and that fd is
 * the punched connection (its two ends, received from both agents, talk
 * to each other). */
static int import_recv(int lfd, uint8_t meta[12], int *fd)
{
	union {
		char buf[CMSG_SPACE(2 * sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = {.iov_base = meta, .iov_len = 13};
	struct msghdr mh = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = ctl.buf,
		.msg_controllen = sizeof(ctl.buf),
	};
	struct cmsghdr *cm;
	ssize_t n;
	int c;

	*fd = -1;
	c = accept_within(lfd, WAIT_MS);
	if (c < 0 || fd_wait(c, POLLIN, mono_ms() + WAIT_MS))
		return -1;
	n = recvmsg(c, &mh, MSG_CMSG_CLOEXEC);
	cm = CMSG_FIRSTHDR(&mh);
	if (n == 12 && cm && cm->cmsg_level == SOL_SOCKET &&
	    cm->cmsg_type == SCM_RIGHTS &&
	    cm->cmsg_len == CMSG_LEN(sizeof(int)) && !CMSG_NXTHDR(&mh, cm))
		memcpy(fd, CMSG_DATA(cm), sizeof(int));
	return c;
}

static int unix_listener(const char *path)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	unlink(path);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sun, sizeof(sun)) ||
	    listen(fd, 4)) {
		close(fd);
		return -1;
	}
	return fd;
}

static uint32_t le32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static void test_bitcoind_import(void)
{
	uint64_t key = next_key();
	const char *names[2] = {"alice", "bob"};
	struct testutil_proc p[2];
	uint16_t port[2];
	int lfd[2], filler[2], ul[2], c[2], fd[2];
	char path[2][64], sport[2][8];
	json_t *ev[2], *rep[2];
	uint8_t meta[2][13];

	for (int i = 0; i < 2; i++) {
		port[i] = testutil_free_port();
		lfd[i] = testutil_listener(port[i], 0, 1, &filler[i]);
		snprintf(path[i], sizeof(path[i]), "/tmp/punchlab-import-%d-%d",
			 (int)getpid(), i);
		ul[i] = unix_listener(path[i]);
		CU_ASSERT_FATAL(port[i] && lfd[i] >= 0 && ul[i] >= 0);
		snprintf(sport[i], sizeof(sport[i]), "%u", port[i]);
		CU_ASSERT_FATAL(!agent_start(&p[i], port[i], names[i], key,
					     "--node", "bitcoind-import",
					     "--import-socket", path[i],
					     (char *)NULL));
	}
	for (int i = 0; i < 2; i++) {
		struct sockaddr_in peer, self;
		socklen_t len = sizeof(peer);
		int initiator;

		ev[i] = testutil_proc_json(&p[i], WAIT_MS);
		CU_ASSERT_FATAL(ev[i] != NULL);
		CU_ASSERT_STRING_EQUAL(testutil_jstr(ev[i], "event"),
				       "punched");
		initiator = !strcmp(testutil_jstr(ev[i], "role"), "initiator");
		c[i] = import_recv(ul[i], meta[i], &fd[i]);
		CU_ASSERT_FATAL(c[i] >= 0 && fd[i] >= 0);
		CU_ASSERT_EQUAL(le32(meta[i]), 0x53504942); /* "BIPS" */
		CU_ASSERT_EQUAL(memcmp(meta[i], "BIPS", 4), 0);
		CU_ASSERT_EQUAL(meta[i][4] | meta[i][5] << 8, 1);
		CU_ASSERT_EQUAL(meta[i][6], initiator ? 1 : 0);
		CU_ASSERT_EQUAL(meta[i][7], 0);
		CU_ASSERT_EQUAL(le32(meta[i] + 8), 0);
		CU_ASSERT(!getpeername(fd[i], (struct sockaddr *)&peer, &len));
		len = sizeof(self);
		CU_ASSERT(!getsockname(fd[i], (struct sockaddr *)&self, &len));
		CU_ASSERT_EQUAL(ntohs(peer.sin_port), port[!i]);
		CU_ASSERT_EQUAL(ntohs(self.sin_port), port[i]);
		/* Closing the unix connection acknowledges the import. */
		close(c[i]);
	}
	/* The agents have left; the sockets we got are the two ends. */
	for (int i = 0; i < 2; i++) {
		rep[i] = testutil_proc_json(&p[i], WAIT_MS);
		CU_ASSERT_EQUAL(testutil_proc_wait(&p[i], WAIT_MS), 0);
		CU_ASSERT_STRING_EQUAL(testutil_jstr(rep[i], "outcome"), "ok");
		CU_ASSERT_STRING_EQUAL(testutil_jstr(rep[i], "node"),
				       "bitcoind-import");
		CU_ASSERT_STRING_EQUAL(testutil_jstr(rep[i], "import_ack"),
				       "closed");
		CU_ASSERT(testutil_jint(rep[i], "t_imported_ns") >
			  testutil_jint(rep[i], "t_established_ns"));
	}
	CU_ASSERT(!transfer(fd[0], fd[1], 4096));
	CU_ASSERT(!transfer(fd[1], fd[0], 4096));
	for (int i = 0; i < 2; i++) {
		json_decref(ev[i]);
		json_decref(rep[i]);
		close(fd[i]);
		close(ul[i]);
		close(lfd[i]);
		close(filler[i]);
		unlink(path[i]);
	}
}

/* Nobody listens at the import socket: setup. A taken SOCKS port: setup
 * before anything else. */
static void test_bitcoind_setup_errors(void)
{
	uint16_t port = testutil_free_port(), sp = testutil_free_port();
	char sport[8], socks[24];
	char *imp[] = {(char *)agent_bin, "--coordinator", coord_addr,
		       "--local-port",	  sport,	   "--node",
		       "bitcoind",	  "--socks",	   socks,
		       "--bitcoind-p2p",  "127.0.0.1:1",   NULL};
	struct testutil_proc p;
	int lfd;
	json_t *j;

	snprintf(sport, sizeof(sport), "%u", port);
	snprintf(socks, sizeof(socks), "127.0.0.1:%u", sp);
	lfd = testutil_listener(sp, 8, 0, NULL);
	CU_ASSERT_FATAL(lfd >= 0 && !testutil_proc_spawn(&p, imp));
	j = testutil_proc_json(&p, WAIT_MS);
	CU_ASSERT_EQUAL(testutil_proc_wait(&p, WAIT_MS), 1);
	close(lfd);
	CU_ASSERT_STRING_EQUAL(testutil_jstr(j, "outcome"), "setup");
	CU_ASSERT(strstr(testutil_jstr(j, "error"), "SOCKS5 listener") != NULL);
	CU_ASSERT(json_is_null(json_object_get(j, "t_register_ns")));
	CU_ASSERT_EQUAL(testutil_jint(j, "bytes_out"), 0);
	json_decref(j);
}

static int run_status(char *const argv[])
{
	struct testutil_proc p;
	struct pollfd pfd = {.events = POLLIN};
	char buf[256];
	ssize_t n = 0;

	if (testutil_proc_spawn(&p, argv))
		return -1;
	pfd.fd = p.out;
	/* --help writes usage on stdout; errors write nothing there. */
	if (poll(&pfd, 1, WAIT_MS) == 1)
		n = read(p.out, buf, sizeof(buf) - 1);
	if (n > 0 && strncmp(buf, "usage:", 6))
		n = -1;
	return n < 0 ? -2 : testutil_proc_wait(&p, WAIT_MS);
}

static void test_usage(void)
{
	char *help[] = {(char *)agent_bin, "--help", NULL};
	char *none[] = {(char *)agent_bin, NULL};
	char *noport[] = {(char *)agent_bin, "--coordinator", "127.0.0.1:1",
			  NULL};
	char *name[] = {(char *)agent_bin, "--coordinator", "coord:8333",
			"--local-port",	   "1000",	    NULL};
	char *magic[] = {(char *)agent_bin, "--connect", "127.0.0.1:1",
			 "--magic",	    "testnet",	 NULL};
	char *nosocks[] = {(char *)agent_bin,
			   "--coordinator",
			   "127.0.0.1:1",
			   "--local-port",
			   "1000",
			   "--node",
			   "bitcoind",
			   "--bitcoind-p2p",
			   "127.0.0.1:18444",
			   NULL};
	char *badnode[] = {(char *)agent_bin,
			   "--coordinator",
			   "127.0.0.1:1",
			   "--local-port",
			   "1000",
			   "--node",
			   "btcd",
			   NULL};
	char *stray[] = {(char *)agent_bin,
			 "--coordinator",
			 "127.0.0.1:1",
			 "--local-port",
			 "1000",
			 "--socks",
			 "127.0.0.1:9050",
			 NULL};
	char *noimport[] = {(char *)agent_bin,
			    "--coordinator",
			    "127.0.0.1:1",
			    "--local-port",
			    "1000",
			    "--node",
			    "bitcoind-import",
			    NULL};
	char *badsocks[] = {(char *)agent_bin,
			    "--coordinator",
			    "127.0.0.1:1",
			    "--local-port",
			    "1000",
			    "--node",
			    "bitcoind",
			    "--socks",
			    "localhost:9050",
			    "--bitcoind-p2p",
			    "127.0.0.1:18444",
			    NULL};

	char *handoff_alone[] = {(char *)agent_bin, "--connect", "127.0.0.1:1",
				 "--handoff", NULL};
	char *hold_seek[] = {(char *)agent_bin, "--coordinator", "127.0.0.1:1",
			     "--local-port",	"1000",	   "--hold",
			     "--seek",		NULL};
	char *hold_handoff[] = {(char *)agent_bin, "--coordinator",
				"127.0.0.1:1",	   "--local-port",
				"1000",		   "--hold",
				"--handoff",	   NULL};
	char *seek_oob[] = {(char *)agent_bin, "--oob",	 "--probe",
			    "127.0.0.1:2",     "--local-port", "1000",
			    "--seek",	       NULL};
	char *oob_noprobe[] = {(char *)agent_bin, "--oob", "--local-port",
			       "1000", NULL};
	char *probe_alone[] = {(char *)agent_bin,
			       "--coordinator",
			       "127.0.0.1:1",
			       "--local-port",
			       "1000",
			       "--probe",
			       "127.0.0.1:2",
			       NULL};
	char *oob_coord[] = {(char *)agent_bin, "--oob",	 "--probe",
			     "127.0.0.1:2",	"--coordinator", "127.0.0.1:1",
			     "--local-port",	"1000",		 NULL};
	char *oob_noport[] = {(char *)agent_bin, "--oob", "--probe",
			      "127.0.0.1:2", NULL};
	char *oob_key[] = {(char *)agent_bin,
			   "--oob",
			   "--probe",
			   "127.0.0.1:2",
			   "--local-port",
			   "1000",
			   "--key",
			   "5",
			   NULL};
	char *oob_handoff[] = {
		(char *)agent_bin, "--oob", "--probe",	 "127.0.0.1:2",
		"--local-port",	   "1000",  "--handoff", NULL};
	char *oob_node[] = {
		(char *)agent_bin, "--oob",  "--probe", "127.0.0.1:2",
		"--local-port",	   "1000",   "--node",	"bitcoind-import",
		"--import-socket", "/tmp/x", NULL};
	char *oob_badprobe[] = {
		(char *)agent_bin, "--oob", "--probe", "probe:80",
		"--local-port",	   "1000",  NULL};

	CU_ASSERT_EQUAL(run_status(help), 0);
	CU_ASSERT_EQUAL(run_status(none), 2);
	CU_ASSERT_EQUAL(run_status(noport), 2);
	CU_ASSERT_EQUAL(run_status(name), 2);
	CU_ASSERT_EQUAL(run_status(magic), 2);
	CU_ASSERT_EQUAL(run_status(nosocks), 2);
	CU_ASSERT_EQUAL(run_status(badnode), 2);
	CU_ASSERT_EQUAL(run_status(stray), 2);
	CU_ASSERT_EQUAL(run_status(noimport), 2);
	CU_ASSERT_EQUAL(run_status(badsocks), 2);
	CU_ASSERT_EQUAL(run_status(handoff_alone), 2);
	CU_ASSERT_EQUAL(run_status(hold_seek), 2);
	CU_ASSERT_EQUAL(run_status(hold_handoff), 2);
	CU_ASSERT_EQUAL(run_status(seek_oob), 2);
	CU_ASSERT_EQUAL(run_status(oob_noprobe), 2);
	CU_ASSERT_EQUAL(run_status(probe_alone), 2);
	CU_ASSERT_EQUAL(run_status(oob_coord), 2);
	CU_ASSERT_EQUAL(run_status(oob_noport), 2);
	CU_ASSERT_EQUAL(run_status(oob_key), 2);
	CU_ASSERT_EQUAL(run_status(oob_handoff), 2);
	CU_ASSERT_EQUAL(run_status(oob_node), 2);
	CU_ASSERT_EQUAL(run_status(oob_badprobe), 2);
}

/* --- handoff mode: a coordinator of our own, its events read here --- */

static struct testutil_proc hcoord = {-1, -1, "", 0};
static char hcoord_addr[64];

static int hcoord_spawn(char **argv, const char *mode);

static int hcoord_start(const char *limit, const char *pair_timeout_ms)
{
	char *argv[] = {(char *)coord_bin,
			"--listen",
			"127.0.0.1:0",
			"--run-id",
			"unit-handoff",
			"--mode",
			"handoff",
			"--inbound-limit",
			(char *)limit,
			"--pair-timeout-ms",
			(char *)pair_timeout_ms,
			NULL};

	return hcoord_spawn(argv, "handoff");
}

/* The coordinator in advertised mode (holders and seekers). */
static int acoord_start(void)
{
	char *argv[] = {(char *)coord_bin, "--listen",	 "127.0.0.1:0",
			"--run-id",	   "unit-adv",	 "--mode",
			"advertised",	   NULL};

	return hcoord_spawn(argv, "advertised");
}

/* Starts hcoord from argv; 0 once it listens in mode. */
static int hcoord_spawn(char **argv, const char *mode)
{
	json_t *ev;
	int r = -EBADMSG;

	if (testutil_proc_spawn(&hcoord, argv))
		return -errno;
	ev = testutil_proc_json(&hcoord, WAIT_MS);
	if (ev && !strcmp(testutil_jstr(ev, "event"), "listening") &&
	    !strcmp(testutil_jstr(ev, "mode"), mode)) {
		snprintf(hcoord_addr, sizeof(hcoord_addr), "%s",
			 testutil_jstr(ev, "addr"));
		r = 0;
	}
	json_decref(ev);
	return r;
}

static void hcoord_stop(void)
{
	if (hcoord.pid <= 0)
		return;
	kill(hcoord.pid, SIGTERM);
	testutil_proc_wait(&hcoord, WAIT_MS);
}

/* The next coordinator event named name whose field is val (earlier
 * events are passed over); NULL after WAIT_MS. */
static json_t *hcoord_event(const char *name, const char *field,
			    const char *val)
{
	int64_t deadline = mono_ms() + WAIT_MS;
	json_t *ev;

	while ((ev = testutil_proc_json(&hcoord, testutil_left_ms(deadline)))) {
		if (!strcmp(testutil_jstr(ev, "event"), name) &&
		    !strcmp(testutil_jstr(ev, field), val))
			return ev;
		json_decref(ev);
	}
	return NULL;
}

/* An agent of the handoff coordinator: port, name, then extra args. */
static int hagent_start(struct testutil_proc *p, uint16_t port,
			const char *name, ...)
{
	static char sport[4][8];
	static unsigned n;
	char *argv[24] = {
		(char *)agent_bin, "--coordinator", hcoord_addr,
		"--local-port",	   sport[n % 4],    "--name",
		(char *)name,
	};
	int i = 7;
	va_list ap;

	snprintf(sport[n % 4], sizeof(sport[0]), "%u", port);
	n++;
	va_start(ap, name);
	while (i < 22 && (argv[i] = va_arg(ap, char *)))
		i++;
	va_end(ap);
	argv[i] = NULL;
	return testutil_proc_spawn(p, argv);
}

/* The agent p ended with exit 1 and outcome "coordinator" with error
 * text; its report (the caller's to free), or NULL. */
static json_t *hagent_refused(struct testutil_proc *p, const char *error)
{
	json_t *j = testutil_proc_json(p, WAIT_MS);

	CU_ASSERT_EQUAL(testutil_proc_wait(p, WAIT_MS), 1);
	CU_ASSERT_PTR_NOT_NULL(j);
	if (!j)
		return NULL;
	CU_ASSERT_STRING_EQUAL(testutil_jstr(j, "outcome"), "coordinator");
	CU_ASSERT_STRING_EQUAL(testutil_jstr(j, "error"), error);
	return j;
}

/* Listeners on both punch ports (fds: two listeners, two fillers): early
 * SYNs are dropped, not refused, as between two NATs. 0 or -1. */
static int hpair_listeners(uint16_t pa, uint16_t pb, int *fds)
{
	fds[2] = fds[3] = -1;
	fds[0] = testutil_listener(pa, 0, 1, &fds[2]);
	fds[1] = testutil_listener(pb, 0, 1, &fds[3]);
	return pa && pb && fds[0] >= 0 && fds[1] >= 0 ? 0 : -1;
}

/* Both agents' reports once they exit 0; then the listeners closed and
 * the coordinator stopped. Checks the pair, both sides' mode and alice's
 * role (bob's is the other). 0, or -1 without two reports. */
static int hpair_finish(struct testutil_proc *a, struct testutil_proc *b,
			int *fds, uint16_t pa, uint16_t pb, const char *mode,
			const char *role_a, json_t **ja, json_t **jb)
{
	*ja = testutil_proc_json(a, WAIT_MS);
	*jb = testutil_proc_json(b, WAIT_MS);
	CU_ASSERT_EQUAL(testutil_proc_wait(a, WAIT_MS), 0);
	CU_ASSERT_EQUAL(testutil_proc_wait(b, WAIT_MS), 0);
	for (int i = 0; i < 4; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	hcoord_stop();
	if (!*ja || !*jb)
		return -1;
	check_ok_pair(*ja, *jb, pa, pb);
	CU_ASSERT_STRING_EQUAL(testutil_jstr(*ja, "mode"), mode);
	CU_ASSERT_STRING_EQUAL(testutil_jstr(*jb, "mode"), mode);
	CU_ASSERT_STRING_EQUAL(testutil_jstr(*ja, "role"), role_a);
	CU_ASSERT(strcmp(testutil_jstr(*jb, "role"), role_a) != 0);
	return 0;
}

/* Alice holds the coordinator's one inbound slot; bob arrives, and the
 * coordinator hands them to each other: bob initiates, alice responds. */
static void test_handoff_pair(void)
{
	uint16_t pa = testutil_free_port(), pb = testutil_free_port();
	int fds[4];
	char ea[32], eb[32];
	struct testutil_proc a, b;
	json_t *ja, *jb, *ev;

	CU_ASSERT_FATAL(hcoord_start("1", "15000") == 0);
	CU_ASSERT_FATAL(!hpair_listeners(pa, pb, fds));
	snprintf(ea, sizeof(ea), "127.0.0.1:%u", pa);
	snprintf(eb, sizeof(eb), "127.0.0.1:%u", pb);
	CU_ASSERT_FATAL(!hagent_start(&a, pa, "alice", "--handoff",
				      "--timeout-ms", "6000", (char *)NULL));
	ev = hcoord_event("inbound", "peer", ea);
	CU_ASSERT_FATAL(ev != NULL);
	CU_ASSERT(json_is_true(json_object_get(ev, "unreachable")));
	CU_ASSERT_EQUAL(testutil_jint(ev, "held"), 1);
	json_decref(ev);
	CU_ASSERT_FATAL(!hagent_start(&b, pb, "bob", "--handoff",
				      "--timeout-ms", "6000", (char *)NULL));
	ev = hcoord_event("handoff", "initiator", eb);
	CU_ASSERT_FATAL(ev != NULL);
	CU_ASSERT_STRING_EQUAL(testutil_jstr(ev, "responder"), ea);
	CU_ASSERT_EQUAL(testutil_jint(ev, "held"), 0);
	CU_ASSERT_FATAL(!hpair_finish(&a, &b, fds, pa, pb, "handoff",
				      "responder", &ja, &jb));
	CU_ASSERT_STRING_EQUAL(testutil_jstr(ja, "nonce"),
			       testutil_jstr(ev, "nonce"));
	/* Alice registered long before she was matched. */
	CU_ASSERT(testutil_jint(ja, "t_match_ns") >
		  testutil_jint(jb, "t_register_ns"));
	json_decref(ev);
	json_decref(ja);
	json_decref(jb);
}

/* --- advertised mode: bob holds (his light connection), alice seeks --- */

/* Bob holds key 7; alice seeks it: alice initiates (her outbound), bob
 * responds, and the coordinator kept bob's connection through the punch:
 * it drops it only when bob's agent leaves, after the seek. */
static void test_advertised_pair(void)
{
	uint16_t pa = testutil_free_port(), pb = testutil_free_port();
	int fds[4];
	char ea[32], eb[32];
	struct testutil_proc a, b;
	json_t *ja, *jb, *ev, *drop;

	CU_ASSERT_FATAL(acoord_start() == 0);
	CU_ASSERT_FATAL(!hpair_listeners(pa, pb, fds));
	snprintf(ea, sizeof(ea), "127.0.0.1:%u", pa);
	snprintf(eb, sizeof(eb), "127.0.0.1:%u", pb);
	CU_ASSERT_FATAL(!hagent_start(&b, pb, "bob", "--hold", "--key", "7",
				      "--timeout-ms", "6000", (char *)NULL));
	ev = hcoord_event("hold", "peer", eb);
	CU_ASSERT_FATAL(ev != NULL);
	CU_ASSERT_EQUAL(testutil_jint(ev, "key"), 7);
	json_decref(ev);
	CU_ASSERT_FATAL(!hagent_start(&a, pa, "alice", "--seek", "--key", "7",
				      "--timeout-ms", "6000", (char *)NULL));
	ev = hcoord_event("seek", "initiator", ea);
	CU_ASSERT_FATAL(ev != NULL);
	CU_ASSERT_STRING_EQUAL(testutil_jstr(ev, "responder"), eb);
	CU_ASSERT_EQUAL(testutil_jint(ev, "holder_punches"), 1);
	/* Bob's connection ends when his agent leaves, after the punch. */
	drop = hcoord_event("drop", "peer", eb);
	CU_ASSERT_PTR_NOT_NULL(drop);
	if (drop)
		CU_ASSERT_STRING_EQUAL(testutil_jstr(drop, "reason"), "eof");
	json_decref(drop);
	CU_ASSERT_FATAL(!hpair_finish(&a, &b, fds, pa, pb, "advertised",
				      "initiator", &ja, &jb));
	CU_ASSERT_STRING_EQUAL(testutil_jstr(jb, "nonce"),
			       testutil_jstr(ev, "nonce"));
	json_decref(ev);
	json_decref(ja);
	json_decref(jb);
}

/* A seeker with nobody holding its key, a second holder of a held key,
 * and a holder nobody seeks: each says so in the coordinator's terms. */
static void test_advertised_refused(void)
{
	uint16_t pa = testutil_free_port(), pb = testutil_free_port(),
		 pc = testutil_free_port();
	char eb[32];
	struct testutil_proc a, b, c;
	json_t *jb, *ev;

	CU_ASSERT_FATAL(acoord_start() == 0);
	CU_ASSERT_FATAL(!hagent_start(&a, pa, "alice", "--seek", "--key", "8",
				      (char *)NULL));
	json_decref(hagent_refused(&a, "nobody holds the key"));

	snprintf(eb, sizeof(eb), "127.0.0.1:%u", pb);
	CU_ASSERT_FATAL(!hagent_start(&b, pb, "bob", "--hold", "--key", "8",
				      "--match-timeout-ms", "1500",
				      (char *)NULL));
	ev = hcoord_event("hold", "peer", eb);
	CU_ASSERT_FATAL(ev != NULL);
	json_decref(ev);
	CU_ASSERT_FATAL(!hagent_start(&c, pc, "carol", "--hold", "--key", "8",
				      (char *)NULL));
	json_decref(hagent_refused(&c, "key already held"));
	jb = hagent_refused(&b, "nobody sought us");
	hcoord_stop();
	CU_ASSERT_FATAL(jb != NULL);
	CU_ASSERT_STRING_EQUAL(testutil_jstr(jb, "mode"), "advertised");
	json_decref(jb);
}

/* The slot is held by a peer that did not ask for a handoff: the
 * newcomer is refused (hpreject 4). A peer never handed off reports so,
 * whether its own deadline or the coordinator's comes first. */
static void test_handoff_refused(void)
{
	uint16_t pa = testutil_free_port(), pb = testutil_free_port(),
		 pc = testutil_free_port();
	char ea[32], ec[32];
	struct testutil_proc a, b, c;
	json_t *ja, *jb, *jc, *ev;

	CU_ASSERT_FATAL(hcoord_start("1", "15000") == 0);
	snprintf(ea, sizeof(ea), "127.0.0.1:%u", pa);
	snprintf(ec, sizeof(ec), "127.0.0.1:%u", pc);
	CU_ASSERT_FATAL(!hagent_start(&a, pa, "alice", "--timeout-ms", "1500",
				      "--match-timeout-ms", "1500",
				      (char *)NULL));
	ev = hcoord_event("inbound", "peer", ea);
	CU_ASSERT_FATAL(ev != NULL);
	CU_ASSERT(json_is_false(json_object_get(ev, "unreachable")));
	json_decref(ev);
	CU_ASSERT_FATAL(
		!hagent_start(&b, pb, "bob", "--handoff", (char *)NULL));
	jb = hagent_refused(&b, "inbound slots full");
	CU_ASSERT_FATAL(jb != NULL);
	CU_ASSERT_STRING_EQUAL(testutil_jstr(jb, "mode"), "handoff");
	CU_ASSERT(json_is_null(json_object_get(jb, "role")));
	CU_ASSERT(testutil_jint(jb, "t_register_ns") > 0);
	json_decref(jb);
	/* Alice, a plain registration, waited for a peer in vain. */
	ja = hagent_refused(&a, "no match before the deadline");
	CU_ASSERT_FATAL(ja != NULL);
	CU_ASSERT_STRING_EQUAL(testutil_jstr(ja, "mode"), "rendezvous");
	json_decref(ja);
	/* Carol is held until her own deadline: her slot is free once the
	 * coordinator has seen alice go. */
	ev = hcoord_event("drop", "peer", ea);
	CU_ASSERT_FATAL(ev != NULL);
	json_decref(ev);
	CU_ASSERT_FATAL(!hagent_start(
		&c, pc, "carol", "--handoff", "--timeout-ms", "1000",
		"--match-timeout-ms", "1000", (char *)NULL));
	ev = hcoord_event("inbound", "peer", ec);
	CU_ASSERT(ev != NULL);
	json_decref(ev);
	json_decref(hagent_refused(&c, "stayed an inbound peer"));
	hcoord_stop();

	/* The coordinator lets carol go first (hpreject 1). */
	pc = testutil_free_port();
	CU_ASSERT_FATAL(hcoord_start("1", "800") == 0);
	CU_ASSERT_FATAL(
		!hagent_start(&c, pc, "carol", "--handoff", (char *)NULL));
	jc = testutil_proc_json(&c, WAIT_MS);
	CU_ASSERT_EQUAL(testutil_proc_wait(&c, WAIT_MS), 1);
	hcoord_stop();
	CU_ASSERT_FATAL(jc != NULL);
	CU_ASSERT_STRING_EQUAL(testutil_jstr(jc, "outcome"), "coordinator");
	CU_ASSERT_STRING_EQUAL(testutil_jstr(jc, "error"),
			       "stayed an inbound peer");
	json_decref(jc);
}

/* --- out-of-band mode: a real probe server, the side channel here --- */

static const char *probe_bin;
static struct testutil_proc probe = {-1, -1, "", 0};
static char probe_addr[32];

/* 0 once the probe server said "ready"; 1 to skip (not built). */
static int probe_start(void)
{
	uint16_t port = testutil_free_port();
	char *argv[] = {(char *)probe_bin, probe_addr, NULL};
	int64_t deadline = mono_ms() + WAIT_MS;
	struct pollfd pfd = {.events = POLLIN};
	ssize_t n;

	if (access(probe_bin, X_OK)) {
		printf("SKIP: %s not built (set PUNCH_PROBE_SERVER) ",
		       probe_bin);
		return 1;
	}
	snprintf(probe_addr, sizeof(probe_addr), "127.0.0.1:%u", port);
	if (!port || testutil_proc_spawn(&probe, argv))
		return -1;
	pfd.fd = probe.out;
	while (!memchr(probe.buf, '\n', probe.len)) {
		if (poll(&pfd, 1, testutil_left_ms(deadline)) <= 0)
			return -1;
		n = read(probe.out, probe.buf + probe.len,
			 sizeof(probe.buf) - 1 - probe.len);
		if (n <= 0)
			return -1;
		probe.len += (size_t)n;
	}
	return strncmp(probe.buf, "ready\n", 6) ? -1 : 0;
}

static void probe_stop(void)
{
	if (probe.pid <= 0)
		return;
	kill(probe.pid, SIGTERM);
	testutil_proc_wait(&probe, WAIT_MS);
}

/* An --oob agent whose stdin is *in; extra args after the name. */
static int oob_start(struct testutil_proc *p, int *in, uint16_t port,
		     const char *name, ...)
{
	static char sport[4][8];
	static unsigned n;
	char *argv[24] = {
		(char *)agent_bin, "--oob",	 "--probe", probe_addr,
		"--local-port",	   sport[n % 4], "--name",  (char *)name,
	};
	int i = 8;
	va_list ap;

	snprintf(sport[n % 4], sizeof(sport[0]), "%u", port);
	n++;
	va_start(ap, name);
	while (i < 22 && (argv[i] = va_arg(ap, char *)))
		i++;
	va_end(ap);
	argv[i] = NULL;
	return testutil_proc_spawn_in(p, argv, in);
}

/* The endpoint event of an --oob agent on port. */
static json_t *oob_endpoint(struct testutil_proc *p, uint16_t port)
{
	json_t *ev = testutil_proc_json(p, WAIT_MS);
	char want[32];

	snprintf(want, sizeof(want), "127.0.0.1:%u", port);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ev);
	CU_ASSERT_STRING_EQUAL(testutil_jstr(ev, "event"), "endpoint");
	CU_ASSERT_STRING_EQUAL(testutil_jstr(ev, "public"), want);
	CU_ASSERT(testutil_jint(ev, "t_ns") > 0);
	return ev;
}

static int write_line(int fd, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(line))
		return -1;
	return write(fd, line, (size_t)n) == n ? 0 : -1;
}

/* No coordinator: each agent learns its endpoint from the probe server,
 * this test relays the endpoints with roles, a nonce and a start time,
 * and they punch and shake hands. */
static void test_oob_pair(void)
{
	uint16_t pa = testutil_free_port(), pb = testutil_free_port();
	int fa = -1, fb = -1, la, lb, ia = -1, ib = -1, r;
	const char *nonce = "0123456789abcdef";
	struct testutil_proc a, b;
	json_t *ea, *eb, *ja, *jb;
	int64_t start;

	r = probe_start();
	if (r == 1)
		return;
	CU_ASSERT_FATAL(r == 0);
	la = testutil_listener(pa, 0, 1, &fa);
	lb = testutil_listener(pb, 0, 1, &fb);
	CU_ASSERT_FATAL(pa && pb && la >= 0 && lb >= 0);
	CU_ASSERT_FATAL(!oob_start(&a, &ia, pa, "alice", "--timeout-ms", "6000",
				   (char *)NULL));
	CU_ASSERT_FATAL(!oob_start(&b, &ib, pb, "bob", "--timeout-ms", "6000",
				   (char *)NULL));
	ea = oob_endpoint(&a, pa);
	eb = oob_endpoint(&b, pb);
	CU_ASSERT_STRING_EQUAL(testutil_jstr(ea, "name"), "alice");
	start = mono_ns() + 300 * MS;
	CU_ASSERT(!write_line(ia,
			      "{\"peer\":\"%s\",\"role\":\"initiator\","
			      "\"nonce\":\"%s\",\"start_ns\":%" PRId64 "}\n",
			      testutil_jstr(eb, "public"), nonce, start));
	/* Bob's line comes without its newline, then EOF: still a line. */
	CU_ASSERT(!write_line(ib,
			      "{\"start_ns\":%" PRId64 ",\"nonce\":\"%s\","
			      "\"role\":\"responder\",\"peer\":\"%s\","
			      "\"note\":\"extra keys are ignored\"}",
			      start, nonce, testutil_jstr(ea, "public")));
	close(ib);
	ja = testutil_proc_json(&a, WAIT_MS);
	jb = testutil_proc_json(&b, WAIT_MS);
	CU_ASSERT_EQUAL(testutil_proc_wait(&a, WAIT_MS), 0);
	CU_ASSERT_EQUAL(testutil_proc_wait(&b, WAIT_MS), 0);
	close(ia);
	close(la);
	close(lb);
	close(fa);
	close(fb);
	probe_stop();
	CU_ASSERT_FATAL(ja && jb);
	check_ok_pair(ja, jb, pa, pb);
	for (int i = 0; i < 2; i++) {
		json_t *j = i ? jb : ja, *e = i ? eb : ea;

		CU_ASSERT_STRING_EQUAL(testutil_jstr(j, "mode"), "out-of-band");
		CU_ASSERT_STRING_EQUAL(testutil_jstr(j, "nonce"), nonce);
		CU_ASSERT_EQUAL(testutil_jint(j, "t_start_ns"), start);
		CU_ASSERT(json_is_null(json_object_get(j, "delay_ms")));
		CU_ASSERT(json_is_null(json_object_get(j, "rtt_coord_us")));
		CU_ASSERT(testutil_jint(j, "t_register_ns") <
			  testutil_jint(e, "t_ns"));
		CU_ASSERT(testutil_jint(e, "t_ns") <
			  testutil_jint(j, "t_match_ns"));
	}
	CU_ASSERT_STRING_EQUAL(testutil_jstr(ja, "role"), "initiator");
	CU_ASSERT_STRING_EQUAL(testutil_jstr(jb, "role"), "responder");
	json_decref(ea);
	json_decref(eb);
	json_decref(ja);
	json_decref(jb);
}

/* One --oob agent whose side channel says line (NULL: closes at once);
 * its report must be outcome coordinator with want in the error. */
static void check_oob_bad(const char *line, const char *want)
{
	uint16_t port = testutil_free_port();
	struct testutil_proc p;
	json_t *ev, *j;
	char pub[32];
	int in = -1;

	CU_ASSERT_FATAL(!oob_start(&p, &in, port, "alice", "--timeout-ms",
				   "2000", (char *)NULL));
	ev = oob_endpoint(&p, port);
	if (line) {
		CU_ASSERT(!write_line(in, "%s\n", line));
	} else {
		close(in);
	}
	j = testutil_proc_json(&p, WAIT_MS);
	CU_ASSERT_EQUAL(testutil_proc_wait(&p, WAIT_MS), 1);
	if (line)
		close(in);
	CU_ASSERT_FATAL(j != NULL);
	snprintf(pub, sizeof(pub), "127.0.0.1:%u", port);
	CU_ASSERT_STRING_EQUAL(testutil_jstr(j, "outcome"), "coordinator");
	CU_ASSERT(strstr(testutil_jstr(j, "error"), want) != NULL);
	CU_ASSERT_STRING_EQUAL(testutil_jstr(j, "mode"), "out-of-band");
	/* What the probe taught is kept; nothing else happened. */
	CU_ASSERT_STRING_EQUAL(testutil_jstr(j, "public"), pub);
	CU_ASSERT(json_is_null(json_object_get(j, "role")));
	CU_ASSERT(json_is_null(json_object_get(j, "peer")));
	CU_ASSERT(json_is_null(json_object_get(j, "t_match_ns")));
	CU_ASSERT(testutil_jint(j, "t_register_ns") > 0);
	CU_ASSERT_EQUAL(testutil_jint(j, "attempts"), 0);
	json_decref(ev);
	json_decref(j);
}

static void test_oob_bad_line(void)
{
	uint16_t dead = testutil_free_port();
	char sport[8];
	char *argv[] = {(char *)agent_bin, "--oob", "--probe", probe_addr,
			"--local-port",	   sport,   NULL};
	struct testutil_proc p;
	json_t *j;
	int r, in = -1;

	r = probe_start();
	if (r == 1)
		return;
	CU_ASSERT_FATAL(r == 0);
	check_oob_bad(NULL, "side channel closed before the peer line");
	check_oob_bad("hello", "bad line: not a JSON object");
	check_oob_bad("{\"peer\":\"127.0.0.1\",\"role\":\"initiator\","
		      "\"nonce\":\"0123456789abcdef\",\"start_ns\":1}",
		      "bad line: peer");
	check_oob_bad("{\"peer\":\"127.0.0.1:9\",\"role\":\"server\","
		      "\"nonce\":\"0123456789abcdef\",\"start_ns\":1}",
		      "bad line: role");
	check_oob_bad("{\"peer\":\"127.0.0.1:9\",\"role\":\"responder\","
		      "\"nonce\":\"0123456789abcdeg\",\"start_ns\":1}",
		      "bad line: nonce");
	check_oob_bad("{\"peer\":\"127.0.0.1:9\",\"role\":\"responder\","
		      "\"nonce\":\"0123456789abcdef\",\"start_ns\":\"1\"}",
		      "bad line: start_ns");
	probe_stop();

	/* No probe server: no endpoint event, the report says why. */
	snprintf(probe_addr, sizeof(probe_addr), "127.0.0.1:%u", dead);
	snprintf(sport, sizeof(sport), "%u", testutil_free_port());
	CU_ASSERT_FATAL(!testutil_proc_spawn_in(&p, argv, &in));
	j = testutil_proc_json(&p, WAIT_MS);
	CU_ASSERT_EQUAL(testutil_proc_wait(&p, WAIT_MS), 1);
	close(in);
	CU_ASSERT_FATAL(j != NULL);
	CU_ASSERT_PTR_NULL(json_object_get(j, "event"));
	CU_ASSERT_STRING_EQUAL(testutil_jstr(j, "outcome"), "coordinator");
	CU_ASSERT(strstr(testutil_jstr(j, "error"), "probe 127.0.0.1:") !=
		  NULL);
	CU_ASSERT(json_is_null(json_object_get(j, "public")));
	json_decref(j);
}

static int suite_init(void)
{
	if (testutil_coord_start(&coord, coord_bin, "unit-agent", coord_addr,
				 sizeof(coord_addr), WAIT_MS))
		return -1;
	return 0;
}

static int suite_clean(void)
{
	hcoord_stop();
	probe_stop();
	if (coord.pid > 0) {
		kill(coord.pid, SIGTERM);
		testutil_proc_wait(&coord, WAIT_MS);
	}
	return 0;
}

/* --auth-secret on loopback: alice and bob with secret files sa and sb
 * (NULL: none); their reports. */
static void auth_pair(const char *sa, const char *sb, json_t **ja,
		      json_t **jb)
{
	const char *const extra[4] = {sa ? "--auth-secret" : NULL, sa,
				      sb ? "--auth-secret" : NULL, sb};
	uint16_t port[2];
	int rc[2];

	pair_spawn(extra, ja, jb, rc, port);
}

static int write_secret(const char *path, int seed)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	for (int i = 0; i < 32; i++)
		fputc(seed + i, f);
	return fclose(f);
}

/* One secret: both ok, "auth": "ok". Two secrets: both wrong-peer with
 * "auth: bad MAC". Bob alone with a secret: alice closes after verack,
 * bob's wait for hpauth fails; alice, without one, reports "off". */
static void test_auth(void)
{
	char dir[] = "/tmp/punchlab-test-auth.XXXXXX", s1[64], s2[64];
	json_t *a, *b;

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	snprintf(s1, sizeof(s1), "%s/s1", dir);
	snprintf(s2, sizeof(s2), "%s/s2", dir);
	CU_ASSERT_FATAL(!write_secret(s1, 1) && !write_secret(s2, 2));
	auth_pair(s1, s1, &a, &b);
	CU_ASSERT_STRING_EQUAL(testutil_jstr(a, "outcome"), "ok");
	CU_ASSERT_STRING_EQUAL(testutil_jstr(b, "outcome"), "ok");
	CU_ASSERT_STRING_EQUAL(testutil_jstr(a, "auth"), "ok");
	CU_ASSERT_STRING_EQUAL(testutil_jstr(b, "auth"), "ok");
	json_decref(a);
	json_decref(b);
	auth_pair(s1, s2, &a, &b);
	for (int i = 0; i < 2; i++) {
		json_t *j = i ? b : a;

		CU_ASSERT_STRING_EQUAL(testutil_jstr(j, "outcome"),
				       "wrong-peer");
		CU_ASSERT_STRING_EQUAL(testutil_jstr(j, "error"),
				       "auth: bad MAC (32 bytes)");
		CU_ASSERT_STRING_EQUAL(testutil_jstr(j, "auth"), "failed");
	}
	json_decref(a);
	json_decref(b);
	auth_pair(NULL, s1, &a, &b);
	CU_ASSERT_STRING_EQUAL(testutil_jstr(a, "auth"), "off");
	CU_ASSERT_STRING_EQUAL(testutil_jstr(b, "outcome"), "wrong-peer");
	CU_ASSERT(!strncmp(testutil_jstr(b, "error"),
			   "auth: waiting for hpauth", 24));
	CU_ASSERT_STRING_EQUAL(testutil_jstr(b, "auth"), "failed");
	json_decref(a);
	json_decref(b);
	unlink(s1);
	unlink(s2);
	rmdir(dir);
}

/* --connect --local-port with a start 1000 s away under a cap of 2 s
 * (opt): refused at once ("delay N ms", N just under 1000 s, then
 * tail), nothing sent
 * (the peer is not even there). */
static void check_far_start(const char *opt, const char *tail)
{
	char port[8], start[24];
	char *argv[] = {(char *)agent_bin, "--connect", "192.0.2.9:8333",
			"--local-port", port, "--start-mono-ns", start,
			(char *)opt, "2000", NULL};
	struct testutil_proc p;
	long long delay_ms = 0;
	json_t *j;

	snprintf(port, sizeof(port), "%u", testutil_free_port());
	snprintf(start, sizeof(start), "%" PRId64,
		 mono_ns() + INT64_C(1000000) * MS);
	CU_ASSERT_FATAL(!testutil_proc_spawn(&p, argv));
	j = testutil_proc_json(&p, WAIT_MS);
	CU_ASSERT_EQUAL(testutil_proc_wait(&p, WAIT_MS), 1);
	CU_ASSERT_FATAL(j != NULL);
	CU_ASSERT_STRING_EQUAL(testutil_jstr(j, "outcome"), "policy");
	/* the delay left when the agent looked: under 1000 s by however
	 * long it took to start (slow under sanitizers), far over 2 s */
	CU_ASSERT(sscanf(testutil_jstr(j, "error"), "delay %lld ms",
			 &delay_ms) == 1 &&
		  delay_ms > 900000 && delay_ms <= 1000000);
	CU_ASSERT_PTR_NOT_NULL(strstr(testutil_jstr(j, "error"), tail));
	CU_ASSERT_EQUAL(testutil_jint(j, "syns_sent"), 0);
	json_decref(j);
}

/* --target-policy on loopback: the coordinator names 127.0.0.1, which
 * is refused before any SYN (attempts 0, no syn_ns). */
static void test_target_policy(void)
{
	uint16_t port = testutil_free_port();
	struct testutil_proc a, b;
	json_t *ja, *jb;
	uint64_t key = next_key();

	CU_ASSERT_FATAL(!agent_start(&a, port, "alice", key, "--target-policy",
				     (char *)NULL));
	CU_ASSERT_FATAL(!agent_start(&b, testutil_free_port(), "bob", key,
				     "--target-policy", (char *)NULL));
	ja = testutil_proc_json(&a, WAIT_MS);
	jb = testutil_proc_json(&b, WAIT_MS);
	CU_ASSERT_EQUAL(testutil_proc_wait(&a, WAIT_MS), 1);
	CU_ASSERT_EQUAL(testutil_proc_wait(&b, WAIT_MS), 1);
	CU_ASSERT_FATAL(ja && jb);
	for (int i = 0; i < 2; i++) {
		json_t *j = i ? jb : ja;

		CU_ASSERT_STRING_EQUAL(testutil_jstr(j, "outcome"), "policy");
		CU_ASSERT_STRING_EQUAL(testutil_jstr(j, "error"),
				       "loopback 127.0.0.1");
		CU_ASSERT_EQUAL(testutil_jint(j, "attempts"), 0);
		CU_ASSERT_EQUAL(json_array_size(json_object_get(j, "syn_ns")),
				0);
	}
	json_decref(ja);
	json_decref(jb);
	check_far_start("--max-punch-ms", " ms >= --max-punch-ms 2000");
	check_far_start("--max-delay-ms", " ms > --max-delay-ms 2000");
}

int main(void)
{
	static const struct testutil_case tests[] = {
		{"usage and exit codes", test_usage},
		{"two agents punch and shake hands", test_pair},
		{"late peer met by a later wave", test_pair_skew},
		{"RST gives refused; SIGTERM still reports",
		 test_refused_and_sigterm},
		{"wrong nonce gives wrong-peer", test_wrong_peer},
		{"bind conflict and dead coordinator",
		 test_bind_and_coordinator},
		{"--connect handshake", test_connect},
		{"bitcoind: SOCKS5, inbound, relay both ways",
		 test_bitcoind_relay},
		{"bitcoind: hold time and SIGTERM",
		 test_bitcoind_hold_and_sigterm},
		{"bitcoind: responder's bitcoind unreachable",
		 test_bitcoind_unreachable},
		{"bitcoind-import: fd and metadata over SCM_RIGHTS",
		 test_bitcoind_import},
		{"bitcoind: SOCKS port taken", test_bitcoind_setup_errors},
		{"handoff: held peer and newcomer punch", test_handoff_pair},
		{"handoff: slots full; never handed off", test_handoff_refused},
		{"advertised: bob holds, alice seeks and punches",
		 test_advertised_pair},
		{"advertised: no holder, key held, nobody sought",
		 test_advertised_refused},
		{"out-of-band: probe, side channel, punch", test_oob_pair},
		{"out-of-band: bad side channel or probe", test_oob_bad_line},
		{"--auth-secret: one secret, two, one side only", test_auth},
		{"--target-policy refuses loopback; a far start is refused",
		 test_target_policy},
	};
	int fails;

	agent_bin = testutil_bin("PUNCH_AGENT", "build/bin/punch-agent");
	coord_bin = testutil_bin("PUNCH_COORDINATOR",
				 "build/bin/punch-coordinator");
	probe_bin = testutil_bin("PUNCH_PROBE_SERVER",
				 "build/bin/punch-probe-server");
	if (access(agent_bin, X_OK) || access(coord_bin, X_OK)) {
		printf("SKIP: %s or %s not built (run make first, or set "
		       "PUNCH_AGENT / PUNCH_COORDINATOR)\n",
		       agent_bin, coord_bin);
		return 4;
	}
	signal(SIGPIPE, SIG_IGN);
	fails = testutil_run_suite("agent", suite_init, suite_clean, tests,
				   TESTUTIL_N(tests));
	return fails ? 1 : 0;
}
