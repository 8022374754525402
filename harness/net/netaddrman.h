/* netaddrman: one node's address manager — the reachable addresses (as
 * DNS seeds give them) and, in advertised phases, the hpaddr entries
 * gossip brought. Pure: no I/O; the node's seeded generator makes every
 * pick reproducible. netaddrman_free frees the entries. */
#ifndef PUNCHLAB_NETADDRMAN_H
#define PUNCHLAB_NETADDRMAN_H

#include <netinet/in.h>
#include <stdint.h>

/* Group ids: reachable entries use their /24 netgroup (below 2^40); an
 * advertised entry is a group of its own (its key), or with sybil
 * mitigation shares its coordinator's group. */
#define NETADDRMAN_GROUP_KEY (UINT64_C(1) << 40)
#define NETADDRMAN_GROUP_COORD (UINT64_C(2) << 40)

struct netaddrman_entry {
	int node_id;	   /* the node behind it */
	int advertised;	   /* 0: a reachable address */
	int coord_id;	   /* advertised: its coordinator's node id */
	uint64_t key;	   /* advertised: the holder's key */
	struct in_addr addr; /* reachable: the node; advertised: coordinator */
	uint16_t port;
	uint64_t group;
	int failed; /* a connect or punch to it failed this phase */
	int in_use; /* an outbound connection to it is open or opening */
};

struct netaddrman {
	struct netaddrman_entry *e;
	int n, cap;
	int sybil_mitigation;
	int self_id;
	uint64_t rng;
	int nreachable, nadvertised;
};

uint64_t netaddrman_mix(uint64_t x); /* splitmix64's finaliser */
/* The next number of a splitmix64 sequence kept in *state. */
uint64_t netaddrman_next(uint64_t *state);

void netaddrman_init(struct netaddrman *am, int self_id, uint64_t seed,
		     int sybil_mitigation);
/* Adds e (its group computed here for advertised entries); the index,
 * the existing index when the node is already there as an entry of the
 * same kind (no change), or
 * -ENOMEM. The node's own entry is refused (-EEXIST). */
int netaddrman_add(struct netaddrman *am, const struct netaddrman_entry *e);
/* A weighted seeded pick among entries neither failed nor in use whose
 * group is not in used[0..nused). Reachable and (unmitigated) advertised
 * entries weigh 1; with mitigation the entries of one coordinator share
 * one weight. only_reachable: advertised entries are not candidates.
 * The index, or -ENOENT. */
int netaddrman_pick(struct netaddrman *am, const uint64_t *used, int nused,
		    int only_reachable);
void netaddrman_free(struct netaddrman *am);

#endif
