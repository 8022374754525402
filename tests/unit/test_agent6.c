/* test_agent6: punch-agent and punch-coordinator over IPv6 on loopback, no
 * root (docs/alternatives.md section 5): a coordinator listening on
 * 127.0.0.1 and, with --listen6, on [::1]; a pair punches through [::1]
 * from IPv6 sockets; a key pairs only registrants of one family (an IPv4
 * and an IPv6 registrant of one key both time out, while an IPv4 and an
 * IPv6 pair of another key both connect); and --target-policy refuses the
 * ::1 a coordinator on loopback names. Both sides use listen-connect: on
 * loopback a SYN to a port without a listener draws an RST, and the
 * listener takes the one that comes first. PUNCH_AGENT and
 * PUNCH_COORDINATOR override the binaries' paths. */
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/Basic.h>
#include <jansson.h>

#include "lib/testutil.h"

#define WAIT_MS 15000

static const char *agent_bin, *coord_bin;
static char addr4[64], addr6[80];
static struct testutil_proc coord = {-1, -1, "", 0};

/* The coordinator on 127.0.0.1:0 and [::1]:0; its "listening" event
 * names both bound addresses. */
static int coord_up(void)
{
	char *argv[] = {(char *)coord_bin,
			"--listen",
			"127.0.0.1:0",
			"--listen6",
			"[::1]:0",
			"--run-id",
			"unit6",
			"--pair-timeout-ms",
			"2000",
			NULL};
	json_t *ev;
	int r = -1;

	if (testutil_proc_spawn(&coord, argv))
		return -1;
	ev = testutil_proc_json(&coord, WAIT_MS);
	if (ev && !strcmp(testutil_jstr(ev, "event"), "listening") &&
	    json_is_string(json_object_get(ev, "addr6"))) {
		snprintf(addr4, sizeof(addr4), "%s", testutil_jstr(ev, "addr"));
		snprintf(addr6, sizeof(addr6), "%s",
			 testutil_jstr(ev, "addr6"));
		r = strncmp(addr6, "[::1]:", 6) ? -1 : 0;
	}
	json_decref(ev);
	return r;
}

static int suite_init(void)
{
	agent_bin = testutil_bin("PUNCH_AGENT", "punch-agent");
	coord_bin = testutil_bin("PUNCH_COORDINATOR", "punch-coordinator");
	return coord_up();
}

static int suite_clean(void)
{
	if (coord.pid > 0) {
		kill(coord.pid, SIGTERM);
		testutil_proc_wait(&coord, WAIT_MS);
	}
	return 0;
}

static uint64_t next_key(void)
{
	static uint64_t n;

	return ((uint64_t)getpid() << 16) + ++n;
}

/* An agent at coordinator where, listen-connect, extra args after it. */
static int agent_start(struct testutil_proc *p, const char *where,
		       uint16_t port, uint64_t key, ...)
{
	char sport[8], skey[24];
	char *argv[24] = {(char *)agent_bin,
			  "--coordinator",
			  (char *)where,
			  "--local-port",
			  sport,
			  "--key",
			  skey,
			  "--strategy",
			  "listen-connect",
			  "--timeout-ms",
			  "5000"};
	int i = 11;
	va_list ap;

	snprintf(sport, sizeof(sport), "%u", port);
	snprintf(skey, sizeof(skey), "%" PRIu64, key);
	va_start(ap, key);
	while (i < 22 && (argv[i] = va_arg(ap, char *)))
		i++;
	va_end(ap);
	argv[i] = NULL;
	return testutil_proc_spawn(p, argv);
}

/* The reports, exit codes and ports of one run of agents. */
struct run {
	uint16_t port[4];
	json_t *j[4];
	int rc[4];
};

/* Runs n agents (at where[i], all under one fresh key, extra after the
 * options when not NULL) and collects their reports and exit codes. */
static void run_agents(struct run *r, unsigned n, const char *const *where,
		       const char *extra)
{
	struct testutil_proc p[4];
	uint64_t key = next_key();

	for (unsigned i = 0; i < n; i++) {
		r->port[i] = testutil_free_port();
		CU_ASSERT_FATAL(r->port[i] != 0);
		CU_ASSERT_FATAL(!agent_start(&p[i], where[i], r->port[i], key,
					     extra, (char *)NULL));
	}
	for (unsigned i = 0; i < n; i++) {
		r->j[i] = testutil_proc_json(&p[i], WAIT_MS);
		r->rc[i] = testutil_proc_wait(&p[i], WAIT_MS);
		CU_ASSERT_FATAL(r->j[i] != NULL);
	}
}

/* Both of a run's first two agents failed with outcome and error. */
static void check_both_failed(struct run *r, const char *outcome,
			      const char *error)
{
	for (int i = 0; i < 2; i++) {
		CU_ASSERT_EQUAL(r->rc[i], 1);
		CU_ASSERT_STRING_EQUAL(testutil_jstr(r->j[i], "outcome"),
				       outcome);
		CU_ASSERT(strstr(testutil_jstr(r->j[i], "error"), error) !=
			  NULL);
	}
}

