/* test_optparse: the one parser of option values — ranged integers and
 * ADDRESS:PORT literals — accepts what the programs document and refuses
 * everything else with the right error. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "optparse.h"
#include "lib/testutil.h"

static void test_integers(void)
{
	long long v = 0;
	uint64_t u = 0;
	int i = 0;

	CU_ASSERT_EQUAL(optparse_ll("-12", -100, 100, &v), 0);
	CU_ASSERT_EQUAL(v, -12);
	CU_ASSERT_EQUAL(optparse_int("65535", 1, 65535, &i), 0);
	CU_ASSERT_EQUAL(i, 65535);
	CU_ASSERT_EQUAL(optparse_int("65536", 1, 65535, &i), -ERANGE);
	CU_ASSERT_EQUAL(optparse_int("0", 1, 65535, &i), -ERANGE);
	CU_ASSERT_EQUAL(optparse_int("99999999999999999999", 0, 10, &i),
			-ERANGE);
	for (const char *const *b = (const char *const[]){ "", " 1", "1 ", "+1",
							   "1e3", "0x10", "1.5",
							   "-", "--1", NULL };
	     *b; b++)
		CU_ASSERT_EQUAL(optparse_int(*b, -100, 100, &i), -EINVAL);
	CU_ASSERT_EQUAL(optparse_int(NULL, 0, 1, &i), -EINVAL);
	CU_ASSERT_EQUAL(optparse_u64("18446744073709551615", 0, UINT64_MAX,
				     &u),
			0);
	CU_ASSERT_EQUAL(u, UINT64_MAX);
	CU_ASSERT_EQUAL(optparse_u64("0x10", 0, UINT64_MAX, &u), 0);
	CU_ASSERT_EQUAL(u, 16);
	/* a leading zero is decimal, never octal */
	CU_ASSERT_EQUAL(optparse_u64("010", 0, UINT64_MAX, &u), 0);
	CU_ASSERT_EQUAL(u, 10);
	CU_ASSERT_EQUAL(optparse_u64("-1", 0, UINT64_MAX, &u), -EINVAL);
	CU_ASSERT_EQUAL(optparse_u64("0x", 0, UINT64_MAX, &u), -EINVAL);
	CU_ASSERT_EQUAL(optparse_u64("5", 6, 9, &u), -ERANGE);
}

static void test_addresses(void)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
	socklen_t len = 0;
	char host[64];
	uint16_t port = 0;

	CU_ASSERT_EQUAL(optparse_sockaddr("192.0.2.1:18444", OPTPARSE_V4, &ss,
					  &len),
			0);
	CU_ASSERT_EQUAL(s4->sin_family, AF_INET);
	CU_ASSERT_EQUAL(ntohs(s4->sin_port), 18444);
	CU_ASSERT_EQUAL(ntohl(s4->sin_addr.s_addr), 0xc0000201u);
	CU_ASSERT_EQUAL(len, sizeof(*s4));
	CU_ASSERT_EQUAL(optparse_sockaddr("[::1]:8333",
					  OPTPARSE_V4 | OPTPARSE_V6, &ss, &len),
			0);
	CU_ASSERT_EQUAL(s6->sin6_family, AF_INET6);
	CU_ASSERT_EQUAL(ntohs(s6->sin6_port), 8333);
	CU_ASSERT_EQUAL(len, sizeof(*s6));
	/* IPv6 only when asked for; port 0 only when allowed */
	CU_ASSERT_EQUAL(optparse_sockaddr("[::1]:8333", OPTPARSE_V4, &ss, &len),
			-EINVAL);
	CU_ASSERT_EQUAL(optparse_sockaddr("192.0.2.1:0", OPTPARSE_V4, &ss,
					  &len),
			-ERANGE);
	CU_ASSERT_EQUAL(optparse_sockaddr("192.0.2.1:0",
					  OPTPARSE_V4 | OPTPARSE_PORT0, &ss,
					  &len),
			0);
	for (const char *const *b =
		     (const char *const[]){ "192.0.2.1", ":80", "192.0.2.1:",
					    "192.0.2.1:x", "host.example:80",
					    "1.2.3:80", "::1:80", "[::1]80",
					    "192.0.2.1:80:1", NULL };
	     *b; b++)
		CU_ASSERT_NOT_EQUAL(optparse_sockaddr(*b,
						      OPTPARSE_V4 | OPTPARSE_V6,
						      &ss, &len),
				    0);
	/* split leaves the host as text (a name the caller resolves) */
	CU_ASSERT_EQUAL(optparse_split("localhost:18443", OPTPARSE_V4, host,
				       sizeof(host), &port),
			0);
	CU_ASSERT_STRING_EQUAL(host, "localhost");
	CU_ASSERT_EQUAL(port, 18443);
	CU_ASSERT_EQUAL(optparse_split("abcdefgh:1", OPTPARSE_V4, host, 8,
				       &port),
			-EINVAL);
}

int main(void)
{
	static const struct testutil_case tests[] = {
		{ "ranged integers", test_integers },
		{ "address:port literals", test_addresses },
	};

	return testutil_run_suite("optparse", NULL, NULL, tests,
				  sizeof(tests) / sizeof(tests[0])) ? 1 : 0;
}
