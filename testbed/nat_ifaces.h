/* nat_ifaces: where a NAT ruleset is rendered for — table name, WAN and
 * LAN interfaces, public address, inside prefix, a carrier's subscribers.
 * A data model, no code: nat.c, nat_build.c and nat_check.c read it. */
#ifndef PUNCHLAB_NAT_IFACES_H
#define PUNCHLAB_NAT_IFACES_H

#include <stddef.h>

struct nat_ifaces {
	const char *table; /* e.g. "punchlab_3f9a2c" (carries the run id) */
	const char *wan;   /* interface toward the internet */
	const char *lan;   /* interface toward the home LAN */
	const char *wan_addr; /* router's public IPv4 address */
	const char *lan_cidr; /* home LAN prefix, e.g. "10.0.1.0/24" */
	/* Carrier NAT with port_block only (leave zero otherwise): the
	 * subscribers, i.e. the WAN addresses of the home routers behind
	 * it, all inside lan_cidr; subscriber i owns the i-th block of
	 * port_block ports from the bottom of port_range. */
	const char *const *subscribers;
	size_t nsubscribers;
};

#endif
