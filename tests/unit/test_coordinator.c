/* test_coordinator: runs build/bin/punch-coordinator on 127.0.0.1 (port 0)
 * and talks to it as agents would: version/verack, hpregister, ping/pong,
 * hppunch; then as a broken peer would. Needs no root. Every wait is a
 * poll() with a deadline; the child is stopped by its pid.
 * PUNCH_COORDINATOR overrides the binary's path. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CUnit/Basic.h>
#include <jansson.h>

#include "coordctl.h"
#include "coordtap.h"
#include "coordmsg.h"
#include "p2p.h"
#include "lib/testutil.h"

#define WAIT_MS 5000
#define MAGIC P2P_MAGIC_REGTEST

static const char *coord_bin;

/* The running coordinator: its pid, its stdout, the events read so far. */
static struct {
	pid_t pid;
	int out;
	uint16_t port;
	char line[8192];
	size_t line_len;
	json_t *events;	  /* every event read */
	json_t *taken;	  /* same length: true once a test used it */
	int stopped_seen; /* the last run ended with a "stopped" event */
	int ctl_fd;	  /* >= 0: the next start passes --control-fd */
	int tap_fd;	  /* >= 0: the next start passes --tap-fd */
	const char *hold_ms; /* the next start passes --hold-timeout-ms */
	int key_owner;	     /* the next start passes --key-owner */
	const char *limit[2]; /* the next start passes limit[0] limit[1] */
} co = {.pid = -1, .out = -1, .ctl_fd = -1, .tap_fd = -1};

struct cli {
	int fd;
	char name[64]; /* our own endpoint, as the coordinator sees it */
	uint8_t buf[1 << 16];
	size_t len;
};

/* Reads one more event line from the coordinator's stdout. */
static int ev_read(int64_t deadline)
{
	struct pollfd p = {.fd = co.out, .events = POLLIN};
	char *nl;
	ssize_t n;

	for (;;) {
		nl = memchr(co.line, '\n', co.line_len);
		if (nl) {
			json_t *ev;
			size_t l = (size_t)(nl - co.line);

			*nl = '\0';
			ev = json_loads(co.line, 0, NULL);
			memmove(co.line, nl + 1, co.line_len - l - 1);
			co.line_len -= l + 1;
			if (!ev)
				return -EBADMSG;
			json_array_append_new(co.events, ev);
			json_array_append_new(co.taken, json_false());
			return 0;
		}
		if (poll(&p, 1, testutil_left_ms(deadline)) <= 0)
			return -ETIMEDOUT;
		n = read(co.out, co.line + co.line_len,
			 sizeof(co.line) - co.line_len - 1);
		if (n <= 0)
			return -EPIPE;
		co.line_len += (size_t)n;
	}
}

/* Takes the first unused event named name whose string field equals val
 * (field NULL: any), reading more lines until WAIT_MS has passed. The
 * returned reference is borrowed. */
static json_t *ev_take(const char *name, const char *field, const char *val)
{
	int64_t deadline = mono_ms() + WAIT_MS;
	size_t i = 0;

	for (;;) {
		for (; i < json_array_size(co.events); i++) {
			json_t *ev = json_array_get(co.events, i);
			const char *e =
				json_string_value(json_object_get(ev, "event"));
			const char *f =
				field ? json_string_value(
						json_object_get(ev, field))
				      : NULL;

			if (json_is_true(json_array_get(co.taken, i)) || !e ||
			    strcmp(e, name))
				continue;
			if (field && (!f || strcmp(f, val)))
				continue;
			json_array_set_new(co.taken, i, json_true());
			return ev;
		}
		if (ev_read(deadline))
			return NULL;
	}
}

static int coord_stop(void);

/* mode NULL: the default (rendezvous), no mode options at all; limit
 * NULL: no --inbound-limit. */
static int coord_start_mode(const char *timeout_ms, const char *mode,
			    const char *limit)
{
	int pfd[2];
	json_t *ev;
	const char *addr, *colon;

	/* A fatal assertion may have left the previous one running. */
	if (co.pid > 0)
		coord_stop();
	if (pipe2(pfd, O_CLOEXEC))
		return -errno;
	co.pid = fork();
	if (co.pid < 0)
		return -errno;
	if (co.pid == 0) {
		int devnull = open("/dev/null", O_WRONLY), n = 0;
		const char *argv[20];
		char fd[16], tfd[16];

		dup2(pfd[1], STDOUT_FILENO);
		if (!getenv("PUNCHLAB_TEST_VERBOSE") && devnull >= 0)
			dup2(devnull, STDERR_FILENO);
		argv[n++] = coord_bin;
		argv[n++] = "--listen";
		argv[n++] = "127.0.0.1:0";
		argv[n++] = "--run-id";
		argv[n++] = "unit";
		argv[n++] = "--pair-timeout-ms";
		argv[n++] = timeout_ms;
		argv[n++] = "--margin-ms";
		argv[n++] = "30";
		if (mode) {
			argv[n++] = "--mode";
			argv[n++] = mode;
		}
		if (limit) {
			argv[n++] = "--inbound-limit";
			argv[n++] = limit;
		}
		if (co.hold_ms) {
			argv[n++] = "--hold-timeout-ms";
			argv[n++] = co.hold_ms;
		}
		if (co.key_owner)
			argv[n++] = "--key-owner";
		if (co.limit[0]) {
			argv[n++] = co.limit[0];
			argv[n++] = co.limit[1];
		}
		if (co.ctl_fd >= 0) {
			snprintf(fd, sizeof(fd), "%d", co.ctl_fd);
			argv[n++] = "--control-fd";
			argv[n++] = fd;
		}
		if (co.tap_fd >= 0) {
			snprintf(tfd, sizeof(tfd), "%d", co.tap_fd);
			argv[n++] = "--tap-fd";
			argv[n++] = tfd;
		}
		argv[n++] = "-v";
		argv[n] = NULL;
		execv(coord_bin, (char *const *)argv);
		_exit(127);
	}
	close(pfd[1]);
	/* The coordinator has its copy; ours would hide its EOF. */
	if (co.ctl_fd >= 0)
		close(co.ctl_fd);
	if (co.tap_fd >= 0)
		close(co.tap_fd);
	co.ctl_fd = co.tap_fd = -1;
	co.hold_ms = NULL;
	co.key_owner = 0;
	co.limit[0] = co.limit[1] = NULL;
	co.out = pfd[0];
	co.line_len = 0;
	co.events = json_array();
	co.taken = json_array();
	ev = ev_take("listening", NULL, NULL);
	if (!ev)
		return -ETIMEDOUT;
	addr = json_string_value(json_object_get(ev, "addr"));
	colon = addr ? strrchr(addr, ':') : NULL;
	if (!colon || strncmp(addr, "127.0.0.1:", 10))
		return -EBADMSG;
	co.port = (uint16_t)atoi(colon + 1);
	if (!json_is_string(json_object_get(ev, "mode")) ||
	    strcmp(json_string_value(json_object_get(ev, "mode")),
		   mode ? mode : "rendezvous"))
		return -EBADMSG;
	if (limit ? json_integer_value(json_object_get(ev, "inbound_limit")) !=
			    atoi(limit)
		 : !json_is_null(json_object_get(ev, "inbound_limit")))
		return -EBADMSG;
	return co.port ? 0 : -EBADMSG;
}

static int coord_start(const char *timeout_ms)
{
	return coord_start_mode(timeout_ms, NULL, NULL);
}

/* SIGTERM, then wait for the exit through a pidfd with a deadline. */
static int coord_stop(void)
{
	int status = -1, pidfd;

	if (co.pid <= 0)
		return -1;
	kill(co.pid, SIGTERM);
	pidfd = (int)syscall(SYS_pidfd_open, co.pid, 0);
	if (pidfd >= 0) {
		struct pollfd p = {.fd = pidfd, .events = POLLIN};

		if (poll(&p, 1, WAIT_MS) <= 0)
			kill(co.pid, SIGKILL);
		close(pidfd);
	}
	waitpid(co.pid, &status, 0);
	co.pid = -1;
	/* The child is gone, so its stdout reaches EOF: no waiting here. */
	co.stopped_seen = ev_take("stopped", NULL, NULL) != NULL;
	close(co.out);
	co.out = -1;
	json_decref(co.events);
	json_decref(co.taken);
	co.events = co.taken = NULL;
	return status;
}

