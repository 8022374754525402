/* test_agent_opts: punch-agent's defence options as opts_parse reads
 * them, without running the agent: the caps' ranges and defaults (the
 * policy's, and each cap alone), --wan-allow, and the modes they are
 * refused in. */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "../../harness/agent/opts.c"
#include "../../harness/agent/opts_defence.c"
#include "../../harness/agent/opts_pcp.c"
#include "../../harness/agent/opts_family.c"
#include "../../harness/agent/targetpolicy.c"
#include "lib/testutil.h"

/* opts_parse over a NULL-terminated list after "punch-agent"; stderr
 * quiet. */
static int parse(struct opts *o, ...)
{
	char *argv[32] = {"punch-agent"};
	int argc = 1, r;
	va_list ap;
	FILE *saved = stderr;

	va_start(ap, o);
	while (argc < 31 && (argv[argc] = va_arg(ap, char *)))
		argc++;
	va_end(ap);
	optind = 0; /* getopt_long's full reset */
	stderr = fopen("/dev/null", "w");
	r = opts_parse(argc, argv, o);
	fclose(stderr);
	stderr = saved;
	return r;
}

#define COORD "--coordinator", "192.0.2.1:18500", "--local-port", "20001"

static void test_defaults(void)
{
	struct opts o;

	CU_ASSERT_EQUAL(parse(&o, COORD, NULL), 0);
	CU_ASSERT_EQUAL(o.target_policy, 0);
	CU_ASSERT_EQUAL(o.max_syns, -1);
	CU_ASSERT_EQUAL(o.max_punch_ms, -1);
	CU_ASSERT_EQUAL(o.max_delay_ms, -1);
	CU_ASSERT_PTR_NULL(o.auth_secret);
	CU_ASSERT_EQUAL(parse(&o, COORD, "--target-policy", NULL), 0);
	CU_ASSERT_EQUAL(o.target_policy, 1);
	CU_ASSERT_EQUAL(o.max_syns, 16);
	CU_ASSERT_EQUAL(o.max_punch_ms, 10000);
	CU_ASSERT_EQUAL(o.max_delay_ms, 5000);
	/* Given caps win over the policy's defaults... */
	CU_ASSERT_EQUAL(parse(&o, COORD, "--max-syns", "3", "--target-policy",
			      "--max-delay-ms", "0", NULL), 0);
	CU_ASSERT_EQUAL(o.max_syns, 3);
	CU_ASSERT_EQUAL(o.max_punch_ms, 10000);
	CU_ASSERT_EQUAL(o.max_delay_ms, 0);
	/* ...and each stands alone. */
	CU_ASSERT_EQUAL(parse(&o, COORD, "--max-punch-ms", "250", NULL), 0);
	CU_ASSERT_EQUAL(o.target_policy, 0);
	CU_ASSERT_EQUAL(o.max_punch_ms, 250);
	CU_ASSERT_EQUAL(o.max_syns, -1);
	CU_ASSERT_EQUAL(o.max_delay_ms, -1);
	CU_ASSERT_EQUAL(parse(&o, COORD, "--max-delay-ms", "4294967295",
			      NULL), 0);
	CU_ASSERT_EQUAL(o.max_delay_ms, 4294967295LL);
}

static void test_ranges(void)
{
	static const char *const bad[][2] = {
		{"--max-syns", "0"},	      {"--max-syns", "1000001"},
		{"--max-syns", "-1"},	      {"--max-syns", "x"},
		{"--max-punch-ms", "0"},      {"--max-punch-ms", "86400001"},
		{"--max-delay-ms", "-1"},     {"--max-delay-ms", "4294967296"},
		{"--max-delay-ms", "5s"},
	};
	struct opts o;

	for (unsigned i = 0; i < TESTUTIL_N(bad); i++)
		CU_ASSERT_EQUAL(parse(&o, COORD, bad[i][0], bad[i][1], NULL),
				-EINVAL);
	CU_ASSERT_EQUAL(parse(&o, COORD, "--max-syns", "1000000", NULL), 0);
	CU_ASSERT_EQUAL(parse(&o, COORD, "--max-punch-ms", "1", NULL), 0);
}

