/* topo: one topology step at a time, each run inside a given namespace with
 * an rtnetlink socket opened there, always returning the caller home. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <linux/netlink.h>

#include "log.h"
#include "netns.h"
#include "nlreq.h"
#include "rtnl.h"
#include "topo.h"

/* MNL_SOCKET_BUFFER_SIZE is at most 8 KiB but only known at run time. */
#define TOPO_BUF_SIZE 8192

typedef int (*topo_fn)(struct rtnl *r, const void *arg);

/* Runs fn in namespace ns. Parsing happens before, so nothing but the
 * kernel's answers can fail in there. A thread that cannot get back is
 * stranded in a testbed namespace; say so loudly. */
static int topo_in(int ns, int want_rtnl, topo_fn fn, const void *arg)
{
	struct rtnl *r = NULL;
	int self, back, ret;

	self = netns_self();
	if (self < 0)
		return self;
	ret = netns_enter(ns);
	if (ret)
		goto out_self;
	if (want_rtnl) {
		r = rtnl_open();
		if (!r) {
			ret = -errno;
			goto out_back;
		}
	}
	ret = fn(r, arg);
	rtnl_free(r);
out_back:
	back = netns_enter(self);
	if (back) {
		log_warnx("topo: cannot return to own namespace: %s",
			  strerror(-back));
		if (!ret)
			ret = back;
	}
out_self:
	close(self);
	return ret;
}

static int topo_ifname_ok(const char *name)
{
	size_t len;

	if (!name)
		return 0;
	len = strnlen(name, IFNAMSIZ);
	return len > 0 && len < IFNAMSIZ;
}

static int topo_parse_ip(const char *s, struct in_addr *addr)
{
	if (!s || strnlen(s, INET_ADDRSTRLEN) >= INET_ADDRSTRLEN)
		return -EINVAL;
	return inet_pton(AF_INET, s, addr) == 1 ? 0 : -EINVAL;
}

/* "a.b.c.d/n" with n in 0..32, nothing before, between or after. */
static int topo_parse_cidr(const char *cidr, struct in_addr *addr,
			   uint8_t *len)
{
	char ip[INET_ADDRSTRLEN];
	const char *slash, *num;
	char *end;
	size_t iplen;
	long n;

	if (!cidr)
		return -EINVAL;
	slash = memchr(cidr, '/', strnlen(cidr, INET_ADDRSTRLEN));
	if (!slash)
		return -EINVAL;
	iplen = (size_t)(slash - cidr);
	memcpy(ip, cidr, iplen);
	ip[iplen] = '\0';
	if (inet_pton(AF_INET, ip, addr) != 1)
		return -EINVAL;
	num = slash + 1;
	/* strtol alone would take " 24", "+24" or "-0". */
	if (num[0] < '0' || num[0] > '9' || strnlen(num, 3) > 2)
		return -EINVAL;
	errno = 0;
	n = strtol(num, &end, 10);
	if (errno || *end != '\0' || n < 0 || n > 32)
		return -EINVAL;
	*len = (uint8_t)n;
	return 0;
}

struct topo_veth_arg {
	const char *name_a, *name_b;
	const unsigned char *mac_a, *mac_b; /* both NULL: ARP as usual */
	int ns_b;
};

static int topo_veth_fn(struct rtnl *r, const void *arg)
{
	const struct topo_veth_arg *a = arg;
	alignas(struct nlmsghdr) char buf[TOPO_BUF_SIZE];
	struct nlmsghdr *nlh;

	if (a->mac_a)
		nlh = nlreq_veth_add_p2p(buf, rtnl_seq(r), a->name_a, a->mac_a,
					 a->name_b, a->mac_b, a->ns_b);
	else
		nlh = nlreq_veth_add(buf, rtnl_seq(r), a->name_a, a->name_b,
				     a->ns_b);
	if (!nlh)
		return -errno;
	return rtnl_request(r, nlh);
}

static int topo_veth_make(int ns_a, const struct topo_veth_arg *a)
{
	int ret;

	if (!topo_ifname_ok(a->name_a) || !topo_ifname_ok(a->name_b) ||
	    a->ns_b < 0)
		return -EINVAL;
	ret = topo_in(ns_a, 1, topo_veth_fn, a);
	if (ret)
		log_warnx("topo: veth %s-%s: %s", a->name_a, a->name_b,
			  strerror(-ret));
	return ret;
}