static struct cli *cli_connect_to(unsigned port)
{
	struct sockaddr_in sa = {.sin_family = AF_INET,
				 .sin_port = htons(port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	struct sockaddr_in me;
	socklen_t len = sizeof(me);
	struct cli *c = calloc(1, sizeof(*c));
	int one = 1;

	if (!c)
		return NULL;
	c->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0 || connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    getsockname(c->fd, (struct sockaddr *)&me, &len)) {
		if (c->fd >= 0)
			close(c->fd);
		free(c);
		return NULL;
	}
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	snprintf(c->name, sizeof(c->name), "127.0.0.1:%u",
		 (unsigned)ntohs(me.sin_port));
	return c;
}

static struct cli *cli_connect(void)
{
	return cli_connect_to(co.port);
}

static void cli_close(struct cli *c)
{
	if (!c)
		return;
	close(c->fd);
	free(c);
}

static int cli_raw(struct cli *c, const void *p, size_t len)
{
	return send(c->fd, p, len, MSG_NOSIGNAL) == (ssize_t)len ? 0 : -1;
}

static int cli_send(struct cli *c, const char *cmd, const void *pl, size_t len)
{
	uint8_t buf[2048];
	int n = p2p_msg_encode(buf, sizeof(buf), MAGIC, cmd, pl, len);

	return n < 0 ? n : cli_raw(c, buf, (size_t)n);
}

/* Next message into h/payload (payload copied to out, up to cap). Returns
 * 1, 0 on EOF, -1 on timeout or a framing error. */
static int cli_recv(struct cli *c, struct p2p_hdr *h, uint8_t *out, size_t cap)
{
	int64_t deadline = mono_ms() + WAIT_MS;
	struct pollfd p = {.fd = c->fd, .events = POLLIN};
	const uint8_t *pl;
	ssize_t r;
	int n;

	for (;;) {
		n = p2p_frame(c->buf, c->len, MAGIC, 1 << 15, h, &pl);
		if (n < 0)
			return -1;
		if (n > 0) {
			memcpy(out, pl, h->length < cap ? h->length : cap);
			memmove(c->buf, c->buf + n, c->len - (size_t)n);
			c->len -= (size_t)n;
			return 1;
		}
		if (poll(&p, 1, testutil_left_ms(deadline)) <= 0)
			return -1;
		r = recv(c->fd, c->buf + c->len, sizeof(c->buf) - c->len, 0);
		if (r == 0)
			return 0;
		if (r < 0)
			return errno == ECONNRESET ? 0 : -1;
		c->len += (size_t)r;
	}
}

/* Reads messages until one named cmd arrives; 1, 0 on EOF, -1. */
static int cli_expect(struct cli *c, const char *cmd, struct p2p_hdr *h,
		      uint8_t *out, size_t cap)
{
	int r;

	while ((r = cli_recv(c, h, out, cap)) == 1)
		if (!strcmp(h->command, cmd))
			return 1;
	return r;
}

/* EOF from the coordinator within WAIT_MS, whatever comes before it. */
static int cli_wait_eof(struct cli *c)
{
	struct p2p_hdr h;
	uint8_t buf[2048];
	int r;

	while ((r = cli_recv(c, &h, buf, sizeof(buf))) == 1)
		;
	return r == 0;
}

static void cli_handshake(struct cli *c)
{
	struct p2p_version v = {.version = P2P_PROTOCOL_VERSION,
				.services = 0x409,
				.nonce = 12345};
	struct p2p_hdr h;
	uint8_t buf[2048];
	char seen[64];
	int n;

	snprintf(v.user_agent, sizeof(v.user_agent), "/test:0.1/");
	n = p2p_version_encode(buf, sizeof(buf), &v);
	CU_ASSERT_FATAL(n > 0 && cli_send(c, "version", buf, (size_t)n) == 0);
	CU_ASSERT_FATAL(cli_recv(c, &h, buf, sizeof(buf)) == 1);
	CU_ASSERT_STRING_EQUAL_FATAL(h.command, "version");
	CU_ASSERT_FATAL(p2p_version_decode(buf, h.length, &v) == 0);
	CU_ASSERT_EQUAL(v.version, 70016);
	CU_ASSERT(v.services & COORD_SERVICE_BIT);
	CU_ASSERT_STRING_EQUAL(v.user_agent, "/punchlab-coordinator:0.1/");
	/* addr_recv: how the coordinator sees us. */
	CU_ASSERT_STRING_EQUAL(p2p_netaddr_str(&v.recv, seen, sizeof(seen)),
			       c->name);
	CU_ASSERT_FATAL(cli_recv(c, &h, buf, sizeof(buf)) == 1);
	CU_ASSERT_STRING_EQUAL(h.command, "verack");
	CU_ASSERT(cli_send(c, "verack", NULL, 0) == 0);
}

/* flags 0 sends the 12-byte form, anything else the 13-byte one. */
static int cli_register_flags(struct cli *c, uint32_t proto, uint64_t key,
			      uint8_t flags)
{
	struct coord_register r = {.proto = proto, .key = key, .flags = flags};
	uint8_t buf[COORD_REGISTER_FLAGS_LEN];
	int n = coord_register_encode(buf, sizeof(buf), &r);

	return n < 0 ? n : cli_send(c, COORD_CMD_REGISTER, buf, (size_t)n);
}

static int cli_register(struct cli *c, uint32_t proto, uint64_t key)
{
	return cli_register_flags(c, proto, key, 0);
}

/* Waits for the coordinator's RTT ping and answers it. */
static void cli_answer_ping(struct cli *c)
{
	struct p2p_hdr h;
	uint8_t nonce[8];

	CU_ASSERT_FATAL(cli_expect(c, "ping", &h, nonce, sizeof(nonce)) == 1);
	CU_ASSERT_EQUAL_FATAL(h.length, 8);
	CU_ASSERT_FATAL(cli_send(c, "pong", nonce, 8) == 0);
}

static void cli_get_punch(struct cli *c, struct coord_punch *m)
{
	struct p2p_hdr h;
	uint8_t buf[2048];

	CU_ASSERT_FATAL(cli_expect(c, COORD_CMD_PUNCH, &h, buf, sizeof(buf)) ==
			1);
	CU_ASSERT_FATAL(coord_punch_decode(buf, h.length, m) == 0);
}

static int64_t ev_int(json_t *ev, const char *field)
{
	return json_integer_value(json_object_get(ev, field));
}

/* Two agents with one key: opposite roles, each other's endpoint, one
 * nonce, delays from the margin; then the coordinator hangs up. */
static void check_pair(uint64_t key, uint8_t flags)
{
	struct cli *a = cli_connect(), *b = cli_connect();
	struct coord_punch pa, pb;
	char s[64], hex[17];
	json_t *ev, *d;

	CU_ASSERT_FATAL(a && b);
	cli_handshake(a);
	cli_handshake(b);
	/* Unknown commands are ignored, as a Bitcoin node ignores them. */
	CU_ASSERT(cli_send(a, "wtxidrelay", NULL, 0) == 0);
	CU_ASSERT(cli_send(a, "sendaddrv2", NULL, 0) == 0);
	/* Rendezvous ignores the flags: the 13-byte form pairs as well. */
	CU_ASSERT_FATAL(cli_register_flags(a, COORD_PROTO, key, flags) == 0);
	/* a's ping proves a registered first: a must be the initiator. */
	cli_answer_ping(a);
	CU_ASSERT_FATAL(cli_register(b, COORD_PROTO, key) == 0);
	cli_answer_ping(b);
	cli_get_punch(a, &pa);
	cli_get_punch(b, &pb);

	CU_ASSERT_EQUAL(pa.role, COORD_ROLE_INITIATOR);
	CU_ASSERT_EQUAL(pb.role, COORD_ROLE_RESPONDER);
	CU_ASSERT_EQUAL(pa.nonce, pb.nonce);
	CU_ASSERT_STRING_EQUAL(p2p_netaddr_str(&pa.peer, s, sizeof(s)),
			       b->name);
	CU_ASSERT_STRING_EQUAL(p2p_netaddr_str(&pa.self, s, sizeof(s)),
			       a->name);
	CU_ASSERT_STRING_EQUAL(p2p_netaddr_str(&pb.peer, s, sizeof(s)),
			       a->name);
	CU_ASSERT_STRING_EQUAL(p2p_netaddr_str(&pb.self, s, sizeof(s)),
			       b->name);
	CU_ASSERT_EQUAL(pa.peer.services, 0x409);
	/* delay = max(rtt)/2 + 30 ms - own rtt/2: 30 ms plus loopback
	 * noise, never below the margin by more than rounding. */
	CU_ASSERT(pa.delay_ms >= 29 && pa.delay_ms < 30 + WAIT_MS);
	CU_ASSERT(pb.delay_ms >= 29 && pb.delay_ms < 30 + WAIT_MS);
	CU_ASSERT(pa.rtt_us < WAIT_MS * 1000U && pb.rtt_us < WAIT_MS * 1000U);

	ev = ev_take("register", "observed", a->name);
	CU_ASSERT_PTR_NOT_NULL(ev);
	if (ev) {
		CU_ASSERT_EQUAL(ev_int(ev, "key"), (json_int_t)key);
		CU_ASSERT_EQUAL(ev_int(ev, "rtt_us"), pa.rtt_us);
	}
	CU_ASSERT_PTR_NOT_NULL(ev_take("register", "observed", b->name));
	ev = ev_take("match", "initiator", a->name);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ev);
	snprintf(hex, sizeof(hex), "%016" PRIx64, pa.nonce);
	CU_ASSERT_STRING_EQUAL(
		json_string_value(json_object_get(ev, "responder")), b->name);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(ev, "nonce")),
			       hex);
	CU_ASSERT_EQUAL(ev_int(ev, "key"), (json_int_t)key);
	d = json_object_get(ev, "delay_ms");
	CU_ASSERT_EQUAL(json_integer_value(json_array_get(d, 0)), pa.delay_ms);
	CU_ASSERT_EQUAL(json_integer_value(json_array_get(d, 1)), pb.delay_ms);

	/* The coordinator never relays: it hangs up after hppunch. */
	CU_ASSERT(cli_wait_eof(a));
	CU_ASSERT(cli_wait_eof(b));
	cli_close(a);
	cli_close(b);
}

