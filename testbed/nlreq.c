/* nlreq: rtnetlink request builders, IPv4 and IPv6. They only lay bytes
 * out in a buffer, so tests can check every request without root and
 * without a socket. */
#include <errno.h>
#include <string.h>
#include <net/if.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/ip.h>
#include <linux/rtnetlink.h>
#include <linux/neighbour.h>
#include <linux/veth.h>
#include <libmnl/libmnl.h>

#include "nlreq.h"

#define NLREQ_FLAGS_NEW (NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL)

/* The kernel would refuse these too, but only after the request is built;
 * a name that is silently cut at IFNAMSIZ would name another device. */
static int nlreq_ifname_ok(const char *name)
{
	size_t len;

	if (!name)
		return 0;
	len = strnlen(name, IFNAMSIZ);
	return len > 0 && len < IFNAMSIZ;
}

static struct nlmsghdr *nlreq_header(void *buf, uint16_t type, uint16_t flags,
				     uint32_t seq)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	nlh->nlmsg_seq = seq;
	return nlh;
}

/* A link's ifinfomsg part: no ARP on a point-to-point link whose
 * neighbours are all written in (ifi_change limits the change to that
 * one flag), and the link-layer address the plan gave it. */
static void nlreq_p2p_attrs(struct nlmsghdr *nlh, struct ifinfomsg *ifm,
			    const unsigned char *mac)
{
	if (!mac)
		return;
	ifm->ifi_flags = IFF_NOARP;
	ifm->ifi_change = IFF_NOARP;
	mnl_attr_put(nlh, IFLA_ADDRESS, NLREQ_MAC_LEN, mac);
}

/* RTM_NEWLINK creating link name of this kind, with its MAC and no ARP
 * when mac is given; returns with IFLA_LINKINFO open after its
 * IFLA_INFO_KIND (the caller adds IFLA_INFO_DATA and ends the nest). */
static struct nlmsghdr *nlreq_newlink(void *buf, uint32_t seq,
				      const char *name,
				      const unsigned char *mac,
				      const char *kind,
				      struct nlattr **linkinfo)
{
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifm;

	nlh = nlreq_header(buf, RTM_NEWLINK, NLREQ_FLAGS_NEW, seq);
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	nlreq_p2p_attrs(nlh, ifm, mac);
	*linkinfo = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, kind);
	return nlh;
}

static struct nlmsghdr *nlreq_veth(void *buf, uint32_t seq, const char *name,
				   const unsigned char *mac, const char *peer,
				   const unsigned char *peer_mac,
				   int peer_netns_fd)
{
	struct nlattr *linkinfo, *data, *peerinfo;
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifm;

	if (!nlreq_ifname_ok(name) || !nlreq_ifname_ok(peer) ||
	    peer_netns_fd < 0 || !mac != !peer_mac) {
		errno = EINVAL;
		return NULL;
	}

	nlh = nlreq_newlink(buf, seq, name, mac, "veth", &linkinfo);
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	peerinfo = mnl_attr_nest_start(nlh, VETH_INFO_PEER);
	/* veth parses the peer like a whole RTM_NEWLINK body: an ifinfomsg,
	 * then link attributes. libmnl has no helper for a header inside a
	 * nest, so append it by hand; the buffer past the message is not
	 * zeroed, hence the memset. */
	ifm = mnl_nlmsg_get_payload_tail(nlh);
	memset(ifm, 0, MNL_ALIGN(sizeof(*ifm)));
	ifm->ifi_family = AF_UNSPEC;
	nlh->nlmsg_len += MNL_ALIGN(sizeof(*ifm));
	mnl_attr_put_strz(nlh, IFLA_IFNAME, peer);
	nlreq_p2p_attrs(nlh, ifm, peer_mac);
	/* The peer is born in the target namespace: it never appears in ours,
	 * so no daemon of the host can grab or configure it. */
	mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, (uint32_t)peer_netns_fd);
	mnl_attr_nest_end(nlh, peerinfo);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, linkinfo);
	return nlh;
}

