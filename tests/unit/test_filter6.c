/* test_filter6: the IPv6 filter of a home router (filter6.c) rendered
 * against the golden nat-profiles/<name>.nft6, and (as root only, else
 * SKIP) loaded into throw-away namespaces and checked with real TCP
 * connections: each filtering class admits what it declares, each
 * unsolicited_syn answers as it says, and a simultaneous open passes
 * (RFC 6092 REC-31). PUNCHLAB_GOLDEN_UPDATE=1 rewrites the golden files.
 *
 *   [out] eth0 2001:db8::1, ::2 ---- wan0 2001:db8::fe [router] lan0 2001:db8:1::1/64 ---- eth0 2001:db8:1::2 [lan]
 */
#include <errno.h>
#include <glob.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CUnit/Basic.h>

#include "filter6.h"
#include "nat.h"
#include "netns.h"
#include "lib/testutil.h"

#define TABLE "punchlab_000000_f6"
#define OUT1 "2001:db8::1"
#define OUT2 "2001:db8::2"
#define LAN "2001:db8:1::2"

static const struct filter6_ifaces golden = {
	.table = TABLE, .wan = "wan0", .lan = "lan0",
	.lan6 = "2001:db8:1::/64",
};

static char rules[NAT_RULESET_MAX], why[256];

/* Every shipped home profile with IPv6 has its .nft6 (carriers route
 * IPv6 untouched and load none). */
static void test_golden(void)
{
	static char want[sizeof(rules)];
	const char *update = getenv("PUNCHLAB_GOLDEN_UPDATE");
	struct nat_profile p;
	char path[600];
	size_t n = 0;
	glob_t g;
	int r;

	CU_ASSERT_EQUAL_FATAL(glob("nat-profiles/*.ini", 0, NULL, &g), 0);
	for (size_t i = 0; i < g.gl_pathc; i++) {
		CU_ASSERT_EQUAL_FATAL(testutil_profile_load(g.gl_pathv[i], &p), 0);
		if (!p.ipv6.enabled || p.port_block)
			continue;
		n++;
		r = filter6_render(&p, &golden, rules, sizeof(rules), why,
				   sizeof(why));
		CU_ASSERT_FATAL(r > 0);
		snprintf(path, sizeof(path), "nat-profiles/%.63s.nft6", p.name);
		if (update && !strcmp(update, "1")) {
			FILE *f = fopen(path, "w");

			CU_ASSERT_PTR_NOT_NULL_FATAL(f);
			fputs(rules, f);
			fclose(f);
		}
		CU_ASSERT_FATAL(testutil_read_file(path, want, sizeof(want)) >= 0);
		if (strcmp(rules, want))
			fprintf(stderr, "\n%s: rendering differs from %s\n",
				g.gl_pathv[i], path);
		CU_ASSERT_STRING_EQUAL(rules, want);
	}
	globfree(&g);
	CU_ASSERT(n >= 3); /* openwrt-fw4, mikrotik-defconf, cgnat-eim-v6 */
}

/* Names are pasted into rules; the prefix must be one. */
static void test_bad_input(void)
{
	struct filter6_ifaces ifc = golden;
	struct nat_profile p;
	char small[32];

	CU_ASSERT_EQUAL_FATAL(testutil_profile_load("nat-profiles/openwrt-fw4.ini", &p), 0);
	CU_ASSERT_EQUAL(filter6_render(&p, &ifc, small, sizeof(small), NULL, 0),
			-ENOSPC);
	ifc.table = "t; flush ruleset";
	CU_ASSERT_EQUAL(filter6_render(&p, &ifc, rules, sizeof(rules), why,
				       sizeof(why)),
			-EINVAL);
	ifc = golden;
	ifc.wan = "wan0\" accept";
	CU_ASSERT_EQUAL(filter6_render(&p, &ifc, rules, sizeof(rules), NULL, 0),
			-EINVAL);
	ifc = golden;
	for (size_t i = 0; i < 5; i++) {
		static const char *const bad[] = { "2001:db8:1::/129",
						   "2001:db8:1::", "10.0.1.0/24",
						   "2001:db8:1::/6x",
						   "2001:db8:1::/64 accept" };

		ifc.lan6 = bad[i];
		why[0] = '\0';
		CU_ASSERT_EQUAL(filter6_render(&p, &ifc, rules, sizeof(rules),
					       why, sizeof(why)),
				-EINVAL);
		CU_ASSERT_PTR_NOT_NULL(strstr(why, "invalid LAN prefix"));
	}
	ifc = golden;
	p.ipv6.filtering = (enum profile6_filter)9;
	CU_ASSERT_EQUAL(filter6_render(&p, &ifc, rules, sizeof(rules), NULL, 0),
			-ENOTSUP);
}

/* --- on the wire (root) --- */