static uint16_t cli_port(const struct cli *c)
{
	return (uint16_t)atoi(strrchr(c->name, ':') + 1);
}

/* predict: a probe on the second port is noted and closed, never paired;
 * the registration from the same address takes it, and hppunch carries
 * the deltas seen on the wire (here the two local ports' difference, no
 * NAT on loopback) to both sides; a side without a probe has none. */
static void test_predict(void)
{
	const uint64_t key = 4242;
	const uint8_t fl = COORD_REG_EXT | COORD_REG_PREDICT;
	struct cli *p, *a, *b;
	struct coord_punch pa, pb;
	int16_t delta;
	char s[64];

	CU_ASSERT_EQUAL_FATAL(coord_start("5000"), 0);
	p = cli_connect_to(co.port + COORD_PROBE_PORT_OFFSET);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	cli_handshake(p);
	CU_ASSERT_FATAL(cli_register_flags(p, COORD_PROTO, key,
					   COORD_REG_PROBE) == 0);
	CU_ASSERT(cli_wait_eof(p)); /* noted: closed without a ping */
	a = cli_connect();
	b = cli_connect();
	CU_ASSERT_FATAL(a && b);
	cli_handshake(a);
	cli_handshake(b);
	CU_ASSERT_FATAL(cli_register_flags(a, COORD_PROTO, key, fl) == 0);
	cli_answer_ping(a);
	CU_ASSERT_FATAL(cli_register_flags(b, COORD_PROTO, key, fl) == 0);
	cli_answer_ping(b);
	cli_get_punch(a, &pa);
	cli_get_punch(b, &pb);
	delta = coord_port_delta(cli_port(p), cli_port(a));
	CU_ASSERT(delta != 0);
	CU_ASSERT_STRING_EQUAL(p2p_netaddr_str(&pb.peer, s, sizeof(s)),
			       a->name);
	CU_ASSERT(pa.predict && pb.predict);
	CU_ASSERT_EQUAL(pa.self_delta, delta);
	CU_ASSERT_EQUAL(pa.peer_delta, 0);
	CU_ASSERT_EQUAL(pa.peer_next, 0);
	CU_ASSERT_EQUAL(pb.self_delta, 0);
	CU_ASSERT_EQUAL(pb.peer_delta, delta);
	CU_ASSERT_EQUAL(pb.peer_next, coord_port_next(cli_port(a), delta));
	cli_close(p);
	cli_close(a);
	cli_close(b);
	coord_stop();
}

static void test_pair(void)
{
	CU_ASSERT_EQUAL_FATAL(coord_start("15000"), 0);
	check_pair(42, 0);
	check_pair(0, 0);
	check_pair(43, COORD_REG_UNREACHABLE);
	/* The advertised roles mean nothing to rendezvous either. */
	check_pair(44, COORD_REG_HOLD);
	check_pair(45, COORD_REG_SEEK);
	CU_ASSERT_EQUAL(coord_stop(), 0);
}

/* --tap-fd: one "pair" line per pairing, with both endpoints and a
 * start no earlier than the 30 ms margin after the pairing. */
static void test_tap(void)
{
	struct coordtap_pair p;
	struct pollfd pl = {.events = POLLIN};
	char line[COORDTAP_LINE_MAX];
	int64_t t0 = mono_ns();
	int tp[2];
	ssize_t n;

	CU_ASSERT_FATAL(pipe(tp) == 0);
	co.tap_fd = tp[1];
	pl.fd = tp[0];
	CU_ASSERT_EQUAL_FATAL(coord_start("15000"), 0);
	check_pair(46, 0);
	CU_ASSERT_FATAL(poll(&pl, 1, WAIT_MS) == 1);
	n = read(tp[0], line, sizeof(line));
	CU_ASSERT_FATAL(n > 1 && line[n - 1] == '\n');
	CU_ASSERT_EQUAL_FATAL(coordtap_parse(line, (size_t)n - 1, &p), 0);
	CU_ASSERT_EQUAL(p.key, 46);
	CU_ASSERT(!strncmp(p.a, "127.0.0.1:", 10) &&
		  !strncmp(p.b, "127.0.0.1:", 10) && strcmp(p.a, p.b));
	CU_ASSERT(p.start_ns >= t0 + 29 * 1000000LL);
	CU_ASSERT_EQUAL(coord_stop(), 0);
	CU_ASSERT_EQUAL(read(tp[0], line, sizeof(line)), 0); /* one line */
	close(tp[0]);
}

/* Sends bytes and expects the coordinator to drop us for reason. */
static void check_garbage(const void *bytes, size_t len, int handshake,
			  const char *reason)
{
	struct cli *c = cli_connect();
	json_t *ev;

	CU_ASSERT_FATAL(c != NULL);
	if (handshake)
		cli_handshake(c);
	CU_ASSERT(cli_raw(c, bytes, len) == 0);
	ev = ev_take("drop", "peer", c->name);
	CU_ASSERT_PTR_NOT_NULL(ev);
	if (ev)
		CU_ASSERT_STRING_EQUAL(
			json_string_value(json_object_get(ev, "reason")),
			reason);
	CU_ASSERT(cli_wait_eof(c));
	cli_close(c);
}

