/* keyindex: chains through the connections (key_next, key_pprev, so a
 * removal needs no search), one bucket per connection at most before
 * the table doubles. The hash is keyed with a secret seed: keys come
 * from clients, and a flooder that could aim all its keys at one bucket
 * would make the chains as long as the scan this replaces. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "keyindex.h"

void keyindex_init(struct keyindex *ix, uint64_t seed)
{
	memset(ix, 0, sizeof(*ix));
	ix->seed = seed;
}

void keyindex_free(struct keyindex *ix)
{
	free(ix->bucket);
	ix->bucket = NULL;
	ix->nb = ix->n = 0;
}

/* splitmix64's finaliser over the seeded key: every bit of the key moves
 * the bucket, and without the seed the bucket of a key is unknown. */
static size_t keyindex_slot(const struct keyindex *ix, size_t nb, uint64_t key)
{
	uint64_t z = key ^ ix->seed;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return (size_t)(z ^ (z >> 31)) & (nb - 1);
}

static void keyindex_link(struct keyindex *ix, struct conn *c)
{
	struct conn **head = &ix->bucket[keyindex_slot(ix, ix->nb, c->key)];

	c->key_next = *head;
	if (*head)
		(*head)->key_pprev = &c->key_next;
	*head = c;
	c->key_pprev = head;
}

/* Relinks every chain into nb buckets; on -ENOMEM ix is unchanged. */
static int keyindex_rehash(struct keyindex *ix, size_t nb)
{
	struct conn **old = ix->bucket, *c, *next;
	size_t onb = ix->nb;

	ix->bucket = calloc(nb, sizeof(*ix->bucket));
	if (!ix->bucket) {
		ix->bucket = old;
		return -ENOMEM;
	}
	ix->nb = nb;
	for (size_t i = 0; i < onb; i++)
		for (c = old[i]; c; c = next) {
			next = c->key_next;
			keyindex_link(ix, c);
		}
	free(old);
	return 0;
}

int keyindex_add(struct keyindex *ix, struct conn *c)
{
	if (!ix->bucket && keyindex_rehash(ix, KEYINDEX_NB0))
		return -ENOMEM;
	/* Growth is only for speed: a table that cannot grow still
	 * finds every key. */
	if (ix->n >= ix->nb && ix->nb <= SIZE_MAX / 2 / sizeof(*ix->bucket))
		(void)keyindex_rehash(ix, 2 * ix->nb);
	keyindex_link(ix, c);
	ix->n++;
	return 0;
}

void keyindex_del(struct keyindex *ix, struct conn *c)
{
	if (!c->key_pprev)
		return;
	*c->key_pprev = c->key_next;
	if (c->key_next)
		c->key_next->key_pprev = c->key_pprev;
	c->key_next = NULL;
	c->key_pprev = NULL;
	ix->n--;
}

struct conn *keyindex_chain(const struct keyindex *ix, uint64_t key)
{
	return ix->bucket ? ix->bucket[keyindex_slot(ix, ix->nb, key)] : NULL;
}
