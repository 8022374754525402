/* netevict: which inbound peer a full reachable node drops for a
 * newcomer. Pure. */
#ifndef PUNCHLAB_NETEVICT_H
#define PUNCHLAB_NETEVICT_H

#include <stdint.h>

struct netevict_cand {
	uint64_t group;	  /* the peer's netgroup (its address's /24) */
	int64_t t_open_ns; /* when it connected */
};

/* The youngest inbound of the netgroup holding most inbound (ties: the
 * group whose youngest is younger) — a simplification of Bitcoin Core's
 * SelectNodeToEvict, which first protects peers by ping, relay and
 * netgroup and then evicts the youngest of the largest group. The
 * index, or -1 when n is 0. */
int netevict_choose(const struct netevict_cand *c, int n);

#endif