int topo_veth(int ns_a, const char *name_a, int ns_b, const char *name_b)
{
	struct topo_veth_arg a = {
		.name_a = name_a, .name_b = name_b, .ns_b = ns_b
	};

	return topo_veth_make(ns_a, &a);
}

int topo_veth_p2p(int ns_a, const char *name_a, const unsigned char *mac_a,
		  int ns_b, const char *name_b, const unsigned char *mac_b)
{
	struct topo_veth_arg a = { .name_a = name_a, .name_b = name_b,
				   .mac_a = mac_a, .mac_b = mac_b,
				   .ns_b = ns_b };

	if (!mac_a || !mac_b)
		return -EINVAL;
	return topo_veth_make(ns_a, &a);
}

struct topo_bridge_arg {
	const char *name, *master;
	const unsigned char *mac;
};

static int topo_bridge_fn(struct rtnl *r, const void *arg)
{
	const struct topo_bridge_arg *a = arg;
	alignas(struct nlmsghdr) char buf[TOPO_BUF_SIZE];
	struct nlmsghdr *nlh;
	int ifindex, master;

	if (!a->master) {
		nlh = nlreq_bridge_add(buf, rtnl_seq(r), a->name, a->mac);
	} else {
		if ((ifindex = rtnl_ifindex(r, a->name)) < 0)
			return ifindex;
		if ((master = rtnl_ifindex(r, a->master)) < 0)
			return master;
		nlh = nlreq_link_master(buf, rtnl_seq(r), ifindex, master);
	}
	if (!nlh)
		return -errno;
	return rtnl_request(r, nlh);
}

int topo_bridge(int ns, const char *name, const unsigned char *mac)
{
	struct topo_bridge_arg a = { .name = name, .mac = mac };
	int ret;

	if (!topo_ifname_ok(name) || !mac)
		return -EINVAL;
	ret = topo_in(ns, 1, topo_bridge_fn, &a);
	if (ret)
		log_warnx("topo: bridge %s: %s", name, strerror(-ret));
	return ret;
}

int topo_link_master(int ns, const char *ifname, const char *master)
{
	struct topo_bridge_arg a = { .name = ifname, .master = master };
	int ret;

	if (!topo_ifname_ok(ifname) || !topo_ifname_ok(master))
		return -EINVAL;
	ret = topo_in(ns, 1, topo_bridge_fn, &a);
	if (ret)
		log_warnx("topo: %s into bridge %s: %s", ifname, master,
			  strerror(-ret));
	return ret;
}

static int topo_link_up_fn(struct rtnl *r, const void *arg)
{
	alignas(struct nlmsghdr) char buf[TOPO_BUF_SIZE];
	struct nlmsghdr *nlh;
	int ifindex;

	ifindex = rtnl_ifindex(r, arg);
	if (ifindex < 0)
		return ifindex;
	nlh = nlreq_link_up(buf, rtnl_seq(r), ifindex);
	if (!nlh)
		return -errno;
	return rtnl_request(r, nlh);
}

int topo_link_up(int ns, const char *ifname)
{
	int ret;

	if (!topo_ifname_ok(ifname))
		return -EINVAL;
	ret = topo_in(ns, 1, topo_link_up_fn, ifname);
	if (ret)
		log_warnx("topo: link %s up: %s", ifname, strerror(-ret));
	return ret;
}

struct topo_addr_arg {
	const char *ifname;
	struct in_addr addr;
	uint8_t len;
};

static int topo_addr_fn(struct rtnl *r, const void *arg)
{
	const struct topo_addr_arg *a = arg;
	alignas(struct nlmsghdr) char buf[TOPO_BUF_SIZE];
	struct nlmsghdr *nlh;
	int ifindex;

	ifindex = rtnl_ifindex(r, a->ifname);
	if (ifindex < 0)
		return ifindex;
	nlh = nlreq_addr_add(buf, rtnl_seq(r), ifindex, a->addr, a->len);
	if (!nlh)
		return -errno;
	return rtnl_request(r, nlh);
}

int topo_addr(int ns, const char *ifname, const char *cidr)
{
	struct topo_addr_arg a = { .ifname = ifname };
	int ret;

	if (!topo_ifname_ok(ifname) ||
	    topo_parse_cidr(cidr, &a.addr, &a.len) < 0) {
		log_warnx("topo: address %s on %s: not a.b.c.d/n",
			  cidr ? cidr : "(null)", ifname ? ifname : "(null)");
		return -EINVAL;
	}
	ret = topo_in(ns, 1, topo_addr_fn, &a);
	if (ret)
		log_warnx("topo: address %s on %s: %s", cidr, ifname,
			  strerror(-ret));
	return ret;
}

