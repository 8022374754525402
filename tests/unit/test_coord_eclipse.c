/* test_coord_eclipse: the lying coordinator's pairing rule (eclipse.c,
 * punch-coordinator --eclipse) on a hand-made client table: an honest
 * registration meets the oldest waiting attacker's whatever the key, an
 * attacker's the oldest waiting honest one, and two of a kind never
 * meet. No sockets. */
#include <string.h>

#include <CUnit/Basic.h>

#include "../../harness/coordinator/eclipse.c"
#include "lib/testutil.h"

static struct conn conns[6];
static struct clients cl;

/* conns[i]: seq i, waiting; attacker when attacker[i]. */
static void table(const int *attacker, int n)
{
	memset(&cl, 0, sizeof(cl));
	memset(conns, 0, sizeof(conns));
	for (int i = 0; i < n; i++) {
		conns[i].state = CONN_WAITING;
		conns[i].seq = (uint64_t)i;
		conns[i].key = (uint64_t)i * 7; /* keys never match */
		conns[i].flags = COORD_REG_UNREACHABLE |
				 (attacker[i] ? COORD_REG_ATTACKER : 0);
		cl.conns[cl.n++] = &conns[i];
	}
}

static void test_honest_meets_attacker(void)
{
	const int att[] = {0, 1, 0, 1, 0};

	table(att, 5);
	CU_ASSERT_PTR_EQUAL(eclipse_find(&cl, &conns[4]), &conns[1]);
	CU_ASSERT_PTR_EQUAL(eclipse_find(&cl, &conns[3]), &conns[0]);
	/* the oldest attacker gone: the next one */
	conns[1].dead = true;
	CU_ASSERT_PTR_EQUAL(eclipse_find(&cl, &conns[4]), &conns[3]);
	/* one still pinging (RTT unknown) is not waiting */
	conns[3].state = CONN_PINGED;
	CU_ASSERT_PTR_NULL(eclipse_find(&cl, &conns[4]));
}

static void test_two_of_a_kind_never(void)
{
	const int honest[] = {0, 0, 0}, attackers[] = {1, 1, 1};

	table(honest, 3);
	CU_ASSERT_PTR_NULL(eclipse_find(&cl, &conns[2]));
	table(attackers, 3);
	CU_ASSERT_PTR_NULL(eclipse_find(&cl, &conns[2]));
}

int main(void)
{
	static const struct testutil_case tests[] = {
		{"an honest registration meets the oldest attacker",
		 test_honest_meets_attacker},
		{"two honest (or two attackers) never meet",
		 test_two_of_a_kind_never},
	};

	return testutil_run_suite("coord_eclipse", NULL, NULL, tests,
				  TESTUTIL_N(tests))
		       ? 1
		       : 0;
}
