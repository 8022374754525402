/* test_agent_bitcoind: two punch-agents in bitcoind mode, each in front
 * of its own real regtest bitcoind, with punch-coordinator, all on
 * loopback, no root. Does what the harness does: after both agents say
 * "punched", addnode the peer's public endpoint on the initiator's node
 * (which reaches it through its agent's SOCKS5 proxy), wait until both
 * nodes list each other, mine on each and see the block arrive at the
 * other. As in test_agent, full-backlog listeners on the agents' ports
 * make the loopback SYNs cross. Needs BITCOIND and BITCOIN_CLI (else SKIP,
 * exit 4); PUNCH_AGENT and PUNCH_COORDINATOR override the binaries. */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <CUnit/Basic.h>
#include <jansson.h>

#include "monoclock.h"
#include "btcnode.h"
#include "btcrpc.h"
#include "log.h"
#include "lib/testutil.h"

#define WAIT_MS 20000
#define MS INT64_C(1000000)

static const char *agent_bin, *coord_bin, *bitcoind, *cli;
static char coord_addr[64];
static char tmpdir[] = "/tmp/punchlab-agent-btc-XXXXXX";

static struct testutil_proc coord = {-1, -1, "", 0};

/* One side: an agent and its bitcoind. */
struct side {
	const char *name;
	struct btcnode node;
	struct testutil_proc agent;
	uint16_t port, socks;
	int sink, filler;
	json_t *ev, *report;
	struct btcnode_peer peer; /* the other side as this node sees it */
	int64_t t_peer_ns;	  /* handshake first seen over RPC */
};

static int side_node(struct side *s)
{
	char dir[256], proxy[32];

	s->port = testutil_free_port();
	s->socks = testutil_free_port();
	s->sink = testutil_listener(s->port, 0, 1, &s->filler);
	if (s->sink < 0)
		return -1;
	snprintf(dir, sizeof(dir), "%s/%s", tmpdir, s->name);
	/* Both nodes get the proxy: the role is only known after the match,
	 * and a node that makes no outbound connection never uses it. */
	snprintf(proxy, sizeof(proxy), "127.0.0.1:%u", s->socks);
	return btcnode_start(&s->node, -1, bitcoind, dir, "127.0.0.1",
			     testutil_free_port(), testutil_free_port(), proxy,
			     -1);
}

static int side_agent(struct side *s, uint64_t key)
{
	char sport[8], skey[24], socks[32], p2p[32];
	char *argv[] = {(char *)agent_bin,
			"--coordinator",
			coord_addr,
			"--local-port",
			sport,
			"--key",
			skey,
			"--name",
			(char *)s->name,
			"--timeout-ms",
			"6000",
			"--node",
			"bitcoind",
			"--socks",
			socks,
			"--bitcoind-p2p",
			p2p,
			"--hold-ms",
			"60000",
			"-v",
			NULL};

	snprintf(sport, sizeof(sport), "%u", s->port);
	snprintf(skey, sizeof(skey), "%" PRIu64, key);
	snprintf(socks, sizeof(socks), "127.0.0.1:%u", s->socks);
	snprintf(p2p, sizeof(p2p), "127.0.0.1:%d", s->node.p2p_port);
	return testutil_proc_spawn(&s->agent, argv);
}

static double ms_between(int64_t a, int64_t b)
{
	return (double)(b - a) / 1e6;
}

/* Mines one block on `from` and waits for it at `to`; ms it took. */
static double relay_block(struct side *from, struct side *to)
{
	char hash[65];
	int64_t t_mined, t_seen;

	if (btcnode_mine(&from->node, 1, hash))
		return -1;
	t_mined = mono_ns();
	if (btcnode_wait_block(&to->node, hash, t_mined + WAIT_MS * MS,
			       &t_seen))
		return -1;
	return ms_between(t_mined, t_seen);
}

/* Static so that suite_clean stops whatever a failed assertion left. */
static struct side sides[2] = {{.name = "alice"}, {.name = "bob"}};

