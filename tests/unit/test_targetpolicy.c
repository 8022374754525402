/* test_targetpolicy: every class the agent's --target-policy refuses, in
 * IPv4 and IPv6, the --wan-allow exceptions (and that they except only
 * private, CGN and ULA), the own and coordinator addresses, port 0, and
 * that WAN endpoints and a hairpin to our public address pass. No root,
 * no network: the classifier is pure. */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "../../harness/agent/targetpolicy.c"
#include "lib/testutil.h"

/* "IP" (v4 or v6) and port into a netaddr as hppunch carries it. */
static struct p2p_netaddr na(const char *ip, uint16_t port)
{
	struct p2p_netaddr a;

	memset(&a, 0, sizeof(a));
	if (inet_pton(AF_INET, ip, a.ip + 12) == 1)
		memcpy(a.ip, targetpolicy_v4mapped, 12);
	else
		CU_ASSERT_FATAL(inet_pton(AF_INET6, ip, a.ip) == 1);
	a.port = port;
	return a;
}

/* The rule's detail for ip:8333, "" when allowed. */
static const char *why(const struct targetpolicy *tp, const char *ip)
{
	static char buf[128];
	struct p2p_netaddr a = na(ip, 8333);
	int r;

	buf[0] = '\0';
	r = targetpolicy_check(tp, &a, buf, sizeof(buf));
	CU_ASSERT_EQUAL(r, buf[0] ? -EPERM : 0);
	return buf;
}

static void allow(struct targetpolicy *tp, const char *prefix)
{
	CU_ASSERT_EQUAL_FATAL(
		targetpolicy_prefix_parse(prefix, &tp->allow[tp->nallow]), 0);
	tp->nallow++;
}

static void test_classes(void)
{
	static const struct {
		const char *ip, *why;
	} cases[] = {
		{"0.0.0.0", "unspecified 0.0.0.0"},
		{"::", "unspecified ::"},
		{"127.0.0.1", "loopback 127.0.0.1"},
		{"127.255.0.9", "loopback 127.255.0.9"},
		{"::1", "loopback ::1"},
		{"::ffff:127.0.0.1", "loopback 127.0.0.1"},
		{"224.0.0.1", "multicast 224.0.0.1"},
		{"239.255.255.250", "multicast 239.255.255.250"},
		{"ff02::1", "multicast ff02::1"},
		{"255.255.255.255", "broadcast 255.255.255.255"},
		{"169.254.1.1", "link-local 169.254.1.1"},
		{"fe80::1", "link-local fe80::1"},
		{"febf::1", "link-local febf::1"},
		{"::7f00:1", "ipv4-compatible ::127.0.0.1"},
		{"::a00:102", "ipv4-compatible ::10.0.1.2"},
		{"10.0.1.1", "private 10.0.1.1 not in --wan-allow"},
		{"172.16.0.1", "private 172.16.0.1 not in --wan-allow"},
		{"172.31.255.255", "private 172.31.255.255 not in --wan-allow"},
		{"192.168.1.1", "private 192.168.1.1 not in --wan-allow"},
		{"100.64.0.1", "cgn 100.64.0.1 not in --wan-allow"},
		{"100.127.255.254", "cgn 100.127.255.254 not in --wan-allow"},
		{"fd00::1", "ula fd00::1 not in --wan-allow"},
		{"fc00::1", "ula fc00::1 not in --wan-allow"},
		/* The neighbours of each range pass. */
		{"172.32.0.1", ""},
		{"172.15.255.255", ""},
		{"100.128.0.1", ""},
		{"100.63.255.255", ""},
		{"192.169.0.1", ""},
		{"169.255.0.1", ""},
		{"223.255.255.255", ""},
		{"fec0::1", ""},
		{"fe00::1", ""},
		/* The run's WAN and a global IPv6 address. */
		{"192.0.2.99", ""},
		{"203.0.113.5", ""},
		{"2001:db8::5", ""},
	};
	struct targetpolicy tp;

	memset(&tp, 0, sizeof(tp));
	for (unsigned i = 0; i < TESTUTIL_N(cases); i++) {
		const char *got = why(&tp, cases[i].ip);

		if (strcmp(got, cases[i].why))
			fprintf(stderr, "%s: '%s', want '%s'\n", cases[i].ip,
				got, cases[i].why);
		CU_ASSERT_STRING_EQUAL(got, cases[i].why);
	}
}

static void test_port0(void)
{
	struct targetpolicy tp;
	struct p2p_netaddr a = na("192.0.2.99", 0);
	char buf[64];

	memset(&tp, 0, sizeof(tp));
	CU_ASSERT_EQUAL(targetpolicy_check(&tp, &a, buf, sizeof(buf)), -EPERM);
	CU_ASSERT_STRING_EQUAL(buf, "port 0 of 192.0.2.99");
}

/* --wan-allow lets private, CGN and ULA endpoints through, and only
 * those: never loopback or link-local, whatever the prefix says. */