static void test_wan_allow(void)
{
	struct opts o;

	CU_ASSERT_EQUAL(parse(&o, COORD, "--target-policy", "--wan-allow",
			      "10.0.0.0/8", "--wan-allow", "fd00::/8", NULL),
			0);
	CU_ASSERT_EQUAL(o.policy.nallow, 2);
	CU_ASSERT_EQUAL(o.policy.allow[0].len, 104);
	CU_ASSERT_EQUAL(o.policy.allow[1].len, 8);
	CU_ASSERT_EQUAL(parse(&o, COORD, "--target-policy", "--wan-allow",
			      "10.0.0.0/40", NULL), -EINVAL);
	/* Without the policy it would be a silent no-op. */
	CU_ASSERT_EQUAL(parse(&o, COORD, "--wan-allow", "10.0.0.0/8", NULL),
			-EINVAL);
}

/* The modes: a --connect check never punches; the secret needs our own
 * handshake; --connect --local-port and --oob take them all. */
static void test_modes(void)
{
	struct opts o;

	CU_ASSERT_EQUAL(parse(&o, "--connect", "192.0.2.9:8333",
			      "--target-policy", NULL), -EINVAL);
	CU_ASSERT_EQUAL(parse(&o, "--connect", "192.0.2.9:8333",
			      "--max-syns", "4", NULL), -EINVAL);
	CU_ASSERT_EQUAL(parse(&o, "--connect", "192.0.2.9:8333",
			      "--local-port", "20001", "--target-policy",
			      "--auth-secret", "/x", NULL), 0);
	CU_ASSERT_EQUAL(parse(&o, "--oob", "--probe", "192.0.2.1:3478",
			      "--local-port", "20001", "--target-policy",
			      "--auth-secret", "/x", NULL), 0);
	CU_ASSERT_EQUAL(parse(&o, COORD, "--auth-secret", "/x", "--node",
			      "bitcoind-import", "--import-socket", "/s",
			      NULL), -EINVAL);
	CU_ASSERT_EQUAL(parse(&o, COORD, "--auth-secret", "/x", "--exec",
			      "true", "--verify", "conntrack", NULL), -EINVAL);
	CU_ASSERT_EQUAL(parse(&o, COORD, "--target-policy", "--exec", "true",
			      "--verify", "conntrack", NULL), 0);
	/* --start-jitter-ms: derived from the secret, so only with it */
	CU_ASSERT_EQUAL(parse(&o, COORD, "--start-jitter-ms", "1000", NULL),
			-EINVAL);
	CU_ASSERT_EQUAL(parse(&o, COORD, "--start-jitter-ms", "0", NULL),
			-EINVAL);
	CU_ASSERT_EQUAL(parse(&o, COORD, "--auth-secret", "/x",
			      "--start-jitter-ms", "5001", NULL), -EINVAL);
	CU_ASSERT_EQUAL(parse(&o, COORD, "--auth-secret", "/x",
			      "--start-jitter-ms", "5000", NULL), 0);
	CU_ASSERT_EQUAL(o.start_jitter_ms, 5000);
}

/* --serve and --pcp: what each needs, and nothing else with --serve. */
static void test_serve_pcp(void)
{
	struct opts o;

	CU_ASSERT_EQUAL(parse(&o, "--serve", "--local-port", "8333", NULL), 0);
	CU_ASSERT(o.serve && !o.pcp);
	CU_ASSERT_EQUAL(o.pcp_lifetime, 3600);
	CU_ASSERT_EQUAL(parse(&o, "--serve", "--local-port", "8333", "--pcp",
			      "10.0.2.1", "--pcp-proto", "natpmp",
			      "--pcp-lifetime", "120", NULL), 0);
	CU_ASSERT_EQUAL(o.pcp_proto, PCPMAP_NATPMP);
	CU_ASSERT_EQUAL(o.pcp_lifetime, 120);
	CU_ASSERT_EQUAL(ntohs(o.pcp_gateway.sin_port), 5351);
	CU_ASSERT_EQUAL(ntohl(o.pcp_gateway.sin_addr.s_addr), 0x0a000201);
	/* a trial maps its punch port too */
	CU_ASSERT_EQUAL(parse(&o, COORD, "--pcp", "10.0.2.1", NULL), 0);
	CU_ASSERT_EQUAL(parse(&o, "--serve", NULL), -EINVAL);
	CU_ASSERT_EQUAL(parse(&o, "--serve", "--local-port", "1", COORD, NULL),
			-EINVAL);
	CU_ASSERT_EQUAL(parse(&o, "--serve", "--local-port", "1",
			      "--target-policy", NULL), -EINVAL);
	CU_ASSERT_EQUAL(parse(&o, "--connect", "192.0.2.1:8333", "--pcp",
			      "10.0.2.1", NULL), -EINVAL);
	CU_ASSERT_EQUAL(parse(&o, COORD, "--pcp", "10.0.2.1:5351", NULL),
			-EINVAL);
	CU_ASSERT_EQUAL(parse(&o, COORD, "--pcp", "10.0.2.1", "--pcp-proto",
			      "upnp", NULL), -EINVAL);
	CU_ASSERT_EQUAL(parse(&o, COORD, "--pcp-proto", "pcp", NULL), -EINVAL);
	CU_ASSERT_EQUAL(parse(&o, COORD, "--pcp", "10.0.2.1",
			      "--pcp-lifetime", "0", NULL), -EINVAL);
}

