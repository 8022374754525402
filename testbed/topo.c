/* topo: topology steps run inside a given namespace with an rtnetlink
 * socket opened there, always returning the caller home: one step at a
 * time (topo_x), or a batch of steps in one visit (topo_v_x between
 * topo_enter and topo_leave), which saves two setns and a socket per
 * step when a world of thousands of namespaces is built. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
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
#include "topo6.h"

/* MNL_SOCKET_BUFFER_SIZE is at most 8 KiB but only known at run time. */
#define TOPO_BUF_SIZE 8192

int topo_enter(struct topo_visit *v, int ns)
{
	int ret;

	v->r = NULL;
	v->sysnet = -1;
	v->self = netns_self();
	if (v->self < 0)
		return v->self;
	ret = netns_enter(ns);
	if (ret)
		goto err_self;
	v->r = rtnl_open();
	if (!v->r) {
		ret = -errno;
		goto err_back;
	}
	return 0;

err_back:
	if (netns_enter(v->self))
		log_warnx("topo: cannot return to own namespace");
err_self:
	close(v->self);
	v->self = -1;
	return ret;
}

/* A thread that cannot get back is stranded in a testbed namespace; say
 * so loudly. */
int topo_leave(struct topo_visit *v)
{
	int back;

	rtnl_free(v->r);
	v->r = NULL;
	if (v->sysnet >= 0)
		close(v->sysnet);
	v->sysnet = -1;
	if (v->self < 0)
		return 0;
	back = netns_enter(v->self);
	if (back)
		log_warnx("topo: cannot return to own namespace: %s",
			  strerror(-back));
	close(v->self);
	v->self = -1;
	return back;
}

/* One step in namespace ns: a visit of its own. */
#define TOPO_ONCE(ns, step)                                  \
	do {                                                 \
		struct topo_visit v_;                        \
		int r_ = topo_enter(&v_, (ns)), b_;          \
		if (r_)                                      \
			return r_;                           \
		r_ = step;                                   \
		b_ = topo_leave(&v_);                        \
		return r_ ? r_ : b_;                         \
	} while (0)

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

static int topo_veth_make(struct topo_visit *v, const struct topo_veth_arg *a)
{
	int ret;

	if (!topo_ifname_ok(a->name_a) || !topo_ifname_ok(a->name_b) ||
	    a->ns_b < 0)
		return -EINVAL;
	ret = topo_veth_fn(v->r, a);
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

	TOPO_ONCE(ns_a, topo_veth_make(&v_, &a));
}

int topo_v_veth_p2p(struct topo_visit *v, const char *name_a,
		    const unsigned char *mac_a, int ns_b, const char *name_b,
		    const unsigned char *mac_b)
{
	struct topo_veth_arg a = { .name_a = name_a, .name_b = name_b,
				   .mac_a = mac_a, .mac_b = mac_b,
				   .ns_b = ns_b };

	if (!mac_a || !mac_b)
		return -EINVAL;
	return topo_veth_make(v, &a);
}