static char nsname[3][48]; /* out, router, lan */
enum { OUT, RTR, HOST };

static int sh(const char *fmt, const char *a, const char *b)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), fmt, a, b);
	return system(cmd);
}

static int world_up(void)
{
	static const char *const tag[3] = { "out", "r", "lan" };
	static const char *const steps[] = {
		"ip -n %s link add wan0 type veth peer name eth0 netns %s",
		"ip -n %s link add lan0 type veth peer name eth0 netns %s",
	};
	int e = 0;

	for (int i = 0; i < 3; i++) {
		snprintf(nsname[i], sizeof(nsname[i]), "f6test-%d-%s",
			 (int)getpid(), tag[i]);
		if (netns_add(nsname[i]) < 0)
			return -1;
		e |= sh("ip netns exec %s sysctl -qw net.ipv6.conf.all.accept_dad=0 "
			"net.ipv6.conf.default.accept_dad=0%s", nsname[i], "");
	}
	e |= sh("ip netns exec %s sysctl -qw net.ipv6.conf.all.forwarding=1%s",
		nsname[RTR], "");
	e |= sh(steps[0], nsname[RTR], nsname[OUT]);
	e |= sh(steps[1], nsname[RTR], nsname[HOST]);
	e |= sh("ip -n %s addr add 2001:db8:1::1/64 dev lan0 && ip -n %s "
		"link set lan0 up", nsname[RTR], nsname[RTR]);
	e |= sh("ip -n %s link set wan0 up && ip -n %s addr add "
		"2001:db8::fe/64 dev wan0", nsname[RTR], nsname[RTR]);
	e |= sh("ip -n %s addr add " OUT1 "/64 dev eth0 && ip -n %s addr add "
		OUT2 "/64 dev eth0", nsname[OUT], nsname[OUT]);
	e |= sh("ip -n %s link set eth0 up && ip -n %s route add "
		"2001:db8:1::/64 via 2001:db8::fe", nsname[OUT], nsname[OUT]);
	e |= sh("ip -n %s addr add " LAN "/64 dev eth0 && ip -n %s link set "
		"eth0 up", nsname[HOST], nsname[HOST]);
	e |= sh("ip -n %s route add default via 2001:db8:1::1%s", nsname[HOST],
		"");
	return e ? -1 : 0;
}

static void world_down(void)
{
	for (int i = 0; i < 3; i++)
		if (nsname[i][0])
			netns_del(nsname[i]);
}

static int ns_fd(int which)
{
	return netns_open(nsname[which]);
}

/* A child in namespace which, listening on [addr]:port (SO_REUSEPORT,
 * so an outbound socket can share the port), accepting until killed. */
static pid_t listener(int which, const char *addr, int port)
{
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6 };
	int fd = ns_fd(which), s, one = 1, ready[2];
	pid_t pid;
	char c;

	if (fd < 0 || pipe(ready) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		if (setns(fd, CLONE_NEWNET) < 0)
			_exit(10);
		s = socket(AF_INET6, SOCK_STREAM, 0);
		setsockopt(s, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
		sa.sin6_port = htons((uint16_t)port);
		inet_pton(AF_INET6, addr, &sa.sin6_addr);
		if (bind(s, (struct sockaddr *)&sa, sizeof(sa)) || listen(s, 8))
			_exit(11);
		if (write(ready[1], "1", 1) != 1)
			_exit(12);
		for (;;) {
			int c2 = accept(s, NULL, NULL);

			if (c2 >= 0)
				close(c2);
		}
	}
	close(fd);
	close(ready[1]);
	if (pid < 0 || read(ready[0], &c, 1) != 1) {
		close(ready[0]);
		return -1;
	}
	close(ready[0]);
	return pid;
}

static void stop(pid_t pid)
{
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
}

/* From [src]:sport (0: any) in namespace which to [dst]:dport, within ms:
 * 0, -ETIMEDOUT, -ECONNREFUSED (a RST), -EACCES (ICMPv6 admin
 * prohibited) or -EIO. Runs in a child; returns its pid when nowait. */
