/* topo: building blocks of a topology, each acting inside the namespace
 * whose fd it is given and returning the caller to its own namespace. */
#ifndef PUNCHLAB_TOPO_H
#define PUNCHLAB_TOPO_H

struct rtnl;

/* A visit: the calling thread inside a namespace with one rtnetlink
 * socket there, for a batch of steps; topo_leave always returns it home
 * (and closes what the visit opened). Only syscalls between the two: no
 * other code should run in the visited namespace. */
struct topo_visit {
	int self;	 /* the caller's namespace */
	struct rtnl *r;	 /* opened in the visited namespace */
	int sysnet;	 /* its /proc/sys/net, opened at the first sysctl */
};

int topo_enter(struct topo_visit *v, int ns);
int topo_leave(struct topo_visit *v);
/* The steps below, in the visited namespace. */
int topo_v_veth_p2p(struct topo_visit *v, const char *name_a,
		    const unsigned char *mac_a, int ns_b, const char *name_b,
		    const unsigned char *mac_b);
int topo_v_bridge(struct topo_visit *v, const char *name,
		  const unsigned char *mac);
int topo_v_link_master(struct topo_visit *v, const char *ifname,
		       const char *master);
int topo_v_link_up(struct topo_visit *v, const char *ifname);
/* Up with the testbed's per-link settings (nlreq_link_up_conf): IPv4
 * forwarding on it when forward, no ICMP redirects, no IPv6 address. A
 * world sets these per link, never through /proc/sys (see nlreq.c). */
int topo_v_link_up_conf(struct topo_visit *v, const char *ifname,
			int forward);
int topo_v_addr(struct topo_visit *v, const char *ifname, const char *cidr);
int topo_v_route(struct topo_visit *v, const char *dst, const char *gw,
		 const char *ifname, int onlink);
int topo_v_neigh(struct topo_visit *v, const char *ifname, const char *addr,
		 const unsigned char *mac);
int topo_v_sysctl(struct topo_visit *v, const char *key, const char *value);

/* One step each, in a visit of its own: */

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
int topo_link_up_conf(int ns, const char *ifname, int forward);
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
