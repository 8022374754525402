/* topo6: the IPv6 steps of a visit (topo.h), which topo_v_addr,
 * topo_v_route and topo_v_neigh hand on, with the visit's rtnetlink
 * socket, when their address has a ':'. */
#ifndef PUNCHLAB_TOPO6_H
#define PUNCHLAB_TOPO6_H

struct rtnl;

/* cidr "2001:db8::2/64". -EINVAL when it does not parse. */
int topo6_v_addr(struct rtnl *r, const char *ifname, const char *cidr);
/* dst "::/0" or a prefix without host bits; gw NULL or an address. */
int topo6_v_route(struct rtnl *r, const char *dst, const char *gw,
		  const char *ifname, int onlink);
int topo6_v_neigh(struct rtnl *r, const char *ifname, const char *addr,
		  const unsigned char *mac);

#endif
