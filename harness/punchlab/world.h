/* world: the network a scenario runs in, built from namespaces and veth
 * pairs, with NAT profiles loaded into the routers.
 *
 *   home LAN 10.0.1.0/24          WAN (RFC 5737)           home LAN 10.0.2.0/24
 *  [alice] -- [router A: NAT] -- [inet] -- [router B: NAT] -- [bob]   x cells
 *                                  |
 *                        [charlie 192.0.2.1]
 *
 * inet routes /32s: every WAN host has one address and a default route to
 * 192.0.2.254 (on inet's loopback) over its own veth. A home whose router
 * does not translate (mapping none) gets a public LAN from 198.18.0.0/15
 * (RFC 2544), routed by inet to its router. */
#ifndef PUNCHLAB_WORLD_H
#define PUNCHLAB_WORLD_H

#include <signal.h>

#include "netbuild.h"
#include "runid.h"
#include "scenario.h"

#define WORLD_COORD_ADDR "192.0.2.1"
#define WORLD_COORD_PORT 18444 /* regtest P2P port */
#define WORLD_PROBE_PORT 3478  /* out-of-band: charlie's probe server */

/* A home: host behind a router, and for NAT444 the carrier NAT whose
 * subscriber the router is (router WAN 100.64.0.2/10, carrier LAN
 * 100.64.0.1/10). The public address is the router's, or the carrier's. */
struct world_side {
	struct nb_host router, host, carrier;
	char wan_addr[16]; /* public address on the WAN */
	char lan_addr[16]; /* host's address */
	char lan_prefix[20];
	const struct nat_profile *profile, *carrier_profile;
};

struct world_cell {
	struct world_side side[2]; /* 0: alice behind a, 1: bob behind b */
};

struct world {
	char rid[RUNID_LEN + 1];
	char table[32]; /* nft table name in every router */
	struct cleanup *cu;
	struct nb_host inet, charlie;
	int ncells;
	struct world_cell *cells;
};

/* Whether this host's neighbour (ARP) table holds the world of s: the
 * kernel has one table for every namespace and creates no entry past
 * net.ipv4.neigh.default.gc_thresh3 (1024 by default), so the cells past
 * it never reach charlie (measured: 250 cells on a default host, cells
 * 126-249 all "connect: Connection timed out"). A cell takes 8 entries,
 * 12 with two carriers. 0, or -E2BIG with err naming the sysctl to
 * raise. */
int world_fits_host(const struct scenario *s, char *err, size_t err_cap);

/* Builds the whole topology for s. On failure (or when *stop becomes
 * non-zero) everything made so far is removed, NULL is returned with
 * errno set and a message in err. */
struct world *world_new(const char *rid, const struct scenario *s,
			volatile sig_atomic_t *stop, char *err,
			size_t err_cap);
/* Link conditions of every cell (scenario cells' cond). With the NFQUEUE
 * mechanism installs the queue rules in inet and returns the number of
 * queues, their punch-shaper specs ("N:delay:jitter:loss:rate") in
 * specs[] (caller frees each and the array); with netem applies qdiscs
 * and returns 0. *method gets the linkcond method (0 when no cell is
 * shaped). -errno with err filled on failure. */
int world_shape(struct world *w, const struct scenario *s, char ***specs,
		int *method, char *err, size_t err_cap);

/* Stops recorded processes and deletes every namespace. NULL is safe. */
void world_free(struct world *w);
/* Frees the memory and leaves the topology up (punchlab up). */
void world_detach(struct world *w);

#endif
