/* test_net: punch-net's pure parts — the address manager's netgroup rule
 * and sybil mitigation, the eviction choice, the hpaddr codec and the
 * nodes file's errors naming their key. No root, no sockets. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/Basic.h>

#include "../../harness/net/netaddrman.c"
#include "../../harness/net/netcfg.c"
#include "../../harness/net/netevict.c"
#include "../../harness/net/nethpaddr.c"
#include "lib/testutil.h"

static void add_reachable(struct netaddrman *am, int id, uint64_t group)
{
	struct netaddrman_entry e = {.node_id = id, .group = group,
				     .coord_id = -1};

	CU_ASSERT(netaddrman_add(am, &e) >= 0);
}

static void add_advertised(struct netaddrman *am, int id, int coord)
{
	struct netaddrman_entry e = {.node_id = id, .advertised = 1,
				     .coord_id = coord, .key = (uint64_t)id};

	CU_ASSERT(netaddrman_add(am, &e) >= 0);
}

/* One outbound per netgroup: with group 1 used only group 2 is picked;
 * failed and in-use entries are never picked; then nothing is left. */
static void test_addrman_netgroups(void)
{
	struct netaddrman am;
	uint64_t used[] = {1};

	netaddrman_init(&am, 100, 42, 0);
	add_reachable(&am, 1, 1);
	add_reachable(&am, 2, 1);
	add_reachable(&am, 3, 2);
	add_reachable(&am, 4, 2);
	for (int k = 0; k < 50; k++) {
		int i = netaddrman_pick(&am, used, 1, 1);

		CU_ASSERT_FATAL(i >= 0);
		CU_ASSERT_EQUAL(am.e[i].group, 2);
	}
	am.e[2].failed = 1;
	for (int k = 0; k < 20; k++)
		CU_ASSERT_EQUAL(netaddrman_pick(&am, used, 1, 1), 3);
	am.e[3].in_use = 1;
	CU_ASSERT_EQUAL(netaddrman_pick(&am, used, 1, 1), -ENOENT);
	netaddrman_free(&am);
}

/* Its own entry is refused; a node seen again as the same kind keeps
 * its first entry; a reachable node that also advertises (the eclipse
 * attacker's) has one entry of each kind. */
static void test_addrman_add(void)
{
	struct netaddrman am;

	netaddrman_init(&am, 7, 1, 0);
	struct netaddrman_entry self = {.node_id = 7};
	CU_ASSERT_EQUAL(netaddrman_add(&am, &self), -EEXIST);
	add_reachable(&am, 1, 5);
	add_reachable(&am, 1, 6);
	CU_ASSERT_EQUAL(am.n, 1);
	CU_ASSERT_EQUAL(am.e[0].group, 5);
	add_advertised(&am, 2, 3);
	add_advertised(&am, 2, 4);
	CU_ASSERT_EQUAL(am.n, 2);
	CU_ASSERT_EQUAL(am.e[1].group, NETADDRMAN_GROUP_KEY | 2);
	add_advertised(&am, 1, 3);
	CU_ASSERT_EQUAL(am.n, 3);
	CU_ASSERT_EQUAL(am.nreachable, 1);
	CU_ASSERT_EQUAL(am.nadvertised, 2);
	netaddrman_free(&am);
}

/* The same seed picks the same sequence (the contract's seeded choice). */
static void test_addrman_seeded(void)
{
	struct netaddrman a, b;

	netaddrman_init(&a, 0, 99, 0);
	netaddrman_init(&b, 0, 99, 0);
	for (int i = 1; i <= 30; i++) {
		add_reachable(&a, i, (uint64_t)i);
		add_reachable(&b, i, (uint64_t)i);
	}
	for (int k = 0; k < 100; k++)
		CU_ASSERT_EQUAL(netaddrman_pick(&a, NULL, 0, 1),
				netaddrman_pick(&b, NULL, 0, 1));
	netaddrman_free(&a);
	netaddrman_free(&b);
}

/* Share of advertised picks among 10 reachable addresses and 1,000
 * entries one coordinator introduced. */
static double advertised_share(int mitigation)
{
	struct netaddrman am;
	int adv = 0;

	netaddrman_init(&am, 5000, 3, mitigation);
	for (int i = 0; i < 10; i++)
		add_reachable(&am, i, (uint64_t)i);
	for (int i = 0; i < 1000; i++)
		add_advertised(&am, 1000 + i, 77);
	for (int k = 0; k < 2000; k++) {
		int i = netaddrman_pick(&am, NULL, 0, 0);

		CU_ASSERT_FATAL(i >= 0);
		adv += am.e[i].advertised;
	}
	netaddrman_free(&am);
	return adv / 2000.0;
}

/* Mitigation: a coordinator's 1,000 entries weigh as one address
 * (expected share 1/11), and share one netgroup. */
