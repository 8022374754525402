/* test_nat: rendering against the golden nat-profiles/<name>.nft, and (as
 * root only, else SKIP) loading rulesets into throw-away namespaces and
 * watching the counters move when a SYN arrives. Run from the repo root.
 *
 *   [peer ns] eth0 198.51.100.2 ---- wan0 198.51.100.1 [router ns]
 */
#include <errno.h>
#include <fcntl.h>
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

#include "nat.h"

#define TABLE "punchlab_000000"

static const struct nat_ifaces golden_ifc = {
    .table = TABLE,
    .wan = "wan0",
    .lan = "lan0",
    .wan_addr = "198.51.100.1",
    .lan_cidr = "10.0.1.0/24",
};

static char rules[16384], why[256];

static int read_file(const char *path, char *buf, size_t cap)
{
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return -1;
	n = fread(buf, 1, cap - 1, f);
	fclose(f);
	buf[n] = '\0';
	return (int)n;
}

static int load(const char *path, struct nat_profile *p)
{
	struct cfg_error err;
	char msg[1200];

	if (profile_load(path, p, &err) == 0)
		return 0;
	fprintf(stderr, "\n%s\n", cfg_error_str(&err, msg, sizeof(msg)));
	return -1;
}

/* --- rendering (no root) --- */

static void test_golden(void)
{
	static char want[16384];
	struct nat_profile p;
	char nft[600];
	glob_t g;
	size_t i, line, k;
	int n;

	CU_ASSERT_EQUAL_FATAL(glob("nat-profiles/*.ini", 0, NULL, &g), 0);
	CU_ASSERT(g.gl_pathc >= 2);
	for (i = 0; i < g.gl_pathc; i++) {
		CU_ASSERT_EQUAL_FATAL(load(g.gl_pathv[i], &p), 0);
		n = nat_render(&p, &golden_ifc, rules, sizeof(rules), why,
			       sizeof(why));
		if (n < 0)
			fprintf(stderr, "\n%s: %s\n", g.gl_pathv[i], why);
		CU_ASSERT_FATAL(n > 0);
		snprintf(nft, sizeof(nft), "nat-profiles/%s.nft", p.name);
		CU_ASSERT_FATAL(read_file(nft, want, sizeof(want)) >= 0);
		if (strcmp(rules, want)) {
			for (k = 0, line = 1; rules[k] && rules[k] == want[k];
			     k++)
				line += rules[k] == '\n';
			fprintf(stderr,
				"\n%s: rendering differs from %s at "
				"line %zu\n",
				g.gl_pathv[i], nft, line);
		}
		CU_ASSERT_STRING_EQUAL(rules, want);
		CU_ASSERT_EQUAL((size_t)n, strlen(want));
	}
	globfree(&g);
}

static int count(const char *hay, const char *needle)
{
	int n = 0;

	for (; (hay = strstr(hay, needle)); hay++)
		n++;
	return n;
}

static void test_shape(void)
{
	struct nat_profile p;

	CU_ASSERT_EQUAL_FATAL(load("nat-profiles/home-eim.ini", &p), 0);
	CU_ASSERT_FATAL(nat_render(&p, &golden_ifc, rules, sizeof(rules), why,
				   sizeof(why)) > 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(rules, "table ip " TABLE " {}\n"
					     "delete table ip " TABLE "\n"
					     "table ip " TABLE " {\n"));
	CU_ASSERT_EQUAL(count(rules, "counter syn_dropped {"), 1);
	CU_ASSERT_EQUAL(count(rules, "counter rst_sent {"), 1);
	CU_ASSERT_EQUAL(count(rules, "counter name \"syn_dropped\" drop"), 2);
	CU_ASSERT_PTR_NULL(strstr(rules, "ct timeout"));

	p.unsolicited_syn = NAT_SYN_RST;
	CU_ASSERT_FATAL(nat_render(&p, &golden_ifc, rules, sizeof(rules), why,
				   sizeof(why)) > 0);
	CU_ASSERT_EQUAL(count(rules, "\"syn_dropped\" reject with tcp reset"),
			2);
	p.unsolicited_syn = NAT_SYN_ICMP;
	CU_ASSERT_FATAL(nat_render(&p, &golden_ifc, rules, sizeof(rules), why,
				   sizeof(why)) > 0);
	CU_ASSERT_EQUAL(count(rules, "reject with icmp type port-unreachable"),
			2);

	p.timeout_syn_sent = 30;
	CU_ASSERT_FATAL(nat_render(&p, &golden_ifc, rules, sizeof(rules), why,
				   sizeof(why)) > 0);
	CU_ASSERT_PTR_NOT_NULL(
	    strstr(rules, "policy = { syn_sent : 30, syn_sent2 : 30 }"));
	CU_ASSERT_PTR_NOT_NULL(strstr(rules, "iifname \"lan0\" meta l4proto "
					     "tcp ct state new ct timeout set "
					     "\"tcp_timeouts\""));
	p.timeout_syn_sent = 0;
	p.timeout_transitory = 240;
	CU_ASSERT_FATAL(nat_render(&p, &golden_ifc, rules, sizeof(rules), why,
				   sizeof(why)) > 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(rules, "policy = { syn_recv : 240, "));
	CU_ASSERT_PTR_NULL(strstr(rules, "syn_sent :"));
}

