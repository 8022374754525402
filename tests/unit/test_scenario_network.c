/* test_scenario_network: the [network] section and its plan, without
 * root — keys with their defaults, the population from a CSV (share or
 * count) or an inline list, each mistake at its file, line and key; the
 * plan's names, addresses in their netgroup's /24, carriers for NAT444
 * profiles, and the same world from the same seed. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/Basic.h>

#include "../../harness/punchlab/network/netnodes.c"
#include "../../harness/punchlab/plan/netplan.c"
#include "../../harness/punchlab/plan/plan.c"
#include "../../harness/punchlab/plan/plan6.c"
#include "../../harness/punchlab/plan/plan_print.c"
#include "lib/testutil.h"

static char tmpdir[] = "/tmp/punchlab-test-scenario-network.XXXXXX";
static char path[600];

/* Writes tmpdir/name (text); its path into path. */
static void write_file(const char *name, const char *text)
{
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs(text, f);
	fclose(f);
}

/* Writes name.ini (text) into tmpdir and loads it: scenario_load's
 * answer; *s loaded (the caller frees it). */
static int load(const char *name, const char *text, struct scenario *s,
		struct cfg_error *ce)
{
	char file[128];

	snprintf(file, sizeof(file), "%s.ini", name);
	write_file(file, text);
	return scenario_load(path, "nat-profiles", s, ce);
}

