/* nlreq6: the IPv6 rtnetlink requests of a dual-stack world (address,
 * route, permanent neighbour), laid out in a buffer like nlreq.h's. */
#ifndef PUNCHLAB_NLREQ6_H
#define PUNCHLAB_NLREQ6_H

#include <stdint.h>
#include <netinet/in.h>

struct nlmsghdr;

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
