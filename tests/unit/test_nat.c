/* test_nat: rendering against the golden nat-profiles/<name>.nft, and (as
 * root only, else SKIP) loading rulesets into throw-away namespaces and
 * checking with real TCP connections that every shipped profile behaves as
 * it declares. Run from the repo root; PUNCHLAB_GOLDEN_UPDATE=1 rewrites
 * the golden files instead of comparing (read the diff afterwards).
 *
 *   [inet] eth0 198.51.100.2 .3 .4 ---- wan0 198.51.100.1 [router] lan0 10.0.1.1 ---- eth0 10.0.1.2 .3 [lan]
 *
 * and for a profile with `behind` (NAT444):
 *
 *   [inet] ---- wan0 198.51.100.1 [carrier] lan0 100.64.0.1/10 ---- wan0 100.64.0.2 [router] ---- [lan]
 */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CUnit/Basic.h>

#include "nat.h"
#include "netns.h"
#include "topo.h"
#include "lib/testutil.h"

#define TABLE "punchlab_000000"

static const struct nat_ifaces golden_ifc = {
    .table = TABLE,
    .wan = "wan0",
    .lan = "lan0",
    .wan_addr = "198.51.100.1",
    .lan_cidr = "10.0.1.0/24",
};

/* A router behind a carrier NAT: its WAN address is in 100.64.0.0/10. */
static const struct nat_ifaces golden_behind_ifc = {
    .table = TABLE,
    .wan = "wan0",
    .lan = "lan0",
    .wan_addr = "100.64.0.2",
    .lan_cidr = "10.0.1.0/24",
};

/* A carrier NAT: its subscribers are home routers' WAN addresses. */
static const char *const golden_subscribers[] = {"100.64.0.2", "100.64.0.3"};
static const struct nat_ifaces golden_carrier_ifc = {
    .table = TABLE,
    .wan = "wan0",
    .lan = "lan0",
    .wan_addr = "198.51.100.1",
    .lan_cidr = "100.64.0.0/10",
    .subscribers = golden_subscribers,
    .nsubscribers = 2,
};

static char rules[NAT_RULESET_MAX], why[256];

/* --- rendering (no root) --- */

static int write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	int ok;

	if (!f)
		return -1;
	ok = fputs(text, f) >= 0;
	return fclose(f) == 0 && ok ? 0 : -1;
}

/* The ifaces a shipped profile's golden file is rendered for: a carrier
 * (some profile's behind names it, or it has port blocks) serves two
 * subscribers; a router behind a carrier has a 100.64/10 WAN address. */
static const struct nat_ifaces *golden_ifaces(const struct nat_profile *p,
					      const struct nat_profile *all,
					      size_t n)
{
	size_t i;

	if (p->behind[0])
		return &golden_behind_ifc;
	if (p->port_block)
		return &golden_carrier_ifc;
	for (i = 0; i < n; i++)
		if (!strcmp(all[i].behind, p->name))
			return &golden_carrier_ifc;
	return &golden_ifc;
}

/* Renders every .ini of dir and compares it with <dir>/<name>.nft;
 * returns how many there were. */
static size_t golden_dir(const char *dir)
{
	static char want[sizeof(rules)];
	static struct nat_profile all[64];
	const char *update = getenv("PUNCHLAB_GOLDEN_UPDATE");
	const struct nat_profile *p;
	char nft[600], pat[256];
	glob_t g;
	size_t i, line, k, n;
	int r;

	snprintf(pat, sizeof(pat), "%s/*.ini", dir);
	CU_ASSERT_EQUAL_FATAL(glob(pat, 0, NULL, &g), 0);
	n = g.gl_pathc < 64 ? g.gl_pathc : 64;
	for (i = 0; i < n; i++)
		CU_ASSERT_EQUAL_FATAL(testutil_profile_load(g.gl_pathv[i], &all[i]), 0);
	for (i = 0; i < n; i++) {
		p = &all[i];
		r = nat_render(p, golden_ifaces(p, all, n), rules,
			       sizeof(rules), why, sizeof(why));
		if (r < 0)
			fprintf(stderr, "\n%s: %s\n", g.gl_pathv[i], why);
		CU_ASSERT_FATAL(r > 0);
		snprintf(nft, sizeof(nft), "%s/%.63s.nft", dir, p->name);
		if (update && !strcmp(update, "1"))
			CU_ASSERT_EQUAL(write_file(nft, rules), 0);
		CU_ASSERT_FATAL(testutil_read_file(nft, want, sizeof(want)) >= 0);
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
		CU_ASSERT_EQUAL((size_t)r, strlen(want));
		/* What world.c and `punchlab nat show` can hold. */
		CU_ASSERT(r < 16384);
	}
	globfree(&g);
	return n;
}

