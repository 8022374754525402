/* test_coordlimits: the coordinator's flood defences as pure functions:
 * the per-address counter (refuses the limit+1st, frees on put, survives
 * thousands of addresses and tombstones), the log rate limiter (N lines
 * a window, the rest counted and reported once) and key ownership (who
 * may register a key that connections already hold, and the owners'
 * index that answers it as connections come and go). */
#include <errno.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "../../harness/coordinator/addrlimit.c"
#include "../../harness/coordinator/keyindex.c"
#include "../../harness/coordinator/keyowner.c"
#include "../../harness/coordinator/lograte.c"
#include "lib/testutil.h"

static void ip4(uint8_t ip[16], uint32_t a)
{
	memset(ip, 0, 16);
	ip[10] = ip[11] = 0xff;
	ip[12] = (uint8_t)(a >> 24);
	ip[13] = (uint8_t)(a >> 16);
	ip[14] = (uint8_t)(a >> 8);
	ip[15] = (uint8_t)a;
}

static void test_addrlimit_one(void)
{
	struct addrlimit al;
	uint8_t a[16], b[16];

	ip4(a, 0xc0000242); /* 192.0.2.66 */
	ip4(b, 0xc0000202);
	CU_ASSERT_EQUAL_FATAL(addrlimit_init(&al, 16), 0);
	for (int i = 0; i < 16; i++)
		CU_ASSERT_EQUAL(addrlimit_take(&al, a), 0);
	CU_ASSERT_EQUAL(addrlimit_take(&al, a), -EBUSY);
	CU_ASSERT_EQUAL(addrlimit_take(&al, a), -EBUSY);
	CU_ASSERT_EQUAL(al.refused, 2);
	CU_ASSERT_EQUAL(addrlimit_count(&al, a), 16);
	/* Another address is not touched by a's flood. */
	CU_ASSERT_EQUAL(addrlimit_take(&al, b), 0);
	CU_ASSERT_EQUAL(addrlimit_count(&al, b), 1);
	/* One of a's goes: one more may come, and only one. */
	addrlimit_put(&al, a);
	CU_ASSERT_EQUAL(addrlimit_take(&al, a), 0);
	CU_ASSERT_EQUAL(addrlimit_take(&al, a), -EBUSY);
	CU_ASSERT_EQUAL(al.refused_total, 3);
	addrlimit_free(&al);
}

/* Off: nothing counted, nothing refused, nothing allocated. */
static void test_addrlimit_off(void)
{
	struct addrlimit al;
	uint8_t a[16];

	ip4(a, 1);
	CU_ASSERT_EQUAL_FATAL(addrlimit_init(&al, 0), 0);
	CU_ASSERT_PTR_NULL(al.slot);
	for (int i = 0; i < 5000; i++)
		CU_ASSERT_EQUAL_FATAL(addrlimit_take(&al, a), 0);
	CU_ASSERT_EQUAL(addrlimit_count(&al, a), 0);
	addrlimit_free(&al);
}

/* Many addresses come and go: counts stay exact through growth and
 * tombstones, and the table does not grow without bound. */
static void test_addrlimit_churn(void)
{
	struct addrlimit al;
	uint8_t a[16];
	size_t cap;

	CU_ASSERT_EQUAL_FATAL(addrlimit_init(&al, 2), 0);
	for (uint32_t i = 0; i < 3000; i++) {
		ip4(a, 0x0a000000 + i);
		CU_ASSERT_EQUAL_FATAL(addrlimit_take(&al, a), 0);
		CU_ASSERT_EQUAL_FATAL(addrlimit_take(&al, a), 0);
	}
	for (uint32_t i = 0; i < 3000; i++) {
		ip4(a, 0x0a000000 + i);
		CU_ASSERT_EQUAL_FATAL(addrlimit_take(&al, a), -EBUSY);
		addrlimit_put(&al, a);
		addrlimit_put(&al, a);
		CU_ASSERT_EQUAL_FATAL(addrlimit_count(&al, a), 0);
	}
	/* 30,000 one-off visitors, one at a time: tombstones are rebuilt
	 * away, the table does not grow. */
	cap = al.cap;
	for (uint32_t i = 0; i < 30000; i++) {
		ip4(a, 0x0b000000 + i);
		CU_ASSERT_EQUAL_FATAL(addrlimit_take(&al, a), 0);
		addrlimit_put(&al, a);
	}
	CU_ASSERT_EQUAL(al.cap, cap);
	addrlimit_free(&al);
}