struct nlmsghdr *nlreq_veth_add(void *buf, uint32_t seq, const char *name,
				const char *peer, int peer_netns_fd)
{
	return nlreq_veth(buf, seq, name, NULL, peer, NULL, peer_netns_fd);
}

struct nlmsghdr *nlreq_veth_add_p2p(void *buf, uint32_t seq, const char *name,
				    const unsigned char *mac, const char *peer,
				    const unsigned char *peer_mac,
				    int peer_netns_fd)
{
	if (!mac || !peer_mac) {
		errno = EINVAL;
		return NULL;
	}
	return nlreq_veth(buf, seq, name, mac, peer, peer_mac, peer_netns_fd);
}

struct nlmsghdr *nlreq_bridge_add(void *buf, uint32_t seq, const char *name,
				  const unsigned char *mac)
{
	struct nlattr *linkinfo, *data;
	struct nlmsghdr *nlh;

	if (!nlreq_ifname_ok(name) || !mac) {
		errno = EINVAL;
		return NULL;
	}
	nlh = nlreq_newlink(buf, seq, name, mac, "bridge", &linkinfo);
	/* Snooping makes the bridge join ff02::6a (multicast router
	 * discovery) when it comes up, and so send MLD reports into the LAN
	 * even with no IPv6 address (measured: 2 per home); the LAN carries
	 * no multicast to snoop. */
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	mnl_attr_put_u8(nlh, IFLA_BR_MCAST_SNOOPING, 0);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, linkinfo);
	return nlh;
}

/* RTM_NEWLINK changing link ifindex: flags under the mask change. */
static struct nlmsghdr *nlreq_link_change(void *buf, uint32_t seq,
					  int ifindex, unsigned flags,
					  unsigned change)
{
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifm;

	if (ifindex <= 0) {
		errno = EINVAL;
		return NULL;
	}
	nlh = nlreq_header(buf, RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK, seq);
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_family = AF_UNSPEC;
	ifm->ifi_index = ifindex;
	ifm->ifi_flags = flags;
	ifm->ifi_change = change;
	return nlh;
}

struct nlmsghdr *nlreq_link_master(void *buf, uint32_t seq, int ifindex,
				   int master)
{
	struct nlmsghdr *nlh;

	if (master <= 0 || ifindex == master) {
		errno = EINVAL;
		return NULL;
	}
	nlh = nlreq_link_change(buf, seq, ifindex, 0, 0);
	if (nlh)
		mnl_attr_put_u32(nlh, IFLA_MASTER, (uint32_t)master);
	return nlh;
}

struct nlmsghdr *nlreq_link_up(void *buf, uint32_t seq, int ifindex)
{
	return nlreq_link_change(buf, seq, ifindex, IFF_UP, IFF_UP);
}

/* IFLA_AF_SPEC instead of /proc/sys: the first open of a sysctl in a
 * namespace walks a dentry hash chain as long as the number of namespaces
 * alive (0.26 ms per open at 1,200), quadratic over a world; a netlink
 * attribute costs the same in the 10,000th namespace as in the first.
 * The kernel applies IFLA_AF_SPEC after the flags in the same request
 * (do_setlink), all under the RTNL: the link-local address that IFF_UP
 * would bring is only made when the carrier's operstate change is run
 * (linkwatch, which waits for the RTNL), by then under mode none. */
