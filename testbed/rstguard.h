/* rstguard: a home router's defence against a spoofed RST at punch time
 * (docs/adversaries.md, cell key rst_guard): RSTs without ACK that
 * arrive on the WAN are dropped before conntrack sees them. The one
 * source of the rule; the world loads it with the router's NAT profile
 * (libnftables, in the same load), and bench/inject-window.sh asks for
 * it through the same key. */
#ifndef PUNCHLAB_RSTGUARD_H
#define PUNCHLAB_RSTGUARD_H

#include <stddef.h>

/* The table's name suffix: "<table>" RSTGUARD_SUFFIX, and its counter of
 * dropped RSTs. */
#define RSTGUARD_SUFFIX "_rstguard"
#define RSTGUARD_COUNTER "rst_dropped"

/* The guard for the router whose WAN interface is wan, in an inet table
 * named table + RSTGUARD_SUFFIX (table: the run's, "punchlab_<rid>"),
 * into buf. The text's length, or -EINVAL for a name nft would misread,
 * -ENOSPC when cap is too small. */
int rstguard_render(const char *table, const char *wan, char *buf, size_t cap);

#endif
