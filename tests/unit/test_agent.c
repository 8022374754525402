/* test_agent: runs build/bin/punch-agent against build/bin/punch-coordinator
 * on loopback, no root. Loopback answers a SYN to a port without a socket
 * with RST, so the punch tests hold a listener with a full accept queue on
 * each agent port: it makes such SYNs vanish, as a NAT that drops
 * unsolicited SYNs does, and the SYNs cross by simultaneous open.
 * PUNCH_AGENT and PUNCH_COORDINATOR override the binaries' paths. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <CUnit/Basic.h>
#include <jansson.h>

#include "p2p.h"

#define WAIT_MS 15000
#define MS INT64_C(1000000)
#define UA "/punchlab-agent:0.1/"

static const char *agent_bin, *coord_bin;
static char coord_addr[64];

struct proc {
	pid_t pid;
	int out; /* the child's stdout */
};

static struct proc coord = {-1, -1};

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int left_ms(int64_t deadline)
{
	int64_t l = deadline - now_ms();

	return l < 0 ? 0 : (int)l;
}

static int proc_spawn(struct proc *p, char *const argv[])
{
	int pfd[2];

	if (pipe2(pfd, O_CLOEXEC))
		return -errno;
	p->pid = fork();
	if (p->pid < 0)
		return -errno;
	if (p->pid == 0) {
		int devnull = open("/dev/null", O_WRONLY);

		dup2(pfd[1], STDOUT_FILENO);
		if (!getenv("PUNCHLAB_TEST_VERBOSE") && devnull >= 0)
			dup2(devnull, STDERR_FILENO);
		execv(argv[0], argv);
		_exit(127);
	}
	close(pfd[1]);
	p->out = pfd[0];
	return 0;
}

/* One JSON line from the child's stdout; NULL on timeout, EOF or junk. */
static json_t *proc_json(struct proc *p, int timeout_ms)
{
	int64_t deadline = now_ms() + timeout_ms;
	struct pollfd pfd = {.fd = p->out, .events = POLLIN};
	char line[16384];
	size_t len = 0;
	ssize_t n;
	char *nl;

	while (!(nl = memchr(line, '\n', len))) {
		if (len == sizeof(line) - 1 ||
		    poll(&pfd, 1, left_ms(deadline)) <= 0)
			return NULL;
		n = read(p->out, line + len, sizeof(line) - 1 - len);
		if (n <= 0)
			return NULL;
		len += (size_t)n;
	}
	*nl = '\0';
	return json_loads(line, 0, NULL);
}

/* Exit status of the child (-1 when killed after the timeout). */
static int proc_wait(struct proc *p, int timeout_ms)
{
	int status = -1, pidfd;

	if (p->pid <= 0)
		return -1;
	pidfd = (int)syscall(SYS_pidfd_open, p->pid, 0);
	if (pidfd >= 0) {
		struct pollfd pfd = {.fd = pidfd, .events = POLLIN};

		if (poll(&pfd, 1, timeout_ms) <= 0)
			kill(p->pid, SIGKILL);
		close(pidfd);
	} else {
		kill(p->pid, SIGKILL);
	}
	waitpid(p->pid, &status, 0);
	p->pid = -1;
	close(p->out);
	p->out = -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* A port nobody holds now; never the same one twice in this run. */
static uint16_t free_port(void)
{
	static uint16_t used[64];
	static unsigned n_used;
	struct sockaddr_in sin = {.sin_family = AF_INET};
	socklen_t len = sizeof(sin);
	uint16_t port = 0;

	for (int tries = 0; tries < 16 && !port; tries++) {
		int fd = socket(AF_INET, SOCK_STREAM, 0);

		sin.sin_port = 0;
		if (fd < 0 || bind(fd, (struct sockaddr *)&sin, sizeof(sin)) ||
		    getsockname(fd, (struct sockaddr *)&sin, &len))
			port = 0;
		else
			port = ntohs(sin.sin_port);
		close(fd);
		for (unsigned i = 0; i < n_used; i++)
			if (used[i] == port)
				port = 0;
	}
	if (port && n_used < 64)
		used[n_used++] = port;
	return port;
}

/* Listener on 0.0.0.0:port sharing the port (SO_REUSEPORT) as the agent
 * does. With backlog 0 and one connection queued (*filler), further SYNs
 * to the port are dropped instead of refused. */
static int listener(uint16_t port, int backlog, int reuseport, int *filler)
{
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_port = htons(port),
	};
	struct pollfd pfd = {.events = POLLIN};
	int one = 1, fd;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (reuseport)
		setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) ||
	    listen(fd, backlog))
		goto err;
	if (!filler)
		return fd;
	*filler = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (*filler < 0 ||
	    connect(*filler, (struct sockaddr *)&sin, sizeof(sin)))
		goto err;
	pfd.fd = fd; /* readable once the filler sits in the accept queue */
	if (poll(&pfd, 1, 2000) == 1)
		return fd;