static void run_free(struct run *r, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		json_decref(r->j[i]);
}

/* a and b connected to each other at host (e.g. "[::1]"). */
static void check_ok(json_t *a, json_t *b, const char *host, uint16_t pa,
		     uint16_t pb)
{
	char ea[64], eb[64];

	snprintf(ea, sizeof(ea), "%s:%u", host, pa);
	snprintf(eb, sizeof(eb), "%s:%u", host, pb);
	CU_ASSERT_STRING_EQUAL(testutil_jstr(a, "outcome"), "ok");
	CU_ASSERT_STRING_EQUAL(testutil_jstr(b, "outcome"), "ok");
	CU_ASSERT_STRING_EQUAL(testutil_jstr(a, "public"), ea);
	CU_ASSERT_STRING_EQUAL(testutil_jstr(a, "peer"), eb);
	CU_ASSERT_STRING_EQUAL(testutil_jstr(b, "peer"), ea);
	CU_ASSERT_STRING_EQUAL(testutil_jstr(a, "nonce"),
			       testutil_jstr(b, "nonce"));
}

static void test_pair6(void)
{
	const char *where[2] = {addr6, addr6};
	struct run r;

	run_agents(&r, 2, where, NULL);
	CU_ASSERT_EQUAL(r.rc[0], 0);
	CU_ASSERT_EQUAL(r.rc[1], 0);
	check_ok(r.j[0], r.j[1], "[::1]", r.port[0], r.port[1]);
	run_free(&r, 2);
}

/* One key, one registrant per family: no pair, both rejected with the
 * coordinator's "no peer" at its pair timeout. */
static void test_families_apart(void)
{
	const char *where[2] = {addr4, addr6};
	struct run r;

	run_agents(&r, 2, where, NULL);
	check_both_failed(&r, "coordinator", "no peer");
	run_free(&r, 2);
}

/* One key, two pairs: each family pairs within itself, at once. */
static void test_families_share_key(void)
{
	const char *where[4] = {addr4, addr6, addr4, addr6};
	struct run r;

	run_agents(&r, 4, where, NULL);
	for (int i = 0; i < 4; i++)
		CU_ASSERT_EQUAL(r.rc[i], 0);
	check_ok(r.j[0], r.j[2], "127.0.0.1", r.port[0], r.port[2]);
	check_ok(r.j[1], r.j[3], "[::1]", r.port[1], r.port[3]);
	run_free(&r, 4);
}

/* A coordinator on loopback names [::1]:PORT: the policy refuses it
 * before any SYN (no listener is even opened). */
static void test_policy_loopback6(void)
{
	const char *where[2] = {addr6, addr6};
	struct run r;

	run_agents(&r, 2, where, "--target-policy");
	check_both_failed(&r, "policy", "loopback ::1");
	for (int i = 0; i < 2; i++) {
		CU_ASSERT_STRING_EQUAL(testutil_jstr(r.j[i], "error"),
				       "loopback ::1");
		CU_ASSERT_EQUAL(testutil_jint(r.j[i], "syns_sent"), 0);
	}
	run_free(&r, 2);
}

/* --listen6 takes an IPv6 literal only; a taken IPv6 port is a listen
 * failure (exit 1), not a silent IPv4-only coordinator. */
static void test_listen6_usage(void)
{
	static const char *const bad[] = {"127.0.0.1:5", "[::1]", "::1:5",
					  "[::1]:65536", "[fe80::1%lo]:5"};
	char taken[80];
	struct testutil_proc p;

	for (unsigned i = 0; i < TESTUTIL_N(bad); i++) {
		char *argv[] = {(char *)coord_bin, "--listen",
				"127.0.0.1:0",	   "--listen6",
				(char *)bad[i],	   NULL};

		CU_ASSERT_FATAL(!testutil_proc_spawn(&p, argv));
		CU_ASSERT_EQUAL(testutil_proc_wait(&p, WAIT_MS), 2);
	}
	snprintf(taken, sizeof(taken), "%s", addr6);
	{
		char *argv[] = {(char *)coord_bin, "--listen", "127.0.0.1:0",
				"--listen6",	   taken,      NULL};

		CU_ASSERT_FATAL(!testutil_proc_spawn(&p, argv));
		CU_ASSERT_EQUAL(testutil_proc_wait(&p, WAIT_MS), 1);
	}
}

int main(void)
{
	static const struct testutil_case tests[] = {
		{"a pair punches through [::1] from IPv6 sockets", test_pair6},
		{"an IPv4 and an IPv6 registrant of one key never pair",
		 test_families_apart},
		{"an IPv4 and an IPv6 pair share a key",
		 test_families_share_key},
		{"--target-policy refuses the ::1 a coordinator names",
		 test_policy_loopback6},
		{"--listen6: IPv6 literals only; a taken port fails",
		 test_listen6_usage},
	};

	return testutil_run_suite("agent6", suite_init, suite_clean, tests,
				  TESTUTIL_N(tests))
		       ? 1
		       : 0;
}