static void test_garbage(void)
{
	uint8_t m[64], reg[COORD_REGISTER_LEN];
	struct coord_register r = {.proto = COORD_PROTO, .key = 5};

	CU_ASSERT_EQUAL_FATAL(coord_start("15000"), 0);
	check_garbage("GET / HTTP/1.0\r\n\r\n", 18, 0, "bad-magic");
	/* Mainnet bytes at a regtest coordinator. */
	p2p_msg_encode(m, sizeof(m), P2P_MAGIC_MAINNET, "version", NULL, 0);
	check_garbage(m, 24, 0, "bad-magic");
	/* A 10 MB length: dropped on the header, no waiting for the body. */
	p2p_hdr_encode(m, MAGIC, "version", NULL, 0);
	p2p_put_u32le(m + 16, 10 * 1024 * 1024);
	check_garbage(m, 24, 0, "oversize");
	p2p_msg_encode(m, sizeof(m), MAGIC, "ping", "12345678", 8);
	m[30] ^= 1;
	check_garbage(m, 32, 0, "bad-checksum");
	p2p_msg_encode(m, sizeof(m), MAGIC, "verack", NULL, 0);
	check_garbage(m, 24, 0, "protocol");
	m[4 + 7] = 'x'; /* byte after the command's NUL */
	check_garbage(m, 24, 1, "bad-command");
	/* hpregister of the wrong length, after a proper handshake */
	coord_register_encode(reg, sizeof(reg), &r);
	p2p_msg_encode(m, sizeof(m), MAGIC, COORD_CMD_REGISTER, reg, 11);
	check_garbage(m, 24 + 11, 1, "bad-payload");
	/* It still serves. */
	check_pair(7, 0);
	CU_ASSERT_EQUAL(coord_stop(), 0);
}

static void check_rejected(struct cli *c, unsigned code, const char *reason)
{
	struct coord_reject rj;
	struct p2p_hdr h;
	uint8_t buf[512];
	json_t *ev;

	CU_ASSERT_FATAL(cli_expect(c, COORD_CMD_REJECT, &h, buf, sizeof(buf)) ==
			1);
	CU_ASSERT_FATAL(coord_reject_decode(buf, h.length, &rj) == 0);
	CU_ASSERT_EQUAL(rj.code, code);
	ev = ev_take("reject", "peer", c->name);
	CU_ASSERT_PTR_NOT_NULL(ev);
	if (ev)
		CU_ASSERT_EQUAL(ev_int(ev, "code"), code);
	ev = ev_take("drop", "peer", c->name);
	CU_ASSERT_PTR_NOT_NULL(ev);
	if (ev)
		CU_ASSERT_STRING_EQUAL(
			json_string_value(json_object_get(ev, "reason")),
			reason);
	CU_ASSERT(cli_wait_eof(c));
}

static void test_rejects(void)
{
	struct cli *a, *b, *c, *d;
	struct p2p_hdr h;
	uint8_t nonce[8];

	CU_ASSERT_EQUAL_FATAL(coord_start("15000"), 0);

	/* Our ping gets our nonce back. */
	a = cli_connect();
	CU_ASSERT_FATAL(a != NULL);
	cli_handshake(a);
	CU_ASSERT(cli_send(a, "ping", "\x01\x02\x03\x04\x05\x06\x07\x08", 8) ==
		  0);
	CU_ASSERT_FATAL(cli_expect(a, "pong", &h, nonce, 8) == 1);
	CU_ASSERT(!memcmp(nonce, "\x01\x02\x03\x04\x05\x06\x07\x08", 8));

	/* Wrong coordinator protocol: hpreject 2. */
	CU_ASSERT(cli_register(a, COORD_PROTO + 1, 1) == 0);
	check_rejected(a, 2, "proto");
	cli_close(a);

	/* Registering twice. */
	a = cli_connect();
	CU_ASSERT_FATAL(a != NULL);
	cli_handshake(a);
	CU_ASSERT(cli_register(a, COORD_PROTO, 3) == 0);
	cli_answer_ping(a);
	CU_ASSERT(cli_register(a, COORD_PROTO, 3) == 0);
	CU_ASSERT_PTR_NOT_NULL(ev_take("drop", "reason", "duplicate-register"));
	CU_ASSERT(cli_wait_eof(a));
	cli_close(a);

	/* A third agent for a key that has two: b waits with its RTT, c
	 * never answers the ping, d is one too many. */
	b = cli_connect();
	c = cli_connect();
	d = cli_connect();
	CU_ASSERT_FATAL(b && c && d);
	cli_handshake(b);
	cli_handshake(c);
	cli_handshake(d);
	CU_ASSERT(cli_register(b, COORD_PROTO, 9) == 0);
	cli_answer_ping(b);
	CU_ASSERT(cli_register(c, COORD_PROTO, 9) == 0);
	CU_ASSERT_FATAL(cli_expect(c, "ping", &h, nonce, 8) == 1);
	CU_ASSERT(cli_register(d, COORD_PROTO, 9) == 0);
	check_rejected(d, 3, "key-full");
	cli_close(b);
	cli_close(c);
	cli_close(d);
	CU_ASSERT_EQUAL(coord_stop(), 0);
}

static void test_pair_timeout(void)
{
	struct cli *a;

	CU_ASSERT_EQUAL_FATAL(coord_start("1000"), 0);
	a = cli_connect();
	CU_ASSERT_FATAL(a != NULL);
	cli_handshake(a);
	CU_ASSERT(cli_register(a, COORD_PROTO, 77) == 0);
	cli_answer_ping(a);
	check_rejected(a, 1, "timeout");
	CU_ASSERT_PTR_NOT_NULL(ev_take("register", "observed", a->name));
	cli_close(a);
	CU_ASSERT_EQUAL(coord_stop(), 0);
}

/* --- handoff mode --- */

#define UNREACH COORD_REG_UNREACHABLE

static int ev_bool(json_t *ev, const char *field)
{
	return json_is_true(json_object_get(ev, field));
}

static const char *ev_str(json_t *ev, const char *field)
{
	const char *v = json_string_value(json_object_get(ev, field));

	return v ? v : "";
}

/* 1 when an event named name with field = val has been read already;
 * reads no more (callers ask after a later event was taken). */
static int ev_seen(const char *name, const char *field, const char *val)
{
	for (size_t i = 0; i < json_array_size(co.events); i++) {
		json_t *ev = json_array_get(co.events, i);

		if (!strcmp(ev_str(ev, "event"), name) &&
		    !strcmp(ev_str(ev, field), val))
			return 1;
	}
	return 0;
}

/* A new client, versions exchanged. */
static struct cli *cli_ready(void)
{
	struct cli *c = cli_connect();

	CU_ASSERT_FATAL(c != NULL);
	cli_handshake(c);
	return c;
}

/* A new client, versions exchanged, registered, RTT ping answered. */
static struct cli *cli_arrive(uint64_t key, uint8_t flags)
{
	struct cli *c = cli_ready();
	json_t *ev;

	CU_ASSERT_FATAL(cli_register_flags(c, COORD_PROTO, key, flags) == 0);
	cli_answer_ping(c);
	ev = ev_take("register", "observed", c->name);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ev);
	CU_ASSERT_EQUAL(ev_bool(ev, "unreachable"), !!(flags & UNREACH));
	return c;
}

/* A client that takes an inbound slot: the "inbound" event says so, with
 * the slots taken now. Returning only after the event orders arrivals. */
static struct cli *cli_held(uint64_t key, uint8_t flags, unsigned held)
{
	struct cli *c = cli_arrive(key, flags);
	json_t *ev = ev_take("inbound", "peer", c->name);

	CU_ASSERT_PTR_NOT_NULL_FATAL(ev);
	CU_ASSERT_EQUAL(ev_int(ev, "key"), (json_int_t)key);
	CU_ASSERT_EQUAL(ev_int(ev, "held"), held);
	CU_ASSERT_EQUAL(ev_bool(ev, "unreachable"), !!(flags & UNREACH));
	return c;
}

/* c is still held: its ping is answered, and nothing came before the
 * pong (no hppunch, no hpreject). */
