/* addrlimit: the per-address counter. A flood from one address is the
 * case it is built for, so the common path is one hash and a short
 * probe; the table grows (and drops its tombstones) at half full. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "addrlimit.h"

#define ADDRLIMIT_CAP0 64

int addrlimit_init(struct addrlimit *al, unsigned limit)
{
	memset(al, 0, sizeof(*al));
	al->limit = limit;
	if (!limit)
		return 0;
	al->slot = calloc(ADDRLIMIT_CAP0, sizeof(*al->slot));
	if (!al->slot)
		return -ENOMEM;
	al->cap = ADDRLIMIT_CAP0;
	return 0;
}

void addrlimit_free(struct addrlimit *al)
{
	free(al->slot);
	al->slot = NULL;
	al->cap = al->used = 0;
}

/* FNV-1a: addresses are not chosen to collide here (the flood is one
 * address; many addresses mean many hosts). */
static size_t addrlimit_hash(const uint8_t ip[16])
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (int i = 0; i < 16; i++)
		h = (h ^ ip[i]) * 0x100000001b3ULL;
	return (size_t)(h ^ (h >> 32));
}

/* ip's slot, or NULL; *free_at gets the first reusable slot on the way. */
static struct addrlimit_slot *addrlimit_find(const struct addrlimit *al,
					     const uint8_t ip[16],
					     struct addrlimit_slot **free_at)
{
	size_t i = addrlimit_hash(ip) & (al->cap - 1);

	if (free_at)
		*free_at = NULL;
	for (size_t k = 0; k < al->cap; k++, i = (i + 1) & (al->cap - 1)) {
		struct addrlimit_slot *s = &al->slot[i];

		if (!s->used) {
			if (free_at && !*free_at)
				*free_at = s;
			return NULL;
		}
		if (s->n && !memcmp(s->ip, ip, 16))
			return s;
		if (!s->n && free_at && !*free_at)
			*free_at = s;
	}
	return NULL;
}

/* Rehash the live slots into a table of cap slots. */
static int addrlimit_rehash(struct addrlimit *al, size_t cap)
{
	struct addrlimit old = *al;
	struct addrlimit_slot *dst;

	al->slot = calloc(cap, sizeof(*al->slot));
	if (!al->slot) {
		al->slot = old.slot;
		return -ENOMEM;
	}
	al->cap = cap;
	al->used = 0;
	for (size_t i = 0; i < old.cap; i++) {
		if (!old.slot[i].n)
			continue;
		addrlimit_find(al, old.slot[i].ip, &dst);
		*dst = old.slot[i];
		al->used++;
	}
	free(old.slot);
	return 0;
}

/* Room for twice the live addresses: a table full of tombstones is
 * rebuilt at its size, not doubled. */
static size_t addrlimit_newcap(const struct addrlimit *al)
{
	size_t live = 1, cap = al->cap;

	for (size_t i = 0; i < al->cap; i++)
		live += al->slot[i].n != 0;
	while (4 * live > cap)
		cap *= 2;
	return cap;
}

int addrlimit_take(struct addrlimit *al, const uint8_t ip[16])
{
	struct addrlimit_slot *s, *free_at;
	int err;

	if (!al->limit)
		return 0;
	s = addrlimit_find(al, ip, &free_at);
	if (s) {
		if (s->n >= al->limit) {
			al->refused++;
			al->refused_total++;
			return -EBUSY;
		}
		s->n++;
		return 0;
	}
	if (2 * (al->used + 1) > al->cap) {
		err = addrlimit_rehash(al, addrlimit_newcap(al));
		if (err)
			return err;
		addrlimit_find(al, ip, &free_at);
	}
	if (!free_at->used)
		al->used++;
	memcpy(free_at->ip, ip, 16);
	free_at->used = 1;
	free_at->n = 1;
	return 0;
}

void addrlimit_put(struct addrlimit *al, const uint8_t ip[16])
{
	struct addrlimit_slot *s;

	if (!al->limit)
		return;
	s = addrlimit_find(al, ip, NULL);
	if (s)
		s->n--;
}

unsigned addrlimit_count(const struct addrlimit *al, const uint8_t ip[16])
{
	const struct addrlimit_slot *s;

	if (!al->limit)
		return 0;
	s = addrlimit_find(al, ip, NULL);
	return s ? s->n : 0;
}
