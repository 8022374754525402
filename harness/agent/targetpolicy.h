/* targetpolicy: which endpoints the agent refuses to send a SYN to when a
 * coordinator or the side channel names them (--target-policy): pure
 * classification over 16-byte addresses (IPv4 as ::ffff:a.b.c.d, as the
 * P2P netaddr carries them), so that it is tested without a network. */
#ifndef PUNCHLAB_AGENT_TARGETPOLICY_H
#define PUNCHLAB_AGENT_TARGETPOLICY_H

#include <stddef.h>
#include <stdint.h>

#include "p2p.h"

#define TARGETPOLICY_MAX_ALLOW 16 /* --wan-allow prefixes */
#define TARGETPOLICY_MAX_OWN 64	  /* the namespace's own addresses */

/* An address prefix; IPv4 ones as ::ffff:0:0/96 + their length. */
struct targetpolicy_prefix {
	uint8_t ip[16];
	unsigned len; /* 0..128 */
};

struct targetpolicy {
	struct targetpolicy_prefix allow[TARGETPOLICY_MAX_ALLOW];
	unsigned nallow;
	uint8_t own[TARGETPOLICY_MAX_OWN][16];
	unsigned nown;
	uint8_t coord[16]; /* the coordinator's (or probe server's) address */
	int have_coord;
};

/* "10.0.0.0/8", "fd00::/8" or a bare address (/32, /128). Host bits past
 * the length are ignored. 0 or -EINVAL. */
int targetpolicy_prefix_parse(const char *s, struct targetpolicy_prefix *p);

/* Adds an address (4 or 16 bytes) to the own list; past the table's size
 * -ENOSPC, else 0. */
int targetpolicy_add_own(struct targetpolicy *tp, const void *addr,
			 size_t len);

/* The coordinator's (or the probe server's) address, 4 or 16 bytes. 0 or
 * -EINVAL. */
int targetpolicy_set_coord(struct targetpolicy *tp, const void *addr,
			   size_t len);

/* 0 when a SYN to na may go, else -EPERM with why naming the rule and the
 * address ("loopback 127.0.0.1", "private 10.0.1.1 not in --wan-allow",
 * "port 0", ...). */
int targetpolicy_check(const struct targetpolicy *tp,
		       const struct p2p_netaddr *na, char *why, size_t whylen);

#endif
