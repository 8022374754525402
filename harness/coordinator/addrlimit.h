/* addrlimit: connections per source address, so one address cannot take
 * the whole client table (--per-addr-limit). An open-addressing table of
 * 16-byte addresses (IPv4 as v4-mapped, as p2p_netaddr holds them) with
 * a count each; a slot whose count falls to 0 is a tombstone, reused by
 * the next address that lands there. */
#ifndef PUNCHLAB_COORD_ADDRLIMIT_H
#define PUNCHLAB_COORD_ADDRLIMIT_H

#include <stddef.h>
#include <stdint.h>

struct addrlimit_slot {
	uint8_t ip[16];
	uint32_t n;    /* connections open from ip; 0: free */
	uint8_t used;  /* ever used: probing goes past it */
};

struct addrlimit {
	unsigned limit;	 /* per address; 0: no limit (nothing counted) */
	size_t cap;	 /* slots, a power of two */
	size_t used;	 /* slots with used set (live or tombstone) */
	uint64_t refused; /* connections turned away since the last report */
	uint64_t refused_total;
	struct addrlimit_slot *slot;
};

/* An empty table for limit connections per address (0: off, nothing is
 * allocated). 0 or -ENOMEM. */
int addrlimit_init(struct addrlimit *al, unsigned limit);
void addrlimit_free(struct addrlimit *al);
/* One more connection from ip: 0, or -EBUSY when ip already has limit
 * (counted in refused), or -ENOMEM (the table could not grow; the
 * connection is let in uncounted rather than refused for our fault:
 * the caller must then not call addrlimit_put for it). */
int addrlimit_take(struct addrlimit *al, const uint8_t ip[16]);
/* A connection from ip has gone. */
void addrlimit_put(struct addrlimit *al, const uint8_t ip[16]);
/* Connections now open from ip. */
unsigned addrlimit_count(const struct addrlimit *al, const uint8_t ip[16]);

#endif
