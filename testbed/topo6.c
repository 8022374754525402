/* topo6: IPv6 addresses, routes and permanent neighbours over a visit's
 * rtnetlink socket,
 * parsed here and sent through rtnl as nlreq.c lays them out. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdalign.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <linux/netlink.h>

#include "log.h"
#include "nlreq.h"
#include "rtnl.h"
#include "topo6.h"

#define TOPO6_BUF 8192

/* "addr/n" with n in 0..128 (len NULL: a bare address). */
static int topo6_parse(const char *s, struct in6_addr *a, uint8_t *len)
{
	char ip[INET6_ADDRSTRLEN];
	const char *slash;
	char *end;
	size_t n;
	long l;

	if (!s || (n = strnlen(s, sizeof(ip) + 4)) >= sizeof(ip) + 4)
		return -EINVAL;
	slash = len ? memchr(s, '/', n) : NULL;
	if (len && !slash)
		return -EINVAL;
	n = slash ? (size_t)(slash - s) : n;
	if (n >= sizeof(ip))
		return -EINVAL;
	memcpy(ip, s, n);
	ip[n] = '\0';
	if (inet_pton(AF_INET6, ip, a) != 1)
		return -EINVAL;
	if (!len)
		return 0;
	if (slash[1] < '0' || slash[1] > '9' || strnlen(slash + 1, 4) > 3)
		return -EINVAL;
	l = strtol(slash + 1, &end, 10);
	if (*end || l < 0 || l > 128)
		return -EINVAL;
	*len = (uint8_t)l;
	return 0;
}

static int topo6_ifindex(struct rtnl *r, const char *ifname)
{
	if (!ifname || !strnlen(ifname, IFNAMSIZ) ||
	    strnlen(ifname, IFNAMSIZ) >= IFNAMSIZ)
		return -EINVAL;
	return rtnl_ifindex(r, ifname);
}

static int topo6_send(struct rtnl *r, struct nlmsghdr *nlh,
		      const char *what, const char *ifname)
{
	int ret = nlh ? rtnl_request(r, nlh) : -errno;

	if (ret)
		log_warnx("topo6: %s on %s: %s", what, ifname ? ifname : "-",
			  strerror(-ret));
	return ret;
}

int topo6_v_addr(struct rtnl *r, const char *ifname, const char *cidr)
{
	alignas(struct nlmsghdr) char buf[TOPO6_BUF];
	struct in6_addr a;
	uint8_t len;
	int ifi;

	if (topo6_parse(cidr, &a, &len) < 0)
		return -EINVAL;
	if ((ifi = topo6_ifindex(r, ifname)) < 0)
		return ifi;
	return topo6_send(r, nlreq_addr6_add(buf, rtnl_seq(r), ifi, &a, len),
			  cidr, ifname);
}

/* Host bits in a prefix: the kernel would refuse them without saying. */
static int topo6_host_bits(const struct in6_addr *a, uint8_t len)
{
	for (int i = 0; i < 16; i++) {
		int keep = len >= 8 * (i + 1) ? 8 : len > 8 * i ? len - 8 * i : 0;
		unsigned char mask = (unsigned char)(0xff00 >> keep);

		if (a->s6_addr[i] & ~mask & 0xff)
			return 1;
	}
	return 0;
}

int topo6_v_route(struct rtnl *r, const char *dst, const char *gw,
		  const char *ifname, int onlink)
{
	alignas(struct nlmsghdr) char buf[TOPO6_BUF];
	struct in6_addr d, g;
	uint8_t len;
	int oif = 0;

	if ((!gw && !ifname) || topo6_parse(dst, &d, &len) < 0 ||
	    topo6_host_bits(&d, len) || (gw && topo6_parse(gw, &g, NULL) < 0))
		return -EINVAL;
	if (ifname && (oif = topo6_ifindex(r, ifname)) < 0)
		return oif;
	return topo6_send(r,
			  nlreq_route6_add(buf, rtnl_seq(r), &d, len,
					   gw ? &g : NULL, oif, onlink),
			  dst, ifname);
}

int topo6_v_neigh(struct rtnl *r, const char *ifname, const char *addr,
		  const unsigned char *mac)
{
	alignas(struct nlmsghdr) char buf[TOPO6_BUF];
	struct in6_addr a;
	int ifi;

	if (!mac || topo6_parse(addr, &a, NULL) < 0)
		return -EINVAL;
	if ((ifi = topo6_ifindex(r, ifname)) < 0)
		return ifi;
	return topo6_send(r, nlreq_neigh6_add(buf, rtnl_seq(r), ifi, &a, mac),
			  addr, ifname);
}