static void check_still_held(struct cli *c)
{
	struct p2p_hdr h;
	uint8_t buf[2048];

	CU_ASSERT_FATAL(cli_send(c, "ping", "heldheld", 8) == 0);
	CU_ASSERT_FATAL(cli_recv(c, &h, buf, sizeof(buf)) == 1);
	CU_ASSERT_STRING_EQUAL(h.command, "pong");
	CU_ASSERT(h.length == 8 && !memcmp(buf, "heldheld", 8));
}

/* ini and rsp got their hppunch (into pi, pr): the roles, one nonce,
 * each other's endpoint and their own as observed, delays from the
 * 30 ms margin; the event named event (with ini as "initiator") says the
 * same. Returns that event (borrowed). */
static json_t *check_punches(struct cli *ini, struct cli *rsp,
			     struct coord_punch *pi, struct coord_punch *pr,
			     const char *event)
{
	char s[64], hex[17];
	json_t *ev, *d;

	cli_get_punch(ini, pi);
	cli_get_punch(rsp, pr);
	CU_ASSERT_EQUAL(pi->role, COORD_ROLE_INITIATOR);
	CU_ASSERT_EQUAL(pr->role, COORD_ROLE_RESPONDER);
	CU_ASSERT_EQUAL(pi->nonce, pr->nonce);
	CU_ASSERT_STRING_EQUAL(p2p_netaddr_str(&pi->peer, s, sizeof(s)),
			       rsp->name);
	CU_ASSERT_STRING_EQUAL(p2p_netaddr_str(&pi->self, s, sizeof(s)),
			       ini->name);
	CU_ASSERT_STRING_EQUAL(p2p_netaddr_str(&pr->peer, s, sizeof(s)),
			       ini->name);
	CU_ASSERT_STRING_EQUAL(p2p_netaddr_str(&pr->self, s, sizeof(s)),
			       rsp->name);
	CU_ASSERT(pi->delay_ms >= 29 && pi->delay_ms < 30 + WAIT_MS);
	CU_ASSERT(pr->delay_ms >= 29 && pr->delay_ms < 30 + WAIT_MS);
	ev = ev_take(event, "initiator", ini->name);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ev);
	snprintf(hex, sizeof(hex), "%016" PRIx64, pi->nonce);
	CU_ASSERT_STRING_EQUAL(ev_str(ev, "responder"), rsp->name);
	CU_ASSERT_STRING_EQUAL(ev_str(ev, "nonce"), hex);
	d = json_object_get(ev, "delay_ms");
	CU_ASSERT_EQUAL(json_integer_value(json_array_get(d, 0)), pi->delay_ms);
	CU_ASSERT_EQUAL(json_integer_value(json_array_get(d, 1)), pr->delay_ms);
	return ev;
}

/* The newcomer n and the held peer h were handed to each other: n is the
 * initiator, h the responder, one nonce, each other's endpoint; the event
 * records it and who learned what; both sessions end. */
static void check_handoff(struct cli *n, struct cli *h, uint64_t kn,
			  uint64_t kh, unsigned held_after)
{
	struct coord_punch pn, ph;
	json_t *ev, *l;

	ev = check_punches(n, h, &pn, &ph, "handoff");
	CU_ASSERT_EQUAL(ev_int(ev, "key_initiator"), (json_int_t)kn);
	CU_ASSERT_EQUAL(ev_int(ev, "key_responder"), (json_int_t)kh);
	CU_ASSERT_EQUAL(ev_int(ev, "held"), held_after);
	l = json_object_get(ev, "learned");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_array_get(
				       json_object_get(l, "coordinator"), 0)),
			       n->name);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_array_get(
				       json_object_get(l, "coordinator"), 1)),
			       h->name);
	CU_ASSERT_STRING_EQUAL(
		ev_str(json_object_get(l, "initiator"), "endpoint"), h->name);
	CU_ASSERT_STRING_EQUAL(
		ev_str(json_object_get(l, "responder"), "endpoint"), n->name);
	CU_ASSERT(ev_bool(json_object_get(l, "initiator"), "coordinator_peer"));
	CU_ASSERT(ev_bool(json_object_get(l, "responder"), "coordinator_peer"));
	/* A newcomer that is handed off never takes a slot. */
	CU_ASSERT(!ev_seen("inbound", "peer", n->name));
	CU_ASSERT(cli_wait_eof(n));
	CU_ASSERT(cli_wait_eof(h));
}

/* Two slots. C arrives when both are taken and is handed off with the
 * oldest unreachable held peer, A; the slot A gave back is taken by D;
 * E then meets B, now the oldest. */
static void test_handoff_oldest(void)
{
	struct cli *a, *b, *c, *d, *e;

	CU_ASSERT_EQUAL_FATAL(coord_start_mode("15000", "handoff", "2"), 0);
	a = cli_held(0, UNREACH, 1);
	b = cli_held(0, UNREACH, 2);
	c = cli_arrive(0, UNREACH);
	check_handoff(c, a, 0, 0, 1);
	check_still_held(b);
	d = cli_held(0, UNREACH, 2);
	e = cli_arrive(0, UNREACH);
	check_handoff(e, b, 0, 0, 1);
	check_still_held(d);
	cli_close(a);
	cli_close(b);
	cli_close(c);
	cli_close(d);
	cli_close(e);
	CU_ASSERT_EQUAL(coord_stop(), 0);
}

/* A held peer with the newcomer's non-zero key goes first, however young;
 * but only one flagged unreachable. */
static void test_handoff_same_key(void)
{
	struct cli *a, *b, *c, *b2, *c2;

	CU_ASSERT_EQUAL_FATAL(coord_start_mode("15000", "handoff", "2"), 0);
	a = cli_held(0, UNREACH, 1);
	b = cli_held(55, UNREACH, 2);
	c = cli_arrive(55, UNREACH);
	check_handoff(c, b, 55, 55, 1);
	check_still_held(a);
	/* b2 shares c2's key but can take inbound: a is chosen. */
	b2 = cli_held(56, 0, 2);
	c2 = cli_arrive(56, UNREACH);
	check_handoff(c2, a, 56, 0, 1);
	check_still_held(b2);
	cli_close(a);
	cli_close(b);
	cli_close(c);
	cli_close(b2);
	cli_close(c2);
	CU_ASSERT_EQUAL(coord_stop(), 0);
}

/* Full and nobody to hand to: hpreject 4, the held peers stay. A newcomer
 * that did not ask for a handoff is refused the same way. */
static void test_handoff_full(void)
{
	struct cli *a, *b, *c, *x, *n;
	json_t *ev;

	CU_ASSERT_EQUAL_FATAL(coord_start_mode("15000", "handoff", "2"), 0);
	a = cli_held(0, 0, 1);
	b = cli_held(0, 0, 2);
	c = cli_arrive(0, UNREACH);
	check_rejected(c, 4, "inbound-full");
	CU_ASSERT(!ev_seen("inbound", "peer", c->name));
	check_still_held(a);
	check_still_held(b);
	/* a leaves: its slot is free once the coordinator has seen it go. */
	cli_close(a);
	ev = ev_take("drop", "reason", "eof");
	CU_ASSERT_PTR_NOT_NULL_FATAL(ev);
	x = cli_held(0, UNREACH, 2);
	n = cli_arrive(0, 0);
	check_rejected(n, 4, "inbound-full");
	check_still_held(x);
	check_still_held(b);
	cli_close(b);
	cli_close(c);
	cli_close(x);
	cli_close(n);
	CU_ASSERT_EQUAL(coord_stop(), 0);
}

/* A held peer nobody is handed to leaves after --pair-timeout-ms, with
 * hpreject 1 as in rendezvous. Same-key registrations are not limited. */
static void test_handoff_timeout(void)
{
	struct cli *a, *b, *c;

	CU_ASSERT_EQUAL_FATAL(coord_start_mode("1000", "handoff", "8"), 0);
	a = cli_held(9, UNREACH, 1);
	b = cli_held(9, UNREACH, 2);
	c = cli_held(9, UNREACH, 3);
	check_rejected(a, 1, "timeout");
	check_rejected(b, 1, "timeout");
	check_rejected(c, 1, "timeout");
	cli_close(a);
	cli_close(b);
	cli_close(c);
	CU_ASSERT_EQUAL(coord_stop(), 0);
}