static void check_notsup(struct nat_profile *p, const char *msg)
{
	CU_ASSERT_EQUAL(
	    nat_render(p, &golden_ifc, rules, sizeof(rules), why, sizeof(why)),
	    -ENOTSUP);
	CU_ASSERT_STRING_EQUAL(why, msg);
}

static void test_not_implemented(void)
{
	struct nat_profile base, p;

	CU_ASSERT_EQUAL_FATAL(load("nat-profiles/home-eim.ini", &base), 0);
	p = base;
	p.filtering = NAT_FILTER_EIF;
	check_notsup(&p, "filtering endpoint-independent is not implemented "
			 "yet");
	p = base;
	p.filtering = NAT_FILTER_ADF;
	check_notsup(&p, "filtering address-dependent is not implemented yet");
	p = base;
	p.mapping = NAT_MAP_ADM;
	check_notsup(&p, "mapping address-dependent is not implemented yet");
	p = base;
	p.mapping = NAT_MAP_NONE;
	check_notsup(&p, "mapping none is not implemented yet");
	p = base;
	p.ports = NAT_PORTS_RANDOM;
	check_notsup(&p, "mapping endpoint-independent with port_assignment "
			 "random is not implemented yet");
	p = base;
	p.mapping = NAT_MAP_APDM;
	check_notsup(&p, "mapping address+port-dependent with port_assignment "
			 "preserve is not implemented yet");
	p = base;
	p.hairpin = 1;
	check_notsup(&p, "hairpinning on is not implemented yet");
}

static void test_bad_input(void)
{
	struct nat_ifaces ifc = golden_ifc;
	struct nat_profile p;
	char small[64];

	CU_ASSERT_EQUAL_FATAL(load("nat-profiles/home-eim.ini", &p), 0);
	CU_ASSERT_EQUAL(
	    nat_render(&p, &ifc, small, sizeof(small), why, sizeof(why)),
	    -ENOSPC);
	ifc.table = "t; flush ruleset";
	CU_ASSERT_EQUAL(
	    nat_render(&p, &ifc, rules, sizeof(rules), why, sizeof(why)),
	    -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "table name"));
	ifc = golden_ifc;
	ifc.wan = "wan0\" accept";
	CU_ASSERT_EQUAL(nat_render(&p, &ifc, rules, sizeof(rules), NULL, 0),
			-EINVAL);
	ifc = golden_ifc;
	ifc.lan = "a-name-longer-than-15";
	CU_ASSERT_EQUAL(nat_render(&p, &ifc, rules, sizeof(rules), NULL, 0),
			-EINVAL);
	ifc = golden_ifc;
	ifc.wan_addr = "198.51.100.256";
	CU_ASSERT_EQUAL(nat_render(&p, &ifc, rules, sizeof(rules), NULL, 0),
			-EINVAL);
	ifc = golden_ifc;
	ifc.lan_cidr = "10.0.1.0/33";
	CU_ASSERT_EQUAL(nat_render(&p, &ifc, rules, sizeof(rules), NULL, 0),
			-EINVAL);
}

/* --- loading (root) --- */

/* A namespace held by a child that waits for its pipe to close; gone,
 * with everything in it, when the test closes the pipe. */
struct tns {
	pid_t pid;
	int fd, hold;
};

static int tns_new(struct tns *t)
{
	int ready[2], hold[2];
	char path[64], c;

	if (pipe2(ready, O_CLOEXEC) < 0)
		return -1;
	if (pipe2(hold, O_CLOEXEC) < 0)
		goto err_ready;
	t->pid = fork();
	if (t->pid < 0)
		goto err_hold;
	if (t->pid == 0) {
		close(ready[0]);
		close(hold[1]);
		if (unshare(CLONE_NEWNET) < 0)
			_exit(1);
		if (write(ready[1], "1", 1) != 1)
			_exit(1);
		while (read(hold[0], &c, 1) > 0)
			;
		_exit(0);
	}
	close(ready[1]);
	close(hold[0]);
	t->hold = hold[1];
	t->fd = -1;
	if (read(ready[0], &c, 1) == 1) {
		snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)t->pid);
		t->fd = open(path, O_RDONLY | O_CLOEXEC);
	}
	close(ready[0]);
	if (t->fd >= 0)
		return 0;
	close(t->hold);
	waitpid(t->pid, NULL, 0);
	return -1;