int topo_veth_p2p(int ns_a, const char *name_a, const unsigned char *mac_a,
		  int ns_b, const char *name_b, const unsigned char *mac_b)
{
	TOPO_ONCE(ns_a, topo_v_veth_p2p(&v_, name_a, mac_a, ns_b, name_b,
					mac_b));
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

int topo_v_bridge(struct topo_visit *v, const char *name,
		  const unsigned char *mac)
{
	struct topo_bridge_arg a = { .name = name, .mac = mac };
	int ret;

	if (!topo_ifname_ok(name) || !mac)
		return -EINVAL;
	ret = topo_bridge_fn(v->r, &a);
	if (ret)
		log_warnx("topo: bridge %s: %s", name, strerror(-ret));
	return ret;
}

int topo_bridge(int ns, const char *name, const unsigned char *mac)
{
	TOPO_ONCE(ns, topo_v_bridge(&v_, name, mac));
}

int topo_v_link_master(struct topo_visit *v, const char *ifname,
		       const char *master)
{
	struct topo_bridge_arg a = { .name = ifname, .master = master };
	int ret;

	if (!topo_ifname_ok(ifname) || !topo_ifname_ok(master))
		return -EINVAL;
	ret = topo_bridge_fn(v->r, &a);
	if (ret)
		log_warnx("topo: %s into bridge %s: %s", ifname, master,
			  strerror(-ret));
	return ret;
}

int topo_link_master(int ns, const char *ifname, const char *master)
{
	TOPO_ONCE(ns, topo_v_link_master(&v_, ifname, master));
}

struct topo_up_arg {
	const char *ifname;
	int conf, forward; /* conf: nlreq_link_up_conf's settings too */
};

static int topo_link_up_fn(struct rtnl *r, const void *arg)
{
	const struct topo_up_arg *a = arg;
	alignas(struct nlmsghdr) char buf[TOPO_BUF_SIZE];
	struct nlmsghdr *nlh;
	int ifindex;

	ifindex = rtnl_ifindex(r, a->ifname);
	if (ifindex < 0)
		return ifindex;
	if (a->conf)
		nlh = nlreq_link_up_conf(buf, rtnl_seq(r), ifindex,
					 a->forward);
	else
		nlh = nlreq_link_up(buf, rtnl_seq(r), ifindex);
	if (!nlh)
		return -errno;
	return rtnl_request(r, nlh);
}

static int topo_link_up_make(struct topo_visit *v,
			     const struct topo_up_arg *a)
{
	int ret;

	if (!topo_ifname_ok(a->ifname))
		return -EINVAL;
	ret = topo_link_up_fn(v->r, a);
	if (ret)
		log_warnx("topo: link %s up: %s", a->ifname, strerror(-ret));
	return ret;
}

int topo_v_link_up(struct topo_visit *v, const char *ifname)
{
	struct topo_up_arg a = { .ifname = ifname };

	return topo_link_up_make(v, &a);
}

int topo_link_up(int ns, const char *ifname)
{
	TOPO_ONCE(ns, topo_v_link_up(&v_, ifname));
}

int topo_v_link_up_conf(struct topo_visit *v, const char *ifname,
			int forward)
{
	struct topo_up_arg a = { .ifname = ifname, .conf = 1,
				 .forward = forward };

	return topo_link_up_make(v, &a);
}

int topo_link_up_conf(int ns, const char *ifname, int forward)
{
	TOPO_ONCE(ns, topo_v_link_up_conf(&v_, ifname, forward));
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

int topo_v_addr(struct topo_visit *v, const char *ifname, const char *cidr)
{
	struct topo_addr_arg a = { .ifname = ifname };
	int ret;

	if (cidr && strchr(cidr, ':'))
		return topo6_v_addr(v->r, ifname, cidr);
	if (!topo_ifname_ok(ifname) ||
	    topo_parse_cidr(cidr, &a.addr, &a.len) < 0) {
		log_warnx("topo: address %s on %s: not a.b.c.d/n",
			  cidr ? cidr : "(null)", ifname ? ifname : "(null)");
		return -EINVAL;
	}
	ret = topo_addr_fn(v->r, &a);
	if (ret)
		log_warnx("topo: address %s on %s: %s", cidr, ifname,
			  strerror(-ret));
	return ret;
}

int topo_addr(int ns, const char *ifname, const char *cidr)
{
	TOPO_ONCE(ns, topo_v_addr(&v_, ifname, cidr));
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

int topo_v_route(struct topo_visit *v, const char *dst, const char *gw,
		 const char *ifname, int onlink)
{
	struct topo_route_arg a = { .ifname = ifname, .onlink = onlink };
	int ret;

	if (dst && strchr(dst, ':'))
		return topo6_v_route(v->r, dst, gw, ifname, onlink);
	if (topo_route_parse(&a, dst, gw, ifname) < 0) {
		log_warnx("topo: route %s via %s dev %s: does not parse",
			  dst ? dst : "(null)", gw ? gw : "-",
			  ifname ? ifname : "-");
		return -EINVAL;
	}
	ret = topo_route_fn(v->r, &a);
	if (ret)
		log_warnx("topo: route %s via %s dev %s: %s", dst,
			  gw ? gw : "-", ifname ? ifname : "-",
			  strerror(-ret));
	return ret;
}

int topo_route(int ns, const char *dst, const char *gw, const char *ifname,
	       int onlink)
{
	TOPO_ONCE(ns, topo_v_route(&v_, dst, gw, ifname, onlink));
}

/* Every /proc/sys lookup of a top-level name compares against the
 * dentries of every namespace alive (they share one parent and hash
 * chain; proc_sys_compare was 38% of a 1,000-cell build's CPU), so a
 * visit resolves /proc/sys/net once and opens keys below it. */
int topo_v_sysctl(struct topo_visit *v, const char *key, const char *value)
{
	int ret;

	if (v->sysnet < 0) {
		v->sysnet = open("/proc/sys/net",
				 O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (v->sysnet < 0)
			return -errno;
	}
	ret = netns_sysctl_at(v->sysnet, key, value);
	if (ret)
		log_warnx("topo: sysctl %s=%s: %s", key ? key : "(null)",
			  value ? value : "(null)", strerror(-ret));
	return ret;
}

int topo_sysctl(int ns, const char *key, const char *value)
{
	TOPO_ONCE(ns, topo_v_sysctl(&v_, key, value));
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

int topo_v_neigh(struct topo_visit *v, const char *ifname, const char *addr,
		 const unsigned char *mac)
{
	struct topo_neigh_arg a = { .ifname = ifname, .mac = mac };
	int ret;

	if (addr && strchr(addr, ':'))
		return topo6_v_neigh(v->r, ifname, addr, mac);
	if (!topo_ifname_ok(ifname) || !mac || topo_parse_ip(addr, &a.addr) < 0)
		return -EINVAL;
	ret = topo_neigh_fn(v->r, &a);
	if (ret)
		log_warnx("topo: neighbour %s on %s: %s", addr, ifname,
			  strerror(-ret));
	return ret;
}

int topo_neigh(int ns, const char *ifname, const char *addr,
	       const unsigned char *mac)
{
	TOPO_ONCE(ns, topo_v_neigh(&v_, ifname, addr, mac));
}