static void test_addrman_sybil(void)
{
	struct netaddrman am;
	uint64_t used[] = {NETADDRMAN_GROUP_COORD | 77};
	double off = advertised_share(0), on = advertised_share(1);

	CU_ASSERT(off > 0.95);
	CU_ASSERT(on > 0.05 && on < 0.14);
	netaddrman_init(&am, 5000, 3, 1);
	add_reachable(&am, 1, 1);
	for (int i = 0; i < 5; i++)
		add_advertised(&am, 1000 + i, 77);
	CU_ASSERT_EQUAL(am.e[3].group, NETADDRMAN_GROUP_COORD | 77);
	for (int k = 0; k < 20; k++)
		CU_ASSERT_EQUAL(netaddrman_pick(&am, used, 1, 0), 0);
	/* only_reachable: advertised entries are no candidates */
	am.e[0].failed = 1;
	CU_ASSERT_EQUAL(netaddrman_pick(&am, NULL, 0, 1), -ENOENT);
	netaddrman_free(&am);
}

/* The youngest of the netgroup with most inbound; ties go to the group
 * whose youngest is younger. */
static void test_evict(void)
{
	struct netevict_cand c[] = {
		{.group = 1, .t_open_ns = 10}, {.group = 2, .t_open_ns = 50},
		{.group = 1, .t_open_ns = 30}, {.group = 1, .t_open_ns = 20},
		{.group = 2, .t_open_ns = 60},
	};
	struct netevict_cand tie[] = {
		{.group = 1, .t_open_ns = 10}, {.group = 2, .t_open_ns = 5},
		{.group = 2, .t_open_ns = 40}, {.group = 1, .t_open_ns = 30},
	};

	CU_ASSERT_EQUAL(netevict_choose(c, 5), 2);
	CU_ASSERT_EQUAL(netevict_choose(tie, 4), 2);
	CU_ASSERT_EQUAL(netevict_choose(c, 1), 0);
	CU_ASSERT_EQUAL(netevict_choose(c, 0), -1);
}

/* u64 key LE, netaddr (port big-endian), u32 node LE: 38 bytes. */
static void test_hpaddr(void)
{
	struct nethpaddr m = {.key = 0x0102030405060708ULL, .node = 4242},
			 back;
	uint8_t buf[64];

	m.coord.ip[10] = m.coord.ip[11] = 0xff;
	m.coord.ip[12] = 172;
	m.coord.ip[13] = 16;
	m.coord.ip[15] = 1;
	m.coord.port = 18445;
	CU_ASSERT_EQUAL(nethpaddr_encode(buf, 10, &m), -ENOSPC);
	CU_ASSERT_EQUAL_FATAL(nethpaddr_encode(buf, sizeof(buf), &m), 38);
	CU_ASSERT_EQUAL(buf[0], 0x08);
	CU_ASSERT_EQUAL(buf[7], 0x01);
	CU_ASSERT_EQUAL(buf[8 + 8 + 12], 172);
	CU_ASSERT_EQUAL(buf[8 + 24], 18445 >> 8);
	CU_ASSERT_EQUAL(buf[8 + 25], 18445 & 0xff);
	CU_ASSERT_EQUAL(buf[34], 4242 & 0xff);
	CU_ASSERT_EQUAL(nethpaddr_decode(buf, 38, &back), 0);
	CU_ASSERT_EQUAL(back.key, m.key);
	CU_ASSERT_EQUAL(back.node, 4242);
	CU_ASSERT_EQUAL(back.coord.port, 18445);
	CU_ASSERT(!memcmp(back.coord.ip, m.coord.ip, 16));
	CU_ASSERT_EQUAL(nethpaddr_decode(buf, 37, &back), -EBADMSG);
	CU_ASSERT_EQUAL(nethpaddr_decode(buf, 39, &back), -EBADMSG);
}

static char tmpdir[] = "/tmp/punchlab-test-net.XXXXXX";

static const char *good_nodes =
	"{\"run_id\": \"ab12cd\", \"seed\": 1, \"outbound_full\": 8,"
	" \"outbound_block\": 2, \"inbound_slots\": 125, \"punch_target\": 2,"
	" \"blocks\": 5, \"block_bytes\": 2000, \"settle_ms\": 15000,"
	" \"phases\": [{\"name\": \"off\", \"mode\": \"off\","
	"   \"sybil_mitigation\": false},"
	"  {\"name\": \"adv-m\", \"mode\": \"advertised\","
	"   \"sybil_mitigation\": true}],"
	" \"nodes\": ["
	"  {\"id\": 0, \"kind\": \"reachable\", \"netns\": \"pl-ab12cd-r0\","
	"   \"addr\": \"172.16.3.1\", \"port\": 18444, \"netgroup\": 3,"
	"   \"coordinator\": {\"addr\": \"172.16.3.1\", \"port\": 18445}},"
	"  {\"id\": 200, \"kind\": \"home\", \"netns\": \"pl-ab12cd-h0\","
	"   \"addr\": \"10.0.0.2\", \"wan_addr\": \"172.17.9.4\","
	"   \"netgroup\": 265, \"profile\": \"home-eim\"}]}";