static void test_pair(void)
{
	struct side *s = sides, *ini, *rsp;
	static uint64_t key;
	int64_t t_addnode, deadline;
	double blk_ir, blk_ri;
	int found[2] = {0, 0}, i;

	key = ((uint64_t)getpid() << 16) + 1;
	for (i = 0; i < 2; i++)
		s[i].sink = s[i].filler = -1;
	for (i = 0; i < 2; i++)
		CU_ASSERT_FATAL(!side_node(&s[i]));
	for (i = 0; i < 2; i++)
		CU_ASSERT_FATAL(!side_agent(&s[i], key));
	for (i = 0; i < 2; i++) {
		s[i].ev = testutil_proc_json(&s[i].agent, WAIT_MS);
		CU_ASSERT_FATAL(s[i].ev != NULL);
		CU_ASSERT_STRING_EQUAL_FATAL(testutil_jstr(s[i].ev, "event"),
					     "punched");
	}
	ini = !strcmp(testutil_jstr(s[0].ev, "role"), "initiator") ? &s[0]
								   : &s[1];
	rsp = ini == &s[0] ? &s[1] : &s[0];
	CU_ASSERT_STRING_EQUAL_FATAL(testutil_jstr(rsp->ev, "role"),
				     "responder");

	/* The harness's step: the initiator's node dials the peer's public
	 * endpoint by the name in the event (a bare loopback or RFC 5737
	 * address would bypass -proxy); its agent's proxy carries it over the
	 * punched socket. */
	t_addnode = mono_ns();
	CU_ASSERT_EQUAL(btcnode_addnode_onetry(
				&ini->node, testutil_jstr(ini->ev, "addnode")),
			0);
	deadline = mono_ms() + WAIT_MS;
	while (!(found[0] && found[1]) && mono_ms() < deadline) {
		if (!found[0] &&
		    (found[0] = testutil_find_peer(
			     &ini->node, testutil_jstr(ini->ev, "addnode"),
			     &ini->peer)))
			ini->t_peer_ns = mono_ns();
		if (!found[1] && (found[1] = testutil_find_peer(
					  &rsp->node, NULL, &rsp->peer)))
			rsp->t_peer_ns = mono_ns();
	}
	CU_ASSERT_FATAL(found[0] && found[1]);
	CU_ASSERT_STRING_EQUAL(ini->peer.conn_type, "manual");
	CU_ASSERT_FALSE(ini->peer.inbound);
	CU_ASSERT_STRING_EQUAL(rsp->peer.conn_type, "inbound");
	CU_ASSERT(strncmp(rsp->peer.addr, "127.0.0.1:", 10) == 0);
	CU_ASSERT_STRING_EQUAL(ini->peer.transport, rsp->peer.transport);
	CU_ASSERT(strstr(ini->peer.subver, "/Satoshi:") == ini->peer.subver);
	CU_ASSERT(strstr(rsp->peer.subver, "/Satoshi:") == rsp->peer.subver);
	/* Each agent said how its node would list the connection. */
	for (i = 0; i < 2; i++) {
		json_t *ev = testutil_proc_json(&s[i].agent, WAIT_MS);

		CU_ASSERT_STRING_EQUAL(testutil_jstr(ev, "event"), "spliced");
		CU_ASSERT_STRING_EQUAL(testutil_jstr(ev, "node_addr"),
				       s[i].peer.addr);
		json_decref(ev);
	}

	blk_ir = relay_block(ini, rsp);
	blk_ri = relay_block(rsp, ini);
	CU_ASSERT(blk_ir >= 0);
	CU_ASSERT(blk_ri >= 0);
	CU_ASSERT_EQUAL(btcnode_blockcount(&ini->node), 2);
	CU_ASSERT_EQUAL(btcnode_blockcount(&rsp->node), 2);

	printf("\n    initiator %s: node sees %s as %s, transport %s\n",
	       ini->name, ini->peer.addr, ini->peer.conn_type,
	       ini->peer.transport);
	printf("    responder %s: node sees %s as %s, transport %s\n",
	       rsp->name, rsp->peer.addr, rsp->peer.conn_type,
	       rsp->peer.transport);
	for (i = 0; i < 2; i++)
		printf("    %s: RSS of bitcoind %ld kB, ready %.1f ms after "
		       "spawn\n",
		       s[i].name, btcnode_rss_kb(s[i].node.pid),
		       ms_between(s[i].node.t_spawn_ns, s[i].node.t_ready_ns));

	/* The agents stop; the relays end and both nodes lose the peer. */
	for (i = 0; i < 2; i++)
		kill(s[i].agent.pid, SIGTERM);
	for (i = 0; i < 2; i++) {
		s[i].report = testutil_proc_json(&s[i].agent, WAIT_MS);
		CU_ASSERT_EQUAL(testutil_proc_wait(&s[i].agent, WAIT_MS), 0);
		CU_ASSERT_FATAL(s[i].report != NULL);
		CU_ASSERT_STRING_EQUAL(testutil_jstr(s[i].report, "outcome"),
				       "ok");
		CU_ASSERT_STRING_EQUAL(testutil_jstr(s[i].report, "node"),
				       "bitcoind");
		CU_ASSERT_STRING_EQUAL(testutil_jstr(s[i].report, "relay"),
				       "splice");
		CU_ASSERT(testutil_jint(s[i].report, "bytes_in") > 0);
		CU_ASSERT(testutil_jint(s[i].report, "bytes_out") > 0);
		CU_ASSERT(testutil_jint(s[i].report, "t_spliced_ns") >
			  testutil_jint(s[i].report, "t_established_ns"));
	}
	CU_ASSERT_EQUAL(testutil_jint(ini->report, "bytes_out"),
			testutil_jint(rsp->report, "bytes_in"));
	CU_ASSERT_EQUAL(testutil_jint(ini->report, "bytes_in"),
			testutil_jint(rsp->report, "bytes_out"));
	for (i = 0; i < 2; i++) {
		struct btcnode_peer *p;
		int n = 1;

		deadline = mono_ms() + WAIT_MS;
		while (n > 0 && mono_ms() < deadline) {
			n = btcnode_getpeerinfo(&s[i].node, &p);
			free(p);
		}
		CU_ASSERT_EQUAL(n, 0);
	}

	{
		json_t *ri = ini->report, *rr = rsp->report;
		int64_t t0 = testutil_jint(ri, "t_start_ns") <
					     testutil_jint(rr, "t_start_ns")
				     ? testutil_jint(ri, "t_start_ns")
				     : testutil_jint(rr, "t_start_ns");

		printf("    start -> established: initiator %.2f ms, responder "
		       "%.2f ms\n",
		       ms_between(t0, testutil_jint(ri, "t_established_ns")),
		       ms_between(t0, testutil_jint(rr, "t_established_ns")));
		printf("    established -> spliced: responder %.2f ms (dial "
		       "bitcoind); initiator %.2f ms (includes the test's "
		       "addnode)\n",
		       ms_between(testutil_jint(rr, "t_established_ns"),
				  testutil_jint(rr, "t_spliced_ns")),
		       ms_between(testutil_jint(ri, "t_established_ns"),
				  testutil_jint(ri, "t_spliced_ns")));
		printf("    addnode -> SOCKS CONNECT done: %.2f ms; addnode -> "
		       "handshake seen over RPC: initiator %.2f ms, responder "
		       "%.2f ms\n",
		       ms_between(t_addnode, testutil_jint(ri, "t_spliced_ns")),
		       ms_between(t_addnode, ini->t_peer_ns),
		       ms_between(t_addnode, rsp->t_peer_ns));
		printf("    block mined -> seen at the other node: %.2f ms "
		       "(initiator to responder), %.2f ms (back)\n",
		       blk_ir, blk_ri);
		printf("    relayed: initiator out %" PRId64 " B / in %" PRId64
		       " B; node bytessent %" PRIu64 " / bytesrecv %" PRIu64
		       " at handshake\n",
		       testutil_jint(ri, "bytes_out"),
		       testutil_jint(ri, "bytes_in"), ini->peer.bytessent,
		       ini->peer.bytesrecv);
	}

	for (i = 0; i < 2; i++)
		CU_ASSERT(btcnode_stop(&s[i].node, BTCNODE_STOP_MS) >= 0);
}

