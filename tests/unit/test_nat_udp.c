/* test_nat_udp: what a NAT profile does to UDP — the udp_filtering and
 * udp_unsolicited keys, their defaults taken from the TCP keys, and the
 * rules they render to. Pure: no root. Run from the repo root. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/Basic.h>

#include "nat.h"
#include "profile.h"
#include "lib/testutil.h"

static const struct nat_ifaces ifc = {
    .table = "punchlab_000000",
    .wan = "wan0",
    .lan = "lan0",
    .wan_addr = "198.51.100.1",
    .lan_cidr = "10.0.1.0/24",
};

static char rules[NAT_RULESET_MAX], why[256];

static int count(const char *hay, const char *needle)
{
	int n = 0;

	for (const char *p = hay; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

static int render(const struct nat_profile *p)
{
	return nat_render(p, &ifc, rules, sizeof(rules), why, sizeof(why));
}

/* Writes text as a profile file in a scratch folder and loads it. */
static int load_text(const char *text, struct nat_profile *p,
		     struct cfg_error *err)
{
	char dir[] = "/tmp/pl-udp-XXXXXX", path[64];
	FILE *f;
	int r;

	if (!mkdtemp(dir))
		return -2;
	snprintf(path, sizeof(path), "%s/u.ini", dir);
	f = fopen(path, "w");
	if (!f)
		return -2;
	fputs(text, f);
	fclose(f);
	r = profile_load(path, p, err);
	unlink(path);
	rmdir(dir);
	return r;
}

static void test_defaults_follow_tcp(void)
{
	static const struct {
		const char *file;
		enum nat_filter f;
		enum nat_udp u;
	} shipped[] = {
	    {"nat-profiles/home-eim.ini", NAT_FILTER_APDF, NAT_UDP_DROP},
	    {"nat-profiles/home-eim-rst.ini", NAT_FILTER_APDF, NAT_UDP_ICMP},
	    {"nat-profiles/full-cone.ini", NAT_FILTER_EIF, NAT_UDP_DROP},
	    {"nat-profiles/restricted.ini", NAT_FILTER_ADF, NAT_UDP_DROP},
	};
	struct nat_profile p;
	struct cfg_error err;

	for (size_t i = 0; i < TESTUTIL_N(shipped); i++) {
		CU_ASSERT_EQUAL_FATAL(profile_load(shipped[i].file, &p, &err),
				      0);
		CU_ASSERT_EQUAL(profile_udp_filtering(&p), shipped[i].f);
		CU_ASSERT_EQUAL(profile_udp_unsolicited(&p), shipped[i].u);
	}
	/* Follows a changed TCP key while the UDP one is not set. */
	p.filtering = NAT_FILTER_ADF;
	p.unsolicited_syn = NAT_SYN_DROP;
	CU_ASSERT_EQUAL(profile_udp_filtering(&p), NAT_FILTER_ADF);
	CU_ASSERT_EQUAL(profile_udp_unsolicited(&p), NAT_UDP_DROP);
	p.unsolicited_syn = NAT_SYN_ICMP;
	CU_ASSERT_EQUAL(profile_udp_unsolicited(&p), NAT_UDP_ICMP);
}

static void test_keys(void)
{
	struct nat_profile p;
	struct cfg_error err;

	CU_ASSERT_EQUAL_FATAL(load_text("[nat]\nfiltering = address+port-"
					"dependent\nudp_filtering = endpoint-"
					"independent\nunsolicited_syn = rst\n"
					"udp_unsolicited = drop\n",
					&p, &err),
			      0);
	CU_ASSERT_EQUAL(p.filtering, NAT_FILTER_APDF);
	CU_ASSERT_EQUAL(profile_udp_filtering(&p), NAT_FILTER_EIF);
	CU_ASSERT_EQUAL(profile_udp_unsolicited(&p), NAT_UDP_DROP);
	/* rst has no UDP analogue: refused, with the line and key */
	CU_ASSERT_EQUAL(load_text("[nat]\nudp_unsolicited = rst\n", &p, &err),
			-1);
	CU_ASSERT_EQUAL(err.line, 2);
	CU_ASSERT_STRING_EQUAL(err.key, "udp_unsolicited");
	CU_ASSERT_EQUAL(load_text("[nat]\nudp_filtering = cone\n", &p, &err),
			-1);
	CU_ASSERT_STRING_EQUAL(err.key, "udp_filtering");
}