/* The nodes file with `from` replaced by `to`: 0 or netcfg_load's error. */
static int load_edited(const char *from, const char *to, struct netcfg *c,
		       char *err, size_t errlen)
{
	char path[128], *text = strdup(good_nodes), *at;
	FILE *f;
	int r;

	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	snprintf(path, sizeof(path), "%s/nodes.json", tmpdir);
	f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	at = from ? strstr(text, from) : NULL;
	if (from)
		CU_ASSERT_PTR_NOT_NULL_FATAL(at);
	if (at) {
		fwrite(text, 1, (size_t)(at - text), f);
		fputs(to, f);
		fputs(at + strlen(from), f);
	} else {
		fputs(text, f);
	}
	fclose(f);
	free(text);
	r = netcfg_load(path, c, err, errlen);
	if (!r)
		netcfg_free(c);
	return r;
}

static void test_cfg_good(void)
{
	struct netcfg c;
	char path[128], err[256] = "";

	CU_ASSERT_EQUAL(load_edited(NULL, NULL, &c, err, sizeof(err)), 0);
	snprintf(path, sizeof(path), "%s/nodes.json", tmpdir);
	CU_ASSERT_EQUAL_FATAL(netcfg_load(path, &c, err, sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(c.run_id, "ab12cd");
	CU_ASSERT_EQUAL(c.nnodes, 2);
	CU_ASSERT_EQUAL(c.nphases, 2);
	CU_ASSERT_EQUAL(c.phases[1].mode, NETCFG_ADVERTISED);
	CU_ASSERT_EQUAL(c.phases[1].sybil_mitigation, 1);
	CU_ASSERT_EQUAL(c.nodes[0].coordinator, 1);
	CU_ASSERT_EQUAL(c.nodes[0].coord_port, 18445);
	CU_ASSERT_EQUAL(c.nodes[1].kind, NETCFG_HOME);
	CU_ASSERT_EQUAL(c.nodes[1].netgroup, 265);
	CU_ASSERT_EQUAL(c.max_id, 200);
	CU_ASSERT_EQUAL(netcfg_phase_find(&c, "adv-m"), 1);
	CU_ASSERT_EQUAL(netcfg_phase_find(&c, "nope"), -1);
	netcfg_free(&c);
}

/* Each bad input is refused with the key's path and the reason. */
static void test_cfg_bad(void)
{
	static const struct {
		const char *from, *to, *want1, *want2;
	} bad[] = {
		{"\"addr\": \"10.0.0.2\",", "", "nodes[1].addr", "missing"},
		{"\"10.0.0.2\"", "\"10.0.0.300\"", "nodes[1].addr",
		 "not an IPv4"},
		{"\"mode\": \"advertised\"", "\"mode\": \"adv\"", "mode",
		 "phases[1]"},
		{"\"inbound_slots\": 125", "\"inbound_slots\": 10",
		 "inbound_slots", "no inbound slot"},
		{"\"id\": 200", "\"id\": 0", "nodes[1].id", "used twice"},
		{"\"kind\": \"home\"", "\"kind\": \"nat\"", "nodes[1].kind",
		 "'nat'"},
		{"\"netgroup\": 3,", "\"netgroup\": \"3\",",
		 "nodes[0].netgroup", "not an integer"},
		{", \"port\": 18445}", "}", "nodes[0].coordinator.port",
		 "missing"},
		{"\"blocks\": 5", "\"blocks\": 500", "blocks", "outside"},
		{"\"run_id\"", "\"run\"", "run_id", "missing"},
		{"{\"run_id\"", "[{\"run_id\"", "not JSON", ":1:"},
		{"\"kind\": \"reachable\"", "\"kind\": \"home\"", "nodes",
		 "no reachable node"},
	};
	struct netcfg c;
	char err[256];

	for (size_t i = 0; i < TESTUTIL_N(bad); i++) {
		err[0] = '\0';
		CU_ASSERT_EQUAL(load_edited(bad[i].from, bad[i].to, &c, err,
					    sizeof(err)),
				-EINVAL);
		if (!strstr(err, bad[i].want1) || !strstr(err, bad[i].want2))
			fprintf(stderr, "case %zu: '%s'\n", i, err);
		CU_ASSERT_PTR_NOT_NULL(strstr(err, bad[i].want1));
		CU_ASSERT_PTR_NOT_NULL(strstr(err, bad[i].want2));
		CU_ASSERT_PTR_NOT_NULL(strstr(err, "nodes.json"));
	}
}

int main(void)
{
	static const struct testutil_case tests[] = {
		{"addrman: one outbound per netgroup", test_addrman_netgroups},
		{"addrman: entries", test_addrman_add},
		{"addrman: seeded picks", test_addrman_seeded},
		{"addrman: sybil mitigation", test_addrman_sybil},
		{"eviction choice", test_evict},
		{"hpaddr codec", test_hpaddr},
		{"nodes file", test_cfg_good},
		{"nodes file errors name the key", test_cfg_bad},
	};
	char cmd[128];
	int fails;

	if (!mkdtemp(tmpdir))
		return 1;
	fails = testutil_run_suite("net", NULL, NULL, tests,
				   TESTUTIL_N(tests));
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	if (system(cmd))
		fprintf(stderr, "could not remove %s\n", tmpdir);
	return fails ? 1 : 0;
}
