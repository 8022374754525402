/* nethpaddr: the `hpaddr` message of the advertised mode, in P2P framing
 * like addr: "a node behind a NAT can be reached through this
 * coordinator under this key".
 *
 *   hpaddr   u64 key, netaddr coordinator (26 bytes, as in version),
 *            u32 node id (the advertised node's id in the nodes file; for
 *            the analysis only: nodes choose by key and coordinator)
 *
 * 38 bytes, little-endian (the netaddr's port big-endian as in p2p.h). */
#ifndef PUNCHLAB_NETHPADDR_H
#define PUNCHLAB_NETHPADDR_H

#include <stddef.h>
#include <stdint.h>

#include "p2p.h"

#define NETHPADDR_CMD "hpaddr"
#define NETHPADDR_LEN (8 + P2P_NETADDR_LEN + 4)

struct nethpaddr {
	uint64_t key;
	struct p2p_netaddr coord;
	uint32_t node;
};

/* The payload length, or -ENOSPC. */
int nethpaddr_encode(uint8_t *out, size_t cap, const struct nethpaddr *m);
/* 0, or -EBADMSG for any length but NETHPADDR_LEN. */
int nethpaddr_decode(const uint8_t *p, size_t len, struct nethpaddr *m);

#endif
