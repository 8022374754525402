/* test_addr6: endpoints of either family — parsing ([v6]:PORT beside
 * a.b.c.d:PORT, nothing else), ports, wildcard binds, comparison, and the
 * family rule the coordinator pairs by (an IPv4-mapped netaddr is IPv4).
 * Pure functions: no root, no network. */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "addr6.h"
#include "lib/testutil.h"

static void test_parse(void)
{
	static const char *const bad[] = {
		"",
		"2001:db8::1:18444",
		"[2001:db8::1]",
		"[2001:db8::1]18444",
		"[10.0.0.1]:1",
		"10.0.0.1",
		"[::1]:0",
		"[::1]:65536",
		"host:80",
		"[fe80::1%eth0]:1",
		"[::1]:x",
		"1.2.3.4:5:6",
	};
	char s[64];
	union addr6 a;

	CU_ASSERT_EQUAL(addr6_parse("[2001:db8::1]:18444", &a), 0);
	CU_ASSERT_EQUAL(a.sa.sa_family, AF_INET6);
	CU_ASSERT_EQUAL(addr6_len(&a), sizeof(struct sockaddr_in6));
	CU_ASSERT_EQUAL(addr6_port(&a), 18444);
	inet_ntop(AF_INET6, &a.sin6.sin6_addr, s, sizeof(s));
	CU_ASSERT_STRING_EQUAL(s, "2001:db8::1");
	CU_ASSERT_EQUAL(addr6_parse("198.51.100.7:8333", &a), 0);
	CU_ASSERT_EQUAL(a.sa.sa_family, AF_INET);
	CU_ASSERT_EQUAL(addr6_len(&a), sizeof(struct sockaddr_in));
	CU_ASSERT_EQUAL(addr6_port(&a), 8333);
	/* An IPv4-mapped literal in brackets is an IPv6 socket address. */
	CU_ASSERT_EQUAL(addr6_parse("[::ffff:10.0.0.1]:1", &a), 0);
	CU_ASSERT_EQUAL(a.sa.sa_family, AF_INET6);
	for (unsigned i = 0; i < TESTUTIL_N(bad); i++)
		CU_ASSERT_EQUAL(addr6_parse(bad[i], &a), -EINVAL);
}

static void test_ports_and_any(void)
{
	union addr6 a, b;

	addr6_any(&a, AF_INET6, 20001);
	CU_ASSERT_EQUAL(a.sa.sa_family, AF_INET6);
	CU_ASSERT(IN6_IS_ADDR_UNSPECIFIED(&a.sin6.sin6_addr));
	CU_ASSERT_EQUAL(addr6_port(&a), 20001);
	CU_ASSERT_STRING_EQUAL(addr6_any_str(AF_INET6), "[::]");
	addr6_any(&b, AF_INET, 20001);
	CU_ASSERT_EQUAL(b.sa.sa_family, AF_INET);
	CU_ASSERT_EQUAL(b.sin.sin_addr.s_addr, htonl(INADDR_ANY));
	CU_ASSERT_STRING_EQUAL(addr6_any_str(AF_INET), "0.0.0.0");
	addr6_set_port(&a, 7);
	addr6_set_port(&b, 8);
	CU_ASSERT_EQUAL(addr6_port(&a), 7);
	CU_ASSERT_EQUAL(ntohs(b.sin.sin_port), 8);
}

static void test_same(void)
{
	union addr6 a, b, c, d;
	const void *bytes;

	CU_ASSERT_EQUAL(addr6_parse("[2001:db8:1:1::2]:20001", &a), 0);
	CU_ASSERT_EQUAL(addr6_parse("[2001:db8:1:1::2]:20002", &b), 0);
	CU_ASSERT_EQUAL(addr6_parse("10.0.1.2:20001", &c), 0);
	CU_ASSERT_EQUAL(addr6_parse("[::ffff:10.0.1.2]:20001", &d), 0);
	CU_ASSERT(addr6_same(&a, &a, 0));
	CU_ASSERT(!addr6_same(&a, &b, 0));
	CU_ASSERT(addr6_same(&a, &b, 1));
	CU_ASSERT(!addr6_same(&a, &c, 1));
	/* Families differ: a mapped IPv6 socket address is not the IPv4 one
	 * (getpeername of an IPv6-only socket never gives it). */
	CU_ASSERT(!addr6_same(&c, &d, 0));
	CU_ASSERT_EQUAL(addr6_bytes(&a, &bytes), 16);
	CU_ASSERT_EQUAL(addr6_bytes(&c, &bytes), 4);
	CU_ASSERT_EQUAL(memcmp(bytes, &c.sin.sin_addr, 4), 0);
}

/* What the coordinator pairs by, and what the agent punches to: an
 * IPv4-mapped netaddr is IPv4 (sockaddr_in), any other IPv6. */
static void test_netaddr_family(void)
{
	struct p2p_netaddr v4 = {0}, v6 = {0}, v4b = {0};
	union addr6 a;

	CU_ASSERT_EQUAL(addr6_parse("198.51.100.1:20001", &a), 0);
	CU_ASSERT_EQUAL(p2p_netaddr_from_sockaddr(&v4, &a.sa), 0);
	CU_ASSERT_EQUAL(addr6_parse("203.0.113.9:1", &a), 0);
	CU_ASSERT_EQUAL(p2p_netaddr_from_sockaddr(&v4b, &a.sa), 0);
	CU_ASSERT_EQUAL(addr6_parse("[2001:db8:ffa:1::1]:20001", &a), 0);
	CU_ASSERT_EQUAL(p2p_netaddr_from_sockaddr(&v6, &a.sa), 0);
	CU_ASSERT_EQUAL(addr6_family16(v4.ip), AF_INET);
	CU_ASSERT_EQUAL(addr6_family16(v6.ip), AF_INET6);
	CU_ASSERT(addr6_same_family(&v4, &v4b));
	CU_ASSERT(addr6_same_family(&v6, &v6));
	CU_ASSERT(!addr6_same_family(&v4, &v6));
	CU_ASSERT(!addr6_same_family(&v6, &v4));
	addr6_from_netaddr(&a, &v4);
	CU_ASSERT_EQUAL(a.sa.sa_family, AF_INET);
	CU_ASSERT_EQUAL(addr6_port(&a), 20001);
	addr6_from_netaddr(&a, &v6);
	CU_ASSERT_EQUAL(a.sa.sa_family, AF_INET6);
	CU_ASSERT_EQUAL(addr6_port(&a), 20001);
}

int main(void)
{
	static const struct testutil_case tests[] = {
		{"parse a.b.c.d:PORT and [v6]:PORT only", test_parse},
		{"ports and wildcard binds", test_ports_and_any},
		{"same endpoint, with and without the port", test_same},
		{"netaddr family: the coordinator's pairing rule",
		 test_netaddr_family},
	};

	return testutil_run_suite("addr6", NULL, NULL, tests, TESTUTIL_N(tests))
		       ? 1
		       : 0;
}