static void test_lograte(void)
{
	const int64_t s = LOGRATE_WINDOW_NS;
	struct lograte lr;
	int passed = 0;

	lograte_init(&lr, 20, 0);
	for (int i = 0; i < 1000; i++)
		passed += lograte_allow(&lr, i * (s / 2000)); /* in 0.5 s */
	CU_ASSERT_EQUAL(passed, 20);
	CU_ASSERT_EQUAL(lr.suppressed, 980);
	/* Not reported before a second has passed, then once. */
	CU_ASSERT_EQUAL(lograte_take_report(&lr, s / 2), 0);
	CU_ASSERT_EQUAL(lograte_take_report(&lr, s), 980);
	CU_ASSERT_EQUAL(lograte_take_report(&lr, 3 * s), 0);
	/* A new window lets 20 through again. */
	CU_ASSERT_EQUAL(lograte_allow(&lr, s + 1), 1);
	CU_ASSERT_EQUAL(lr.suppressed_total, 980);
	/* 0: no limit at all. */
	lograte_init(&lr, 0, 0);
	for (int i = 0; i < 1000; i++)
		CU_ASSERT_EQUAL_FATAL(lograte_allow(&lr, 0), 1);
	CU_ASSERT_EQUAL(lograte_take_report(&lr, 10 * s), 0);
}

/* A table of n connections for keyowner_busy (cl zeroed before the
 * first call). */
static struct conn ko_conn[4];
static struct conn *ko_ptr[4];

static void ko_table(struct clients *cl, enum opts_mode mode, int owner,
		     size_t n)
{
	keyindex_free(&cl->keys);
	memset(cl, 0, sizeof(*cl));
	memset(ko_conn, 0, sizeof(ko_conn));
	cl->opt.mode = mode;
	cl->opt.key_owner = owner;
	cl->conns = ko_ptr;
	cl->n = n;
	for (size_t i = 0; i < TESTUTIL_N(ko_conn); i++) {
		ko_ptr[i] = &ko_conn[i];
		ko_conn[i].key = 42;
	}
}

/* keyowner_busy on the table as the fixture left it: the owners'
 * index made anew from the connections that own their key, as the
 * registrations (keyowner_bind) would have made it. */
static const char *ko_busy(struct clients *cl, const struct conn *c)
{
	keyindex_free(&cl->keys);
	keyindex_init(&cl->keys, 7);
	for (size_t i = 0; i < cl->n; i++) {
		struct conn *o = cl->conns[i];

		o->key_next = NULL;
		o->key_pprev = NULL;
		if (o->owns_key)
			CU_ASSERT_EQUAL_FATAL(keyowner_bind(cl, o), 0);
	}
	return keyowner_busy(cl, c);
}

static void test_keyowner_rendezvous(void)
{
	struct clients cl = {0};
	struct conn *c = &ko_conn[3];

	/* Off: the mode's own checks only. */
	ko_table(&cl, OPTS_RENDEZVOUS, 0, 3);
	ko_conn[0].owns_key = ko_conn[1].owns_key = true;
	CU_ASSERT_PTR_NULL(ko_busy(&cl, c));
	/* A lone waiting owner takes its partner. */
	ko_table(&cl, OPTS_RENDEZVOUS, 1, 3);
	ko_conn[0].owns_key = true;
	ko_conn[0].state = CONN_WAITING;
	CU_ASSERT_PTR_NULL(ko_busy(&cl, c));
	/* Owner and partner: a third is refused while they are open,
	 * paired or not. */
	ko_conn[1].owns_key = true;
	ko_conn[1].state = CONN_PINGED;
	CU_ASSERT_STRING_EQUAL(ko_busy(&cl, c), "key-owned");
	ko_conn[0].state = ko_conn[1].state = CONN_CLOSING;
	CU_ASSERT_STRING_EQUAL(ko_busy(&cl, c), "key-owned");
	/* One side of a matched pair still lingering: nobody pairs in the
	 * place of the one that left. */
	ko_conn[1].dead = true;
	ko_conn[0].state = CONN_LINGER;
	CU_ASSERT_STRING_EQUAL(ko_busy(&cl, c), "key-owned");
	/* Gone: the key is free again. */
	ko_conn[0].dead = true;
	CU_ASSERT_PTR_NULL(ko_busy(&cl, c));
	/* A connection that never registered (or was refused) owns
	 * nothing; key 0 is never bound. */
	ko_table(&cl, OPTS_RENDEZVOUS, 1, 3);
	ko_conn[0].state = ko_conn[1].state = CONN_WAITING;
	CU_ASSERT_PTR_NULL(ko_busy(&cl, c));
	ko_conn[0].owns_key = ko_conn[1].owns_key = true;
	c->key = 0;
	ko_conn[0].key = ko_conn[1].key = 0;
	CU_ASSERT_PTR_NULL(ko_busy(&cl, c));
	keyindex_free(&cl.keys);
}