err_hold:
	close(hold[0]);
	close(hold[1]);
err_ready:
	close(ready[0]);
	close(ready[1]);
	return -1;
}

static void tns_free(struct tns *t)
{
	close(t->fd);
	close(t->hold);
	waitpid(t->pid, NULL, 0);
}

static int tns_sh(const struct tns *t, const char *cmd)
{
	char line[512];

	snprintf(line, sizeof(line), "nsenter --net=/proc/%d/ns/net %s",
		 (int)t->pid, cmd);
	return system(line);
}

/* nft's own listing of the table, through the nft command, not our code. */
static int tns_list(const struct tns *t, char *buf, size_t cap)
{
	char cmd[160];
	FILE *f;
	size_t n;

	snprintf(cmd, sizeof(cmd),
		 "nsenter --net=/proc/%d/ns/net nft list table ip " TABLE,
		 (int)t->pid);
	f = popen(cmd, "r");
	if (!f)
		return -1;
	n = fread(buf, 1, cap - 1, f);
	buf[n] = '\0';
	return pclose(f) == 0 ? 0 : -1;
}

static int need_root(const char *what)
{
	if (geteuid() == 0)
		return 1;
	printf("\n  SKIP: %s needs root\n", what);
	return 0;
}

static unsigned long long counter(const struct tns *t, const char *name)
{
	unsigned long long v = ~0ULL;

	CU_ASSERT_EQUAL(nat_counter(t->fd, TABLE, name, &v), 0);
	return v;
}