err:
	close(fd);
	return -1;
}

static int agent_start(struct proc *p, uint16_t port, const char *name,
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
	return proc_spawn(p, argv);
}

/* Keys unique to this run, so a leftover registration never pairs. */
static uint64_t next_key(void)
{
	static uint64_t n;

	return ((uint64_t)getpid() << 16) + ++n;
}

static const char *jstr(json_t *j, const char *k)
{
	const char *s = json_string_value(json_object_get(j, k));

	return s ? s : "";
}

static int64_t jint(json_t *j, const char *k)
{
	return json_integer_value(json_object_get(j, k));
}

static void check_ok_pair(json_t *a, json_t *b, uint16_t pa, uint16_t pb)
{
	char ea[32], eb[32];
	json_t *j[2] = {a, b};

	snprintf(ea, sizeof(ea), "127.0.0.1:%u", pa);
	snprintf(eb, sizeof(eb), "127.0.0.1:%u", pb);
	CU_ASSERT_STRING_EQUAL(jstr(a, "outcome"), "ok");
	CU_ASSERT_STRING_EQUAL(jstr(b, "outcome"), "ok");
	CU_ASSERT_STRING_EQUAL(jstr(a, "public"), ea);
	CU_ASSERT_STRING_EQUAL(jstr(b, "public"), eb);
	CU_ASSERT_STRING_EQUAL(jstr(a, "peer"), eb);
	CU_ASSERT_STRING_EQUAL(jstr(b, "peer"), ea);
	CU_ASSERT_STRING_EQUAL(jstr(a, "nonce"), jstr(b, "nonce"));
	CU_ASSERT_EQUAL(strlen(jstr(a, "nonce")), 16);
	CU_ASSERT(strcmp(jstr(a, "role"), jstr(b, "role")) != 0);
	for (int i = 0; i < 2; i++) {
		json_t *syn = json_object_get(j[i], "syn_ns");
		const char *role = jstr(j[i], "role");

		CU_ASSERT(!strcmp(role, "initiator") ||
			  !strcmp(role, "responder"));
		CU_ASSERT(json_is_null(json_object_get(j[i], "error")));
		CU_ASSERT(jint(j[i], "attempts") >= 1);
		CU_ASSERT_EQUAL(json_array_size(syn),
				(size_t)jint(j[i], "attempts"));
		CU_ASSERT(jint(j[i], "t_register_ns") > 0);
		CU_ASSERT(jint(j[i], "t_match_ns") >
			  jint(j[i], "t_register_ns"));
		CU_ASSERT(jint(j[i], "t_start_ns") >= jint(j[i], "t_match_ns"));
		CU_ASSERT(json_integer_value(json_array_get(syn, 0)) >=
			  jint(j[i], "t_start_ns"));
		CU_ASSERT(jint(j[i], "t_established_ns") >
			  json_integer_value(json_array_get(syn, 0)));
		CU_ASSERT(jint(j[i], "t_handshake_ns") >
			  jint(j[i], "t_established_ns"));
		CU_ASSERT(
			json_is_integer(json_object_get(j[i], "syn_retrans")));
		CU_ASSERT_STRING_EQUAL(jstr(j[i], "peer_user_agent"), UA);
	}
}

/* Runs alice and bob (bob with extra args) with SYN-dropping listeners on
 * both ports, then checks both succeeded. */