struct nlmsghdr *nlreq_link_up_conf(void *buf, uint32_t seq, int ifindex,
				    int forward)
{
	struct nlattr *spec, *af, *conf;
	struct nlmsghdr *nlh;

	nlh = nlreq_link_change(buf, seq, ifindex, IFF_UP, IFF_UP);
	if (!nlh)
		return NULL;
	spec = mnl_attr_nest_start(nlh, IFLA_AF_SPEC);
	af = mnl_attr_nest_start(nlh, AF_INET);
	/* Indexed by IPV4_DEVCONF_* (inet_set_link_af). Forwarding is
	 * decided by the device a packet came in on (IN_DEV_FORWARD), so
	 * every device of a router carries it; net.ipv4.ip_forward only
	 * copies itself into each device. Redirects: see nat.c's
	 * frag_no_redirects for why this alone cannot stop them. */
	conf = mnl_attr_nest_start(nlh, IFLA_INET_CONF);
	mnl_attr_put_u32(nlh, IPV4_DEVCONF_FORWARDING, forward ? 1 : 0);
	mnl_attr_put_u32(nlh, IPV4_DEVCONF_SEND_REDIRECTS, 0);
	mnl_attr_put_u32(nlh, IPV4_DEVCONF_ACCEPT_REDIRECTS, 0);
	mnl_attr_nest_end(nlh, conf);
	mnl_attr_nest_end(nlh, af);
	/* No address generated, so no link-local, so no DAD, RS or MLD:
	 * IPv6 stays silent without disable_ipv6 (a sysctl only). */
	af = mnl_attr_nest_start(nlh, AF_INET6);
	mnl_attr_put_u8(nlh, IFLA_INET6_ADDR_GEN_MODE, IN6_ADDR_GEN_MODE_NONE);
	mnl_attr_nest_end(nlh, af);
	mnl_attr_nest_end(nlh, spec);
	return nlh;
}

struct nlmsghdr *nlreq_link_get(void *buf, uint32_t seq, const char *name)
{
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifm;

	if (!nlreq_ifname_ok(name)) {
		errno = EINVAL;
		return NULL;
	}
	nlh = nlreq_header(buf, RTM_GETLINK, NLM_F_REQUEST | NLM_F_ACK, seq);
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	return nlh;
}

/* RTM_NEWADDR's header for either family, before its attributes; flags
 * are ifa_flags. NULL with errno EINVAL for a bad index or length. */
static struct nlmsghdr *nlreq_addr(void *buf, uint32_t seq, int family,
				   int ifindex, uint8_t prefixlen,
				   unsigned char flags)
{
	struct nlmsghdr *nlh;
	struct ifaddrmsg *ifa;

	if (ifindex <= 0 || prefixlen > (family == AF_INET6 ? 128 : 32)) {
		errno = EINVAL;
		return NULL;
	}
	nlh = nlreq_header(buf, RTM_NEWADDR, NLREQ_FLAGS_NEW, seq);
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = (unsigned char)family;
	ifa->ifa_prefixlen = prefixlen;
	ifa->ifa_flags = flags;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_index = (uint32_t)ifindex;
	return nlh;
}

struct nlmsghdr *nlreq_addr_add(void *buf, uint32_t seq, int ifindex,
				struct in_addr addr, uint8_t prefixlen)
{
	struct nlmsghdr *nlh =
		nlreq_addr(buf, seq, AF_INET, ifindex, prefixlen, 0);

	if (!nlh)
		return NULL;
	/* IPv4 wants both: IFA_LOCAL is the address, IFA_ADDRESS the peer
	 * (equal to it on a non point-to-point link). */
	mnl_attr_put(nlh, IFA_LOCAL, sizeof(addr), &addr);
	mnl_attr_put(nlh, IFA_ADDRESS, sizeof(addr), &addr);
	return nlh;
}

struct nlmsghdr *nlreq_addr6_add(void *buf, uint32_t seq, int ifindex,
				 const struct in6_addr *addr, uint8_t prefixlen)
{
	struct nlmsghdr *nlh;

	if (!addr) {
		errno = EINVAL;
		return NULL;
	}
	/* No DAD: the plan made every address unique, and a tentative
	 * address could not be used for the second or so DAD takes (and
	 * DAD's solicitation would need ND, which NOARP links lack). This
	 * is accept_dad = 0 for the one address, without a sysctl. */
	nlh = nlreq_addr(buf, seq, AF_INET6, ifindex, prefixlen, IFA_F_NODAD);
	if (!nlh)
		return NULL;
	mnl_attr_put(nlh, IFA_ADDRESS, sizeof(*addr), addr);
	mnl_attr_put_u32(nlh, IFA_FLAGS, IFA_F_NODAD);
	return nlh;
}