static int suite_init(void)
{
	if (testutil_coord_start(&coord, coord_bin, "unit-agent-btc",
				 coord_addr, sizeof(coord_addr), WAIT_MS))
		return -1;
	return 0;
}

static int suite_clean(void)
{
	for (int i = 0; i < 2; i++) {
		struct side *sd = &sides[i];

		if (sd->agent.pid > 0) {
			kill(sd->agent.pid, SIGTERM);
			testutil_proc_wait(&sd->agent, WAIT_MS);
		}
		if (sd->node.pid > 0)
			btcnode_stop(&sd->node, BTCNODE_STOP_MS);
		json_decref(sd->ev);
		json_decref(sd->report);
		if (sd->sink >= 0)
			close(sd->sink);
		if (sd->filler >= 0)
			close(sd->filler);
	}
	if (coord.pid > 0) {
		kill(coord.pid, SIGTERM);
		testutil_proc_wait(&coord, WAIT_MS);
	}
	return 0;
}

int main(void)
{
	static const struct testutil_case tests[] = {
		{"punch, then real bitcoinds connect and relay blocks both "
		 "ways",
		 test_pair},
	};
	int fails;

	if (btcnode_find(&bitcoind, &cli)) {
		printf("SKIP: set BITCOIND and BITCOIN_CLI to a bitcoind build "
		       "to run the bitcoind-mode agent test\n");
		return 4;
	}
	agent_bin = testutil_bin("PUNCH_AGENT", "build/bin/punch-agent");
	coord_bin = testutil_bin("PUNCH_COORDINATOR",
				 "build/bin/punch-coordinator");
	if (access(agent_bin, X_OK) || access(coord_bin, X_OK)) {
		printf("SKIP: %s or %s not built (run make first, or set "
		       "PUNCH_AGENT / PUNCH_COORDINATOR)\n",
		       agent_bin, coord_bin);
		return 4;
	}
	log_init("test_agent_bitcoind",
		 getenv("PUNCHLAB_TEST_VERBOSE") != NULL);
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	fails = testutil_run_suite("agent-bitcoind", suite_init, suite_clean,
				   tests, TESTUTIL_N(tests));
	if (fails < 0)
		return 1;
	/* PUNCHLAB_TEST_KEEP keeps the datadirs and their debug.log. */
	if (getenv("PUNCHLAB_TEST_KEEP"))
		printf("kept %s\n", tmpdir);
	else
		testutil_rm_tree(tmpdir);
	return fails ? 1 : 0;
}