static void run_pair(const char *bob_arg1, const char *bob_arg2, json_t **ja,
		     json_t **jb)
{
	uint16_t pa = free_port(), pb = free_port();
	int fa = -1, fb = -1, la, lb;
	uint64_t key = next_key();
	struct proc a, b;

	la = listener(pa, 0, 1, &fa);
	lb = listener(pb, 0, 1, &fb);
	CU_ASSERT_FATAL(pa && pb && la >= 0 && lb >= 0);
	CU_ASSERT_FATAL(!agent_start(&a, pa, "alice", key, "--timeout-ms",
				     "6000", (char *)NULL));
	CU_ASSERT_FATAL(!agent_start(&b, pb, "bob", key, "--timeout-ms", "6000",
				     bob_arg1, bob_arg2, (char *)NULL));
	*ja = proc_json(&a, WAIT_MS);
	*jb = proc_json(&b, WAIT_MS);
	CU_ASSERT_EQUAL(proc_wait(&a, WAIT_MS), 0);
	CU_ASSERT_EQUAL(proc_wait(&b, WAIT_MS), 0);
	close(la);
	close(lb);
	close(fa);
	close(fb);
	CU_ASSERT_FATAL(*ja && *jb);
	check_ok_pair(*ja, *jb, pa, pb);
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
	       jint(a, "t_start_ns");
	CU_ASSERT(late >= 1900 * MS && late < 2500 * MS);
	CU_ASSERT(jint(a, "attempts") >= 2);
	CU_ASSERT_EQUAL(jint(b, "attempts"), 1);
	CU_ASSERT(jint(a, "t_established_ns") >=
		  json_integer_value(
			  json_array_get(json_object_get(b, "syn_ns"), 0)));
	json_decref(a);
	json_decref(b);
}

/* Bob waits 5 s, so alice's SYNs meet his port with no connecting socket:
 * RST, outcome refused. Bob, stopped by SIGTERM, still prints his line. */
static void test_refused_and_sigterm(void)
{
	uint16_t pa = free_port(), pb = free_port();
	uint64_t key = next_key();
	struct proc a, b;
	json_t *ja, *jb;

	CU_ASSERT_FATAL(pa && pb);
	CU_ASSERT_FATAL(!agent_start(&b, pb, "bob", key, "--skew-ms", "5000",
				     (char *)NULL));
	CU_ASSERT_FATAL(!agent_start(&a, pa, "alice", key, "--timeout-ms",
				     "800", (char *)NULL));
	ja = proc_json(&a, WAIT_MS);
	CU_ASSERT_EQUAL(proc_wait(&a, WAIT_MS), 1);
	kill(b.pid, SIGTERM);
	jb = proc_json(&b, WAIT_MS);
	CU_ASSERT_EQUAL(proc_wait(&b, WAIT_MS), 1);
	CU_ASSERT_FATAL(ja && jb);
	CU_ASSERT_STRING_EQUAL(jstr(ja, "outcome"), "refused");
	/* 800 ms of waves each refused at once, then a 100 ms pause. */
	CU_ASSERT(jint(ja, "attempts") >= 3 && jint(ja, "attempts") <= 9);
	CU_ASSERT(json_is_null(json_object_get(ja, "t_established_ns")));
	CU_ASSERT_STRING_EQUAL(jstr(jb, "outcome"), "timeout");
	CU_ASSERT_STRING_EQUAL(jstr(jb, "error"), "terminated");
	CU_ASSERT_EQUAL(jint(jb, "attempts"), 0);
	CU_ASSERT_STRING_EQUAL(jstr(jb, "nonce"), jstr(ja, "nonce"));
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
		if (r < 0 || poll(&pfd, 1, left_ms(deadline)) <= 0)
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
	uint16_t pa = free_port(), pb = free_port();
	uint64_t key = next_key();
	struct proc a, b;
	json_t *ja, *jb;
	int lfd, fd;

	lfd = listener(pb, 8, 1, NULL);
	CU_ASSERT_FATAL(pa && pb && lfd >= 0);
	CU_ASSERT_FATAL(!agent_start(&b, pb, "bob", key, "--skew-ms", "5000",
				     (char *)NULL));
	CU_ASSERT_FATAL(!agent_start(&a, pa, "alice", key, (char *)NULL));
	fd = accept_within(lfd, WAIT_MS);
	CU_ASSERT(fd >= 0);
	if (fd >= 0)
		CU_ASSERT(!send_version(fd, 0x1234, 0, "/intruder:1/", 0));
	ja = proc_json(&a, WAIT_MS);
	CU_ASSERT_EQUAL(proc_wait(&a, WAIT_MS), 1);
	kill(b.pid, SIGTERM);
	jb = proc_json(&b, WAIT_MS);
	CU_ASSERT_EQUAL(proc_wait(&b, WAIT_MS), 1);
	close(fd);
	close(lfd);
	CU_ASSERT_FATAL(ja != NULL);
	CU_ASSERT_STRING_EQUAL(jstr(ja, "outcome"), "wrong-peer");
	CU_ASSERT(strstr(jstr(ja, "error"), "nonce 0000000000001234") != NULL);
	CU_ASSERT_STRING_EQUAL(jstr(ja, "peer_user_agent"), "/intruder:1/");
	CU_ASSERT(jint(ja, "t_established_ns") > 0);
	CU_ASSERT(json_is_null(json_object_get(ja, "t_handshake_ns")));
	json_decref(ja);
	json_decref(jb);
}

