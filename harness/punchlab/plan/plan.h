/* plan: every name, address, link, route and NAT load of a scenario's
 * world, computed from the scenario and the run id alone — no syscall —
 * so addressing is tested without root and `punchlab plan` prints it.
 * world.c executes a plan step by step, in the order it lists them.
 *
 *   home LAN 10.0.1.0/24          WAN (RFC 5737)           home LAN 10.0.2.0/24
 *  [alice] -- [router A: NAT] -- [inet] -- [router B: NAT] -- [bob]   x cells
 *                                  |
 *                        [charlie 192.0.2.1]
 *
 * inet routes /32s: every WAN host has one address and a default route to
 * 192.0.2.254 (on inet's loopback) over its own veth. A home whose router
 * does not translate (mapping none) gets a public LAN from 198.18.0.0/15
 * (RFC 2544), routed by inet to its router. NAT444: a carrier namespace
 * on the WAN, the router behind it at 100.64.0.2/10. Cells past 249 take
 * their WAN addresses and routed LANs from 172.16.0.0/12 (plan.c).
 * When a home of the scenario has IPv6, the world is dual-stack:
 * plan6.h's 2001:db8::/32 addresses beside the IPv4 ones. */
#ifndef PUNCHLAB_PLAN_H
#define PUNCHLAB_PLAN_H

#include <stddef.h>
#include <stdio.h>

#include "scenario.h"