struct topo_route_arg {
	struct in_addr dst, gw;
	uint8_t dst_len;
	int has_gw;
	const char *ifname;
	int onlink;
};

static int topo_route_fn(struct rtnl *r, const void *arg)
{
	const struct topo_route_arg *a = arg;
	alignas(struct nlmsghdr) char buf[TOPO_BUF_SIZE];
	struct nlmsghdr *nlh;
	int oif = 0;

	if (a->ifname) {
		oif = rtnl_ifindex(r, a->ifname);
		if (oif < 0)
			return oif;
	}
	nlh = nlreq_route_add(buf, rtnl_seq(r), a->dst, a->dst_len,
			      a->has_gw ? &a->gw : NULL, oif, a->onlink);
	if (!nlh)
		return -errno;
	return rtnl_request(r, nlh);
}

static int topo_route_parse(struct topo_route_arg *a, const char *dst,
			    const char *gw, const char *ifname)
{
	uint32_t mask;

	if (!dst || (!gw && !ifname) || (ifname && !topo_ifname_ok(ifname)))
		return -EINVAL;
	if (strcmp(dst, "default") == 0) {
		a->dst.s_addr = htonl(INADDR_ANY);
		a->dst_len = 0;
	} else if (topo_parse_cidr(dst, &a->dst, &a->dst_len) < 0) {
		return -EINVAL;
	}
	/* The kernel refuses host bits too, but without saying which. */
	mask = a->dst_len ? ~(uint32_t)0 << (32 - a->dst_len) : 0;
	if (ntohl(a->dst.s_addr) & ~mask)
		return -EINVAL;
	if (gw) {
		if (topo_parse_ip(gw, &a->gw) < 0)
			return -EINVAL;
		a->has_gw = 1;
	}
	return 0;
}

int topo_route(int ns, const char *dst, const char *gw, const char *ifname,
	       int onlink)
{
	struct topo_route_arg a = { .ifname = ifname, .onlink = onlink };
	int ret;

	if (topo_route_parse(&a, dst, gw, ifname) < 0) {
		log_warnx("topo: route %s via %s dev %s: does not parse",
			  dst ? dst : "(null)", gw ? gw : "-",
			  ifname ? ifname : "-");
		return -EINVAL;
	}
	ret = topo_in(ns, 1, topo_route_fn, &a);
	if (ret)
		log_warnx("topo: route %s via %s dev %s: %s", dst,
			  gw ? gw : "-", ifname ? ifname : "-",
			  strerror(-ret));
	return ret;
}

struct topo_sysctl_arg {
	const char *key, *value;
};

static int topo_sysctl_fn(struct rtnl *r, const void *arg)
{
	const struct topo_sysctl_arg *a = arg;

	(void)r;
	return netns_sysctl(a->key, a->value);
}

int topo_sysctl(int ns, const char *key, const char *value)
{
	struct topo_sysctl_arg a = { .key = key, .value = value };
	int ret;

	ret = topo_in(ns, 0, topo_sysctl_fn, &a);
	if (ret)
		log_warnx("topo: sysctl %s=%s: %s", key ? key : "(null)",
			  value ? value : "(null)", strerror(-ret));
	return ret;
}

struct topo_neigh_arg {
	const char *ifname;
	struct in_addr addr;
	const unsigned char *mac;
};

static int topo_neigh_fn(struct rtnl *r, const void *arg)
{
	const struct topo_neigh_arg *a = arg;
	alignas(struct nlmsghdr) char buf[TOPO_BUF_SIZE];
	struct nlmsghdr *nlh;
	int ifindex;

	ifindex = rtnl_ifindex(r, a->ifname);
	if (ifindex < 0)
		return ifindex;
	nlh = nlreq_neigh_add(buf, rtnl_seq(r), ifindex, a->addr, a->mac);
	if (!nlh)
		return -errno;
	return rtnl_request(r, nlh);
}

int topo_neigh(int ns, const char *ifname, const char *addr,
	       const unsigned char *mac)
{
	struct topo_neigh_arg a = { .ifname = ifname, .mac = mac };
	int ret;

	if (!topo_ifname_ok(ifname) || !mac || topo_parse_ip(addr, &a.addr) < 0)
		return -EINVAL;
	ret = topo_in(ns, 1, topo_neigh_fn, &a);
	if (ret)
		log_warnx("topo: neighbour %s on %s: %s", addr, ifname,
			  strerror(-ret));
	return ret;
}
