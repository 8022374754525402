/* test_btcnode: btcnode against a real regtest bitcoind on loopback, no
 * root (netns_fd -1). Needs BITCOIND and BITCOIN_CLI; without them it
 * prints SKIP and exits 4. Datadirs live under a mkdtemp directory that is
 * removed at the end. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <CUnit/Basic.h>

#include "monoclock.h"
#include "btcnode.h"
#include "btcprobe.h"
#include "btcrpc.h"
#include "log.h"
#include "lib/testutil.h"

#define MS INT64_C(1000000)

static const char *bitcoind, *cli;
static char tmpdir[] = "/tmp/punchlab-btcnode-XXXXXX";

static int start_node(struct btcnode *n, const char *name, const char *proxy)
{
	char dir[256];

	snprintf(dir, sizeof(dir), "%s/%s", tmpdir, name);
	return btcnode_start(n, -1, bitcoind, dir, "127.0.0.1",
			     testutil_free_port(), testutil_free_port(), proxy,
			     -1);
}

static void test_find_probe(void)
{
	struct btcprobe caps;
	const char *b, *c;
	char *saved = strdup(getenv("BITCOIND"));

	CU_ASSERT_EQUAL(btcnode_find(&b, &c), 0);
	CU_ASSERT_STRING_EQUAL(b, bitcoind);
	setenv("BITCOIND", "/nonexistent/bitcoind", 1);
	CU_ASSERT_EQUAL(btcnode_find(&b, &c), -ENOENT);
	setenv("BITCOIND", tmpdir, 1); /* a directory is not a program */
	CU_ASSERT_EQUAL(btcnode_find(&b, NULL), -ENOENT);
	unsetenv("BITCOIND");
	CU_ASSERT_EQUAL(btcnode_find(&b, NULL), -ENOENT);
	setenv("BITCOIND", saved, 1);
	free(saved);

	CU_ASSERT_EQUAL_FATAL(btcprobe_get(bitcoind, &caps), 0);
	CU_ASSERT(caps.version[0] == 'v');
	CU_ASSERT(caps.v2transport);
	printf("\n    bitcoind %s: natpmp %d upnp %d importpeersocket %d "
	       "v2transport %d\n",
	       caps.version, caps.natpmp, caps.upnp, caps.importpeersocket,
	       caps.v2transport);
}

static void test_one_node(void)
{
	struct btcnode n;
	char hash[65];
	json_t *res = NULL;
	int64_t t0;
	pid_t pid;
	long rss;
	int r;

	r = start_node(&n, "one", NULL);
	CU_ASSERT_EQUAL_FATAL(r, 0);
	pid = n.pid;
	CU_ASSERT(pid > 0);
	CU_ASSERT(n.t_ready_ns > n.t_spawn_ns);
	CU_ASSERT_EQUAL(btcnode_blockcount(&n), 0);
	CU_ASSERT_EQUAL(btcnode_mine(&n, 1, hash), 0);
	CU_ASSERT_EQUAL(btcnode_blockcount(&n), 1);
	CU_ASSERT_EQUAL(btcnode_rpc(&n, "getbestblockhash", "[]", &res), 0);
	CU_ASSERT_STRING_EQUAL(json_string_value(res), hash);
	json_decref(res);
	CU_ASSERT_EQUAL(btcnode_wait_block(&n, hash, mono_ns(), NULL), 0);
	/* A block nobody has: bitcoind says "not found" until the end. */
	CU_ASSERT_EQUAL(
		btcnode_wait_block(&n,
				   "00000000000000000000000000000000000000000"
				   "00000000000000000000000",
				   mono_ns() + 50 * MS, NULL),
		-ETIMEDOUT);
	/* bitcoind's own errors come back with its code. */
	CU_ASSERT_EQUAL(btcnode_rpc(&n, "nosuchmethod", NULL, NULL),
			-EREMOTEIO);
	CU_ASSERT_EQUAL(n.rpc_code, -32601);
	CU_ASSERT_EQUAL(btcnode_rpc(&n, "getblockhash", "not json", NULL),
			-EINVAL);
	rss = btcnode_rss_kb(pid);
	CU_ASSERT(rss > 1000);
	t0 = mono_ns();
	r = btcnode_stop(&n, BTCNODE_STOP_MS);
	printf("\n    ready after %.1f ms, RSS %ld kB, stopped in %.1f ms\n",
	       (double)(n.t_ready_ns - n.t_spawn_ns) / 1e6, rss,
	       (double)(mono_ns() - t0) / 1e6);
	CU_ASSERT(r >= 0 && WIFEXITED(r) && WEXITSTATUS(r) == 0);
	CU_ASSERT_EQUAL(n.pid, -1);
	CU_ASSERT(kill(pid, 0) < 0 && errno == ESRCH);
}