static void test_keyowner_advertised(void)
{
	struct clients cl = {0};
	struct conn *c = &ko_conn[3];

	ko_table(&cl, OPTS_ADVERTISED, 1, 2);
	ko_conn[0].owns_key = true;
	ko_conn[0].flags = COORD_REG_HOLD;
	ko_conn[0].state = CONN_WAITING;
	ko_conn[1].owns_key = true;
	ko_conn[1].flags = COORD_REG_SEEK;
	/* A second holder never replaces the first; seekers share. */
	c->flags = COORD_REG_HOLD;
	CU_ASSERT_STRING_EQUAL(ko_busy(&cl, c), "key-owned");
	c->flags = COORD_REG_SEEK;
	CU_ASSERT_PTR_NULL(ko_busy(&cl, c));
	/* Only seekers hold the key: a holder may come. */
	ko_conn[0].dead = true;
	c->flags = COORD_REG_HOLD;
	CU_ASSERT_PTR_NULL(ko_busy(&cl, c));
	/* Handoff keys are preferences: never bound. */
	ko_table(&cl, OPTS_HANDOFF, 1, 2);
	ko_conn[0].owns_key = ko_conn[1].owns_key = true;
	ko_conn[0].state = ko_conn[1].state = CONN_WAITING;
	CU_ASSERT_PTR_NULL(ko_busy(&cl, c));
	keyindex_free(&cl.keys);
}

/* The index as the coordinator keeps it: bound on each accepted
 * registration (keyowner_bind), left when clients.c frees the
 * connection (ko_leave does what clients_free_one does to it). */
static void ko_live(struct clients *cl, enum opts_mode mode)
{
	memset(cl, 0, sizeof(*cl));
	cl->opt.mode = mode;
	cl->opt.key_owner = 1;
	keyindex_init(&cl->keys, 7);
}

static struct conn *ko_new(struct conn *c, uint64_t key, uint8_t flags,
			   enum conn_state state)
{
	memset(c, 0, sizeof(*c)); /* as conn_new's calloc, memory reused */
	c->key = key;
	c->flags = flags;
	c->state = state;
	return c;
}

static void ko_leave(struct clients *cl, struct conn *c)
{
	c->dead = true;
	keyindex_del(&cl->keys, c);
}

/* The owner and its partner leave one after the other while a thief
 * keeps trying: refused while either is open, taken once both are gone;
 * the key then belongs to the newcomer like any fresh key. */
static void test_keyindex_reregister(void)
{
	struct conn a, b, t, d;
	struct clients cl;

	ko_live(&cl, OPTS_RENDEZVOUS);
	ko_new(&a, 42, 0, CONN_PINGED);
	CU_ASSERT_PTR_NULL(keyowner_busy(&cl, &a));
	CU_ASSERT_EQUAL(keyowner_bind(&cl, &a), 0);
	ko_new(&b, 42, 0, CONN_PINGED);
	CU_ASSERT_PTR_NULL(keyowner_busy(&cl, &b)); /* a's partner */
	CU_ASSERT_EQUAL(keyowner_bind(&cl, &b), 0);
	a.state = b.state = CONN_CLOSING; /* matched */
	ko_new(&t, 42, 0, CONN_READY);
	CU_ASSERT_STRING_EQUAL(keyowner_busy(&cl, &t), "key-owned");
	a.dead = true; /* its close seen this round, not yet reaped */
	CU_ASSERT_STRING_EQUAL(keyowner_busy(&cl, &t), "key-owned");
	ko_leave(&cl, &a);
	b.state = CONN_LINGER;
	CU_ASSERT_STRING_EQUAL(keyowner_busy(&cl, &t), "key-owned");
	ko_leave(&cl, &b);
	ko_leave(&cl, &a); /* twice: nothing */
	CU_ASSERT_EQUAL(cl.keys.n, 0);
	CU_ASSERT_PTR_NULL(keyowner_busy(&cl, &t));
	t.state = CONN_PINGED; /* as dispatch.c binds it */
	CU_ASSERT_EQUAL(keyowner_bind(&cl, &t), 0);
	/* the same memory as a's, a new connection: a partner for t */
	ko_new(&a, 42, 0, CONN_READY);
	CU_ASSERT_PTR_NULL(keyowner_busy(&cl, &a));
	CU_ASSERT_EQUAL(keyowner_bind(&cl, &a), 0);
	ko_new(&d, 42, 0, CONN_READY);
	CU_ASSERT_STRING_EQUAL(keyowner_busy(&cl, &d), "key-owned");
	CU_ASSERT_EQUAL(cl.keys.n, 2);
	keyindex_free(&cl.keys);
}