/* RTM_NEWROUTE for either family; dst and gw are in6_addr or in_addr as
 * family says. */
static struct nlmsghdr *nlreq_route(void *buf, uint32_t seq, int family,
				    const void *dst, uint8_t dst_len,
				    const void *gw, int oif, int onlink)
{
	size_t alen = family == AF_INET6 ? 16 : 4;
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;

	if (!dst || dst_len > 8 * alen || oif < 0 || (!gw && oif == 0)) {
		errno = EINVAL;
		return NULL;
	}
	nlh = nlreq_header(buf, RTM_NEWROUTE, NLREQ_FLAGS_NEW, seq);
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = (unsigned char)family;
	rtm->rtm_dst_len = dst_len;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = RTPROT_STATIC;
	/* Without a gateway an IPv4 destination is on the link itself;
	 * IPv6 routes have no scope. */
	rtm->rtm_scope =
		gw || family == AF_INET6 ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
	rtm->rtm_type = RTN_UNICAST;
	rtm->rtm_flags = onlink ? RTNH_F_ONLINK : 0;
	if (dst_len > 0)
		mnl_attr_put(nlh, RTA_DST, alen, dst);
	if (gw)
		mnl_attr_put(nlh, RTA_GATEWAY, alen, gw);
	if (oif > 0)
		mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)oif);
	return nlh;
}

struct nlmsghdr *nlreq_route_add(void *buf, uint32_t seq, struct in_addr dst,
				 uint8_t dst_len, const struct in_addr *gw,
				 int oif, int onlink)
{
	return nlreq_route(buf, seq, AF_INET, &dst, dst_len, gw, oif, onlink);
}

struct nlmsghdr *nlreq_route6_add(void *buf, uint32_t seq,
				  const struct in6_addr *dst, uint8_t dst_len,
				  const struct in6_addr *gw, int oif,
				  int onlink)
{
	return nlreq_route(buf, seq, AF_INET6, dst, dst_len, gw, oif, onlink);
}

/* RTM_NEWNEIGH for either family; addr as family says. */
static struct nlmsghdr *nlreq_neigh(void *buf, uint32_t seq, int family,
				    int ifindex, const void *addr,
				    const unsigned char *mac)
{
	struct nlmsghdr *nlh;
	struct ndmsg *ndm;

	if (ifindex <= 0 || !addr || !mac) {
		errno = EINVAL;
		return NULL;
	}
	nlh = nlreq_header(buf, RTM_NEWNEIGH, NLREQ_FLAGS_NEW, seq);
	ndm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ndm));
	ndm->ndm_family = (unsigned char)family;
	ndm->ndm_ifindex = ifindex;
	/* Permanent: never probed, never aged, and (kernel commit
	 * 58956317c8de) not counted against the host-wide gc_thresh3. On
	 * an IFF_NOARP link the kernel would take the device's own MAC for
	 * any IPv6 neighbour it made itself (ndisc_constructor): only a
	 * permanent entry names the other end. */
	ndm->ndm_state = NUD_PERMANENT;
	ndm->ndm_type = RTN_UNICAST;
	mnl_attr_put(nlh, NDA_DST, family == AF_INET6 ? 16 : 4, addr);
	mnl_attr_put(nlh, NDA_LLADDR, NLREQ_MAC_LEN, mac);
	return nlh;
}

struct nlmsghdr *nlreq_neigh_add(void *buf, uint32_t seq, int ifindex,
				 struct in_addr addr, const unsigned char *mac)
{
	return nlreq_neigh(buf, seq, AF_INET, ifindex, &addr, mac);
}

struct nlmsghdr *nlreq_neigh6_add(void *buf, uint32_t seq, int ifindex,
				  const struct in6_addr *addr,
				  const unsigned char *mac)
{
	return nlreq_neigh(buf, seq, AF_INET6, ifindex, addr, mac);
}