static void test_two_nodes(void)
{
	struct btcnode a, b;
	struct btcnode_peer pa, pb;
	char target[32], hash[65];
	int64_t t0, t_conn = 0, t_mined, t_seen;
	int ok_a = 0, ok_b = 0;

	CU_ASSERT_EQUAL_FATAL(start_node(&a, "a", NULL), 0);
	if (start_node(&b, "b", NULL)) {
		btcnode_stop(&a, BTCNODE_STOP_MS);
		CU_FAIL_FATAL("second node");
	}
	snprintf(target, sizeof(target), "127.0.0.1:%d", b.p2p_port);
	t0 = mono_ns();
	CU_ASSERT_EQUAL(btcnode_addnode_onetry(&a, target), 0);
	while (!(ok_a && ok_b) && mono_ns() < t0 + 10000 * MS) {
		ok_a = ok_a || testutil_find_peer(&a, target, &pa);
		ok_b = ok_b || testutil_find_peer(&b, NULL, &pb);
		if (ok_a && ok_b)
			t_conn = mono_ns();
	}
	CU_ASSERT(ok_a && ok_b);
	if (ok_a && ok_b) {
		CU_ASSERT_STRING_EQUAL(pa.conn_type, "manual");
		CU_ASSERT_FALSE(pa.inbound);
		CU_ASSERT_STRING_EQUAL(pb.conn_type, "inbound");
		CU_ASSERT(pb.inbound);
		CU_ASSERT_STRING_EQUAL(pa.transport, pb.transport);
		CU_ASSERT(!strcmp(pa.transport, "v1") ||
			  !strcmp(pa.transport, "v2"));
		CU_ASSERT(strstr(pa.subver, "/Satoshi:") == pa.subver);
		CU_ASSERT(pa.bytessent > 0 && pa.bytesrecv > 0);
		printf("\n    a sees %s (%s, %s), b sees %s (%s, %s); "
		       "handshake %.1f ms after addnode\n",
		       pa.addr, pa.conn_type, pa.transport, pb.addr,
		       pb.conn_type, pb.transport, (double)(t_conn - t0) / 1e6);
	}
	/* A second connection, b to a, forced to v1. */
	snprintf(target, sizeof(target), "127.0.0.1:%d", a.p2p_port);
	CU_ASSERT_EQUAL(btcnode_addnode_onetry_v2(&b, target, 0), 0);
	ok_b = 0;
	while (!ok_b && mono_ns() < t0 + 20000 * MS)
		ok_b = testutil_find_peer(&b, target, &pb);
	CU_ASSERT(ok_b);
	CU_ASSERT_STRING_EQUAL(pb.transport, "v1");
	CU_ASSERT_STRING_EQUAL(pb.conn_type, "manual");

	CU_ASSERT_EQUAL(btcnode_mine(&a, 1, hash), 0);
	t_mined = mono_ns();
	CU_ASSERT_EQUAL(
		btcnode_wait_block(&b, hash, t_mined + 10000 * MS, &t_seen), 0);
	CU_ASSERT_EQUAL(btcnode_blockcount(&b), 1);
	printf("    block at b %.1f ms after generate returned\n",
	       (double)(t_seen - t_mined) / 1e6);
	CU_ASSERT(btcnode_stop(&a, BTCNODE_STOP_MS) >= 0);
	CU_ASSERT(btcnode_stop(&b, BTCNODE_STOP_MS) >= 0);
}

/* A bitcoind that refuses its options exits at once; the readiness wait
 * notices the exit instead of running to its deadline. */
static void test_dies_early(void)
{
	struct btcnode n;
	char dir[256];
	int64_t t0 = mono_ns();
	int r;

	snprintf(dir, sizeof(dir), "%s/bad", tmpdir);
	r = btcnode_start(&n, -1, bitcoind, dir, "127.0.0.1",
			  testutil_free_port(), testutil_free_port(),
			  "not-a-proxy:x", -1);
	CU_ASSERT_EQUAL(r, -ECHILD);
	CU_ASSERT_EQUAL(n.pid, -1);
	CU_ASSERT(mono_ns() - t0 < 10000 * MS);
}

int main(void)
{
	static const struct testutil_case tests[] = {
		{"find and probe", test_find_probe},
		{"one node mines a block", test_one_node},
		{"two nodes: addnode, peers, block relay", test_two_nodes},
		{"bad option: exit noticed at once", test_dies_early},
	};
	int fails;

	if (btcnode_find(&bitcoind, &cli)) {
		printf("SKIP: set BITCOIND and BITCOIN_CLI to a bitcoind build "
		       "to run the bitcoind tests\n");
		return 4;
	}
	log_init("test_btcnode", getenv("PUNCHLAB_TEST_VERBOSE") != NULL);
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	fails = testutil_run_suite("btcnode", NULL, NULL, tests,
				   TESTUTIL_N(tests));
	testutil_rm_tree(tmpdir);
	return fails ? 1 : 0;
}