static void test_defaults(void)
{
	struct scenario s;
	struct cfg_error ce;
	const struct scenario_network *n;

	CU_ASSERT_EQUAL_FATAL(load("defaults", "[network]\n", &s, &ce), 0);
	n = s.net;
	CU_ASSERT_PTR_NOT_NULL_FATAL(n);
	CU_ASSERT_EQUAL(s.ncells, 0);
	CU_ASSERT_EQUAL(n->homes, 200);
	CU_ASSERT_EQUAL(n->reachable, 40);
	CU_ASSERT_EQUAL(n->coordinators, 4);
	CU_ASSERT_EQUAL(n->outbound_full, 8);
	CU_ASSERT_EQUAL(n->outbound_block, 2);
	CU_ASSERT_EQUAL(n->inbound_slots, 125);
	CU_ASSERT_EQUAL(n->punch_target, 2);
	CU_ASSERT_EQUAL(n->blocks, 5);
	CU_ASSERT_EQUAL(n->block_bytes, 2000);
	CU_ASSERT_EQUAL(n->netgroups, 256);
	CU_ASSERT_EQUAL(n->settle_ms, 15000);
	CU_ASSERT_EQUAL(n->coordinator_mode_slots, 8);
	/* halkes2011: symmetric's two rows are one entry (0.11 + 0.04) */
	CU_ASSERT_EQUAL_FATAL(n->nprofiles, 3);
	CU_ASSERT_STRING_EQUAL(n->profiles[2].p.name, "symmetric");
	CU_ASSERT_DOUBLE_EQUAL(n->profiles[2].share, 0.15, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(n->profiles[1].share, 0.64, 1e-9);
	/* all modes, advertised once per sybil value */
	CU_ASSERT_EQUAL_FATAL(n->nphases, 5);
	CU_ASSERT_STRING_EQUAL(n->phases[0].name, "off");
	CU_ASSERT_STRING_EQUAL(n->phases[3].name, "advertised-mitigated");
	CU_ASSERT_TRUE(n->phases[3].sybil_mitigation);
	CU_ASSERT_STRING_EQUAL(n->phases[4].name, "advertised-unmitigated");
	CU_ASSERT_FALSE(n->phases[4].sybil_mitigation);
	scenario_free(&s);
	CU_ASSERT_PTR_NULL(s.net);
}

static void test_keys(void)
{
	struct scenario s;
	struct cfg_error ce;
	const struct scenario_network *n;

	write_file("pop.csv", "# comment\n\nprofile,count,category\n"
			      "home-eim,3,\"a, quoted\"\ncgnat-eim,1,x\n");
	CU_ASSERT_EQUAL_FATAL(
		load("keys",
		     "[scenario]\nseed = 7\n[network]\nhomes = 10\n"
		     "reachable = 4\ncoordinators = 2\npopulation = pop.csv\n"
		     "outbound_full = 3\noutbound_block = 0\n"
		     "inbound_slots = 10\npunch_target = 1\n"
		     "modes = advertised, off\nsybil_mitigation = off\n"
		     "blocks = 2\nblock_bytes = 64\nnetgroups = 3\n"
		     "settle_ms = 3000\ncoordinator_mode_slots = 2\n",
		     &s, &ce),
		0);
	n = s.net;
	CU_ASSERT_EQUAL(s.seed, 7);
	CU_ASSERT_EQUAL(n->homes, 10);
	CU_ASSERT_EQUAL(n->coordinators, 2);
	CU_ASSERT_EQUAL_FATAL(n->nprofiles, 2);
	CU_ASSERT_DOUBLE_EQUAL(n->profiles[0].share, 0.75, 1e-9);
	CU_ASSERT_TRUE(n->profiles[1].has_carrier);
	CU_ASSERT_STRING_EQUAL(n->profiles[1].carrier.name, "carrier-eim");
	CU_ASSERT_EQUAL_FATAL(n->nphases, 2);
	CU_ASSERT_STRING_EQUAL(n->phases[0].name, "advertised-unmitigated");
	CU_ASSERT_STRING_EQUAL(n->phases[1].name, "off");
	CU_ASSERT_PTR_NOT_NULL(strstr(n->population_path, "pop.csv"));
	scenario_free(&s);

	CU_ASSERT_EQUAL_FATAL(
		load("inline",
		     "[network]\nhomes = 5\n"
		     "population = home-eim:0.6, symmetric : 0.4\n",
		     &s, &ce),
		0);
	CU_ASSERT_EQUAL(s.net->reachable, 1); /* N/5 */
	CU_ASSERT_EQUAL(s.net->coordinators, 1);
	CU_ASSERT_EQUAL(s.net->nprofiles, 2);
	CU_ASSERT_STRING_EQUAL(s.net->population_path, "");
	scenario_free(&s);
}

/* Each mistake: file, line and key named. */
static void test_errors(void)
{
	static const struct {
		const char *name, *text;
		int line;
		const char *key, *msg;
	} bad[] = {
		{"unknown", "[network]\nhomes = 3\ncolour = red\n", 3, "colour",
		 "unknown key in [network]"},
		{"range", "[network]\nhomes = 0\n", 2, "homes", "out of range"},
		{"mixed",
		 "[network]\n[cell x]\na = home-eim\nb = home-eim\n"
		 "expect = >= 0\n",
		 2, "[cell x]", "no [cell] or [matrix]"},
		{"trials", "[scenario]\ntrials = 3\n[network]\n", 2, "trials",
		 "does not use it"},
		{"coords", "[network]\nreachable = 2\ncoordinators = 3\n", 3,
		 "coordinators", "first C reachable"},
		{"groups", "[network]\nhomes = 300\nnetgroups = 1\n", 3,
		 "netgroups", "raise netgroups"},
		{"slots", "[network]\ninbound_slots = 10\n", 2, "inbound_slots",
		 "no inbound"},
		{"mode", "[network]\nmodes = off, teleport\n", 2, "modes",
		 "teleport"},
		{"twice", "[network]\nmodes = off, off\n", 2, "modes", "twice"},
		{"none", "[network]\npopulation = open-firewall:1\n", 2,
		 "population", "mapping none"},
		{"noprof", "[network]\npopulation = nosuch:1\n", 2,
		 "population", "no NAT profile 'nosuch'"},
		{"nocsv", "[network]\npopulation = nosuch.csv\n", 2,
		 "population", "nosuch.csv"},
		{"header", "[network]\npopulation = hdr.csv\n", 2, "population",
		 "hdr.csv:2: the header"},
		{"zero", "[network]\npopulation = home-eim:0\n", 2,
		 "population", "sum to 0"},
		{"named", "[network x]\n", 1, "[network x]", "no name"},
		{"two", "[network]\n[network]\n", 2, "[network]", "twice"},
		{"seed", "[scenario]\nseed = 18446744073709551615\n[network]\n",
		 1, "seed", "at most 9223372036854775807"},
		{"blocks", "[network]\nblocks = 65\n", 2, "blocks",
		 "out of range 1..64"},
		{"adv", "[network]\nadversary = flood\n", 2, "adversary",
		 "eclipse"},
		{"ecnone", "[network]\nattackers = 2\n", 2, "attackers",
		 "only with adversary = eclipse"},
		{"eclies",
		 "[network]\nadversary = eclipse\ncoordinators = 2\n"
		 "eclipse_coordinators = 3\nmodes = rendezvous\n",
		 4, "eclipse_coordinators", "3 lying coordinators but 2"},
		{"ecatt",
		 "[network]\nhomes = 10\nreachable = 4\ncoordinators = 2\n"
		 "adversary = eclipse\nattackers = 3\nmodes = rendezvous\n",
		 6, "attackers", "only 2 reachable nodes"},
		{"ecnorv", "[network]\nadversary = eclipse\nmodes = off\n", 3,
		 "modes", "needs a mode that punches"},
	};

	write_file("hdr.csv", "# x\nname,share\nhome-eim,1\n");
	for (size_t i = 0; i < TESTUTIL_N(bad); i++) {
		struct scenario s;
		struct cfg_error ce;

		memset(&ce, 0, sizeof(ce));
		CU_ASSERT_EQUAL(load(bad[i].name, bad[i].text, &s, &ce), -1);
		testutil_check_cfg_error(&ce, path, bad[i].name, bad[i].line,
					 bad[i].key, bad[i].msg);
		scenario_free(&s);
	}
}

/* nodes.json of the eclipse scenario below: r0 and r1 lie, r3..r7 are
 * the attacker's, the adversary named at the top. */
static void eclipse_nodes_json(const struct scenario *s)
{
	const char *modes[] = {NULL,	  "rendezvous", "rendezvous",
			       "handoff", "handoff",	"advertised",
			       "advertised"};
	struct netplan *np;
	json_error_t je;
	json_t *d, *nodes;
	char err[256] = "", file[600];

	np = netplan_new(s, "a1b2c3", err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(np);
	snprintf(file, sizeof(file), "%s/eclipse.json", tmpdir);
	CU_ASSERT_EQUAL_FATAL(netnodes_write(np, modes, file), 0);
	d = json_load_file(file, 0, &je);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	CU_ASSERT_EQUAL(testutil_jint(json_object_get(d, "adversary"),
				      "attackers"),
			5);
	nodes = json_object_get(d, "nodes");
	for (int id = 0; id < 8; id++) {
		json_t *n = json_array_get(nodes, id);
		json_t *c = json_object_get(n, "coordinator");

		CU_ASSERT_EQUAL(json_is_true(json_object_get(c, "lies")),
				id < 2);
		CU_ASSERT_EQUAL(json_is_true(json_object_get(n, "attacker")),
				id >= 3);
		CU_ASSERT_EQUAL(np->nodes[id].lies, id < 2);
	}
	json_decref(d);
	netplan_free(np);
}

/* An eclipse runs rendezvous once per sybil_mitigation value. */
static void test_eclipse(void)
{
	struct scenario s;
	struct cfg_error ce;
	const struct scenario_network *n;

	CU_ASSERT_EQUAL_FATAL(
		load("eclipse",
		     "[network]\nhomes = 20\nreachable = 8\n"
		     "coordinators = 3\nadversary = eclipse\n"
		     "eclipse_coordinators = 2\nattackers = 5\n"
		     "modes = off, rendezvous, handoff, advertised\n",
		     &s, &ce),
		0);
	n = s.net;
	CU_ASSERT_EQUAL(n->adversary, SCENARIO_NET_ECLIPSE);
	CU_ASSERT_EQUAL(n->eclipse_coordinators, 2);
	CU_ASSERT_EQUAL(n->attackers, 5);
	CU_ASSERT_EQUAL_FATAL(n->nphases, 7);
	CU_ASSERT_STRING_EQUAL(n->phases[4].name, "handoff-unmitigated");
	CU_ASSERT_STRING_EQUAL(n->phases[6].name, "advertised-unmitigated");
	CU_ASSERT_STRING_EQUAL(n->phases[0].name, "off");
	CU_ASSERT_STRING_EQUAL(n->phases[1].name, "rendezvous-mitigated");
	CU_ASSERT_TRUE(n->phases[1].sybil_mitigation);
	CU_ASSERT_STRING_EQUAL(n->phases[2].name, "rendezvous-unmitigated");
	CU_ASSERT_FALSE(n->phases[2].sybil_mitigation);
	eclipse_nodes_json(&s);
	scenario_free(&s);
}

/* Without a modes key the phases are every mode's, three of which punch:
 * an eclipse needs no modes line. */
static void test_eclipse_default_modes(void)
{
	struct scenario s;
	struct cfg_error ce;

	CU_ASSERT_EQUAL_FATAL(load("ecdefault",
				   "[network]\nhomes = 20\nreachable = 8\n"
				   "coordinators = 3\nadversary = eclipse\n",
				   &s, &ce),
			      0);
	CU_ASSERT_EQUAL(s.net->nphases, 7);
	scenario_free(&s);
}

static int in_group(const char *addr, int g)
{
	char net[32];

	snprintf(net, sizeof(net), "172.%d.%d.", 16 + g / 256, g % 256);
	return !strncmp(addr, net, strlen(net));
}

static void test_plan(void)
{
	struct scenario s;
	struct cfg_error ce;
	struct netplan *np, *again;
	char err[256] = "";
	int carriers = 0;

	CU_ASSERT_EQUAL_FATAL(load("plan",
				   "[network]\nhomes = 300\nreachable = 30\n"
				   "coordinators = 3\nnetgroups = 2\n"
				   "population = home-eim:1, cgnat-eim:1\n",
				   &s, &ce),
			      0);
	np = netplan_new(&s, "a1b2c3", err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(np);
	CU_ASSERT_EQUAL(np->nnodes, 330);
	CU_ASSERT_STRING_EQUAL(np->plan->ns[np->plan->inet].name,
			       "pl-a1b2c3-inet");
	CU_ASSERT_STRING_EQUAL(np->plan->ns[np->plan->charlie].name,
			       "pl-a1b2c3-r0");
	for (int id = 0; id < np->nnodes; id++) {
		const struct netplan_node *nd = &np->nodes[id];
		const struct plan *p = np->plan;
		char want[32];

		CU_ASSERT_EQUAL(nd->home, id >= 30);
		CU_ASSERT_TRUE(in_group(nd->wan_addr, nd->netgroup));
		CU_ASSERT_TRUE(nd->netgroup >= 0 && nd->netgroup < 2);
		/* every WAN address once */
		for (int k = 0; k < id; k++)
			CU_ASSERT_STRING_NOT_EQUAL(np->nodes[k].wan_addr,
						   nd->wan_addr);
		if (!nd->home) {
			snprintf(want, sizeof(want), "pl-a1b2c3-r%d", id);
			CU_ASSERT_STRING_EQUAL(p->ns[nd->ns].name, want);
			CU_ASSERT_EQUAL(nd->coordinator, id < 3);
			continue;
		}
		snprintf(want, sizeof(want), "pl-a1b2c3-h%d", id - 30);
		CU_ASSERT_STRING_EQUAL(p->ns[nd->ns].name, want);
		CU_ASSERT_STRING_EQUAL(nd->addr, "10.0.0.2");
		snprintf(want, sizeof(want), "pl-a1b2c3-h%dr", id - 30);
		CU_ASSERT_STRING_EQUAL(p->ns[nd->router].name, want);
		CU_ASSERT_EQUAL(nd->carrier >= 0,
				s.net->profiles[nd->profile].has_carrier);
		carriers += nd->carrier >= 0;
	}
	/* a fair coin over 300 homes */
	CU_ASSERT_TRUE(carriers > 100 && carriers < 200);
	CU_ASSERT_EQUAL(np->plan->nns, 1 + 30 + 2 * 300 + carriers);
	/* one NAT per router, one more per carrier */
	CU_ASSERT_EQUAL(np->plan->nnats, 300 + carriers);
	again = netplan_new(&s, "a1b2c3", err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(again);
	for (int id = 0; id < np->nnodes; id++) {
		CU_ASSERT_STRING_EQUAL(again->nodes[id].wan_addr,
				       np->nodes[id].wan_addr);
		CU_ASSERT_EQUAL(again->nodes[id].profile,
				np->nodes[id].profile);
	}
	netplan_free(again);
	netplan_free(np);
	scenario_free(&s);
}

/* A full group passes its nodes to the next: 254 a group. */
static void test_full_groups(void)
{
	struct scenario s;
	struct cfg_error ce;
	struct netplan *np;
	char err[256] = "";
	int count[2] = {0, 0};

	CU_ASSERT_EQUAL_FATAL(load("full",
				   "[network]\nhomes = 500\nreachable = 8\n"
				   "netgroups = 2\npopulation = home-eim:1\n",
				   &s, &ce),
			      0);
	np = netplan_new(&s, "a1b2c3", err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(np);
	for (int id = 0; id < np->nnodes; id++)
		count[np->nodes[id].netgroup]++;
	CU_ASSERT_EQUAL(count[0], 254);
	CU_ASSERT_EQUAL(count[1], 254);
	netplan_free(np);
	scenario_free(&s);
}

/* nodes.json as docs/network.md section 3 has it. */
static void test_nodes_json(void)
{
	static const char *const modes[] = {NULL, "handoff", "rendezvous"};
	struct scenario s;
	struct cfg_error ce;
	struct netplan *np;
	json_error_t je;
	json_t *d, *nodes, *ph;
	char err[256] = "", file[600];

	CU_ASSERT_EQUAL_FATAL(
		load("json",
		     "[scenario]\nseed = 5\n[network]\nhomes = 8\n"
		     "reachable = 3\ncoordinators = 2\n"
		     "modes = off, handoff, advertised\nsybil_mitigation = on\n"
		     "population = cgnat-eim:1\n",
		     &s, &ce),
		0);
	np = netplan_new(&s, "a1b2c3", err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(np);
	snprintf(file, sizeof(file), "%s/nodes.json", tmpdir);
	CU_ASSERT_EQUAL_FATAL(netnodes_write(np, modes, file), 0);
	d = json_load_file(file, 0, &je);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	CU_ASSERT_STRING_EQUAL(testutil_jstr(d, "run_id"), "a1b2c3");
	CU_ASSERT_EQUAL(testutil_jint(d, "seed"), 5);
	CU_ASSERT_EQUAL(testutil_jint(d, "outbound_full"), 8);
	CU_ASSERT_EQUAL(testutil_jint(d, "settle_ms"), 15000);
	ph = json_object_get(d, "phases");
	CU_ASSERT_EQUAL_FATAL(json_array_size(ph), 3);
	CU_ASSERT_STRING_EQUAL(testutil_jstr(json_array_get(ph, 2), "name"),
			       "advertised-mitigated");
	CU_ASSERT_STRING_EQUAL(testutil_jstr(json_array_get(ph, 2), "mode"),
			       "advertised");
	CU_ASSERT_TRUE(json_is_true(
		json_object_get(json_array_get(ph, 2), "sybil_mitigation")));
	CU_ASSERT_STRING_EQUAL(
		testutil_jstr(json_array_get(ph, 2), "coordinator_mode"),
		"rendezvous");
	CU_ASSERT_TRUE(json_is_null(
		json_object_get(json_array_get(ph, 0), "coordinator_mode")));
	nodes = json_object_get(d, "nodes");
	CU_ASSERT_EQUAL_FATAL(json_array_size(nodes), 11);
	for (int id = 0; id < 11; id++) {
		json_t *n = json_array_get(nodes, id), *c;

		CU_ASSERT_EQUAL(testutil_jint(n, "id"), id);
		if (id < 3) {
			CU_ASSERT_STRING_EQUAL(testutil_jstr(n, "kind"),
					       "reachable");
			CU_ASSERT_STRING_EQUAL(testutil_jstr(n, "addr"),
					       np->nodes[id].wan_addr);
			CU_ASSERT_EQUAL(testutil_jint(n, "port"), 18444);
			c = json_object_get(n, "coordinator");
			/* only where a coordinator runs */
			CU_ASSERT_EQUAL(json_is_object(c), id < 2);
			CU_ASSERT_EQUAL(c != NULL, id < 2);
			if (id < 2)
				CU_ASSERT_EQUAL(testutil_jint(c, "port"),
						18445);
			continue;
		}
		CU_ASSERT_STRING_EQUAL(testutil_jstr(n, "kind"), "home");
		CU_ASSERT_STRING_EQUAL(testutil_jstr(n, "addr"), "10.0.0.2");
		CU_ASSERT_STRING_EQUAL(testutil_jstr(n, "wan_addr"),
				       np->nodes[id].wan_addr);
		CU_ASSERT_STRING_EQUAL(testutil_jstr(n, "profile"),
				       "cgnat-eim");
		CU_ASSERT_EQUAL(testutil_jint(n, "netgroup"),
				np->nodes[id].netgroup);
		CU_ASSERT_PTR_NOT_NULL(testutil_jstr(n, "carrier_netns"));
	}
	json_decref(d);
	netplan_free(np);
	scenario_free(&s);
}

static int init(void)
{
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int clean(void)
{
	return testutil_rm_tree(tmpdir);
}

int main(void)
{
	static const struct testutil_case tests[] = {
		{"defaults and the default population", test_defaults},
		{"every key; CSV with counts; inline list", test_keys},
		{"mistakes name file, line and key", test_errors},
		{"eclipse keys and phases", test_eclipse},
		{"eclipse with the default modes", test_eclipse_default_modes},
		{"plan: names, netgroups, carriers, seeded", test_plan},
		{"a full netgroup passes nodes on", test_full_groups},
		{"nodes.json as docs/network.md has it", test_nodes_json},
	};

	return testutil_run_suite("scenario_network", init, clean, tests,
				  TESTUTIL_N(tests))
		       ? 1
		       : 0;
}
