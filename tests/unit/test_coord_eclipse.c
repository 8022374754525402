/* test_coord_eclipse: the lying coordinator's pairing rule (eclipse.c,
 * punch-coordinator --eclipse) on a hand-made client table: an honest
 * registration meets the oldest waiting attacker's whatever the key, an
 * attacker's the oldest waiting honest one, and two of a kind never
 * meet; in advertised mode every honest seeker goes to an attacker's
 * holder. No sockets. */
#include <string.h>

#include <CUnit/Basic.h>

#include "../../harness/coordinator/eclipse.c"
#include "lib/testutil.h"

static struct conn conns[6];
static struct conn *slots[6];
static struct clients cl;

/* conns[i]: seq i, waiting; attacker when attacker[i]. */
static void table(const int *attacker, int n)
{
	memset(&cl, 0, sizeof(cl));
	memset(conns, 0, sizeof(conns));
	cl.conns = slots; /* the table's slots (clients.h: cap of them) */
	cl.cap = sizeof(slots) / sizeof(slots[0]);
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

/* Advertised: an honest seeker of any key goes to the attacker's holder
 * punched least; the attacker's own seeker gets none from here. */
static void test_holder(void)
{
	const int att[] = {0, 1, 1, 0, 1};

	table(att, 5);
	conns[0].flags = COORD_REG_HOLD; /* an honest holder */
	conns[1].flags |= COORD_REG_HOLD;
	conns[1].punches = 3;
	conns[2].flags |= COORD_REG_HOLD;
	conns[2].punches = 1;
	conns[2].state = CONN_PINGED; /* RTT not known yet: still a holder */
	conns[3].flags = COORD_REG_SEEK;
	conns[4].flags = COORD_REG_SEEK | COORD_REG_ATTACKER;
	CU_ASSERT_PTR_EQUAL(eclipse_holder(&cl, &conns[3]), &conns[2]);
	CU_ASSERT_PTR_NULL(eclipse_holder(&cl, &conns[4]));
	conns[1].dead = conns[2].dead = true;
	CU_ASSERT_PTR_NULL(eclipse_holder(&cl, &conns[3]));
}

/* conns[i]'s observed endpoint in IPv4 (::ffff:192.0.2.i) or IPv6. */
static void family(int i, int v4)
{
	memset(conns[i].observed.ip, 0, 16);
	if (v4) {
		conns[i].observed.ip[10] = conns[i].observed.ip[11] = 0xff;
		conns[i].observed.ip[12] = 192;
		conns[i].observed.ip[14] = 2;
		conns[i].observed.ip[15] = (uint8_t)i;
	} else {
		conns[i].observed.ip[0] = 0x20;
		conns[i].observed.ip[1] = 0x01;
		conns[i].observed.ip[15] = (uint8_t)i;
	}
}

/* The lie is whom, never an endpoint the victim's socket cannot reach:
 * an IPv4 attacker is no partner for an IPv6 registration (pairing.c's
 * rule for honest pairs). */
static void test_one_family(void)
{
	const int att[] = {1, 1, 0};

	table(att, 3);
	family(0, 1); /* the oldest attacker: IPv4 */
	family(1, 0);
	family(2, 0); /* an honest IPv6 registration */
	CU_ASSERT_PTR_EQUAL(eclipse_find(&cl, &conns[2]), &conns[1]);
	conns[1].dead = true;
	CU_ASSERT_PTR_NULL(eclipse_find(&cl, &conns[2]));
	conns[1].dead = false;
	conns[0].flags |= COORD_REG_HOLD;
	conns[1].flags |= COORD_REG_HOLD;
	conns[1].punches = 5; /* punched more, but the only IPv6 holder */
	conns[2].flags = COORD_REG_SEEK;
	CU_ASSERT_PTR_EQUAL(eclipse_holder(&cl, &conns[2]), &conns[1]);
}

int main(void)
{
	static const struct testutil_case tests[] = {
		{"an honest registration meets the oldest attacker",
		 test_honest_meets_attacker},
		{"two honest (or two attackers) never meet",
		 test_two_of_a_kind_never},
		{"advertised: every honest seeker to the attacker's holder",
		 test_holder},
		{"one address family per pair", test_one_family},
	};

	return testutil_run_suite("coord_eclipse", NULL, NULL, tests,
				  TESTUTIL_N(tests))
		       ? 1
		       : 0;
}