static void test_apply(void)
{
	static char once[16384], twice[16384];
	struct nat_profile p;
	unsigned long long v;
	struct tns t;
	char err[1024];

	if (!need_root("loading rulesets"))
		return;
	CU_ASSERT_EQUAL_FATAL(load("nat-profiles/home-eim.ini", &p), 0);
	CU_ASSERT_FATAL(nat_render(&p, &golden_ifc, rules, sizeof(rules), why,
				   sizeof(why)) > 0);
	CU_ASSERT_EQUAL_FATAL(tns_new(&t), 0);

	CU_ASSERT_EQUAL(nat_counter(t.fd, TABLE, "syn_dropped", &v), -ENOENT);
	CU_ASSERT_EQUAL(nat_apply(t.fd, rules, err, sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(err, "");
	CU_ASSERT_EQUAL(counter(&t, "syn_dropped"), 0);
	CU_ASSERT_EQUAL(counter(&t, "rst_sent"), 0);
	CU_ASSERT_EQUAL(nat_counter(t.fd, TABLE, "nosuch", &v), -ENOENT);
	CU_ASSERT_EQUAL(tns_list(&t, once, sizeof(once)), 0);

	/* Again: the same table, not a second copy of each rule. */
	CU_ASSERT_EQUAL(nat_apply(t.fd, rules, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(tns_list(&t, twice, sizeof(twice)), 0);
	CU_ASSERT_STRING_EQUAL(once, twice);
	CU_ASSERT_EQUAL(count(twice, "counter name \"syn_dropped\" drop"), 2);

	/* A broken ruleset: nft's message, and the table left as it was. */
	CU_ASSERT_EQUAL(nat_apply(t.fd,
				  "table ip " TABLE " {}\n"
				  "delete table ip " TABLE "\n"
				  "table ip " TABLE " {\n"
				  "\tchain c {\n\t\tbogus statement\n\t}\n}\n",
				  err, sizeof(err)),
			-EPROTO);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "Error"));
	CU_ASSERT_EQUAL(tns_list(&t, twice, sizeof(twice)), 0);
	CU_ASSERT_STRING_EQUAL(once, twice);

	/* Another profile replaces the table in one step. */
	CU_ASSERT_EQUAL_FATAL(load("nat-profiles/symmetric.ini", &p), 0);
	CU_ASSERT_FATAL(nat_render(&p, &golden_ifc, rules, sizeof(rules), why,
				   sizeof(why)) > 0);
	CU_ASSERT_EQUAL(nat_apply(t.fd, rules, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(tns_list(&t, twice, sizeof(twice)), 0);
	CU_ASSERT_EQUAL(count(twice, "fully-random"), 2);
	CU_ASSERT_PTR_NULL(strstr(twice, "snat to 198.51.100.1\n"));

	/* With timeouts: the ct timeout object loads at priority filter. */
	p.timeout_syn_sent = 30;
	p.timeout_transitory = 240;
	CU_ASSERT_FATAL(nat_render(&p, &golden_ifc, rules, sizeof(rules), why,
				   sizeof(why)) > 0);
	CU_ASSERT_EQUAL(nat_apply(t.fd, rules, err, sizeof(err)), 0);
	if (err[0])
		fprintf(stderr, "\n%s\n", err);
	CU_ASSERT_EQUAL(tns_list(&t, twice, sizeof(twice)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(twice, "ct timeout tcp_timeouts"));

	CU_ASSERT_EQUAL(nat_apply(-1, rules, err, sizeof(err)), -EBADF);
	tns_free(&t);
}

/* connect() from the peer namespace: 0, -ECONNREFUSED or -ETIMEDOUT. */
static int peer_connect(int ns_fd, const char *addr, int port, int ms)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	struct pollfd pfd;
	socklen_t len = sizeof(int);
	int st, so_err = 0, s;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		if (setns(ns_fd, CLONE_NEWNET) < 0)
			_exit(10);
		s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		sa.sin_port = htons((uint16_t)port);
		inet_pton(AF_INET, addr, &sa.sin_addr);
		if (s < 0 || (connect(s, (struct sockaddr *)&sa, sizeof(sa)) &&
			      errno != EINPROGRESS))
			_exit(11);
		pfd = (struct pollfd){.fd = s, .events = POLLOUT};
		if (poll(&pfd, 1, ms) == 0)
			_exit(2);
		getsockopt(s, SOL_SOCKET, SO_ERROR, &so_err, &len);
		_exit(so_err == 0 ? 0 : so_err == ECONNREFUSED ? 3 : 12);
	}
	if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st))
		return -EIO;
	switch (WEXITSTATUS(st)) {
	case 0:
		return 0;
	case 2:
		return -ETIMEDOUT;
	case 3:
		return -ECONNREFUSED;
	default:
		return -EIO;
	}
}

/* An unsolicited SYN at the router's WAN address, per unsolicited_syn. */
static void test_wire(void)
{
	static const struct {
		enum nat_syn syn;
		int result;
		unsigned long long rst;
	} cases[] = {
	    {NAT_SYN_DROP, -ETIMEDOUT, 0},
	    {NAT_SYN_RST, -ECONNREFUSED, 1},
	    {NAT_SYN_ICMP, -ECONNREFUSED, 0},
	};
	struct nat_profile p;
	struct tns r, peer;
	char cmd[256], err[1024];
	size_t i;

	if (!need_root("the wire test"))
		return;
	CU_ASSERT_EQUAL_FATAL(load("nat-profiles/home-eim.ini", &p), 0);
	CU_ASSERT_EQUAL_FATAL(tns_new(&r), 0);
	CU_ASSERT_EQUAL_FATAL(tns_new(&peer), 0);
	snprintf(cmd, sizeof(cmd),
		 "ip link add wan0 type veth peer name eth0 netns %d",
		 (int)peer.pid);
	CU_ASSERT_EQUAL_FATAL(tns_sh(&r, cmd), 0);
	CU_ASSERT_EQUAL_FATAL(
	    tns_sh(&r, "ip addr add 198.51.100.1/24 dev wan0"), 0);
	CU_ASSERT_EQUAL_FATAL(tns_sh(&r, "ip link set wan0 up"), 0);
	CU_ASSERT_EQUAL_FATAL(
	    tns_sh(&peer, "ip addr add 198.51.100.2/24 dev eth0"), 0);
	CU_ASSERT_EQUAL_FATAL(tns_sh(&peer, "ip link set eth0 up"), 0);

	for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		p.unsolicited_syn = cases[i].syn;
		CU_ASSERT_FATAL(nat_render(&p, &golden_ifc, rules,
					   sizeof(rules), why,
					   sizeof(why)) > 0);
		CU_ASSERT_EQUAL_FATAL(nat_apply(r.fd, rules, err, sizeof(err)),
				      0);
		/* 500 ms: before the first SYN retransmission. */
		CU_ASSERT_EQUAL(
		    peer_connect(peer.fd, "198.51.100.1", 5555, 500),
		    cases[i].result);
		CU_ASSERT_EQUAL(counter(&r, "syn_dropped"), 1);
		CU_ASSERT_EQUAL(counter(&r, "rst_sent"), cases[i].rst);
	}
	tns_free(&peer);
	tns_free(&r);
}

int main(void)
{
	unsigned int failed;
	CU_pSuite s;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	s = CU_add_suite("nat", NULL, NULL);
	if (!s ||
	    !CU_add_test(s, "golden rulesets of shipped profiles",
			 test_golden) ||
	    !CU_add_test(s, "rule fragments", test_shape) ||
	    !CU_add_test(s, "not implemented yet", test_not_implemented) ||
	    !CU_add_test(s, "bad input", test_bad_input) ||
	    !CU_add_test(s, "apply, idempotent, broken (root)", test_apply) ||
	    !CU_add_test(s, "unsolicited SYN on the wire (root)", test_wire)) {
		CU_cleanup_registry();
		return 2;
	}
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failed = CU_get_number_of_failures();
	CU_cleanup_registry();
	return failed ? 1 : 0;
}