static json_t *run_alone(uint16_t port, const char *where, int *status)
{
	char sport[8];
	char *argv[] = {(char *)agent_bin, "--coordinator", (char *)where,
			"--local-port",	   sport,	    NULL};
	struct proc p;
	json_t *j;

	snprintf(sport, sizeof(sport), "%u", port);
	if (proc_spawn(&p, argv))
		return NULL;
	j = proc_json(&p, WAIT_MS);
	*status = proc_wait(&p, WAIT_MS);
	return j;
}

static void test_bind_and_coordinator(void)
{
	uint16_t port = free_port(), dead = free_port();
	char nowhere[32];
	int lfd, status;
	json_t *j;

	/* A listener without SO_REUSEPORT owns the port. */
	lfd = listener(port, 8, 0, NULL);
	CU_ASSERT_FATAL(lfd >= 0);
	j = run_alone(port, coord_addr, &status);
	close(lfd);
	CU_ASSERT_EQUAL(status, 1);
	CU_ASSERT_STRING_EQUAL(jstr(j, "outcome"), "bind");
	CU_ASSERT(json_is_null(json_object_get(j, "t_register_ns")));
	json_decref(j);

	snprintf(nowhere, sizeof(nowhere), "127.0.0.1:%u", dead);
	j = run_alone(free_port(), nowhere, &status);
	CU_ASSERT_EQUAL(status, 1);
	CU_ASSERT_STRING_EQUAL(jstr(j, "outcome"), "coordinator");
	CU_ASSERT(json_is_null(json_object_get(j, "role")));
	json_decref(j);
}

/* --connect against a node played here, in Bitcoin Core's order. */
static void test_connect(void)
{
	uint16_t port = free_port();
	int64_t deadline = now_ms() + WAIT_MS;
	char target[32];
	char *argv[] = {(char *)agent_bin, "--connect", target, NULL};
	struct p2p_version v = {0};
	const uint8_t *pl;
	struct p2p_hdr h;
	static struct rx rx;
	int lfd, fd, verack = 0, pong = 0;
	struct proc p;
	json_t *j;

	lfd = listener(port, 8, 0, NULL);
	snprintf(target, sizeof(target), "127.0.0.1:%u", port);
	CU_ASSERT_FATAL(lfd >= 0 && !proc_spawn(&p, argv));
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
	j = proc_json(&p, WAIT_MS);
	CU_ASSERT_EQUAL(proc_wait(&p, WAIT_MS), 0);
	close(fd);
	close(lfd);
	CU_ASSERT_STRING_EQUAL(jstr(j, "outcome"), "ok");
	CU_ASSERT_STRING_EQUAL(jstr(j, "peer"), target);
	CU_ASSERT_EQUAL(jint(j, "peer_version"), 70016);
	CU_ASSERT_STRING_EQUAL(jstr(j, "peer_services"), "0x409");
	CU_ASSERT_STRING_EQUAL(jstr(j, "peer_user_agent"), "/Satoshi:99.0.0/");
	CU_ASSERT_EQUAL(jint(j, "peer_start_height"), 321);
	CU_ASSERT(jint(j, "t_handshake_ns") > jint(j, "t_established_ns"));
	json_decref(j);

	/* Nothing listens any more: RST. */
	CU_ASSERT_FATAL(!proc_spawn(&p, argv));
	j = proc_json(&p, WAIT_MS);
	CU_ASSERT_EQUAL(proc_wait(&p, WAIT_MS), 1);
	CU_ASSERT_STRING_EQUAL(jstr(j, "outcome"), "refused");
	json_decref(j);
}

