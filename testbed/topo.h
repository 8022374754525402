/* topo: building blocks of a topology, each acting inside the namespace
 * whose fd it is given and returning the caller to its own namespace. */
#ifndef PUNCHLAB_TOPO_H
#define PUNCHLAB_TOPO_H

/* veth pair with end name_a in ns_a and name_b in ns_b, both left down. */
int topo_veth(int ns_a, const char *name_a, int ns_b, const char *name_b);
/* The same, point to point: each end gets its 6-byte MAC and IFF_NOARP at
 * creation (nlreq_veth_add_p2p); add its neighbours with topo_neigh. */
int topo_veth_p2p(int ns_a, const char *name_a, const unsigned char *mac_a,
		  int ns_b, const char *name_b, const unsigned char *mac_b);
/* Bridge name with its 6-byte MAC and IFF_NOARP, left down. */
int topo_bridge(int ns, const char *name, const unsigned char *mac);
/* ifname becomes a port of bridge master (both in ns). */
int topo_link_master(int ns, const char *ifname, const char *master);
int topo_link_up(int ns, const char *ifname);
/* cidr like "10.0.1.2/24". -EINVAL when it does not parse. */
int topo_addr(int ns, const char *ifname, const char *cidr);
/* dst "default" or "a.b.c.d/n"; gw may be NULL; ifname may be NULL when gw
 * is given; onlink as in nlreq_route_add. */
int topo_route(int ns, const char *dst, const char *gw, const char *ifname,
	       int onlink);
/* Permanent neighbour entry: addr ("a.b.c.d") is at the 6-byte mac on
 * ifname. */
int topo_neigh(int ns, const char *ifname, const char *addr,
	       const unsigned char *mac);
int topo_sysctl(int ns, const char *key, const char *value);

#endif