/* --- the control channel (--control-fd, coordctl.h) --- */

#define KEY_ALICE 1000001ull /* as punchlab numbers trial 0 of cell 0 */
#define KEY_BOB 1000002ull

struct ctl_seen {
	size_t n;
	struct coordctl_event ev[16];
};

static void ctl_collect(void *arg, const struct coordctl_event *ev)
{
	struct ctl_seen *seen = arg;

	if (seen->n < TESTUTIL_N(seen->ev))
		seen->ev[seen->n++] = *ev;
}

/* Reads the control channel until want events were seen in all, or
 * until EOF (-EPIPE), or WAIT_MS passed (-ETIMEDOUT). */
static int ctl_wait(struct coordctl *ctl, struct ctl_seen *seen, size_t want)
{
	int64_t deadline = mono_ms() + WAIT_MS;
	struct pollfd p = {.events = POLLIN};
	int n;

	while (seen->n < want) {
		p.fd = coordctl_poll_fd(ctl);
		if (p.fd < 0)
			return -EPIPE;
		if (poll(&p, 1, testutil_left_ms(deadline)) <= 0)
			return -ETIMEDOUT;
		n = coordctl_read(ctl, ctl_collect, seen);
		if (n < 0)
			return n;
	}
	return 0;
}

/* A held peer is reported as "held KEY" on the control fd; a newcomer
 * that is handed off is not; the channel ends with the coordinator. */
static void test_control_held(void)
{
	struct ctl_seen seen = {0};
	struct coordctl *ctl;
	struct cli *a, *b;
	int wfd;

	ctl = coordctl_open(&wfd);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ctl);
	CU_ASSERT(wfd >= 3 && !(fcntl(wfd, F_GETFD) & FD_CLOEXEC));
	CU_ASSERT(fcntl(coordctl_poll_fd(ctl), F_GETFD) & FD_CLOEXEC);
	co.ctl_fd = wfd;
	CU_ASSERT_EQUAL_FATAL(coord_start_mode("15000", "handoff", "1"), 0);
	CU_ASSERT_EQUAL(coordctl_read(ctl, ctl_collect, &seen), 0);
	CU_ASSERT(!coordctl_is_held(ctl, KEY_ALICE));

	a = cli_held(KEY_ALICE, UNREACH, 1);
	CU_ASSERT_EQUAL_FATAL(ctl_wait(ctl, &seen, 1), 0);
	CU_ASSERT_EQUAL(seen.ev[0].kind, COORDCTL_HELD);
	CU_ASSERT_EQUAL(seen.ev[0].key, KEY_ALICE);
	CU_ASSERT(coordctl_is_held(ctl, KEY_ALICE));
	CU_ASSERT(!coordctl_is_held(ctl, KEY_BOB));

	b = cli_arrive(KEY_BOB, UNREACH);
	check_handoff(b, a, KEY_BOB, KEY_ALICE, 0);
	cli_close(a);
	cli_close(b);
	CU_ASSERT_EQUAL(coord_stop(), 0);
	/* Everything the coordinator wrote is read before EOF shows. */
	CU_ASSERT_EQUAL(ctl_wait(ctl, &seen, 2), -EPIPE);
	CU_ASSERT_EQUAL(seen.n, 1);
	CU_ASSERT(!coordctl_is_held(ctl, KEY_BOB));
	CU_ASSERT_EQUAL(coordctl_poll_fd(ctl), -1);
	coordctl_free(ctl);
}

/* The reader is gone before the first event (punchlab up: the harness
 * exits, the coordinator stays): the coordinator neither dies of
 * SIGPIPE nor stops serving, and still stops with status 0. */
static void test_control_reader_gone(void)
{
	struct coordctl *ctl;
	struct cli *a, *b, *c;
	int wfd, status;

	ctl = coordctl_open(&wfd);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ctl);
	co.ctl_fd = wfd;
	CU_ASSERT_EQUAL_FATAL(coord_start_mode("15000", "handoff", "2"), 0);
	coordctl_free(ctl);

	a = cli_held(KEY_ALICE, UNREACH, 1);
	b = cli_held(7, UNREACH, 2);
	c = cli_arrive(KEY_BOB, UNREACH);
	check_handoff(c, a, KEY_BOB, KEY_ALICE, 1);
	check_still_held(b);
	cli_close(a);
	cli_close(b);
	cli_close(c);
	status = coord_stop();
	CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CU_ASSERT(co.stopped_seen);
}

/* A reader that is there but does not read: the pipe is full before the
 * coordinator starts. Registration and handoff go on undelayed; the held
 * line waits in the coordinator and arrives once the pipe has room. */
static void test_control_reader_slow(void)
{
	static const char filler[] = "note filler\n";
	struct ctl_seen seen = {0};
	struct coordctl *ctl;
	struct cli *a, *b;
	size_t filled = 0;
	int wfd;

	ctl = coordctl_open(&wfd);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ctl);
	fcntl(wfd, F_SETFL, O_NONBLOCK);
	while (write(wfd, filler, sizeof(filler) - 1) ==
	       (ssize_t)sizeof(filler) - 1)
		filled++;
	CU_ASSERT_FATAL(errno == EAGAIN && filled > 0);
	/* Blocking again: not blocking is the coordinator's own doing. */
	fcntl(wfd, F_SETFL, 0);
	co.ctl_fd = wfd;
	CU_ASSERT_EQUAL_FATAL(coord_start_mode("15000", "handoff", "1"), 0);

	a = cli_held(KEY_ALICE, UNREACH, 1);
	check_still_held(a);
	b = cli_arrive(KEY_BOB, UNREACH);
	check_handoff(b, a, KEY_BOB, KEY_ALICE, 0);
	/* Only now read: the filler lines are skipped (unknown verb). */
	CU_ASSERT_EQUAL(ctl_wait(ctl, &seen, 1), 0);
	CU_ASSERT_EQUAL(seen.n, 1);
	CU_ASSERT_EQUAL(seen.ev[0].key, KEY_ALICE);
	cli_close(a);
	cli_close(b);
	CU_ASSERT_EQUAL(coord_stop(), 0);
	coordctl_free(ctl);
}

/* --- advertised mode --- */

#define HOLD COORD_REG_HOLD
#define SEEK COORD_REG_SEEK

static int coord_start_advertised(const char *timeout_ms, const char *hold_ms)
{
	co.hold_ms = hold_ms;
	return coord_start_mode(timeout_ms, "advertised", NULL);
}

/* A holder, registered with its RTT: the "hold" event names it. */
static struct cli *cli_holder(uint64_t key)
{
	struct cli *c = cli_arrive(key, HOLD);
	json_t *ev = ev_take("hold", "peer", c->name);

	CU_ASSERT_PTR_NOT_NULL_FATAL(ev);
	CU_ASSERT_EQUAL(ev_int(ev, "key"), (json_int_t)key);
	return c;
}

/* Seeker s and holder h got hppunch: s initiator, h responder, one nonce,
 * each other's endpoint as observed; the "seek" event counts h's punches.
 * s's session ends; h's light connection stays (it answers a ping and
 * nothing else came). Returns the nonce. */
static uint64_t check_seek(struct cli *s, struct cli *h, uint64_t key,
			   unsigned punches)
{
	struct coord_punch ps, ph;
	json_t *ev;

	ev = check_punches(s, h, &ps, &ph, "seek");
	CU_ASSERT_EQUAL(ev_int(ev, "key"), (json_int_t)key);
	CU_ASSERT_EQUAL(ev_int(ev, "holder_punches"), punches);
	CU_ASSERT(cli_wait_eof(s));
	check_still_held(h);
	CU_ASSERT(!ev_seen("drop", "peer", h->name));
	return ps.nonce;
}