static int run_status(char *const argv[])
{
	struct proc p;
	struct pollfd pfd = {.events = POLLIN};
	char buf[256];
	ssize_t n = 0;

	if (proc_spawn(&p, argv))
		return -1;
	pfd.fd = p.out;
	/* --help writes usage on stdout; errors write nothing there. */
	if (poll(&pfd, 1, WAIT_MS) == 1)
		n = read(p.out, buf, sizeof(buf) - 1);
	if (n > 0 && strncmp(buf, "usage:", 6))
		n = -1;
	return n < 0 ? -2 : proc_wait(&p, WAIT_MS);
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

	CU_ASSERT_EQUAL(run_status(help), 0);
	CU_ASSERT_EQUAL(run_status(none), 2);
	CU_ASSERT_EQUAL(run_status(noport), 2);
	CU_ASSERT_EQUAL(run_status(name), 2);
	CU_ASSERT_EQUAL(run_status(magic), 2);
}

static int coord_start(void)
{
	char *argv[] = {(char *)coord_bin, "--listen",	 "127.0.0.1:0",
			"--run-id",	   "unit-agent", NULL};
	json_t *ev;
	int r = -EBADMSG;

	if (proc_spawn(&coord, argv))
		return -errno;
	ev = proc_json(&coord, WAIT_MS);
	if (ev && !strcmp(jstr(ev, "event"), "listening")) {
		snprintf(coord_addr, sizeof(coord_addr), "%s",
			 jstr(ev, "addr"));
		r = 0;
	}
	json_decref(ev);
	return r;
}

static int suite_init(void)
{
	return coord_start() ? -1 : 0;
}

static int suite_clean(void)
{
	if (coord.pid > 0) {
		kill(coord.pid, SIGTERM);
		proc_wait(&coord, WAIT_MS);
	}
	return 0;
}

int main(void)
{
	static const struct {
		const char *name;
		CU_TestFunc fn;
	} tests[] = {
		{"usage and exit codes", test_usage},
		{"two agents punch and shake hands", test_pair},
		{"late peer met by a later wave", test_pair_skew},
		{"RST gives refused; SIGTERM still reports",
		 test_refused_and_sigterm},
		{"wrong nonce gives wrong-peer", test_wrong_peer},
		{"bind conflict and dead coordinator",
		 test_bind_and_coordinator},
		{"--connect handshake", test_connect},
	};
	CU_pSuite s;
	int fails;

	agent_bin = getenv("PUNCH_AGENT");
	if (!agent_bin)
		agent_bin = "build/bin/punch-agent";
	coord_bin = getenv("PUNCH_COORDINATOR");
	if (!coord_bin)
		coord_bin = "build/bin/punch-coordinator";
	if (access(agent_bin, X_OK) || access(coord_bin, X_OK)) {
		printf("SKIP: %s or %s not built (run make first, or set "
		       "PUNCH_AGENT / PUNCH_COORDINATOR)\n",
		       agent_bin, coord_bin);
		return 4;
	}
	signal(SIGPIPE, SIG_IGN);
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	s = CU_add_suite("agent", suite_init, suite_clean);
	if (!s)
		goto err;
	for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
		if (!CU_add_test(s, tests[i].name, tests[i].fn))
			goto err;
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	fails = CU_get_number_of_failures();
	CU_cleanup_registry();
	return fails ? 1 : 0;
err:
	CU_cleanup_registry();
	return 1;
}