static int dial(int which, const char *src, int sport, const char *dst,
		int dport, int ms, pid_t *nowait)
{
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6 },
			    la = { .sin6_family = AF_INET6 };
	int fd = ns_fd(which), st, s, one = 1, so_err = 0;
	socklen_t len = sizeof(so_err);
	struct pollfd pfd;
	pid_t pid;

	if (fd < 0)
		return -EIO;
	pid = fork();
	if (pid == 0) {
		if (setns(fd, CLONE_NEWNET) < 0)
			_exit(10);
		s = socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK, 0);
		setsockopt(s, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
		la.sin6_port = htons((uint16_t)sport);
		inet_pton(AF_INET6, src, &la.sin6_addr);
		sa.sin6_port = htons((uint16_t)dport);
		inet_pton(AF_INET6, dst, &sa.sin6_addr);
		if (bind(s, (struct sockaddr *)&la, sizeof(la)) ||
		    (connect(s, (struct sockaddr *)&sa, sizeof(sa)) &&
		     errno != EINPROGRESS))
			_exit(11);
		pfd = (struct pollfd){ .fd = s, .events = POLLOUT };
		if (poll(&pfd, 1, ms) == 0)
			_exit(2);
		getsockopt(s, SOL_SOCKET, SO_ERROR, &so_err, &len);
		_exit(so_err == 0 ? 0 : so_err == ECONNREFUSED ? 3 :
			  so_err == EACCES ? 4 : 12);
	}
	close(fd);
	if (nowait) {
		*nowait = pid;
		return 0;
	}
	if (pid < 0 || waitpid(pid, &st, 0) < 0 || !WIFEXITED(st))
		return -EIO;
	switch (WEXITSTATUS(st)) {
	case 0: return 0;
	case 2: return -ETIMEDOUT;
	case 3: return -ECONNREFUSED;
	case 4: return -EACCES;
	}
	return -EIO;
}

static int dial_wait(pid_t pid)
{
	int st;

	if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st))
		return -EIO;
	return WEXITSTATUS(st) == 0 ? 0 : -EIO;
}

/* world_up's links carry packets once addrconf has run on them: poll
 * until an outbound SYN gets its RST back from a closed port. */
static int world_ready(void)
{
	for (int i = 0; i < 50; i++)
		if (dial(HOST, LAN, 0, OUT1, 9, 100, NULL) == -ECONNREFUSED)
			return 0;
	return -1;
}

static int apply(const struct nat_profile *p)
{
	char err[1024];
	int fd = ns_fd(RTR), e;

	e = filter6_render(p, &golden, rules, sizeof(rules), why, sizeof(why));
	if (e > 0)
		e = nat_apply(fd, rules, err, sizeof(err));
	if (e)
		fprintf(stderr, "\n%s %s\n", why, err);
	close(fd);
	return e;
}

static unsigned long long counter(const char *name)
{
	unsigned long long v = ~0ULL;
	int fd = ns_fd(RTR);

	CU_ASSERT_EQUAL(nat_counter_at(fd, "ip6", TABLE, name, &v, NULL), 0);
	close(fd);
	return v;
}

static int need_root(const char *what)
{
	if (geteuid() == 0)
		return 1;
	printf("\n  SKIP: %s needs root\n", what);
	return 0;
}

/* Each class, after the LAN host sent from port 7000 to OUT1:7100: who
 * may open a new connection to it. 400 ms: before SYN retransmission. */
static void test_filtering_wire(void)
{
	static const struct {
		enum profile6_filter f;
		int same_addr, other_addr, unused_port; /* 1: admitted */
	} cases[] = {
		{ PROFILE6_EIF, 1, 1, 0 },
		{ PROFILE6_ADF, 1, 0, 0 },
		{ PROFILE6_APDF, 0, 0, 0 },
		{ PROFILE6_OPEN, 1, 1, 1 },
	};
	struct nat_profile p;
	pid_t l[3];
	int r;

	if (!need_root("the IPv6 filtering wire test"))
		return;
	CU_ASSERT_EQUAL_FATAL(testutil_profile_load("nat-profiles/openwrt-fw4.ini", &p), 0);
	CU_ASSERT_EQUAL_FATAL(world_up(), 0);
	CU_ASSERT_EQUAL_FATAL(world_ready(), 0);
	l[0] = listener(OUT, OUT1, 7100);
	l[1] = listener(HOST, LAN, 7000);
	l[2] = listener(HOST, LAN, 7001);
	for (size_t i = 0; i < TESTUTIL_N(cases); i++) {
		p.ipv6.filtering = cases[i].f;
		p.ipv6.unsolicited_syn = NAT_SYN_DROP;
		CU_ASSERT_EQUAL_FATAL(apply(&p), 0);
		r = dial(HOST, LAN, 7000, OUT1, 7100, 1000, NULL);
		if (r)
			fprintf(stderr, "\n  outbound: %s\n", strerror(-r));
		CU_ASSERT_EQUAL(r, 0);
		CU_ASSERT_EQUAL(dial(OUT, OUT1, 7200, LAN, 7000, 400, NULL),
				cases[i].same_addr ? 0 : -ETIMEDOUT);
		CU_ASSERT_EQUAL(dial(OUT, OUT2, 7201, LAN, 7000, 400, NULL),
				cases[i].other_addr ? 0 : -ETIMEDOUT);
		CU_ASSERT_EQUAL(dial(OUT, OUT1, 7202, LAN, 7001, 400, NULL),
				cases[i].unused_port ? 0 : -ETIMEDOUT);
		if (cases[i].f != PROFILE6_OPEN)
			CU_ASSERT_EQUAL(counter("syn_dropped"),
					(unsigned long long)(3 -
					cases[i].same_addr -
					cases[i].other_addr));
	}
	for (int k = 0; k < 3; k++)
		stop(l[k]);
	world_down();
}

