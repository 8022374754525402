/* test_advcmd: where an adversary cell's agents register, and the
 * defence options they get (docs/adversaries.md sections 3 and 4). No
 * root: a plan-shaped world of plain structs. */
#include <stdio.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "../../harness/punchlab/trials/advcmd.c"
#include "lib/testutil.h"

static struct scenario_cell cells[300];
static struct plan_cell pcells[300];
static struct scenario sc = { .cells = cells };
static struct plan plan = { .cells = pcells };
static struct world world = { .plan = &plan };
static const struct trials_cfg cfg = { .s = &sc, .w = &world };

/* argv as one line, space separated */
static const char *line(char **argv, int n)
{
	static char buf[512];
	size_t k = 0;

	buf[0] = '\0';
	for (int i = 0; i < n; i++)
		k += (size_t)snprintf(buf + k, sizeof(buf) - k, "%s%s",
				      i ? " " : "", argv[i]);
	return buf;
}

static void world_of(int ncells, int carrier_cell)
{
	sc.ncells = plan.ncells = ncells;
	for (int c = 0; c < ncells; c++) {
		memset(&cells[c].adv, 0, sizeof(cells[c].adv));
		pcells[c].side[0].carrier = pcells[c].side[1].carrier = -1;
	}
	if (carrier_cell >= 0)
		pcells[carrier_cell].side[1].carrier = 7;
}

static void test_coordinator(void)
{
	static const struct {
		enum cell_attack attack;
		const char *want;
	} t[] = {
		{ CELL_ATTACK_NONE, "192.0.2.1:18444" },
		{ CELL_ATTACK_REDIRECT, "192.0.2.66:18503" },
		{ CELL_ATTACK_IMPERSONATE, "192.0.2.66:18503" },
		{ CELL_ATTACK_WITHHOLD, "192.0.2.66:18503" },
		{ CELL_ATTACK_DELAY, "192.0.2.66:18503" },
		{ CELL_ATTACK_HIJACK, "192.0.2.1:18503" },
		{ CELL_ATTACK_INJECT, "192.0.2.1:18503" },
		{ CELL_ATTACK_FLOOD, "192.0.2.1:18503" },
	};
	char buf[64];

	world_of(4, -1);
	for (size_t i = 0; i < TESTUTIL_N(t); i++) {
		cells[3].adv.attack = t[i].attack;
		advcmd_coordinator(&cfg, 3, buf, sizeof(buf));
		CU_ASSERT_STRING_EQUAL(buf, t[i].want);
	}
}

static void test_defences(void)
{
	struct adv_trial tr = { 0 };
	char *argv[ADVCMD_ARGS];
	int n;

	world_of(2, -1);
	CU_ASSERT_EQUAL(advcmd_argv(&cfg, 1, &tr, 0, argv), 0);
	cells[1].adv.target_policy = 1;
	n = advcmd_argv(&cfg, 1, &tr, 0, argv);
	CU_ASSERT_STRING_EQUAL(line(argv, n), "--target-policy");
	/* a carrier anywhere: its router's WAN is 100.64.0.2 */
	world_of(2, 0);
	cells[1].adv.target_policy = 1;
	n = advcmd_argv(&cfg, 1, &tr, 0, argv);
	CU_ASSERT_STRING_EQUAL(line(argv, n),
			       "--target-policy --wan-allow 100.64.0.0/10");
	/* past 250 cells the WAN uses 172.16/12 */
	world_of(251, 0);
	cells[1].adv.target_policy = 1;
	cells[1].adv.peer_auth = 1;
	snprintf(tr.auth[0], sizeof(tr.auth[0]), "/r/auth-c1-t0-a.key");
	snprintf(tr.auth[1], sizeof(tr.auth[1]), "/r/auth-c1-t0-b.key");
	n = advcmd_argv(&cfg, 1, &tr, 1, argv);
	CU_ASSERT(n <= ADVCMD_ARGS);
	CU_ASSERT_STRING_EQUAL(line(argv, n),
			       "--target-policy --wan-allow 172.16.0.0/12 "
			       "--wan-allow 100.64.0.0/10 --auth-secret "
			       "/r/auth-c1-t0-b.key");
	/* start_jitter_ms: after the secret; every option at once fits */
	snprintf(tr.jitter, sizeof(tr.jitter), "5000");
	CU_ASSERT_EQUAL_FATAL(advcmd_argv(&cfg, 1, &tr, 1, argv), n + 2);
	CU_ASSERT(n + 2 <= ADVCMD_ARGS);
	CU_ASSERT_STRING_EQUAL(line(argv + n, 2), "--start-jitter-ms 5000");
}

/* The harness's hang grace: what a lying coordinator can make the agent
 * wait, plus the start jitter its timeout counts after. */
static void test_wait(void)
{
	struct cell_adv a = { .attack = CELL_ATTACK_INJECT };

	CU_ASSERT_EQUAL(advcmd_wait_ms(&a), 0);
	a.start_jitter_ms = 5000; /* without the secret: no jitter */
	CU_ASSERT_EQUAL(advcmd_wait_ms(&a), 0);
	a.peer_auth = 1;
	CU_ASSERT_EQUAL(advcmd_wait_ms(&a), 5000);
	a.attack = CELL_ATTACK_WITHHOLD;
	CU_ASSERT_EQUAL(advcmd_wait_ms(&a), 65000);
	a.attack = CELL_ATTACK_DELAY;
	a.attack_delay_ms = UINT32_MAX;
	CU_ASSERT_EQUAL(advcmd_wait_ms(&a), 125000);
}

int main(void)
{
	static const struct testutil_case tests[] = {
		{ "where the agents register", test_coordinator },
		{ "target policy, WAN prefixes, secret", test_defences },
		{ "hang grace: lies and jitter", test_wait },
	};
	int fails = testutil_run_suite("advcmd", NULL, NULL, tests,
				       TESTUTIL_N(tests));

	if (fails < 0)
		return 2;
	return fails ? 1 : 0;
}