/* Advertised: the holder's connection closes while a second HOLD waits;
 * seekers are never in the index; keys sharing a bucket stay apart when
 * one of them (the middle of the chain) leaves. */
static void test_keyindex_holder_closed(void)
{
	struct conn h, t, s, u, k[3];
	uint64_t kk[3], key = 100;
	struct clients cl;

	ko_live(&cl, OPTS_ADVERTISED);
	CU_ASSERT_EQUAL(keyowner_bind(&cl, ko_new(&h, 9, COORD_REG_HOLD,
						  CONN_WAITING)), 0);
	CU_ASSERT_EQUAL(keyowner_bind(&cl, ko_new(&s, 9, COORD_REG_SEEK,
						  CONN_PINGED)), 0);
	CU_ASSERT_EQUAL(cl.keys.n, 1);
	ko_new(&t, 9, COORD_REG_HOLD, CONN_READY);
	CU_ASSERT_STRING_EQUAL(keyowner_busy(&cl, &t), "key-owned");
	h.dead = true;
	CU_ASSERT_PTR_NULL(keyowner_busy(&cl, &t));
	CU_ASSERT_EQUAL(keyowner_bind(&cl, &t), 0);
	ko_leave(&cl, &h);
	ko_leave(&cl, &s);
	ko_new(&u, 9, COORD_REG_HOLD, CONN_READY);
	CU_ASSERT_STRING_EQUAL(keyowner_busy(&cl, &u), "key-owned");
	/* three keys of one bucket (the seed is the test's) */
	for (int n = 0; n < 3; key++)
		if (keyindex_slot(&cl.keys, cl.keys.nb, key) ==
		    keyindex_slot(&cl.keys, cl.keys.nb, 9))
			kk[n++] = key;
	for (int i = 0; i < 3; i++)
		CU_ASSERT_EQUAL(keyowner_bind(&cl, ko_new(&k[i], kk[i],
							  COORD_REG_HOLD,
							  CONN_WAITING)), 0);
	ko_leave(&cl, &k[1]);
	for (int i = 0; i < 3; i++) {
		ko_new(&u, kk[i], COORD_REG_HOLD, CONN_READY);
		CU_ASSERT_EQUAL(keyowner_busy(&cl, &u) != NULL, i != 1);
	}
	ko_new(&u, 9, COORD_REG_HOLD, CONN_READY);
	CU_ASSERT_STRING_EQUAL(keyowner_busy(&cl, &u), "key-owned"); /* t */
	keyindex_free(&cl.keys);
}

/* Past its first buckets the table grows and still finds every owner;
 * half leave, the other half stay bound. */
static void test_keyindex_growth(void)
{
	enum { N = 5000 };
	struct conn *c = calloc(N, sizeof(*c)), u;
	struct clients cl;
	int found = 0, freed = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	ko_live(&cl, OPTS_ADVERTISED);
	for (int i = 0; i < N; i++)
		CU_ASSERT_EQUAL(keyowner_bind(&cl, ko_new(&c[i], 1000 + i,
							  COORD_REG_HOLD,
							  CONN_WAITING)), 0);
	CU_ASSERT(cl.keys.nb >= N && cl.keys.nb > KEYINDEX_NB0);
	CU_ASSERT_EQUAL(cl.keys.n, N);
	for (int i = 0; i < N; i += 2)
		ko_leave(&cl, &c[i]);
	for (int i = 0; i < N; i++) {
		ko_new(&u, 1000 + i, COORD_REG_HOLD, CONN_READY);
		if (keyowner_busy(&cl, &u))
			found += i % 2;
		else
			freed += !(i % 2);
	}
	CU_ASSERT_EQUAL(found, N / 2);
	CU_ASSERT_EQUAL(freed, N / 2);
	CU_ASSERT_EQUAL(cl.keys.n, N / 2);
	keyindex_free(&cl.keys);
	free(c);
}

int main(void)
{
	static const struct testutil_case tests[] = {
		{"addrlimit: the limit+1st is refused", test_addrlimit_one},
		{"addrlimit: 0 is off", test_addrlimit_off},
		{"addrlimit: churn", test_addrlimit_churn},
		{"lograte: N a second, the rest counted", test_lograte},
		{"keyowner: rendezvous", test_keyowner_rendezvous},
		{"keyowner: advertised and handoff", test_keyowner_advertised},
		{"keyindex: a key taken again after its owners left",
		 test_keyindex_reregister},
		{"keyindex: the holder closed while a thief waits",
		 test_keyindex_holder_closed},
		{"keyindex: growth past the first buckets",
		 test_keyindex_growth},
	};

	return testutil_run_suite("coordlimits", NULL, NULL, tests,
				  TESTUTIL_N(tests)) ? 1 : 0;
}