static void test_golden(void)
{
	CU_ASSERT(golden_dir("nat-profiles") >= 11);
	/* profiles of the keys that no shipped profile sets */
	CU_ASSERT(golden_dir("tests/unit/data/keys") >= 8);
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

	CU_ASSERT_EQUAL_FATAL(testutil_profile_load("nat-profiles/home-eim.ini", &p), 0);
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
	/* and UDP follows: ICMP port unreachable for datagrams too */
	CU_ASSERT_EQUAL(count(rules, "reject with icmp type port-unreachable"),
			4);

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

static int render(const struct nat_profile *p, const struct nat_ifaces *ifc)
{
	int n = nat_render(p, ifc, rules, sizeof(rules), why, sizeof(why));

	if (n < 0)
		fprintf(stderr, "\n%s: %s\n", p->name, why);
	return n;
}

/* Each behaviour's rules, where the golden files do not show them all. */
static void test_fragments(void)
{
	struct nat_ifaces ifc = golden_carrier_ifc;
	struct nat_profile base, p;
	const char *a, *b, *c;

	CU_ASSERT_EQUAL_FATAL(testutil_profile_load("nat-profiles/home-eim.ini", &base), 0);

	/* EIM with drawn ports: reuse a learned mapping, else draw one. */
	p = base;
	p.ports = NAT_PORTS_RANDOM;
	CU_ASSERT_FATAL(render(&p, &golden_ifc) > 0);
	a = strstr(rules, "oifname \"wan0\" ip saddr 10.0.1.0/24 meta l4proto "
			  "{ tcp, udp } snat to 198.51.100.1 : ip saddr . meta "
			  "l4proto . th sport map @eim_ports\n");
	b = strstr(rules, "snat to 198.51.100.1:1024-65535 fully-random\n");
	CU_ASSERT(a && b && a < b);
	CU_ASSERT_PTR_NOT_NULL(strstr(
	    rules, "\tchain learn {\n\t\ttype filter hook postrouting priority "
		   "srcnat + 10; policy accept;\n\t\tct state new ct direction "
		   "original ct status snat ct original ip saddr 10.0.1.0/24 "
		   "meta l4proto { tcp, udp } delete @eim_ports { ct original "
		   "ip saddr . ct original protocol . ct original proto-src : "
		   "ct reply proto-dst }\n\t\tct direction original ct "
		   "status snat ct original ip saddr 10.0.1.0/24 meta l4proto "
		   "{ tcp, udp } update @eim_ports { ct original ip saddr . ct "
		   "original protocol . ct original proto-src : ct reply "
		   "proto-dst }\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(rules, "\t\ttimeout 7440s\n"));
	p.timeout_established = 600;
	CU_ASSERT_FATAL(render(&p, &golden_ifc) > 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(rules, "\t\ttimeout 600s\n"));

	/* Sequential: numgen through a map whose values are ports. */
	p = base;
	p.ports = NAT_PORTS_SEQUENTIAL;
	p.port_min = 5000;
	p.port_max = 5003;
	CU_ASSERT_FATAL(render(&p, &golden_ifc) > 0);
	CU_ASSERT_PTR_NOT_NULL(
	    strstr(rules, "snat to 198.51.100.1 : numgen inc mod 4 map { 0 : "
			  "5000, 1 : 5001, 2 : 5002, 3 : 5003 }\n"));

	/* ADM keeping the first port: lookup, first mapping, later ones. */
	p = base;
	p.mapping = NAT_MAP_ADM;
	CU_ASSERT_FATAL(render(&p, &golden_ifc) > 0);
	a = strstr(rules, "th sport . ct original ip daddr map @adm_ports\n");
	b = strstr(rules, "th sport != @seen snat to 198.51.100.1\n");
	c = strstr(rules, "snat to 198.51.100.1:1024-65535 fully-random\n");
	CU_ASSERT(a && b && c && a < b && b < c);
	CU_ASSERT_PTR_NOT_NULL(strstr(rules, "update @seen {"));
	p.mapping = NAT_MAP_APDM;
	CU_ASSERT_FATAL(render(&p, &golden_ifc) > 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(rules, "!= @seen"));
	CU_ASSERT_PTR_NULL(strstr(rules, "_ports"));

	/* EIF: a dnat through the learned owner map, accepted in forward
	 * before the unsolicited-SYN rule and the final drop. */
	p = base;
	p.filtering = NAT_FILTER_EIF;
	CU_ASSERT_FATAL(render(&p, &golden_ifc) > 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(
	    rules, "\t\tiifname \"wan0\" ip daddr 198.51.100.1 meta l4proto { "
		   "tcp, udp } dnat ip to meta l4proto . th dport map @owner\n"));
	a = strstr(rules, "iifname \"wan0\" ct status dnat accept\n");
	b = strstr(rules, "\"udp_dropped\" drop\n\t\tiifname \"wan0\" ct state "
			  "new drop\n");
	CU_ASSERT(a && b && a < b);
	p.filtering = NAT_FILTER_ADF;
	CU_ASSERT_FATAL(render(&p, &golden_ifc) > 0);
	CU_ASSERT_PTR_NOT_NULL(
	    strstr(rules, "dnat ip to meta l4proto . th dport . ip saddr map "
			  "@adf_owner\n"));
	CU_ASSERT_PTR_NOT_NULL(
	    strstr(rules, "update @adf_owner { ct original protocol . ct reply "
			  "proto-dst . ct original ip daddr : ct original ip "
			  "saddr . ct original proto-src }"));

	/* Hairpinning: both paths jump to one mapping chain. */
	p = base;
	p.hairpin = 1;
	CU_ASSERT_FATAL(render(&p, &golden_ifc) > 0);
	CU_ASSERT_EQUAL(count(rules, "jump mapping"), 2);
	CU_ASSERT_PTR_NOT_NULL(
	    strstr(rules, "oifname \"lan0\" ct status dnat jump mapping\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(
	    rules, "\tchain mapping {\n\t\tip saddr 10.0.1.0/24 snat to "
		   "198.51.100.1\n\t}\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(
	    rules, "iifname \"lan0\" ip saddr 10.0.1.0/24 ip daddr 198.51.100.1 "
		   "meta l4proto { tcp, udp } dnat ip to meta l4proto . th "
		   "dport map @owner\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(rules, ", hairpinning on\n"));
	/* The hairpin's redirect, like any, dies in output (any port). */
	CU_ASSERT_PTR_NOT_NULL(
	    strstr(rules, "\t\ticmp type redirect counter drop\n"));

	/* No translation: a firewall that opens learned inside endpoints. */
	p = base;
	p.mapping = NAT_MAP_NONE;
	p.hairpin = 1;
	CU_ASSERT_FATAL(render(&p, &golden_ifc) > 0);
	CU_ASSERT_PTR_NULL(strstr(rules, "snat"));
	CU_ASSERT_PTR_NULL(strstr(rules, "dnat"));
	CU_ASSERT_PTR_NULL(strstr(rules, "jump"));
	CU_ASSERT_PTR_NOT_NULL(strstr(rules, "iifname \"wan0\" ct state new "
					     "drop\n"));
	p.filtering = NAT_FILTER_EIF;
	CU_ASSERT_FATAL(render(&p, &golden_ifc) > 0);
	CU_ASSERT_PTR_NOT_NULL(
	    strstr(rules, "iifname \"wan0\" ct state new meta l4proto { tcp, "
			  "udp } ip daddr . meta l4proto . th dport @eif_open "
			  "accept\n"));
	CU_ASSERT_PTR_NOT_NULL(
	    strstr(rules, "oifname \"wan0\" ct direction original ct original "
			  "ip saddr 10.0.1.0/24 meta l4proto { tcp, udp } update "
			  "@eif_open {"));
	p.filtering = NAT_FILTER_ADF;
	CU_ASSERT_FATAL(render(&p, &golden_ifc) > 0);
	CU_ASSERT_PTR_NOT_NULL(
	    strstr(rules, "th dport . ip saddr @adf_open accept\n"));

	/* Port blocks: one rule per subscriber, in order. */
	p = base;
	p.ports = NAT_PORTS_RANDOM;
	p.port_min = 10000;
	p.port_max = 19999;
	p.port_block = 1000;
	CU_ASSERT_FATAL(render(&p, &ifc) > 0);
	a = strstr(rules, "oifname \"wan0\" ip saddr 100.64.0.2 meta l4proto "
			  "{ tcp, udp } snat to 198.51.100.1:10000-10999 "
			  "fully-random\n");
	b = strstr(rules, "ip saddr 100.64.0.3 meta l4proto { tcp, udp } snat "
			  "to 198.51.100.1:11000-11999 fully-random\n");
	CU_ASSERT(a && b && a < b);
	CU_ASSERT_PTR_NOT_NULL(strstr(rules, "map @eim_ports\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(rules, ", port_block 1000\n"));
	p.ports = NAT_PORTS_PRESERVE;
	CU_ASSERT_FATAL(render(&p, &ifc) > 0);
	CU_ASSERT_PTR_NOT_NULL(
	    strstr(rules, "ip saddr 100.64.0.3 meta l4proto { tcp, udp } snat "
			  "to 198.51.100.1:11000-11999\n"));
	p.ports = NAT_PORTS_SEQUENTIAL;
	p.port_block = 2;
	CU_ASSERT_FATAL(render(&p, &ifc) > 0);
	CU_ASSERT_PTR_NOT_NULL(
	    strstr(rules, "ip saddr 100.64.0.3 meta l4proto { tcp, udp } snat "
			  "to 198.51.100.1 : numgen inc mod 2 map { 0 : 10002, "
			  "1 : 10003 }\n"));

	p = base;
	strcpy(p.behind, "carrier-x");
	CU_ASSERT_FATAL(render(&p, &golden_behind_ifc) > 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(rules, ", behind carrier-x\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(rules, "snat to 100.64.0.2\n"));
}

static void check_render_error(const struct nat_profile *p,
			       const struct nat_ifaces *ifc, int e,
			       const char *msg)
{
	CU_ASSERT_EQUAL(
	    nat_render(p, ifc, rules, sizeof(rules), why, sizeof(why)), e);
	if (!strstr(why, msg))
		fprintf(stderr, "\n'%s' lacks '%s'\n", why, msg);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, msg));
}

static void test_render_errors(void)
{
	struct nat_ifaces ifc = golden_carrier_ifc;
	struct nat_profile base, p;
	char small[600];

	CU_ASSERT_EQUAL_FATAL(testutil_profile_load("nat-profiles/home-eim.ini", &base), 0);
	p = base;
	p.port_block = 100;
	check_render_error(&p, &golden_ifc, -EINVAL,
			   "port_block needs the subscribers' addresses");
	p.port_min = 1024;
	p.port_max = 1123;
	check_render_error(&p, &ifc, -EINVAL,
			   "port_range 1024-1123 holds 1 blocks of 100 ports: "
			   "none left for subscriber 100.64.0.3");
	p = base;
	p.ports = NAT_PORTS_SEQUENTIAL;
	check_render_error(&p, &golden_ifc, -E2BIG,
			   "sequential ports 1024-65535: at most 1024");
	p.port_max = 1024 + 999;
	CU_ASSERT_EQUAL(
	    nat_render(&p, &golden_ifc, small, sizeof(small), why, sizeof(why)),
	    -ENOSPC);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "does not fit in 600 bytes"));
	p = base;
	p.port_min = 2000;
	p.port_max = 1999;
	check_render_error(&p, &golden_ifc, -EINVAL,
			   "invalid port_range 2000-1999");
	p = base;
	p.mapping = (enum nat_mapping)9;
	check_render_error(&p, &golden_ifc, -ENOTSUP, "mapping 9");
	p = base;
	p.ports = (enum nat_ports)9;
	check_render_error(&p, &golden_ifc, -ENOTSUP, "port_assignment 9");
	p = base;
	p.filtering = (enum nat_filter)9;
	check_render_error(&p, &golden_ifc, -ENOTSUP, "filtering 9");
	p = base;
	p.unsolicited_syn = (enum nat_syn)9;
	check_render_error(&p, &golden_ifc, -ENOTSUP, "unsolicited_syn 9");
}

static void test_bad_input(void)
{
	static const char *const outside[] = {"100.64.0.2", "10.0.0.1"};
	static const char *const injected[] = {"100.64.0.2",
					       "100.64.0.3 accept"};
	static const char *const bad_cidr[] = {
	    "10.0.1.0/33", "10.0.1.0/-1", "10.0.1.0/abc", "10.0.1.0/",
	    "10.0.1.0/24x", "10.0.1.0/99999999999999999999", "10.0.1.0"};
	struct nat_ifaces ifc = golden_ifc;
	struct nat_profile p;
	char small[64];

	CU_ASSERT_EQUAL_FATAL(testutil_profile_load("nat-profiles/home-eim.ini", &p), 0);
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
	/* A bad prefix length is refused by name, before it is used as a
	 * shift count (/33 once shifted by -1). */
	for (size_t i = 0; i < sizeof(bad_cidr) / sizeof(*bad_cidr); i++) {
		ifc = golden_ifc;
		ifc.lan_cidr = bad_cidr[i];
		why[0] = '\0';
		CU_ASSERT_EQUAL(nat_render(&p, &ifc, rules, sizeof(rules), why,
					   sizeof(why)),
				-EINVAL);
		if (!strstr(why, "invalid LAN prefix (a.b.c.d/0..32)"))
			fprintf(stderr, "\n  %s: '%s'\n", bad_cidr[i], why);
		CU_ASSERT_PTR_NOT_NULL(
		    strstr(why, "invalid LAN prefix (a.b.c.d/0..32)"));
	}
	/* The ends of the range are fine. */
	ifc = golden_ifc;
	ifc.lan_cidr = "10.0.1.0/32";
	CU_ASSERT(nat_render(&p, &ifc, rules, sizeof(rules), NULL, 0) > 0);
	ifc.lan_cidr = "0.0.0.0/0";
	CU_ASSERT(nat_render(&p, &ifc, rules, sizeof(rules), NULL, 0) > 0);

	/* Subscribers are pasted into rules too, and must be inside. */
	ifc = golden_carrier_ifc;
	ifc.subscribers = outside;
	CU_ASSERT_EQUAL(
	    nat_render(&p, &ifc, rules, sizeof(rules), why, sizeof(why)),
	    -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "subscriber address"));
	ifc.subscribers = injected;
	CU_ASSERT_EQUAL(nat_render(&p, &ifc, rules, sizeof(rules), NULL, 0),
			-EINVAL);
	ifc.subscribers = NULL;
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
		/* Hold nothing but our own pipes, or another namespace's
		 * holder would wait for us to close its pipe too. */
		for (int fd = 3; fd < 1024; fd++)
			if (fd != ready[1] && fd != hold[0])
				close(fd);
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
	CU_ASSERT_EQUAL_FATAL(testutil_profile_load("nat-profiles/home-eim.ini", &p), 0);
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
	CU_ASSERT_EQUAL_FATAL(testutil_profile_load("nat-profiles/symmetric.ini", &p), 0);
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
/* Our children other than skip, from /proc (ppid is field 4). */
static int children_except(pid_t skip)
{
	char buf[512], *p;
	int n = 0, ppid;
	glob_t g;

	if (glob("/proc/[0-9]*/stat", 0, NULL, &g) != 0)
		return -1;
	for (size_t i = 0; i < g.gl_pathc; i++) {
		FILE *f = fopen(g.gl_pathv[i], "re");
		int pid;

		if (!f)
			continue;
		p = fgets(buf, sizeof(buf), f) ? strrchr(buf, ')') : NULL;
		fclose(f);
		if (p && sscanf(p, ") %*c %d", &ppid) == 1 &&
		    ppid == getpid() && sscanf(buf, "%d", &pid) == 1 &&
		    pid != skip)
			n++;
	}
	globfree(&g);
	return n;
}

/* nat_apply returns once the ruleset is in, without sitting through its
 * child's slow exit; those children are reaped later, never piling up. */
/* The keys of issue 11 on top of every mapping, port assignment and
 * hairpinning: each ruleset renders and loads. */
static void test_keys_load(void)
{
	static const enum nat_mapping maps[] = {NAT_MAP_EIM, NAT_MAP_ADM,
						NAT_MAP_APDM, NAT_MAP_NONE};
	static const enum nat_ports ports[] = {
	    NAT_PORTS_PRESERVE, NAT_PORTS_RANDOM, NAT_PORTS_SEQUENTIAL};
	struct nat_profile base, p;
	char err[1024];
	struct tns t;
	size_t m, k;
	int hp, n = 0;

	if (!need_root("loading the keys' rulesets"))
		return;
	CU_ASSERT_EQUAL_FATAL(testutil_profile_load("nat-profiles/home-eim.ini", &base), 0);
	base.port_min = 40000;
	base.port_max = 40255;
	base.simultaneous_open = NAT_SIMOPEN_DROP;
	base.refresh = NAT_REFRESH_OUTBOUND;
	base.port_overloading_set = 1; /* off */
	CU_ASSERT_EQUAL_FATAL(tns_new(&t), 0);
	for (m = 0; m < sizeof(maps) / sizeof(*maps); m++)
		for (k = 0; k < sizeof(ports) / sizeof(*ports); k++)
			for (hp = 0; hp < 2; hp++) {
				p = base;
				p.mapping = maps[m];
				p.ports = ports[k];
				p.hairpin = hp;
				if (p.mapping == NAT_MAP_NONE &&
				    p.ports != NAT_PORTS_PRESERVE)
					continue;
				CU_ASSERT_FATAL(render(&p, &golden_ifc) > 0);
				CU_ASSERT_EQUAL(
				    nat_apply(t.fd, rules, err, sizeof(err)), 0);
				if (err[0])
					fprintf(stderr, "\n%s\n%s\n", rules, err);
				CU_ASSERT_EQUAL(count(rules, "th sport @taken"),
						p.mapping != NAT_MAP_NONE &&
						p.ports == NAT_PORTS_PRESERVE);
				n++;
			}
	CU_ASSERT_EQUAL(n, 20);
	tns_free(&t);
}

static void test_apply_many(void)
{
	static char once[16384], again[16384];
	struct nat_profile p;
	struct tns t;
	char err[1024];
	int n;

	if (!need_root("loading rulesets"))
		return;
	CU_ASSERT_EQUAL_FATAL(testutil_profile_load("nat-profiles/home-eim.ini", &p), 0);
	CU_ASSERT_FATAL(nat_render(&p, &golden_ifc, rules, sizeof(rules), why,
				   sizeof(why)) > 0);
	CU_ASSERT_EQUAL_FATAL(tns_new(&t), 0);
	CU_ASSERT_EQUAL(nat_apply(t.fd, rules, err, sizeof(err)), 0);
	/* Loaded when nat_apply returns, child gone or not. */
	CU_ASSERT_EQUAL(tns_list(&t, once, sizeof(once)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(once, "snat to 198.51.100.1"));
	for (int i = 0; i < 80; i++)
		CU_ASSERT_EQUAL(nat_apply(t.fd, rules, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(tns_list(&t, again, sizeof(again)), 0);
	CU_ASSERT_STRING_EQUAL(once, again);
	n = children_except(t.pid);
	CU_ASSERT(n >= 0 && n <= 64);
	tns_free(&t);
}

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
	CU_ASSERT_EQUAL_FATAL(testutil_profile_load("nat-profiles/home-eim.ini", &p), 0);
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

/* Every golden file loads as it is (nft accepts what we ship). */
static void test_goldens_load(void)
{
	static char text[sizeof(rules)];
	char err[1024];
	struct tns t;
	glob_t g;
	size_t i;

	if (!need_root("loading the golden rulesets"))
		return;
	CU_ASSERT_EQUAL_FATAL(glob("nat-profiles/*.nft", 0, NULL, &g), 0);
	CU_ASSERT_EQUAL_FATAL(
	    glob("tests/unit/data/keys/*.nft", GLOB_APPEND, NULL, &g), 0);
	CU_ASSERT_EQUAL_FATAL(tns_new(&t), 0);
	for (i = 0; i < g.gl_pathc; i++) {
		CU_ASSERT_FATAL(testutil_read_file(g.gl_pathv[i], text, sizeof(text)) >
				0);
		CU_ASSERT_EQUAL(nat_apply(t.fd, text, err, sizeof(err)), 0);
		if (err[0])
			fprintf(stderr, "\n%s: %s\n", g.gl_pathv[i], err);
	}
	tns_free(&t);
	globfree(&g);
}

/* --- behaviour on the wire (root): the topology in the file header --- */

#define PUB "198.51.100.1" /* the outermost NAT's public address */
#define R1 "198.51.100.2"
#define R2 "198.51.100.3"
#define R3 "198.51.100.4" /* never contacted from inside */
#define H1 "10.0.1.2"
#define H2 "10.0.1.3"
#define H1_PORT 41000 /* H1's endpoints: 41000, 41001, ... */
#define H2_PORT 42000
/* A refused SYN is answered within microseconds over veths; one that is
 * dropped never is, and the first retransmission comes after 1 s. What
 * should get through may take its time on a loaded machine. */
#define WAIT_MS 250
#define PASS_MS 2000
/* The carrier's subscribers: the router under test is the second, so its
 * ports must come from the second block. */
#define LAB_SUBSCRIBER 1
static const char *const lab_subscribers[] = {"100.64.0.9", "100.64.0.2"};

struct lab {
	const char *name;
	const struct nat_profile *p, *c; /* c: carrier, or NULL */
	struct tns inet, carrier, router, lan;
	int socks[32];
	int nsocks;
};

static void lab_fail(const struct lab *l, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void lab_fail(const struct lab *l, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "\n  %s: ", l->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
}

#define LAB_CHECK(l, cond, ...)                                                \
	do {                                                                   \
		int lab_ok_ = !!(cond); /* once: cond may accept() */          \
		if (!lab_ok_)                                                  \
			lab_fail(l, __VA_ARGS__);                              \
		CU_assertImplementation(lab_ok_, __LINE__, #cond, __FILE__,    \
					"", CU_FALSE);                         \
	} while (0)

/* A TCP socket made in t's namespace (it stays there), bound to
 * addr:port with SO_REUSEADDR and SO_REUSEPORT as the agents bind: one
 * inside port holds several connections and a listener. */
static int sock_in(const struct tns *t, const char *addr, int port)
{
	struct sockaddr_in sa = {.sin_family = AF_INET,
				 .sin_port = htons((uint16_t)port)};
	int self, s = -1, one = 1;

	self = netns_self();
	if (self < 0)
		return -1;
	if (netns_enter(t->fd) == 0) {
		s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
			   0);
		if (netns_enter(self) < 0)
			abort(); /* the rest of the run would be elsewhere */
	}
	close(self);
	if (s < 0)
		return -1;
	inet_pton(AF_INET, addr, &sa.sin_addr);
	if (setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    setsockopt(s, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) ||
	    bind(s, (struct sockaddr *)&sa, sizeof(sa))) {
		close(s);
		return -1;
	}
	return s;
}

static int lab_keep(struct lab *l, int s)
{
	if (l->nsocks == (int)(sizeof(l->socks) / sizeof(*l->socks))) {
		close(s);
		return -1;
	}
	l->socks[l->nsocks++] = s;
	return s;
}

static int lab_listen(struct lab *l, const struct tns *t, const char *addr,
		      int port)
{
	int s = sock_in(t, addr, port);

	if (s < 0 || listen(s, 16) < 0) {
		if (s >= 0)
			close(s);
		return -1;
	}
	return lab_keep(l, s);
}

/* Connects src:sport (in t) to dst:dport and keeps the connection open.
 * 0, -ETIMEDOUT (no answer), -ECONNREFUSED (RST or ICMP) or -errno. */
static int lab_dial(struct lab *l, const struct tns *t, const char *src,
		    int sport, const char *dst, int dport, int ms)
{
	struct sockaddr_in sa = {.sin_family = AF_INET,
				 .sin_port = htons((uint16_t)dport)};
	struct pollfd pfd;
	socklen_t len = sizeof(int);
	int s, so_err = 0;

	s = sock_in(t, src, sport);
	if (s < 0)
		return -EIO;
	inet_pton(AF_INET, dst, &sa.sin_addr);
	if (connect(s, (struct sockaddr *)&sa, sizeof(sa)) &&
	    errno != EINPROGRESS) {
		so_err = errno;
		close(s);
		return -so_err;
	}
	pfd = (struct pollfd){.fd = s, .events = POLLOUT};
	if (poll(&pfd, 1, ms) == 0) {
		close(s);
		return -ETIMEDOUT;
	}
	getsockopt(s, SOL_SOCKET, SO_ERROR, &so_err, &len);
	if (so_err) {
		close(s);
		return -so_err;
	}
	return lab_keep(l, s) < 0 ? -EMFILE : 0;
}

/* The peer of a connection waiting on listener lfd (within ms): how it
 * looks from there. 0 or -ETIMEDOUT. */
static int lab_accept(int lfd, int ms, char addr[INET_ADDRSTRLEN], int *port)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	struct pollfd pfd = {.fd = lfd, .events = POLLIN};
	int c;

	if (poll(&pfd, 1, ms) <= 0)
		return -ETIMEDOUT;
	c = accept(lfd, (struct sockaddr *)&sa, &len);
	if (c < 0)
		return -errno;
	close(c);
	inet_ntop(AF_INET, &sa.sin_addr, addr, INET_ADDRSTRLEN);
	*port = ntohs(sa.sin_port);
	return 0;
}

/* The external endpoint of src:sport toward dst:dport, as seen by dst's
 * listener lfd. 0 or -errno. */
static int lab_map(struct lab *l, const struct tns *t, const char *src,
		   int sport, const char *dst, int dport, int lfd,
		   char addr[INET_ADDRSTRLEN], int *port)
{
	int e = lab_dial(l, t, src, sport, dst, dport, PASS_MS);

	if (e < 0) {
		lab_fail(l, "%s:%d -> %s:%d: %s", src, sport, dst, dport,
			 strerror(-e));
		return e;
	}
	return lab_accept(lfd, PASS_MS, addr, port);
}

static int lab_render_apply(const struct lab *l, const struct tns *t,
			    const struct nat_profile *p,
			    const struct nat_ifaces *ifc)
{
	char err[1024];

	if (nat_render(p, ifc, rules, sizeof(rules), why, sizeof(why)) < 0) {
		lab_fail(l, "%s: %s", p->name, why);
		return -1;
	}
	if (nat_apply(t->fd, rules, err, sizeof(err)) < 0) {
		lab_fail(l, "%s: %s", p->name, err);
		return -1;
	}
	return 0;
}

static void lab_down(struct lab *l)
{
	while (l->nsocks)
		close(l->socks[--l->nsocks]);
	if (l->lan.fd >= 0)
		tns_free(&l->lan);
	if (l->router.fd >= 0)
		tns_free(&l->router);
	if (l->carrier.fd >= 0)
		tns_free(&l->carrier);
	if (l->inet.fd >= 0)
		tns_free(&l->inet);
}

/* Builds the topology for p (behind c when c is not NULL) and loads the
 * rulesets. 0, or -1 with everything already taken down. */
static int lab_up(struct lab *l)
{
	static const struct nat_ifaces carrier_ifc = {
	    .table = TABLE,
	    .wan = "wan0",
	    .lan = "lan0",
	    .wan_addr = PUB,
	    .lan_cidr = "100.64.0.0/10",
	    .subscribers = lab_subscribers,
	    .nsubscribers = 2,
	};
	struct nat_ifaces home_ifc = golden_ifc;
	struct tns *edge; /* the NAT facing the internet */
	int e = 0;

	l->inet.fd = l->carrier.fd = l->router.fd = l->lan.fd = -1;
	l->nsocks = 0;
	if (tns_new(&l->inet) || tns_new(&l->router) || tns_new(&l->lan) ||
	    (l->c && tns_new(&l->carrier)))
		goto err;
	edge = l->c ? &l->carrier : &l->router;
	e = e ?: topo_veth(l->inet.fd, "eth0", edge->fd, "wan0");
	e = e ?: topo_addr(l->inet.fd, "eth0", R1 "/24");
	e = e ?: topo_addr(l->inet.fd, "eth0", R2 "/24");
	e = e ?: topo_addr(l->inet.fd, "eth0", R3 "/24");
	e = e ?: topo_link_up(l->inet.fd, "eth0");
	e = e ?: topo_addr(edge->fd, "wan0", PUB "/24");
	e = e ?: topo_link_up(edge->fd, "wan0");
	if (l->c) {
		e = e ?: topo_veth(l->carrier.fd, "lan0", l->router.fd, "wan0");
		e = e ?: topo_addr(l->carrier.fd, "lan0", "100.64.0.1/10");
		e = e ?: topo_link_up(l->carrier.fd, "lan0");
		e = e ?: topo_sysctl(l->carrier.fd, "net.ipv4.ip_forward", "1");
		e = e ?: topo_addr(l->router.fd, "wan0", "100.64.0.2/10");
		e = e ?: topo_link_up(l->router.fd, "wan0");
		e = e ?: topo_route(l->router.fd, "default", "100.64.0.1", NULL,
				    0);
		home_ifc.wan_addr = "100.64.0.2";
	}
	e = e ?: topo_veth(l->router.fd, "lan0", l->lan.fd, "eth0");
	e = e ?: topo_addr(l->router.fd, "lan0", "10.0.1.1/24");
	e = e ?: topo_link_up(l->router.fd, "lan0");
	e = e ?: topo_sysctl(l->router.fd, "net.ipv4.ip_forward", "1");
	e = e ?: topo_addr(l->lan.fd, "eth0", H1 "/24");
	e = e ?: topo_addr(l->lan.fd, "eth0", H2 "/24");
	e = e ?: topo_link_up(l->lan.fd, "eth0");
	e = e ?: topo_route(l->lan.fd, "default", "10.0.1.1", NULL, 0);
	/* Public inside addresses are routed to, not translated. */
	if (l->p->mapping == NAT_MAP_NONE && !l->c)
		e = e ?: topo_route(l->inet.fd, "10.0.1.0/24", PUB, NULL, 0);
	if (e) {
		lab_fail(l, "topology: %s", strerror(-e));
		goto err;
	}
	if (lab_render_apply(l, &l->router, l->p, &home_ifc) ||
	    (l->c && lab_render_apply(l, &l->carrier, l->c, &carrier_ifc)))
		goto err;
	return 0;

err:
	lab_down(l);
	return -1;
}

/* --- what a profile (or a router behind a carrier) should do --- */

static int admits(enum nat_filter f, int same_addr)
{
	return f == NAT_FILTER_EIF || (f == NAT_FILTER_ADF && same_addr);
}

/* NAT444 is as dependent as its more dependent half; none adds nothing. */
static enum nat_mapping lab_mapping(const struct lab *l)
{
	enum nat_mapping a = l->p->mapping, b = l->c ? l->c->mapping : a;

	if (a == NAT_MAP_NONE)
		return b;
	if (b == NAT_MAP_NONE)
		return a;
	return a > b ? a : b;
}

/* The NAT whose port the world sees: the carrier, unless it keeps the
 * ports the home router picked. */
static const struct nat_profile *lab_port_picker(const struct lab *l)
{
	const struct nat_profile *c = l->c;

	if (c && c->mapping != NAT_MAP_NONE &&
	    (c->ports != NAT_PORTS_PRESERVE || c->port_block))
		return c;
	return l->p;
}

/* Who refuses an inbound SYN from a remote host (same_addr: from an
 * address the inside endpoint has sent to; same_addr < 0: to a port
 * nothing maps), outermost first; NULL when it gets through. */
static const struct tns *lab_refuser(struct lab *l, int same_addr,
				     const struct nat_profile **who)
{
	if (l->c && (same_addr < 0 || !admits(l->c->filtering, same_addr))) {
		*who = l->c;
		return &l->carrier;
	}
	if (same_addr < 0 || !admits(l->p->filtering, same_addr)) {
		*who = l->p;
		return &l->router;
	}
	*who = NULL;
	return NULL;
}

static int syn_result(enum nat_syn s)
{
	return s == NAT_SYN_DROP ? -ETIMEDOUT : -ECONNREFUSED;
}

/* An inbound SYN from src to dst:dport: reaches listener lfd inside, or
 * is refused the way the refusing NAT declares, and counted there. */
static void lab_inbound(struct lab *l, const char *what, const char *src,
			const char *dst, int dport, int same_addr, int lfd)
{
	const struct nat_profile *who;
	const struct tns *t = lab_refuser(l, same_addr, &who);
	unsigned long long syn0 = 0, syn1 = 0, rst0 = 0, rst1 = 0;
	char addr[INET_ADDRSTRLEN] = "";
	int e, port;

	if (t) {
		nat_counter(t->fd, TABLE, "syn_dropped", &syn0);
		nat_counter(t->fd, TABLE, "rst_sent", &rst0);
	}
	e = lab_dial(l, &l->inet, src, 0, dst, dport, t ? WAIT_MS : PASS_MS);
	if (!t) {
		LAB_CHECK(l, e == 0, "%s: %s -> %s:%d refused (%s)", what, src,
			  dst, dport, strerror(-e));
		e = lab_accept(lfd, PASS_MS, addr, &port);
		LAB_CHECK(l, e == 0 && !strcmp(addr, src),
			  "%s: %s -> %s:%d did not reach the inside host",
			  what, src, dst, dport);
		return;
	}
	LAB_CHECK(l, e == syn_result(who->unsolicited_syn),
		  "%s: %s -> %s:%d: %s, but %s says unsolicited_syn %s", what,
		  src, dst, dport, e ? strerror(-e) : "connected", who->name,
		  profile_syn_str(who->unsolicited_syn));
	/* Whatever was refused must not have reached inside either. */
	LAB_CHECK(l, lab_accept(lfd, 0, addr, &port) == -ETIMEDOUT,
		  "%s: %s reached the inside host", what, src);
	nat_counter(t->fd, TABLE, "syn_dropped", &syn1);
	nat_counter(t->fd, TABLE, "rst_sent", &rst1);
	LAB_CHECK(l, syn1 > syn0, "%s: %s's syn_dropped did not move", what,
		  who->name);
	LAB_CHECK(l, (rst1 > rst0) == (who->unsolicited_syn == NAT_SYN_RST),
		  "%s: %s sent %llu RSTs", what, who->name, rst1 - rst0);
}

/* Mapping and port assignment: four fresh inside endpoints toward one
 * remote endpoint, then the first one toward two more. */
static int lab_mapping_checks(struct lab *l, int lr1a, int lr1b, int lr2,
			      char pub[INET_ADDRSTRLEN], int *m11)
{
	const struct nat_profile *pick = lab_port_picker(l);
	enum nat_mapping m = lab_mapping(l);
	char addr[INET_ADDRSTRLEN];
	int f[4], m12, m21, k, seq = 1, kept = 0, lo = 0, hi = 65535;

	for (k = 0; k < 4; k++) {
		if (lab_map(l, &l->lan, H1, H1_PORT + k, R1, 7000, lr1a, addr,
			    &f[k]))
			return -1;
		LAB_CHECK(l, !strcmp(addr, m == NAT_MAP_NONE ? H1 : PUB),
			  "seen from %s instead", addr);
		seq &= !k || f[k] == f[k - 1] + 1;
		kept += f[k] == H1_PORT + k;
	}
	strcpy(pub, addr);
	*m11 = f[0];
	if (lab_map(l, &l->lan, H1, H1_PORT, R1, 7001, lr1b, addr, &m12) ||
	    lab_map(l, &l->lan, H1, H1_PORT, R2, 7000, lr2, addr, &m21))
		return -1;

	switch (m) {
	case NAT_MAP_EIM:
	case NAT_MAP_NONE:
		LAB_CHECK(l, m12 == f[0] && m21 == f[0],
			  "mapping not endpoint-independent: %d %d %d", f[0],
			  m12, m21);
		break;
	case NAT_MAP_ADM:
		LAB_CHECK(l, m12 == f[0] && m21 != f[0],
			  "mapping not address-dependent: %d %d %d", f[0], m12,
			  m21);
		break;
	case NAT_MAP_APDM:
		LAB_CHECK(l, m12 != f[0] && m21 != f[0] && m21 != m12,
			  "mapping not address+port-dependent: %d %d %d", f[0],
			  m12, m21);
		break;
	}

	/* A block keeps only ports inside it (none of ours): for preserve
	 * with blocks, only the range is checked below. */
	if (m == NAT_MAP_NONE ||
	    (pick->ports == NAT_PORTS_PRESERVE && !pick->port_block)) {
		LAB_CHECK(l, kept == 4, "ports not preserved: %d %d %d %d",
			  f[0], f[1], f[2], f[3]);
		return 0;
	}
	if (pick->ports == NAT_PORTS_SEQUENTIAL)
		LAB_CHECK(l, seq, "ports not sequential: %d %d %d %d", f[0],
			  f[1], f[2], f[3]);
	if (pick->ports == NAT_PORTS_RANDOM)
		LAB_CHECK(l, !seq && kept < 4,
			  "ports not random: %d %d %d %d", f[0], f[1], f[2],
			  f[3]);
	lo = pick->port_min;
	hi = pick->port_max;
	if (pick->port_block) {
		lo += LAB_SUBSCRIBER * (int)pick->port_block;
		hi = lo + (int)pick->port_block - 1;
	}
	for (k = 0; k < 4; k++)
		LAB_CHECK(l, f[k] >= lo && f[k] <= hi,
			  "port %d outside %d-%d", f[k], lo, hi);
	LAB_CHECK(l, m12 >= lo && m12 <= hi && m21 >= lo && m21 <= hi,
		  "port %d or %d outside %d-%d", m12, m21, lo, hi);
	return 0;
}

/* Hairpinning: H2 connects to H1's public endpoint. */
static void lab_hairpin_checks(struct lab *l, const char *pub, int m11,
			       int lr1a, int lh1)
{
	int reach = l->c ? l->c->hairpin && admits(l->p->filtering, 0)
			 : l->p->hairpin;
	char addr[INET_ADDRSTRLEN];
	int q, port, e;

	/* H2's own mapping first, as the world sees it. */
	if (lab_map(l, &l->lan, H2, H2_PORT, R1, 7000, lr1a, addr, &q))
		return;
	e = lab_dial(l, &l->lan, H2, H2_PORT, pub, m11,
		     reach ? PASS_MS : WAIT_MS);
	if (!reach) {
		LAB_CHECK(l, lab_accept(lh1, 0, addr, &port) == -ETIMEDOUT,
			  "hairpinning is off, yet H2 reached H1 (%s)",
			  e ? strerror(-e) : "connected");
		return;
	}
	LAB_CHECK(l, e == 0, "hairpin connect: %s", strerror(-e));
	e = lab_accept(lh1, PASS_MS, addr, &port);
	LAB_CHECK(l, e == 0, "hairpinned connection did not reach H1");
	if (e)
		return;
	/* RFC 4787 REQ-9a: H1 sees H2's external address and port. */
	LAB_CHECK(l, !strcmp(addr, PUB), "hairpinned source %s, not %s", addr,
		  PUB);
	if (lab_mapping(l) == NAT_MAP_EIM && !l->c)
		LAB_CHECK(l, port == q,
			  "hairpinned source port %d, H2's mapping is %d", port,
			  q);
}

static void lab_run(const char *name, const struct nat_profile *p,
		    const struct nat_profile *c)
{
	struct lab l = {.name = name, .p = p, .c = c};
	char pub[INET_ADDRSTRLEN];
	int lr1a, lr1b, lr2, lh1, m11;

	if (lab_up(&l) < 0) {
		CU_FAIL("lab setup");
		return;
	}
	lr1a = lab_listen(&l, &l.inet, R1, 7000);
	lr1b = lab_listen(&l, &l.inet, R1, 7001);
	lr2 = lab_listen(&l, &l.inet, R2, 7000);
	CU_ASSERT_FATAL(lr1a >= 0 && lr1b >= 0 && lr2 >= 0);
	if (lab_mapping_checks(&l, lr1a, lr1b, lr2, pub, &m11) < 0) {
		CU_FAIL("mapping");
		lab_down(&l);
		return;
	}
	/* H1's first endpoint listens too: who may connect to it? */
	lh1 = lab_listen(&l, &l.lan, H1, H1_PORT);
	CU_ASSERT_FATAL(lh1 >= 0);
	lab_inbound(&l, "filtering, contacted address", R1, pub, m11, 1, lh1);
	lab_inbound(&l, "filtering, third host", R3, pub, m11, 0, lh1);
	/* Nothing maps port 9: refused by the outermost NAT. */
	lab_inbound(&l, "unsolicited SYN", R3, pub, 9, -1, lh1);
	if (lab_mapping(&l) != NAT_MAP_NONE)
		lab_hairpin_checks(&l, pub, m11, lr1a, lh1);
	lab_down(&l);
}

/* The seconds conntrack gives the router's entry in state with match in
 * its line (read where the namespace's holder sees it), or -1. */
static long ct_timeout(const struct tns *t, const char *state,
		       const char *match)
{
	char path[64], line[512], st[32];
	long left = -1, v;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/net/nf_conntrack", (int)t->pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (left < 0 && fgets(line, sizeof(line), f))
		if (strstr(line, match) &&
		    sscanf(line, "%*s %*d %*s %*d %ld %31s", &v, st) == 2 &&
		    !strcmp(st, state))
			left = v;
	fclose(f);
	return left;
}

/* [timeouts] on connections through the router: each state's clock
 * starts at the profile's value, not the kernel's default. */
static void test_timeouts_wire(void)
{
	struct nat_profile p;
	struct lab l = {.name = "timeouts", .p = &p};
	char addr[INET_ADDRSTRLEN];
	int lr, port;
	long t;

	if (!need_root("the timeout test"))
		return;
	CU_ASSERT_EQUAL_FATAL(testutil_profile_load("nat-profiles/home-eim.ini", &p), 0);
	p.timeout_syn_sent = 30;	/* kernel: 120 */
	p.timeout_established = 600; /* kernel: 432000 */
	p.timeout_transitory = 50;	/* kernel: 60 (close_wait) */
	if (lab_up(&l) < 0) {
		CU_FAIL("lab setup");
		return;
	}
	lr = lab_listen(&l, &l.inet, R1, 7000);
	CU_ASSERT_FATAL(lr >= 0);
	/* Established: left in the listener's queue, never closed. */
	CU_ASSERT_EQUAL(lab_dial(&l, &l.lan, H1, H1_PORT, R1, 7000, PASS_MS),
			0);
	t = ct_timeout(&l.router, "ESTABLISHED", "sport=41000 dport=7000");
	LAB_CHECK(&l, t > 590 && t <= 600, "established: %ld s left", t);
	/* Syn sent: toward an address nobody answers for. */
	CU_ASSERT_EQUAL(lab_dial(&l, &l.lan, H1, H1_PORT, "198.51.100.77",
				 7000, WAIT_MS),
			-ETIMEDOUT);
	t = ct_timeout(&l.router, "SYN_SENT", "dst=198.51.100.77");
	LAB_CHECK(&l, t > 20 && t <= 30, "syn_sent: %ld s left", t);
	/* Transitory: the remote end closes first (close_wait here). */
	CU_ASSERT_EQUAL(lab_accept(lr, PASS_MS, addr, &port), 0);
	usleep(50 * 1000);
	t = ct_timeout(&l.router, "CLOSE_WAIT", "sport=41000 dport=7000");
	LAB_CHECK(&l, t > 40 && t <= 50, "close_wait: %ld s left", t);
	lab_down(&l);
}

/* A port a new inside endpoint takes over leads inbound connections to
 * it, not to the endpoint that held the port before (whose map element
 * still lives): ports 40000-40001 in turn, so H1's third endpoint gets
 * its first one's port once that one has closed. */
static void test_port_takeover(void)
{
	struct nat_profile p;
	struct lab l = {.name = "port takeover", .p = &p};
	struct linger hard = {.l_onoff = 1, .l_linger = 0};
	char addr[INET_ADDRSTRLEN];
	int lr1a, lr1b, lh, port[3], i, ok;

	if (!need_root("the port takeover test"))
		return;
	CU_ASSERT_EQUAL_FATAL(testutil_profile_load("nat-profiles/home-eim.ini", &p), 0);
	p.ports = NAT_PORTS_SEQUENTIAL;
	p.port_min = 40000;
	p.port_max = 40001;
	p.filtering = NAT_FILTER_EIF;
	p.hairpin = 1;
	if (lab_up(&l) < 0) {
		CU_FAIL("lab setup");
		return;
	}
	lr1a = lab_listen(&l, &l.inet, R1, 7000);
	lr1b = lab_listen(&l, &l.inet, R1, 7001);
	CU_ASSERT_FATAL(lr1a >= 0 && lr1b >= 0);
	for (i = 0; i < 3; i++) {
		ok = lab_map(&l, &l.lan, H1, H1_PORT + i, R1, i < 2 ? 7000 : 7001,
			     i < 2 ? lr1a : lr1b, addr, &port[i]) == 0;
		CU_ASSERT_FATAL(ok);
		if (i == 0) { /* gone, its map elements not */
			setsockopt(l.socks[l.nsocks - 1], SOL_SOCKET,
				   SO_LINGER, &hard, sizeof(hard));
			close(l.socks[--l.nsocks]);
		}
	}
	LAB_CHECK(&l, port[0] == 40000 && port[1] == 40001 && port[2] == 40000,
		  "ports %d %d %d, not 40000 40001 40000", port[0], port[1],
		  port[2]);
	lh = lab_listen(&l, &l.lan, H1, H1_PORT + 2);
	CU_ASSERT_FATAL(lh >= 0);
	lab_inbound(&l, "filtering after takeover", R3, PUB, 40000, 0, lh);
	/* The hairpin path looks the port up in the same map. */
	CU_ASSERT_EQUAL(lab_dial(&l, &l.lan, H2, H2_PORT, PUB, 40000, PASS_MS),
			0);
	LAB_CHECK(&l, lab_accept(lh, PASS_MS, addr, &i) == 0,
		  "hairpin after takeover did not reach H1:%d", H1_PORT + 2);
	lab_down(&l);
}

/* Every shipped home profile (carriers through the ones behind them),
 * against what its file declares. */
static void test_behaviour_shipped(void)
{
	struct nat_profile p, c;
	struct cfg_error err;
	char msg[1200];
	glob_t g;
	size_t i;
	int n = 0;

	if (!need_root("the behaviour tests"))
		return;
	CU_ASSERT_EQUAL_FATAL(glob("nat-profiles/*.ini", 0, NULL, &g), 0);
	for (i = 0; i < g.gl_pathc; i++) {
		CU_ASSERT_EQUAL_FATAL(testutil_profile_load(g.gl_pathv[i], &p), 0);
		if (!strncmp(p.name, "carrier-", 8))
			continue;
		if (p.behind[0] &&
		    profile_load_carrier("nat-profiles", &p, &c, &err) < 0) {
			fprintf(stderr, "\n%s\n",
				cfg_error_str(&err, msg, sizeof(msg)));
			CU_FAIL("carrier");
			continue;
		}
		lab_run(p.name, &p, p.behind[0] ? &c : NULL);
		n++;
	}
	CU_ASSERT(n >= 10);
	globfree(&g);
}

/* Values no shipped profile combines, on the same checks. */
static void test_behaviour_variants(void)
{
	struct nat_profile base, p, c;

	if (!need_root("the behaviour tests"))
		return;
	CU_ASSERT_EQUAL_FATAL(testutil_profile_load("nat-profiles/home-eim.ini", &base), 0);

	p = base;
	p.ports = NAT_PORTS_SEQUENTIAL;
	p.port_min = 40000;
	p.port_max = 40255;
	p.hairpin = 1;
	p.unsolicited_syn = NAT_SYN_ICMP;
	lab_run("eim sequential, hairpinning, icmp", &p, NULL);

	p = base;
	p.ports = NAT_PORTS_RANDOM;
	p.port_min = 20000;
	p.port_max = 29999;
	p.filtering = NAT_FILTER_ADF;
	p.unsolicited_syn = NAT_SYN_RST;
	lab_run("eim random, adf, rst", &p, NULL);

	p = base;
	p.mapping = NAT_MAP_ADM;
	p.filtering = NAT_FILTER_EIF;
	p.hairpin = 1;
	lab_run("adm preserve, eif, hairpinning", &p, NULL);

	p = base;
	p.mapping = NAT_MAP_ADM;
	p.ports = NAT_PORTS_SEQUENTIAL;
	p.port_min = 30000;
	p.port_max = 30099;
	lab_run("adm sequential", &p, NULL);

	p = base;
	p.mapping = NAT_MAP_APDM;
	p.filtering = NAT_FILTER_ADF;
	p.unsolicited_syn = NAT_SYN_ICMP;
	lab_run("apdm preserve, adf, icmp", &p, NULL);

	p = base;
	p.mapping = NAT_MAP_NONE;
	p.filtering = NAT_FILTER_EIF;
	lab_run("none, eif", &p, NULL);
	p.filtering = NAT_FILTER_ADF;
	p.unsolicited_syn = NAT_SYN_RST;
	lab_run("none, adf, rst", &p, NULL);

	/* Behind a carrier with sequential ports in small blocks, which
	 * hairpins and filters by address. */
	CU_ASSERT_EQUAL_FATAL(testutil_profile_load("nat-profiles/carrier-eim.ini", &c), 0);
	c.ports = NAT_PORTS_SEQUENTIAL;
	c.port_block = 256;
	c.filtering = NAT_FILTER_ADF;
	p = base;
	p.filtering = NAT_FILTER_EIF;
	lab_run("eim behind carrier eim sequential blocks, adf", &p, &c);
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
	    !CU_add_test(s, "rule fragments per behaviour", test_fragments) ||
	    !CU_add_test(s, "rendering errors", test_render_errors) ||
	    !CU_add_test(s, "bad input", test_bad_input) ||
	    !CU_add_test(s, "apply, idempotent, broken (root)", test_apply) ||
	    !CU_add_test(s, "apply many, children reaped (root)",
			 test_apply_many) ||
	    !CU_add_test(s, "issue 11 keys with every mapping load (root)",
			 test_keys_load) ||
	    !CU_add_test(s, "unsolicited SYN on the wire (root)", test_wire) ||
	    !CU_add_test(s, "golden rulesets load (root)", test_goldens_load) ||
	    !CU_add_test(s, "shipped profiles on the wire (root)",
			 test_behaviour_shipped) ||
	    !CU_add_test(s, "other combinations on the wire (root)",
			 test_behaviour_variants) ||
	    !CU_add_test(s, "timeouts on the wire (root)",
			 test_timeouts_wire) ||
	    !CU_add_test(s, "a port taken over leads to its new owner (root)",
			 test_port_takeover)) {
		CU_cleanup_registry();
		return 2;
	}
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failed = CU_get_number_of_failures();
	CU_cleanup_registry();
	return failed ? 1 : 0;
}
