/* filter6: a profile's [ipv6] filter as nftables text, the table
 * `ip6 punchlab_<rid>_f6` a home router loads beside its IPv4 NAT table
 * (docs/alternatives.md section 3). No translation: the home's /64 is
 * routed, and this stateful filter is all that stands between the WAN
 * and the LAN. */
#ifndef PUNCHLAB_FILTER6_H
#define PUNCHLAB_FILTER6_H

#include <stddef.h>

#include "profile.h"

struct filter6_ifaces {
	const char *table; /* e.g. "punchlab_3f9a2c_f6" */
	const char *wan, *lan; /* the router's interfaces */
	const char *lan6;      /* the home's prefix, e.g. "2001:db8:1::/64" */
};

/* Writes the ruleset (`table ip6 <table>` preceded by the lines that make
 * loading it idempotent) into buf. Its length, or -ENOSPC, -EINVAL (bad
 * ifaces) or -ENOTSUP (a value outside its enum), with a message in why
 * when why is not NULL. Named counters "syn_dropped", "udp_dropped" and
 * "rst_sent" are always present. */
int filter6_render(const struct nat_profile *p,
		   const struct filter6_ifaces *ifc, char *buf, size_t cap,
		   char *why, size_t why_cap);

#endif