/* Nobody holds the key: hpreject 1 before any ping. A registration with
 * no role, or both, is refused the same way. */
static void test_advertised_no_holder(void)
{
	struct cli *s, *n, *b;
	struct p2p_hdr h;
	uint8_t buf[512];

	CU_ASSERT_EQUAL_FATAL(coord_start_advertised("15000", NULL), 0);
	s = cli_ready();
	n = cli_ready();
	b = cli_ready();
	CU_ASSERT(cli_register_flags(s, COORD_PROTO, 11, SEEK) == 0);
	check_rejected(s, COORD_REJECT_NO_PEER, "no-holder");
	CU_ASSERT(cli_register_flags(n, COORD_PROTO, 11, 0) == 0);
	check_rejected(n, COORD_REJECT_NO_PEER, "no-role");
	CU_ASSERT(cli_register_flags(b, COORD_PROTO, 11, HOLD | SEEK) == 0);
	CU_ASSERT_FATAL(cli_recv(b, &h, buf, sizeof(buf)) == 1);
	CU_ASSERT_STRING_EQUAL(h.command, COORD_CMD_REJECT); /* no ping */
	CU_ASSERT_PTR_NOT_NULL(ev_take("drop", "reason", "no-role"));
	CU_ASSERT(!ev_seen("register", "observed", s->name));
	cli_close(s);
	cli_close(n);
	cli_close(b);
	CU_ASSERT_EQUAL(coord_stop(), 0);
}

/* Holder + seeker: both punched; the holder stays and is punched again
 * by a second seeker (a new nonce); "held KEY" on the control channel. */
static void test_advertised_punch(void)
{
	struct ctl_seen seen = {0};
	struct coordctl *ctl;
	struct cli *h, *s1, *s2;
	uint64_t n1, n2;
	int wfd;

	ctl = coordctl_open(&wfd);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ctl);
	co.ctl_fd = wfd;
	CU_ASSERT_EQUAL_FATAL(coord_start_advertised("15000", NULL), 0);
	h = cli_holder(KEY_ALICE);
	CU_ASSERT_EQUAL_FATAL(ctl_wait(ctl, &seen, 1), 0);
	CU_ASSERT(coordctl_is_held(ctl, KEY_ALICE));
	s1 = cli_arrive(KEY_ALICE, SEEK);
	n1 = check_seek(s1, h, KEY_ALICE, 1);
	s2 = cli_arrive(KEY_ALICE, SEEK);
	n2 = check_seek(s2, h, KEY_ALICE, 2);
	CU_ASSERT(n1 != n2);
	/* The holder leaves when it wants: its FIN is the end. */
	cli_close(h);
	CU_ASSERT_PTR_NOT_NULL(ev_take("drop", "reason", "eof"));
	cli_close(s1);
	cli_close(s2);
	CU_ASSERT_EQUAL(coord_stop(), 0);
	coordctl_free(ctl);
}

/* One holder per key: the second gets hpreject 3; the first stays. A
 * holder of another key is welcome. */
static void test_advertised_key_held(void)
{
	struct cli *h, *h2, *h3, *s;

	CU_ASSERT_EQUAL_FATAL(coord_start_advertised("15000", NULL), 0);
	h = cli_holder(31);
	h2 = cli_ready();
	CU_ASSERT(cli_register_flags(h2, COORD_PROTO, 31, HOLD) == 0);
	check_rejected(h2, COORD_REJECT_KEY_BUSY, "key-held");
	h3 = cli_holder(32);
	s = cli_arrive(31, SEEK);
	check_seek(s, h, 31, 1);
	check_still_held(h3);
	cli_close(h);
	cli_close(h2);
	cli_close(h3);
	cli_close(s);
	CU_ASSERT_EQUAL(coord_stop(), 0);
}

/* A seeker that arrives while the holder's RTT ping is out waits for
 * its pong, then both are punched. */
static void test_advertised_seeker_waits(void)
{
	struct cli *h, *s;
	struct p2p_hdr hd;
	uint8_t nonce[8];

	CU_ASSERT_EQUAL_FATAL(coord_start_advertised("15000", NULL), 0);
	h = cli_ready();
	CU_ASSERT(cli_register_flags(h, COORD_PROTO, 41, HOLD) == 0);
	CU_ASSERT_FATAL(cli_expect(h, "ping", &hd, nonce, 8) == 1);
	s = cli_arrive(41, SEEK);
	CU_ASSERT(!ev_seen("seek", "initiator", s->name));
	CU_ASSERT(cli_send(h, "pong", nonce, 8) == 0);
	CU_ASSERT_PTR_NOT_NULL(ev_take("hold", "peer", h->name));
	check_seek(s, h, 41, 1);
	cli_close(h);
	cli_close(s);
	CU_ASSERT_EQUAL(coord_stop(), 0);
}

/* Answers the coordinator's pings on c for ms; returns how many. */
static int cli_answer_pings_for(struct cli *c, int ms)
{
	int64_t until = mono_ms() + ms;
	struct pollfd p = {.fd = c->fd, .events = POLLIN};
	struct p2p_hdr h;
	uint8_t buf[64];
	int n = 0;

	while (testutil_left_ms(until) > 0) {
		if (c->len == 0 &&
		    poll(&p, 1, testutil_left_ms(until)) <= 0)
			continue;
		if (cli_recv(c, &h, buf, sizeof(buf)) != 1)
			break;
		if (!strcmp(h.command, "ping") && h.length == 8 &&
		    cli_send(c, "pong", buf, 8) == 0)
			n++;
	}
	return n;
}

/* Keepalive: a holder that answers outlives both the pair timeout and
 * the hold timeout, and can still be punched; one that is silent is
 * dropped ("hold-timeout") within the hold timeout. */
static void test_advertised_keepalive(void)
{
	struct cli *h, *q, *s;

	CU_ASSERT_EQUAL_FATAL(coord_start_advertised("500", "400"), 0);
	h = cli_holder(51);
	q = cli_holder(52);
	CU_ASSERT(cli_answer_pings_for(h, 1500) >= 3);
	CU_ASSERT_PTR_NOT_NULL(ev_take("drop", "peer", q->name));
	CU_ASSERT(ev_seen("drop", "reason", "hold-timeout"));
	CU_ASSERT(!ev_seen("drop", "peer", h->name));
	CU_ASSERT(!ev_seen("reject", "peer", h->name));
	s = cli_arrive(51, SEEK);
	check_seek(s, h, 51, 1);
	cli_close(h);
	cli_close(q);
	cli_close(s);
	CU_ASSERT_EQUAL(coord_stop(), 0);
}

/* Exit status of the coordinator with these arguments (output discarded),
 * -1 when it did not exit within WAIT_MS. */
/* Two clients registered under key, matched: both have their punch. */
static void cli_matched(uint64_t key, struct cli **a, struct cli **b)
{
	struct coord_punch m;

	*a = cli_ready();
	*b = cli_ready();
	CU_ASSERT(cli_register(*a, COORD_PROTO, key) == 0);
	cli_answer_ping(*a);
	CU_ASSERT(cli_register(*b, COORD_PROTO, key) == 0);
	cli_answer_ping(*b);
	cli_get_punch(*a, &m);
	cli_get_punch(*b, &m);
}

/* A pair has matched and both still have their connections open (the
 * coordinator waits CLIENTS_LINGER_MS for their FIN). A third
 * registration of the key: with --key-owner it is rejected, nobody can
 * wait under the key in the pair's place; without, it is taken (its RTT
 * ping comes), as before. */
static void check_after_match(int key_owner)
{
	struct cli *a, *b, *c;
	struct p2p_hdr h;
	uint8_t nonce[8];

	co.key_owner = key_owner;
	CU_ASSERT_EQUAL_FATAL(coord_start("15000"), 0);
	c = cli_ready();
	cli_matched(55, &a, &b);
	CU_ASSERT(cli_register(c, COORD_PROTO, 55) == 0);
	if (key_owner) {
		check_rejected(c, COORD_REJECT_KEY_BUSY, "key-owned");
	} else {
		CU_ASSERT(cli_expect(c, "ping", &h, nonce, 8) == 1);
	}
	cli_close(a);
	cli_close(b);
	cli_close(c);
	CU_ASSERT_EQUAL(coord_stop(), 0);
}