static void test_wan_allow(void)
{
	struct targetpolicy tp;

	memset(&tp, 0, sizeof(tp));
	allow(&tp, "10.0.0.0/16");
	allow(&tp, "100.64.0.0/10");
	allow(&tp, "fd00:1::/32");
	CU_ASSERT_STRING_EQUAL(why(&tp, "10.0.255.1"), "");
	CU_ASSERT_STRING_EQUAL(why(&tp, "10.1.0.1"),
			       "private 10.1.0.1 not in --wan-allow");
	CU_ASSERT_STRING_EQUAL(why(&tp, "100.100.1.1"), "");
	CU_ASSERT_STRING_EQUAL(why(&tp, "fd00:1:ffff::1"), "");
	CU_ASSERT_STRING_EQUAL(why(&tp, "fd00:2::1"),
			       "ula fd00:2::1 not in --wan-allow");
	allow(&tp, "127.0.0.0/8");
	allow(&tp, "fe80::/10");
	allow(&tp, "169.254.0.0/16");
	CU_ASSERT_STRING_EQUAL(why(&tp, "127.0.0.1"), "loopback 127.0.0.1");
	CU_ASSERT_STRING_EQUAL(why(&tp, "fe80::2"), "link-local fe80::2");
	CU_ASSERT_STRING_EQUAL(why(&tp, "169.254.9.9"),
			       "link-local 169.254.9.9");
}

static void test_prefix_parse(void)
{
	static const char *const bad[] = {
		"", "10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0.0/x",
		"10.0.0.0/-1", "10.0.0/8", "host/8", "10.0.0.0/8/8",
		"10.0.0.0/ 8", "fd00::/8 ",
	};
	struct targetpolicy_prefix p;

	for (unsigned i = 0; i < TESTUTIL_N(bad); i++)
		CU_ASSERT_EQUAL(targetpolicy_prefix_parse(bad[i], &p), -EINVAL);
	CU_ASSERT_EQUAL(targetpolicy_prefix_parse("192.0.2.1", &p), 0);
	CU_ASSERT_EQUAL(p.len, 128);
	CU_ASSERT_EQUAL(targetpolicy_prefix_parse("2001:db8::/32", &p), 0);
	CU_ASSERT_EQUAL(p.len, 32);
	CU_ASSERT_EQUAL(targetpolicy_prefix_parse("10.1.2.3/12", &p), 0);
	CU_ASSERT_EQUAL(p.len, 108);
}

/* Our own addresses (v4 and v6) and the coordinator's are refused at any
 * port, before --wan-allow is asked; our router's public address is no
 * local address, so the same-home hairpin passes. */
static void test_own_and_coordinator(void)
{
	struct targetpolicy tp;
	uint8_t a4[4] = {10, 0, 1, 2};
	uint8_t c4[4] = {192, 0, 2, 66}, a6[16];

	memset(&tp, 0, sizeof(tp));
	inet_pton(AF_INET6, "2001:db8::2", a6);
	allow(&tp, "10.0.0.0/8");
	CU_ASSERT_EQUAL(targetpolicy_add_own(&tp, a4, 4), 0);
	CU_ASSERT_EQUAL(targetpolicy_add_own(&tp, a6, 16), 0);
	CU_ASSERT_EQUAL(targetpolicy_add_own(&tp, a6, 5), -EINVAL);
	CU_ASSERT_EQUAL(targetpolicy_set_coord(&tp, c4, 4), 0);
	CU_ASSERT_STRING_EQUAL(why(&tp, "10.0.1.2"), "own address 10.0.1.2");
	CU_ASSERT_STRING_EQUAL(why(&tp, "2001:db8::2"),
			       "own address 2001:db8::2");
	CU_ASSERT_STRING_EQUAL(why(&tp, "192.0.2.66"),
			       "coordinator's own address 192.0.2.66");
	CU_ASSERT_STRING_EQUAL(why(&tp, "10.0.1.3"), "");
	CU_ASSERT_STRING_EQUAL(why(&tp, "203.0.113.1"), "");
	/* An IPv6 coordinator (docs/alternatives.md section 5): its own
	 * address is refused, the peers beside it are not. */
	inet_pton(AF_INET6, "2001:db8::1", a6);
	CU_ASSERT_EQUAL(targetpolicy_set_coord(&tp, a6, 16), 0);
	CU_ASSERT_STRING_EQUAL(why(&tp, "2001:db8::1"),
			       "coordinator's own address 2001:db8::1");
	CU_ASSERT_STRING_EQUAL(why(&tp, "192.0.2.66"), "");
	CU_ASSERT_STRING_EQUAL(why(&tp, "2001:db8:2:1::2"), "");
	tp.nown = 0;
	for (unsigned i = 0; i < TARGETPOLICY_MAX_OWN; i++)
		CU_ASSERT_EQUAL(targetpolicy_add_own(&tp, a4, 4), 0);
	CU_ASSERT_EQUAL(targetpolicy_add_own(&tp, a4, 4), -ENOSPC);
}

int main(void)
{
	static const struct testutil_case tests[] = {
		{"every class, v4 and v6", test_classes},
		{"port 0", test_port0},
		{"--wan-allow excepts private, CGN, ULA only", test_wan_allow},
		{"prefix parsing", test_prefix_parse},
		{"own and coordinator addresses", test_own_and_coordinator},
	};
	int fails;

	fails = testutil_run_suite("targetpolicy", NULL, NULL, tests,
				   TESTUTIL_N(tests));
	return fails ? 1 : 0;
}
