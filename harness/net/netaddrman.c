/* netaddrman: selection as Bitcoin Core's outbound rule has it (at most
 * one outbound per netgroup), with the sybil mitigation of
 * docs/network.md: every entry one coordinator introduced counts as one
 * address, so a coordinator inventing entries gains no weight. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "netaddrman.h"

uint64_t netaddrman_mix(uint64_t x)
{
	x = (x ^ (x >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	x = (x ^ (x >> 27)) * UINT64_C(0x94d049bb133111eb);
	return x ^ (x >> 31);
}

uint64_t netaddrman_next(uint64_t *state)
{
	*state += UINT64_C(0x9e3779b97f4a7c15);
	return netaddrman_mix(*state);
}

void netaddrman_init(struct netaddrman *am, int self_id, uint64_t seed,
		     int sybil_mitigation)
{
	memset(am, 0, sizeof(*am));
	am->self_id = self_id;
	am->rng = seed;
	am->sybil_mitigation = sybil_mitigation;
}

int netaddrman_add(struct netaddrman *am, const struct netaddrman_entry *e)
{
	struct netaddrman_entry *ne;

	if (e->node_id == am->self_id)
		return -EEXIST;
	/* One entry per node and kind: an eclipse attacker's node is both
	 * a reachable address and an advertised entry (honest nodes are
	 * one or the other). */
	for (int i = 0; i < am->n; i++)
		if (am->e[i].node_id == e->node_id &&
		    am->e[i].advertised == e->advertised)
			return i;
	if (am->n == am->cap) {
		int cap = am->cap ? 2 * am->cap : 64;

		ne = realloc(am->e, (size_t)cap * sizeof(*ne));
		if (!ne)
			return -ENOMEM;
		am->e = ne;
		am->cap = cap;
	}
	ne = &am->e[am->n];
	*ne = *e;
	ne->failed = ne->in_use = 0;
	if (ne->advertised)
		ne->group = am->sybil_mitigation
				    ? NETADDRMAN_GROUP_COORD |
					      (uint64_t)ne->coord_id
				    : NETADDRMAN_GROUP_KEY | ne->key;
	if (ne->advertised)
		am->nadvertised++;
	else
		am->nreachable++;
	return am->n++;
}

static int netaddrman_candidate(const struct netaddrman *am, int i,
				const uint64_t *used, int nused,
				int only_reachable)
{
	const struct netaddrman_entry *e = &am->e[i];

	if (e->failed || e->in_use || (only_reachable && e->advertised))
		return 0;
	for (int k = 0; k < nused; k++)
		if (used[k] == e->group)
			return 0;
	return 1;
}

/* With mitigation an advertised entry of coordinator c weighs 1/n_c
 * (n_c: c's candidate entries), kept in integers as S/n_c with S the
 * largest n_c. Coordinators are few (R/10), so a linear table of them. */
struct netaddrman_coord {
	int id, n;
};

static int netaddrman_coord_slot(struct netaddrman_coord *t, int *nt, int id)
{
	for (int k = 0; k < *nt; k++)
		if (t[k].id == id)
			return k;
	t[*nt].id = id;
	t[*nt].n = 0;
	return (*nt)++;
}

int netaddrman_pick(struct netaddrman *am, const uint64_t *used, int nused,
		    int only_reachable)
{
	struct netaddrman_coord *coords = NULL;
	uint64_t *w, total = 0, scale = 1, r;
	int ncoords = 0, pick = -ENOENT;

	w = calloc((size_t)am->n + 1, sizeof(*w));
	coords = calloc((size_t)am->n + 1, sizeof(*coords));
	if (!w || !coords) {
		pick = -ENOMEM;
		goto out;
	}
	for (int i = 0; i < am->n; i++) {
		if (!netaddrman_candidate(am, i, used, nused, only_reachable))
			continue;
		w[i] = 1;
		if (am->sybil_mitigation && am->e[i].advertised) {
			int k = netaddrman_coord_slot(coords, &ncoords,
						      am->e[i].coord_id);

			if ((uint64_t)++coords[k].n > scale)
				scale = (uint64_t)coords[k].n;
		}
	}
	for (int i = 0; i < am->n; i++) {
		if (!w[i])
			continue;
		w[i] = scale;
		if (am->sybil_mitigation && am->e[i].advertised)
			w[i] = scale / (uint64_t)coords[netaddrman_coord_slot(
					       coords, &ncoords,
					       am->e[i].coord_id)]
					       .n;
		total += w[i];
	}
	if (!total)
		goto out;
	r = netaddrman_next(&am->rng) % total;
	for (int i = 0; i < am->n; i++) {
		if (r < w[i]) {
			pick = i;
			break;
		}
		r -= w[i];
	}
out:
	free(coords);
	free(w);
	return pick;
}

void netaddrman_free(struct netaddrman *am)
{
	free(am->e);
	am->e = NULL;
	am->n = am->cap = 0;
}