static void test_key_owner(void)
{
	check_after_match(0);
	check_after_match(1);
}

/* --key-owner once a matched pair has gone: their connections reaped
 * leave the owners' index, so the key is free again; the newcomer owns
 * it, a partner joins, and a third is rejected as before. */
static void test_key_owner_reused(void)
{
	struct cli *a, *b, *c[3];
	struct p2p_hdr h;
	uint8_t nonce[8];

	co.key_owner = 1;
	CU_ASSERT_EQUAL_FATAL(coord_start("15000"), 0);
	cli_matched(56, &a, &b);
	/* Their FINs are in the coordinator's sockets before the newcomers
	 * connect: the round that accepts them has read both ends (a normal
	 * end after the punch: no event) and reaped them. */
	cli_close(a);
	cli_close(b);
	for (int i = 0; i < 3; i++) {
		c[i] = cli_ready();
		CU_ASSERT(cli_register(c[i], COORD_PROTO, 56) == 0);
	}
	CU_ASSERT(cli_expect(c[0], "ping", &h, nonce, 8) == 1);
	CU_ASSERT(cli_expect(c[1], "ping", &h, nonce, 8) == 1);
	check_rejected(c[2], COORD_REJECT_KEY_BUSY, "key-owned");
	for (int i = 0; i < 3; i++)
		cli_close(c[i]);
	CU_ASSERT_EQUAL(coord_stop(), 0);
}

/* Two connections are let in; the third is reset at accept. With
 * --per-addr-limit it leaves no event (counted, not logged one by one);
 * with --max-clients it is dropped "full" as before. Once one of the
 * two has gone, a newcomer is let in. */
static void check_third_refused(const char *opt, const char *reason)
{
	struct cli *a, *b, *c, *d;
	json_t *ev;

	co.limit[0] = opt;
	co.limit[1] = "2";
	CU_ASSERT_EQUAL_FATAL(coord_start("15000"), 0);
	a = cli_ready();
	b = cli_ready();
	c = cli_connect();
	CU_ASSERT_FATAL(c != NULL);
	CU_ASSERT(cli_wait_eof(c));
	cli_close(a);
	/* Events come in order: c's, if any, before a's eof. */
	CU_ASSERT_PTR_NOT_NULL(ev_take("drop", "reason", "eof"));
	if (reason) {
		ev = ev_take("drop", "peer", c->name);
		CU_ASSERT(ev && !strcmp(json_string_value(json_object_get(
						ev, "reason")), reason));
	} else {
		CU_ASSERT(!ev_seen("drop", "peer", c->name));
	}
	d = cli_ready();
	cli_close(b);
	cli_close(c);
	cli_close(d);
	CU_ASSERT_EQUAL(coord_stop(), 0);
}

static void test_limits(void)
{
	check_third_refused("--per-addr-limit", NULL);
	check_third_refused("--max-clients", "full");
}

static int coord_usage_status(const char *a1, const char *a2, const char *a3,
			      const char *a4)
{
	int status = -1, pidfd;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		int devnull = open("/dev/null", O_WRONLY);

		dup2(devnull, STDOUT_FILENO);
		dup2(devnull, STDERR_FILENO);
		execl(coord_bin, coord_bin, "--listen", "127.0.0.1:0", a1, a2,
		      a3, a4, (char *)NULL);
		_exit(127);
	}
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd >= 0) {
		struct pollfd p = {.fd = pidfd, .events = POLLIN};

		if (poll(&p, 1, WAIT_MS) <= 0)
			kill(pid, SIGKILL);
		close(pidfd);
	}
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void test_mode_usage(void)
{
	/* Each refused with status 2. */
	static const char *const bad[][4] = {
		{"--mode", "evict", NULL, NULL},
		{"--mode", "handoff", "--inbound-limit", "0"},
		{"--mode", "handoff", "--inbound-limit", "1025"},
		{"--mode", "handoff", "--inbound-limit", "8x"},
		/* The limit means nothing to rendezvous. */
		{"--inbound-limit", "3", NULL, NULL},
		{"--mode", "rendezvous", "--inbound-limit", "3"},
		/* Holders are the advertised mode's only, and it has no
		 * slots; keepalives go every N/2 ms. */
		{"--mode", "handoff", "--hold-timeout-ms", "1000"},
		{"--mode", "advertised", "--inbound-limit", "3"},
		{"--mode", "advertised", "--hold-timeout-ms", "1"},
	};

	for (size_t i = 0; i < TESTUTIL_N(bad); i++)
		CU_ASSERT_EQUAL(coord_usage_status(bad[i][0], bad[i][1],
						   bad[i][2], bad[i][3]),
				2);
}

static void test_control_usage(void)
{
	/* stdio is not a control channel, nor is a closed fd. */
	CU_ASSERT_EQUAL(coord_usage_status("--control-fd", "1", NULL, NULL), 2);
	CU_ASSERT_EQUAL(coord_usage_status("--control-fd", "999", NULL, NULL),
			2);
	CU_ASSERT_EQUAL(coord_usage_status("--control-fd", "x", NULL, NULL), 2);
}

static void test_stop_event(void)
{
	int status;

	CU_ASSERT_EQUAL_FATAL(coord_start("15000"), 0);
	status = coord_stop();
	CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CU_ASSERT(co.stopped_seen);
}

int main(void)
{
	static const struct testutil_case tests[] = {
		{"two agents paired", test_pair},
		{"tap: one pair line per pairing", test_tap},
		{"predict: probe, deltas, next port", test_predict},
		{"garbage dropped, service continues", test_garbage},
		{"rejects and protocol errors", test_rejects},
		{"unmatched registration times out", test_pair_timeout},
		{"handoff: newcomer meets the oldest unreachable held peer",
		 test_handoff_oldest},
		{"handoff: same key first, unreachable only",
		 test_handoff_same_key},
		{"handoff: full, nobody to hand to: hpreject 4",
		 test_handoff_full},
		{"handoff: held peers time out", test_handoff_timeout},
		{"advertised: seeker without a holder, no role: hpreject 1",
		 test_advertised_no_holder},
		{"advertised: holder punched twice, connection kept",
		 test_advertised_punch},
		{"advertised: second holder of a key: hpreject 3",
		 test_advertised_key_held},
		{"advertised: seeker waits for the holder's RTT",
		 test_advertised_seeker_waits},
		{"advertised: keepalive keeps a holder, silence drops it",
		 test_advertised_keepalive},
		{"--mode, --inbound-limit, --hold-timeout-ms usage",
		 test_mode_usage},
		{"control: held peer reported on --control-fd",
		 test_control_held},
		{"control: reader gone, coordinator carries on",
		 test_control_reader_gone},
		{"control: full pipe never blocks, held line follows",
		 test_control_reader_slow},
		{"--control-fd usage", test_control_usage},
		{"SIGTERM stops with status 0", test_stop_event},
		{"--key-owner: no registration in a matched pair's place",
		 test_key_owner},
		{"--key-owner: the key is free once the pair has gone",
		 test_key_owner_reused},
		{"--per-addr-limit, --max-clients: the third is refused",
		 test_limits},
	};
	int fails;

	coord_bin = testutil_bin("PUNCH_COORDINATOR",
				 "build/bin/punch-coordinator");
	if (access(coord_bin, X_OK)) {
		printf("SKIP: %s not built (run make first, or set "
		       "PUNCH_COORDINATOR)\n",
		       coord_bin);
		return 4;
	}
	signal(SIGPIPE, SIG_IGN);
	fails = testutil_run_suite("coordinator", NULL, NULL, tests,
				   TESTUTIL_N(tests));
	if (fails < 0)
		return 1;
	if (co.pid > 0)
		coord_stop();
	return fails ? 1 : 0;
}