static void test_render_same(void)
{
	struct nat_profile p;
	struct cfg_error err;

	CU_ASSERT_EQUAL_FATAL(
	    profile_load("nat-profiles/full-cone.ini", &p, &err), 0);
	CU_ASSERT_FATAL(render(&p) > 0);
	/* one dnat for both protocols, one unsolicited-datagram rule per
	 * path (input, forward), before the firewall's final drop */
	CU_ASSERT_EQUAL(count(rules, "iifname \"wan0\" ip daddr 198.51.100.1 "
				     "meta l4proto { tcp, udp } dnat ip to"),
			1);
	CU_ASSERT_EQUAL(count(rules, "meta l4proto udp ct state new counter "
				     "name \"udp_dropped\" drop\n"),
			2);
	CU_ASSERT_PTR_NOT_NULL(
	    strstr(rules, "\"udp_dropped\" drop\n\t\tiifname \"wan0\" ct "
			  "state new drop\n"));
	CU_ASSERT_EQUAL(count(rules, "counter udp_dropped {"), 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(rules, "udp_unsolicited drop"));

	p.unsolicited_syn = NAT_SYN_RST;
	CU_ASSERT_FATAL(render(&p) > 0);
	CU_ASSERT_EQUAL(count(rules, "\"udp_dropped\" reject with icmp type "
				     "port-unreachable\n"),
			2);
}

static void test_render_differs(void)
{
	struct nat_profile p;
	struct cfg_error err;

	CU_ASSERT_EQUAL_FATAL(
	    profile_load("nat-profiles/home-eim.ini", &p, &err), 0);
	/* UDP full cone, TCP conntrack-only (APDF): a dnat for UDP only */
	p.udp_filtering = NAT_FILTER_EIF;
	p.udp_filtering_set = 1;
	CU_ASSERT_FATAL(render(&p) > 0);
	CU_ASSERT_PTR_NOT_NULL(
	    strstr(rules, "ip daddr 198.51.100.1 meta l4proto udp dnat ip to "
			  "meta l4proto . th dport map @owner\n"));
	CU_ASSERT_PTR_NULL(strstr(rules, "meta l4proto tcp dnat"));
	CU_ASSERT_PTR_NULL(strstr(rules, "{ tcp, udp } dnat"));
	CU_ASSERT_EQUAL(count(rules, "ct status dnat accept"), 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(rules, "udp_filtering endpoint-"));

	/* the other way round, and two filtering kinds at once */
	p.filtering = NAT_FILTER_ADF;
	CU_ASSERT_FATAL(render(&p) > 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(rules, "meta l4proto tcp dnat ip to meta "
					     "l4proto . th dport . ip saddr "
					     "map @adf_owner\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(rules, "meta l4proto udp dnat ip to meta "
					     "l4proto . th dport map @owner\n"));
	CU_ASSERT_EQUAL(count(rules, "ct status dnat accept"), 1);

	/* mapping none: the open sets, per protocol */
	p.mapping = NAT_MAP_NONE;
	p.filtering = NAT_FILTER_APDF;
	CU_ASSERT_FATAL(render(&p) > 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(rules, "ct state new meta l4proto udp ip "
					     "daddr . meta l4proto . th dport "
					     "@eif_open accept\n"));
	CU_ASSERT_PTR_NULL(strstr(rules, "ct status dnat accept"));
}

int main(void)
{
	static const struct testutil_case tests[] = {
	    {"UDP keys default to the TCP ones", test_defaults_follow_tcp},
	    {"udp_filtering and udp_unsolicited keys", test_keys},
	    {"UDP filtered as TCP: shared rules", test_render_same},
	    {"UDP filtered otherwise: rules per protocol",
	     test_render_differs},
	};

	return testutil_run_suite("nat_udp", NULL, NULL, tests,
				  TESTUTIL_N(tests))
		       ? 1
		       : 0;
}