/* IPv6 (docs/alternatives.md section 5): [v6]:PORT wherever an
 * address is taken; the strategies that guess a NAT's port and the
 * bitcoind bridge are refused for an IPv6 punch. */
#define COORD6 "--coordinator", "[2001:db8::1]:18444", "--local-port", "20001"

static void test_ipv6(void)
{
	static const char *const ok[] = {"connect", "listen-connect",
					 "low-ttl"};
	union addr6 a;
	struct opts o;
	FILE *saved = stderr;

	CU_ASSERT_EQUAL(parse(&o, COORD6, NULL), 0);
	CU_ASSERT_EQUAL(opts_family(&o), AF_INET6);
	CU_ASSERT_EQUAL(parse(&o, COORD, NULL), 0);
	CU_ASSERT_EQUAL(opts_family(&o), AF_INET);
	for (unsigned i = 0; i < TESTUTIL_N(ok); i++)
		CU_ASSERT_EQUAL(parse(&o, COORD6, "--strategy", ok[i], NULL),
				0);
	CU_ASSERT_EQUAL(parse(&o, COORD6, "--strategy", "predict", NULL),
			-EINVAL);
	CU_ASSERT_EQUAL(parse(&o, COORD6, "--strategy", "birthday", NULL),
			-EINVAL);
	CU_ASSERT_EQUAL(parse(&o, COORD, "--strategy", "birthday", NULL), 0);
	CU_ASSERT_EQUAL(parse(&o, COORD6, "--node", "bitcoind-import",
			      "--import-socket", "/s", NULL), -EINVAL);
	CU_ASSERT_EQUAL(parse(&o, "--connect", "[2001:db8:2:1::2]:20001",
			      "--local-port", "20001", "--target-policy",
			      "--wan-allow", "fd00::/8", NULL), 0);
	CU_ASSERT_EQUAL(opts_family(&o), AF_INET6);
	stderr = fopen("/dev/null", "w");
	CU_ASSERT_EQUAL(opts_endpoint("--connect", "[2001:db8::1]:18444", &a),
			0);
	CU_ASSERT_EQUAL(a.sa.sa_family, AF_INET6);
	CU_ASSERT_EQUAL(addr6_port(&a), 18444);
	CU_ASSERT_EQUAL(opts_endpoint("--connect", "10.0.0.1:1", &a), 0);
	CU_ASSERT_EQUAL(a.sa.sa_family, AF_INET);
	CU_ASSERT_EQUAL(opts_endpoint("--connect", "2001:db8::1:18444", &a),
			-EINVAL);
	CU_ASSERT_EQUAL(opts_endpoint("--connect", "[2001:db8::1]", &a),
			-EINVAL);
	CU_ASSERT_EQUAL(opts_endpoint("--connect", "[10.0.0.1]:1", &a),
			-EINVAL);
	CU_ASSERT_EQUAL(opts_endpoint("--coordinator", "[::ffff:10.0.0.1]:1",
				      &a),
			-EINVAL);
	fclose(stderr);
	stderr = saved;
}

int main(void)
{
	static const struct testutil_case tests[] = {
		{"caps: defaults with and without the policy", test_defaults},
		{"caps: ranges", test_ranges},
		{"--wan-allow", test_wan_allow},
		{"modes that take the defences", test_modes},
		{"--serve and --pcp", test_serve_pcp},
		{"IPv6 endpoints and the strategies over IPv6", test_ipv6},
	};
	int fails;

	fails = testutil_run_suite("agent_opts", NULL, NULL, tests,
				   TESTUTIL_N(tests));
	return fails ? 1 : 0;
}