/* The answer to an unsolicited SYN, and the RSTs the router sent. */
static void test_syn_wire(void)
{
	/* Measured: Linux ends a connect on the ICMPv6 error only after
	 * its first SYN retransmission (1 s) gets one too, hence 1.5 s and
	 * two SYNs counted for icmp. */
	static const struct {
		enum nat_syn syn;
		int result, ms;
		unsigned long long syns, rst;
	} cases[] = {
		{ NAT_SYN_DROP, -ETIMEDOUT, 400, 1, 0 },
		{ NAT_SYN_RST, -ECONNREFUSED, 400, 1, 1 },
		{ NAT_SYN_ICMP, -EACCES, 1500, 2, 0 },
	};
	struct nat_profile p;
	int r;

	if (!need_root("the IPv6 unsolicited SYN wire test"))
		return;
	CU_ASSERT_EQUAL_FATAL(testutil_profile_load("nat-profiles/openwrt-fw4.ini", &p), 0);
	CU_ASSERT_EQUAL_FATAL(world_up(), 0);
	CU_ASSERT_EQUAL_FATAL(world_ready(), 0);
	for (size_t i = 0; i < TESTUTIL_N(cases); i++) {
		p.ipv6.unsolicited_syn = cases[i].syn;
		CU_ASSERT_EQUAL_FATAL(apply(&p), 0);
		r = dial(OUT, OUT1, 0, LAN, 5555, cases[i].ms, NULL);
		if (r != cases[i].result)
			fprintf(stderr, "\n  syn %d: %s\n", (int)i,
				strerror(-r));
		CU_ASSERT_EQUAL(r, cases[i].result);
		CU_ASSERT_EQUAL(counter("syn_dropped"), cases[i].syns);
		CU_ASSERT_EQUAL(counter("rst_sent"), cases[i].rst);
	}
	world_down();
}

/* RFC 6092 REC-31: the outside SYN is dropped first (no state), the
 * inside one crosses it, and both ends connect (conntrack SYN_SENT2). */
static void test_simopen_wire(void)
{
	struct nat_profile p;
	pid_t outside, inside;

	if (!need_root("the IPv6 simultaneous open wire test"))
		return;
	CU_ASSERT_EQUAL_FATAL(testutil_profile_load("nat-profiles/cgnat-eim-v6.ini", &p), 0);
	CU_ASSERT_EQUAL_FATAL(world_up(), 0);
	CU_ASSERT_EQUAL_FATAL(world_ready(), 0);
	CU_ASSERT_EQUAL_FATAL(apply(&p), 0);
	dial(OUT, OUT1, 7400, LAN, 7300, 4000, &outside);
	usleep(200 * 1000);
	dial(HOST, LAN, 7300, OUT1, 7400, 4000, &inside);
	CU_ASSERT_EQUAL(dial_wait(inside), 0);
	CU_ASSERT_EQUAL(dial_wait(outside), 0);
	CU_ASSERT_EQUAL(counter("syn_dropped"), 1);
	world_down();
}

/* Every golden file loads as it is. */
static void test_goldens_load(void)
{
	char err[1024];
	glob_t g;
	int fd;

	if (!need_root("loading the IPv6 golden rulesets"))
		return;
	CU_ASSERT_EQUAL_FATAL(world_up(), 0);
	CU_ASSERT_EQUAL_FATAL(world_ready(), 0);
	fd = ns_fd(RTR);
	CU_ASSERT_EQUAL_FATAL(glob("nat-profiles/*.nft6", 0, NULL, &g), 0);
	for (size_t i = 0; i < g.gl_pathc; i++) {
		CU_ASSERT_FATAL(testutil_read_file(g.gl_pathv[i], rules, sizeof(rules)) > 0);
		CU_ASSERT_EQUAL(nat_apply(fd, rules, err, sizeof(err)), 0);
	}
	globfree(&g);
	close(fd);
	world_down();
}

int main(void)
{
	static const struct testutil_case tests[] = {
		{ "golden IPv6 filters of shipped profiles", test_golden },
		{ "bad input", test_bad_input },
		{ "golden IPv6 filters load (root)", test_goldens_load },
		{ "filtering classes on the wire (root)", test_filtering_wire },
		{ "unsolicited SYN answers on the wire (root)", test_syn_wire },
		{ "simultaneous open passes (root)", test_simopen_wire },
	};

	return testutil_run_suite("filter6", NULL, NULL, tests,
				  TESTUTIL_N(tests)) ? 1 : 0;
}