#define PLAN_COORD_ADDR "192.0.2.1"
#define PLAN_COORD_PORT 18444 /* regtest P2P port */
#define PLAN_PROBE_PORT 3479  /* out-of-band: charlie's probe server
			       * (3478 is the run's STUN server) */
#define PLAN_INET_GW "192.0.2.254" /* on inet's loopback */
/* Scenarios with an adversary cell (docs/adversaries.md section 2): the
 * attacker's host and the redirect victim's, on the WAN like charlie.
 * Cell i's own coordinator (and mallory's lying one) listens on
 * PLAN_ADV_PORT_BASE + i. */
#define PLAN_MALLORY_ADDR "192.0.2.66"
#define PLAN_VICTIM_ADDR "192.0.2.99"
#define PLAN_ADV_PORT_BASE 18500
#define PLAN_IFNAME 16		   /* IFNAMSIZ */
#define PLAN_ADDR 24		   /* dotted quad, or with /prefix */

/* A namespace pl-<rid>-<tag>; forward: it routes (routers, carriers,
 * inet), with IPv4 forwarding on and ICMP redirects off; v6: it has IPv6
 * addresses (PLAN6_HOST) or routes IPv6 too (PLAN6_FORWARD), plan6.h. */
struct plan_ns {
	char name[96];
	char tag[32];
	int forward;
	int v6;
};

#define PLAN_MAC 6 /* bytes of an Ethernet address */

/* A veth pair: if_a in namespace ns_a, if_b in ns_b, both set up. Every
 * link is point to point: each end has a MAC of the plan's own (locally
 * administered, 02:RR:RR:KK:KK:KK, RRRR the run id's first four digits,
 * K the end's number, unique within the run) and IFF_NOARP; what it
 * must reach on the link is in plan.neighs. */
struct plan_veth {
	int ns_a, ns_b;
	char if_a[PLAN_IFNAME], if_b[PLAN_IFNAME];
	unsigned char mac_a[PLAN_MAC], mac_b[PLAN_MAC];
	char master_a[PLAN_IFNAME]; /* the bridge end a joins, "" none */
};

/* A bridge: the LAN of a home with more than one host. The router's LAN
 * address sits on it (named like a single host's router end, so the NAT
 * ruleset's `lan` is the same interface), every host's veth is a port.
 * Point to point like the veths: the plan's MAC, IFF_NOARP, and
 * permanent neighbours for every host on it. */
struct plan_bridge {
	int ns;
	char ifname[PLAN_IFNAME];
	unsigned char mac[PLAN_MAC];
};

/* A permanent neighbour entry in namespace ns: addr is at mac (the other
 * end of ifname's link). One for each address of the other end and for
 * each gateway reached over the link, so no ARP is ever needed; the
 * kernel does not count permanent entries against the host-wide
 * net.ipv4.neigh.default.gc_thresh3 (commit 58956317c8de). */
struct plan_neigh {
	int ns;
	char ifname[PLAN_IFNAME];
	char addr[PLAN_ADDR];
	unsigned char mac[PLAN_MAC];
};

struct plan_addr {
	int ns;
	char ifname[PLAN_IFNAME];
	char cidr[PLAN_ADDR];
};

/* dst ("default" or a prefix) via gw (NULL-like "" for on-link) out of
 * ifname; onlink: the gateway is reached without a connected prefix. */
struct plan_route {
	int ns;
	char dst[PLAN_ADDR], gw[PLAN_ADDR], ifname[PLAN_IFNAME];
	int onlink;
};

/* A NAT profile loaded into a router or carrier. */
struct plan_nat {
	int ns;
	const struct nat_profile *profile;
	char wan_if[PLAN_IFNAME], lan_if[PLAN_IFNAME];
	char wan_addr[PLAN_ADDR], lan_cidr[PLAN_ADDR];
	int carrier; /* one subscriber: PLAN_CGN_ROUTER_WAN */
	char lan6[PLAN_ADDR]; /* the home's IPv6 /64 to filter, "" none */
	int rst_guard; /* the cell's rst_guard: rstguard.h's table too */
};

#define PLAN_CGN_CARRIER_LAN "100.64.0.1"
#define PLAN_CGN_ROUTER_WAN "100.64.0.2"

/* One home: a host behind a router, and for NAT444 the carrier NAT in
 * front of it. Indices into plan.ns (carrier -1 when none). A home may
 * hold more hosts (cell key hosts_a / hosts_b): each runs a background
 * node; they sit on a bridge with the side's host. In a shared home
 * (home = shared) bob's side names alice's router, carrier and WAN
 * address, and bob is a second host on alice's LAN. */
struct plan_side {
	int router, host, carrier;
	int shared;	/* side 1 behind side 0's router */
	int nextra;	/* background-node hosts of this side */
	int extra[CELLCOND_HOSTS_MAX];
	char extra_addr[CELLCOND_HOSTS_MAX][PLAN_ADDR];
	const struct nat_profile *profile, *carrier_profile;
	int routed;			/* mapping none: a public LAN */
	char wan_addr[PLAN_ADDR];	/* public address on the WAN */
	char inet_if[PLAN_IFNAME];	/* inet's end of its WAN link */
	char lan_addr[PLAN_ADDR];	/* the host's address */
	char lan_prefix[PLAN_ADDR];
	/* Where plan6.c finds this home's links: the WAN veth (inet at
	 * end a), the carrier's veth to the router (-1 none), the first of
	 * nlan LAN veths (router at end a, hosts in plan_home order), the
	 * LAN bridge (-1 none) and the router's NAT load. */
	int veth_wan, veth_cgn, veth_lan, nlan, bridge, nat;
	/* IPv6 (plan6.h): the host's address, the LAN /64, the router's
	 * WAN address; all "" without IPv6, and then v6_none says why
	 * when the profile asked for it. */
	int v6;
	char lan6_addr[PLAN_ADDR], lan6_prefix[PLAN_ADDR], wan6[PLAN_ADDR];
	char v6_none[96];
};

struct plan_cell {
	struct plan_side side[2]; /* 0: alice behind a, 1: bob behind b */
};

struct plan {
	char rid[16];
	char table[32]; /* nft table in every router: punchlab_<rid> */
	char table6[40]; /* ip6 filter table: punchlab_<rid>_f6, "" none */
	int inet, charlie; /* indices into ns */
	char charlie_if[PLAN_IFNAME]; /* inet's end of charlie's link */
	int mallory, victim; /* indices into ns; -1 without an adversary */
	int ncells;
	struct plan_cell *cells;
	struct plan_ns *ns;
	struct plan_veth *veths;
	struct plan_addr *addrs;
	struct plan_route *routes;
	struct plan_nat *nats;
	struct plan_neigh *neighs;
	struct plan_bridge *bridges;
	int nns, nveths, naddrs, nroutes, nnats, nneighs, nbridges;
};

/* The plan of s's world for run rid. NULL with errno set and a message
 * in err: EINVAL for a scenario the WAN cannot address (a routed home
 * behind a carrier, a routed /29 home with more than 5 hosts), ENOMEM.
 * Pure: reads only s. */
struct plan *plan_new(const struct scenario *s, const char *rid, char *err,
		      size_t err_cap);
void plan_free(struct plan *p);
/* The IPv6 half (plan6.c, addresses in plan6.h): what plan_alloc's
 * bounds need for it, and its steps added to p, which holds s's IPv4
 * world already; nothing for a scenario without IPv6 homes. */
void plan6_grow(const struct scenario *s, size_t *sides, size_t *hosts,
		size_t *neighs);
void plan6_build(struct plan *p, const struct scenario *s);
/* Every step in execution order, one per line, as `punchlab plan`
 * prints it. */
void plan_print(const struct plan *p, FILE *f);

/* Step builders for a plan made elsewhere (netplan.h), on arrays the
 * caller sized: each appends the steps a cell's world has for the same
 * thing. A namespace pl-<rid>-<tag>: its index. */
int plan_step_ns(struct plan *p, const char *tag, int forward);
/* addr (IPv4, or IPv6 of at most 19 characters) /prefix on ns:ifn. */
void plan_step_addr(struct plan *p, int ns, const char *ifn,
		    const char *addr, int prefix);
/* In ns, addr is at mac on ifn (a permanent neighbour entry). */
void plan_step_neigh(struct plan *p, int ns, const char *ifn,
		     const char *addr, const unsigned char *mac);
/* dst ("default", "::/0" or a prefix) via gw (NULL: on link) out of ifn. */
void plan_step_route(struct plan *p, int ns, const char *dst,
		     const char *gw, const char *ifn, int onlink);
/* "<rid>-<tag>" into buf (PLAN_IFNAME bytes), as every interface. */
void plan_step_ifname(const struct plan *p, char *buf, const char *tag);
/* Host h on the WAN at addr/32 through inet's interface inet_if. */
void plan_step_wan(struct plan *p, int h, const char *inet_if,
		   const char *addr);
/* NAT444: carrier namespace tag in front of sd->router, on the WAN at
 * sd->wan_addr via sd->inet_if, loaded with sd->carrier_profile; sets
 * sd->carrier. */
void plan_step_carrier(struct plan *p, struct plan_side *sd, const char *tag);
/* One host (sd->host at sd->lan_addr) on the router's LAN, router at
 * router_lan, /len. */
void plan_step_lan(struct plan *p, const struct plan_side *sd,
		   const char *router_lan, int len);
/* A router's NAT: profile prof between WAN (wan_addr) and LAN. */
void plan_step_nat(struct plan *p, int ns, const struct nat_profile *prof,
		   const char *wan_addr, const char *lan_cidr);

#endif
