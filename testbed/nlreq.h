/* nlreq: builders for the rtnetlink requests the testbed sends. Pure: each
 * writes one request into buf (at least MNL_SOCKET_BUFFER_SIZE bytes) and
 * returns its header; nothing is sent. Requests carry NLM_F_REQUEST|
 * NLM_F_ACK, and NLM_F_CREATE|NLM_F_EXCL when they create something.
 * Addresses, routes and neighbours of both families (the *6 ones: a
 * dual-stack world's). */
#ifndef PUNCHLAB_NLREQ_H
#define PUNCHLAB_NLREQ_H

#include <stdint.h>
#include <netinet/in.h>

struct nlmsghdr;

/* veth pair: name in the socket's namespace, peer moved at creation into
 * the namespace peer_netns_fd refers to (IFLA_NET_NS_FD inside
 * VETH_INFO_PEER), so neither end ever exists in the host namespace. */
struct nlmsghdr *nlreq_veth_add(void *buf, uint32_t seq, const char *name,
				const char *peer, int peer_netns_fd);
#define NLREQ_MAC_LEN 6
/* The same, for a point-to-point link: each end gets its MAC (IFLA_ADDRESS)
 * and IFF_NOARP at creation, so it never sends or answers ARP; its
 * neighbours come from nlreq_neigh_add. */
struct nlmsghdr *nlreq_veth_add_p2p(void *buf, uint32_t seq, const char *name,
				    const unsigned char *mac, const char *peer,
				    const unsigned char *peer_mac,
				    int peer_netns_fd);
/* A bridge (IFLA_INFO_KIND "bridge") with its MAC and IFF_NOARP, as a
 * point-to-point veth end: a home LAN of several hosts. Multicast
 * snooping off (IFLA_BR_MCAST_SNOOPING 0): no MLD of its own. */
struct nlmsghdr *nlreq_bridge_add(void *buf, uint32_t seq, const char *name,
				  const unsigned char *mac);
/* RTM_NEWLINK setting IFLA_MASTER of ifindex to master (a bridge port). */
struct nlmsghdr *nlreq_link_master(void *buf, uint32_t seq, int ifindex,
				   int master);
/* RTM_NEWLINK with IFF_UP set for ifindex. */
struct nlmsghdr *nlreq_link_up(void *buf, uint32_t seq, int ifindex);
/* The same, and the link's IPv4 and IPv6 settings in IFLA_AF_SPEC: IPv4
 * forwarding on it when forward (off otherwise), ICMP redirects neither
 * sent nor accepted by it, and IN6_ADDR_GEN_MODE_NONE (no IPv6 address is
 * made for it, so it sends no IPv6 packet). */
struct nlmsghdr *nlreq_link_up_conf(void *buf, uint32_t seq, int ifindex,
				    int forward);
/* RTM_GETLINK by IFLA_IFNAME. */
struct nlmsghdr *nlreq_link_get(void *buf, uint32_t seq, const char *name);
/* RTM_NEWADDR: addr/prefixlen on ifindex (IFA_LOCAL and IFA_ADDRESS). */
struct nlmsghdr *nlreq_addr_add(void *buf, uint32_t seq, int ifindex,
				struct in_addr addr, uint8_t prefixlen);
/* RTM_NEWROUTE in the main table. dst_len 0 = default route. gw may be
 * NULL (link route, scope link). onlink sets RTNH_F_ONLINK so a gateway
 * outside the link's prefixes is accepted. */
struct nlmsghdr *nlreq_route_add(void *buf, uint32_t seq, struct in_addr dst,
				 uint8_t dst_len, const struct in_addr *gw,
				 int oif, int onlink);

/* RTM_NEWNEIGH: addr is at mac on ifindex, NUD_PERMANENT. */
struct nlmsghdr *nlreq_neigh_add(void *buf, uint32_t seq, int ifindex,
				 struct in_addr addr, const unsigned char *mac);

/* RTM_NEWADDR addr/prefixlen on ifindex, without DAD (IFA_F_NODAD). */
struct nlmsghdr *nlreq_addr6_add(void *buf, uint32_t seq, int ifindex,
				 const struct in6_addr *addr,
				 uint8_t prefixlen);
/* RTM_NEWROUTE dst/dst_len via gw (may be NULL) out of oif (0: any). */
struct nlmsghdr *nlreq_route6_add(void *buf, uint32_t seq,
				  const struct in6_addr *dst, uint8_t dst_len,
				  const struct in6_addr *gw, int oif,
				  int onlink);
/* RTM_NEWNEIGH: addr is at the 6-byte mac on ifindex, permanent. */
struct nlmsghdr *nlreq_neigh6_add(void *buf, uint32_t seq, int ifindex,
				  const struct in6_addr *addr,
				  const unsigned char *mac);

#endif
