/* keyindex: the connections that own a key (keyowner.h), by key, so a
 * registration under --key-owner looks at the connections of its own
 * key and not at the whole client table (a flood of registrations was
 * quadratic with the scan). A chained hash table; the chains run
 * through the connections themselves (conn.key_next), so adding one
 * never allocates past the bucket array. Who frees: the table its
 * buckets (keyindex_free), the client table its connections. */
#ifndef PUNCHLAB_COORD_KEYINDEX_H
#define PUNCHLAB_COORD_KEYINDEX_H

#include <stddef.h>
#include <stdint.h>

#include "conn.h"

#define KEYINDEX_NB0 64 /* buckets at first; doubles at one per bucket */

struct keyindex {
	uint64_t seed;	      /* hash secret: clients choose the keys */
	size_t nb, n;	      /* buckets (a power of two), connections in */
	struct conn **bucket; /* nb chain heads; NULL until the first add */
};

/* An empty table (nothing allocated yet) hashing with seed. */
void keyindex_init(struct keyindex *ix, uint64_t seed);
void keyindex_free(struct keyindex *ix);
/* c (c->key set, not in a table) is in ix until keyindex_del. 0, or
 * -ENOMEM when the first buckets could not be had (a failed growth only
 * leaves the chains longer). */
int keyindex_add(struct keyindex *ix, struct conn *c);
/* Takes c out of ix; nothing when it is not in. */
void keyindex_del(struct keyindex *ix, struct conn *c);
/* The first connection of key's bucket, then o->key_next until NULL: a
 * bucket holds other keys too, compare o->key. */
struct conn *keyindex_chain(const struct keyindex *ix, uint64_t key);

#endif
