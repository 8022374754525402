/* test_nlreq: every builder's request parsed back with libmnl and checked
 * field by field, as the kernel would read it. No root, no socket. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdalign.h>
#include <string.h>
#include <net/if.h>
#include <linux/if_link.h>
#include <linux/if_addr.h>
#include <linux/ip.h>
#include <linux/rtnetlink.h>
#include <linux/neighbour.h>
#include <linux/veth.h>
#include <libmnl/libmnl.h>
#include <CUnit/Basic.h>

#include "nlreq.h"
#include "lib/testutil.h"

#define NEW_FLAGS (NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL)

static alignas(struct nlmsghdr) char buf[8192];

struct table {
	const struct nlattr **tb;
	unsigned int max;
	int dups;
};

/* Keeps every attribute by type; an unknown or repeated one is an error in
 * a request we built ourselves. */
static int table_cb(const struct nlattr *attr, void *data)
{
	struct table *t = data;
	uint16_t type = mnl_attr_get_type(attr);

	if (mnl_attr_type_valid(attr, (uint16_t)t->max) < 0)
		return MNL_CB_ERROR;
	if (t->tb[type])
		t->dups++;
	t->tb[type] = attr;
	return MNL_CB_OK;
}

static int parse_msg(const struct nlmsghdr *nlh, size_t hdrlen,
		     const struct nlattr **tb, unsigned int max)
{
	struct table t = { .tb = tb, .max = max };

	if (mnl_attr_parse(nlh, (unsigned int)hdrlen, table_cb, &t) !=
	    MNL_CB_OK)
		return -1;
	return t.dups ? -1 : 0;
}

static int parse_nested(const struct nlattr *nest, const struct nlattr **tb,
			unsigned int max)
{
	struct table t = { .tb = tb, .max = max };

	if (mnl_attr_parse_nested(nest, table_cb, &t) != MNL_CB_OK)
		return -1;
	return t.dups ? -1 : 0;
}

static void check_header(const struct nlmsghdr *nlh, uint16_t type,
			 uint16_t flags, uint32_t seq)
{
	CU_ASSERT_EQUAL(nlh->nlmsg_type, type);
	CU_ASSERT_EQUAL(nlh->nlmsg_flags, flags);
	CU_ASSERT_EQUAL(nlh->nlmsg_seq, seq);
	CU_ASSERT_EQUAL(nlh->nlmsg_pid, 0);
	CU_ASSERT(nlh->nlmsg_len >= MNL_NLMSG_HDRLEN);
	CU_ASSERT(nlh->nlmsg_len <= sizeof(buf));
	CU_ASSERT_EQUAL(nlh->nlmsg_len % NLMSG_ALIGNTO, 0);
	CU_ASSERT((const void *)nlh == (const void *)buf);
}

static struct in_addr ip(const char *s)
{
	struct in_addr a;

	CU_ASSERT_FATAL(inet_pton(AF_INET, s, &a) == 1);
	return a;
}

static int attr_is_addr(const struct nlattr *attr, const char *s)
{
	struct in_addr want = ip(s);

	return attr && mnl_attr_get_payload_len(attr) == sizeof(want) &&
	       memcmp(mnl_attr_get_payload(attr), &want, sizeof(want)) == 0;
}

static int attr_is_str(const struct nlattr *attr, const char *s)
{
	return attr && mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0 &&
	       strcmp(mnl_attr_get_str(attr), s) == 0;
}

static void test_veth_layout(void)
{
	const struct nlattr *tb[IFLA_MAX + 1] = { 0 };
	const struct nlattr *li[IFLA_INFO_MAX + 1] = { 0 };
	const struct nlattr *vi[VETH_INFO_MAX + 1] = { 0 };
	const struct nlattr *pt[IFLA_MAX + 1] = { 0 };
	const struct ifinfomsg *ifm, *pifm;
	const struct nlattr *peer;
	struct table t = { .tb = pt, .max = IFLA_MAX };
	struct nlmsghdr *nlh;
	size_t plen, hlen = MNL_ALIGN(sizeof(struct ifinfomsg));

	memset(buf, 0xa5, sizeof(buf));
	nlh = nlreq_veth_add(buf, 42, "veth-a", "veth-b", 7);
	CU_ASSERT_PTR_NOT_NULL_FATAL(nlh);
	check_header(nlh, RTM_NEWLINK, NEW_FLAGS, 42);

	CU_ASSERT_FATAL(mnl_nlmsg_get_payload_len(nlh) >= sizeof(*ifm));
	ifm = mnl_nlmsg_get_payload(nlh);
	CU_ASSERT_EQUAL(ifm->ifi_family, AF_UNSPEC);
	CU_ASSERT_EQUAL(ifm->ifi_index, 0);
	CU_ASSERT_EQUAL(ifm->ifi_flags, 0);
	CU_ASSERT_EQUAL(ifm->ifi_change, 0);

	CU_ASSERT_FATAL(parse_msg(nlh, sizeof(*ifm), tb, IFLA_MAX) == 0);
	CU_ASSERT(attr_is_str(tb[IFLA_IFNAME], "veth-a"));
	/* The namespace fd belongs to the peer only: at top level it would
	 * move the local end too. */
	CU_ASSERT_PTR_NULL(tb[IFLA_NET_NS_FD]);
	CU_ASSERT_PTR_NOT_NULL_FATAL(tb[IFLA_LINKINFO]);
	/* The nest is the last attribute and closes exactly at the end. */
	CU_ASSERT_EQUAL((const char *)tb[IFLA_LINKINFO] +
				MNL_ALIGN(tb[IFLA_LINKINFO]->nla_len),
			(const char *)nlh + nlh->nlmsg_len);

	CU_ASSERT_FATAL(parse_nested(tb[IFLA_LINKINFO], li, IFLA_INFO_MAX) ==
			0);
	CU_ASSERT(attr_is_str(li[IFLA_INFO_KIND], "veth"));
	CU_ASSERT_PTR_NOT_NULL_FATAL(li[IFLA_INFO_DATA]);
	CU_ASSERT(li[IFLA_INFO_DATA]->nla_type & NLA_F_NESTED);

	CU_ASSERT_FATAL(parse_nested(li[IFLA_INFO_DATA], vi, VETH_INFO_MAX) ==
			0);
	peer = vi[VETH_INFO_PEER];
	CU_ASSERT_PTR_NOT_NULL_FATAL(peer);

	/* The peer body: ifinfomsg, then attributes, as a RTM_NEWLINK. */
	plen = mnl_attr_get_payload_len(peer);
	CU_ASSERT_FATAL(plen > hlen);
	pifm = mnl_attr_get_payload(peer);
	CU_ASSERT_EQUAL(pifm->ifi_family, AF_UNSPEC);
	CU_ASSERT_EQUAL(pifm->__ifi_pad, 0);
	CU_ASSERT_EQUAL(pifm->ifi_type, 0);
	CU_ASSERT_EQUAL(pifm->ifi_index, 0);
	CU_ASSERT_EQUAL(pifm->ifi_flags, 0);
	CU_ASSERT_EQUAL(pifm->ifi_change, 0);
	CU_ASSERT_FATAL(mnl_attr_parse_payload((const char *)pifm + hlen,
					       plen - hlen, table_cb,
					       &t) == MNL_CB_OK);
	CU_ASSERT_EQUAL(t.dups, 0);
	CU_ASSERT(attr_is_str(pt[IFLA_IFNAME], "veth-b"));
	CU_ASSERT_PTR_NOT_NULL_FATAL(pt[IFLA_NET_NS_FD]);
	CU_ASSERT_EQUAL(mnl_attr_get_payload_len(pt[IFLA_NET_NS_FD]), 4);
	CU_ASSERT_EQUAL(mnl_attr_get_u32(pt[IFLA_NET_NS_FD]), 7);
}

static void test_veth_rejects(void)
{
	/* 15 characters is the longest name the kernel takes. */
	CU_ASSERT_PTR_NOT_NULL(
		nlreq_veth_add(buf, 1, "abcdefghijklmno", "b", 3));
	CU_ASSERT_PTR_NOT_NULL(
		nlreq_veth_add(buf, 1, "a", "abcdefghijklmno", 3));

	errno = 0;
	CU_ASSERT_PTR_NULL(nlreq_veth_add(buf, 1, "abcdefghijklmnop", "b", 3));
	CU_ASSERT_EQUAL(errno, EINVAL);
	errno = 0;
	CU_ASSERT_PTR_NULL(nlreq_veth_add(buf, 1, "a", "abcdefghijklmnop", 3));
	CU_ASSERT_EQUAL(errno, EINVAL);
	errno = 0;
	CU_ASSERT_PTR_NULL(nlreq_veth_add(buf, 1, "", "b", 3));
	CU_ASSERT_EQUAL(errno, EINVAL);
	errno = 0;
	CU_ASSERT_PTR_NULL(nlreq_veth_add(buf, 1, "a", NULL, 3));
	CU_ASSERT_EQUAL(errno, EINVAL);
	errno = 0;
	CU_ASSERT_PTR_NULL(nlreq_veth_add(buf, 1, "a", "b", -1));
	CU_ASSERT_EQUAL(errno, EINVAL);
}

/* Point to point: both ends carry their MAC and IFF_NOARP (and only
 * that flag in ifi_change, so nothing else of the new link changes). */
static void test_veth_p2p(void)
{
	static const unsigned char ma[6] = { 2, 0xa1, 0xb2, 0, 0, 4 },
				   mb[6] = { 2, 0xa1, 0xb2, 0, 0, 5 };
	const struct nlattr *tb[IFLA_MAX + 1] = { 0 };
	const struct nlattr *li[IFLA_INFO_MAX + 1] = { 0 };
	const struct nlattr *vi[VETH_INFO_MAX + 1] = { 0 };
	const struct nlattr *pt[IFLA_MAX + 1] = { 0 };
	struct table t = { .tb = pt, .max = IFLA_MAX };
	size_t hlen = MNL_ALIGN(sizeof(struct ifinfomsg));
	const struct ifinfomsg *ifm, *pifm;
	struct nlmsghdr *nlh;

	memset(buf, 0xa5, sizeof(buf));
	nlh = nlreq_veth_add_p2p(buf, 5, "veth-a", ma, "veth-b", mb, 7);
	CU_ASSERT_PTR_NOT_NULL_FATAL(nlh);
	check_header(nlh, RTM_NEWLINK, NEW_FLAGS, 5);
	ifm = mnl_nlmsg_get_payload(nlh);
	CU_ASSERT_EQUAL(ifm->ifi_flags, IFF_NOARP);
	CU_ASSERT_EQUAL(ifm->ifi_change, IFF_NOARP);
	CU_ASSERT_FATAL(parse_msg(nlh, sizeof(*ifm), tb, IFLA_MAX) == 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(tb[IFLA_ADDRESS]);
	CU_ASSERT_EQUAL(mnl_attr_get_payload_len(tb[IFLA_ADDRESS]), 6);
	CU_ASSERT_EQUAL(memcmp(mnl_attr_get_payload(tb[IFLA_ADDRESS]), ma, 6),
			0);
	CU_ASSERT_FATAL(parse_nested(tb[IFLA_LINKINFO], li, IFLA_INFO_MAX) ==
			0);
	CU_ASSERT_FATAL(parse_nested(li[IFLA_INFO_DATA], vi, VETH_INFO_MAX) ==
			0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(vi[VETH_INFO_PEER]);
	pifm = mnl_attr_get_payload(vi[VETH_INFO_PEER]);
	CU_ASSERT_EQUAL(pifm->ifi_flags, IFF_NOARP);
	CU_ASSERT_EQUAL(pifm->ifi_change, IFF_NOARP);
	CU_ASSERT_FATAL(mnl_attr_parse_payload(
				(const char *)pifm + hlen,
				mnl_attr_get_payload_len(vi[VETH_INFO_PEER]) -
					hlen,
				table_cb, &t) == MNL_CB_OK);
	CU_ASSERT_EQUAL(t.dups, 0);
	CU_ASSERT(attr_is_str(pt[IFLA_IFNAME], "veth-b"));
	CU_ASSERT_PTR_NOT_NULL_FATAL(pt[IFLA_ADDRESS]);
	CU_ASSERT_EQUAL(memcmp(mnl_attr_get_payload(pt[IFLA_ADDRESS]), mb, 6),
			0);
	CU_ASSERT_EQUAL(mnl_attr_get_u32(pt[IFLA_NET_NS_FD]), 7);
	errno = 0;
	CU_ASSERT_PTR_NULL(nlreq_veth_add_p2p(buf, 1, "a", ma, "b", NULL, 3));
	CU_ASSERT_EQUAL(errno, EINVAL);
}

/* A home LAN's bridge: kind "bridge", its MAC, no ARP; a port joins it
 * by IFLA_MASTER alone (no flag changed). */
static void test_bridge(void)
{
	static const unsigned char mac[6] = { 2, 0xa1, 0xb2, 0x80, 0, 1 };
	const struct nlattr *tb[IFLA_MAX + 1] = { 0 };
	const struct nlattr *li[IFLA_INFO_MAX + 1] = { 0 };
	const struct ifinfomsg *ifm;
	struct nlmsghdr *nlh;

	memset(buf, 0xa5, sizeof(buf));
	nlh = nlreq_bridge_add(buf, 9, "rid-lan", mac);
	CU_ASSERT_PTR_NOT_NULL_FATAL(nlh);
	check_header(nlh, RTM_NEWLINK, NEW_FLAGS, 9);
	ifm = mnl_nlmsg_get_payload(nlh);
	CU_ASSERT_EQUAL(ifm->ifi_flags, IFF_NOARP);
	CU_ASSERT_EQUAL(ifm->ifi_change, IFF_NOARP);
	CU_ASSERT_FATAL(parse_msg(nlh, sizeof(*ifm), tb, IFLA_MAX) == 0);
	CU_ASSERT(attr_is_str(tb[IFLA_IFNAME], "rid-lan"));
	CU_ASSERT_PTR_NOT_NULL_FATAL(tb[IFLA_ADDRESS]);
	CU_ASSERT_EQUAL(memcmp(mnl_attr_get_payload(tb[IFLA_ADDRESS]), mac, 6),
			0);
	CU_ASSERT_FATAL(parse_nested(tb[IFLA_LINKINFO], li, IFLA_INFO_MAX) ==
			0);
	CU_ASSERT(attr_is_str(li[IFLA_INFO_KIND], "bridge"));
	{
		const struct nlattr *br[IFLA_BR_MAX + 1] = { 0 };

		CU_ASSERT_PTR_NOT_NULL_FATAL(li[IFLA_INFO_DATA]);
		CU_ASSERT_FATAL(parse_nested(li[IFLA_INFO_DATA], br,
					     IFLA_BR_MAX) == 0);
		CU_ASSERT_PTR_NOT_NULL_FATAL(br[IFLA_BR_MCAST_SNOOPING]);
		CU_ASSERT_EQUAL(mnl_attr_get_u8(br[IFLA_BR_MCAST_SNOOPING]),
				0);
	}
	errno = 0;
	CU_ASSERT_PTR_NULL(nlreq_bridge_add(buf, 1, "rid-lan", NULL));
	CU_ASSERT_EQUAL(errno, EINVAL);
	CU_ASSERT_PTR_NULL(nlreq_bridge_add(buf, 1, "", mac));

	memset(tb, 0, sizeof(tb));
	nlh = nlreq_link_master(buf, 4, 12, 7);
	CU_ASSERT_PTR_NOT_NULL_FATAL(nlh);
	check_header(nlh, RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK, 4);
	ifm = mnl_nlmsg_get_payload(nlh);
	CU_ASSERT_EQUAL(ifm->ifi_index, 12);
	CU_ASSERT_EQUAL(ifm->ifi_change, 0);
	CU_ASSERT_FATAL(parse_msg(nlh, sizeof(*ifm), tb, IFLA_MAX) == 0);
	CU_ASSERT_EQUAL(mnl_attr_get_u32(tb[IFLA_MASTER]), 7);
	errno = 0;
	CU_ASSERT_PTR_NULL(nlreq_link_master(buf, 1, 7, 7));
	CU_ASSERT_EQUAL(errno, EINVAL);
	CU_ASSERT_PTR_NULL(nlreq_link_master(buf, 1, 0, 7));
	CU_ASSERT_PTR_NULL(nlreq_link_master(buf, 1, 3, -1));
}

static void test_neigh_add(void)
{
	static const unsigned char mac[6] = { 2, 0, 0, 0, 0, 9 };
	const struct nlattr *tb[NDA_MAX + 1] = { 0 };
	const struct ndmsg *ndm;
	struct nlmsghdr *nlh;
	struct in_addr a;

	inet_pton(AF_INET, "10.0.1.2", &a);
	nlh = nlreq_neigh_add(buf, 3, 12, a, mac);
	CU_ASSERT_PTR_NOT_NULL_FATAL(nlh);
	check_header(nlh, RTM_NEWNEIGH, NEW_FLAGS, 3);
	ndm = mnl_nlmsg_get_payload(nlh);
	CU_ASSERT_EQUAL(ndm->ndm_family, AF_INET);
	CU_ASSERT_EQUAL(ndm->ndm_ifindex, 12);
	CU_ASSERT_EQUAL(ndm->ndm_state, NUD_PERMANENT);
	CU_ASSERT_FATAL(parse_msg(nlh, sizeof(*ndm), tb, NDA_MAX) == 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(tb[NDA_DST]);
	CU_ASSERT_EQUAL(mnl_attr_get_payload_len(tb[NDA_DST]), 4);
	CU_ASSERT_EQUAL(memcmp(mnl_attr_get_payload(tb[NDA_DST]), &a, 4), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(tb[NDA_LLADDR]);
	CU_ASSERT_EQUAL(memcmp(mnl_attr_get_payload(tb[NDA_LLADDR]), mac, 6),
			0);
	errno = 0;
	CU_ASSERT_PTR_NULL(nlreq_neigh_add(buf, 1, 0, a, mac));
	CU_ASSERT_EQUAL(errno, EINVAL);
	CU_ASSERT_PTR_NULL(nlreq_neigh_add(buf, 1, 3, a, NULL));
}

static void test_link_up(void)
{
	const struct ifinfomsg *ifm;
	struct nlmsghdr *nlh;

	nlh = nlreq_link_up(buf, 9, 12);
	CU_ASSERT_PTR_NOT_NULL_FATAL(nlh);
	/* Changes an existing link: no CREATE, no EXCL. */
	check_header(nlh, RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK, 9);
	CU_ASSERT_EQUAL(nlh->nlmsg_len,
			MNL_NLMSG_HDRLEN + MNL_ALIGN(sizeof(*ifm)));
	ifm = mnl_nlmsg_get_payload(nlh);
	CU_ASSERT_EQUAL(ifm->ifi_family, AF_UNSPEC);
	CU_ASSERT_EQUAL(ifm->ifi_index, 12);
	CU_ASSERT_EQUAL(ifm->ifi_flags, IFF_UP);
	CU_ASSERT_EQUAL(ifm->ifi_change, IFF_UP);

	errno = 0;
	CU_ASSERT_PTR_NULL(nlreq_link_up(buf, 9, 0));
	CU_ASSERT_EQUAL(errno, EINVAL);
}

/* Up, and in IFLA_AF_SPEC: AF_INET's IFLA_INET_CONF indexed by
 * IPV4_DEVCONF_* (forwarding as asked, no redirects either way) and
 * AF_INET6's address generation mode none. */
static void test_link_up_conf(void)
{
	const struct nlattr *tb[IFLA_MAX + 1] = { 0 };
	const struct nlattr *af[AF_INET6 + 1] = { 0 };
	const struct nlattr *in[IFLA_INET_MAX + 1] = { 0 };
	const struct nlattr *conf[IPV4_DEVCONF_MAX + 1] = { 0 };
	const struct nlattr *in6[IFLA_INET6_MAX + 1] = { 0 };
	const struct ifinfomsg *ifm;
	struct nlmsghdr *nlh;

	for (int fwd = 0; fwd < 2; fwd++) {
		memset(tb, 0, sizeof(tb));
		memset(af, 0, sizeof(af));
		memset(in, 0, sizeof(in));
		memset(conf, 0, sizeof(conf));
		memset(in6, 0, sizeof(in6));
		nlh = nlreq_link_up_conf(buf, 4, 7, fwd);
		CU_ASSERT_PTR_NOT_NULL_FATAL(nlh);
		check_header(nlh, RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK, 4);
		ifm = mnl_nlmsg_get_payload(nlh);
		CU_ASSERT_EQUAL(ifm->ifi_index, 7);
		CU_ASSERT_EQUAL(ifm->ifi_flags, IFF_UP);
		CU_ASSERT_EQUAL(ifm->ifi_change, IFF_UP);
		CU_ASSERT_FATAL(parse_msg(nlh, sizeof(*ifm), tb, IFLA_MAX) ==
				0);
		CU_ASSERT_PTR_NOT_NULL_FATAL(tb[IFLA_AF_SPEC]);
		CU_ASSERT_FATAL(parse_nested(tb[IFLA_AF_SPEC], af, AF_INET6) ==
				0);
		CU_ASSERT_PTR_NOT_NULL_FATAL(af[AF_INET]);
		CU_ASSERT_PTR_NOT_NULL_FATAL(af[AF_INET6]);
		CU_ASSERT_FATAL(parse_nested(af[AF_INET], in, IFLA_INET_MAX) ==
				0);
		CU_ASSERT_PTR_NOT_NULL_FATAL(in[IFLA_INET_CONF]);
		CU_ASSERT_FATAL(parse_nested(in[IFLA_INET_CONF], conf,
					     IPV4_DEVCONF_MAX) == 0);
		CU_ASSERT_PTR_NOT_NULL_FATAL(conf[IPV4_DEVCONF_FORWARDING]);
		CU_ASSERT_EQUAL(mnl_attr_get_u32(conf[IPV4_DEVCONF_FORWARDING]),
				(uint32_t)fwd);
		CU_ASSERT_PTR_NOT_NULL_FATAL(conf[IPV4_DEVCONF_SEND_REDIRECTS]);
		CU_ASSERT_EQUAL(
			mnl_attr_get_u32(conf[IPV4_DEVCONF_SEND_REDIRECTS]), 0);
		CU_ASSERT_PTR_NOT_NULL_FATAL(
			conf[IPV4_DEVCONF_ACCEPT_REDIRECTS]);
		CU_ASSERT_EQUAL(
			mnl_attr_get_u32(conf[IPV4_DEVCONF_ACCEPT_REDIRECTS]),
			0);
		CU_ASSERT_FATAL(parse_nested(af[AF_INET6], in6,
					     IFLA_INET6_MAX) == 0);
		CU_ASSERT_PTR_NOT_NULL_FATAL(in6[IFLA_INET6_ADDR_GEN_MODE]);
		CU_ASSERT_EQUAL(
			mnl_attr_get_u8(in6[IFLA_INET6_ADDR_GEN_MODE]),
			IN6_ADDR_GEN_MODE_NONE);
	}
	errno = 0;
	CU_ASSERT_PTR_NULL(nlreq_link_up_conf(buf, 4, 0, 1));
	CU_ASSERT_EQUAL(errno, EINVAL);
}

static void test_link_get(void)
{
	const struct nlattr *tb[IFLA_MAX + 1] = { 0 };
	const struct ifinfomsg *ifm;
	struct nlmsghdr *nlh;

	nlh = nlreq_link_get(buf, 3, "lo");
	CU_ASSERT_PTR_NOT_NULL_FATAL(nlh);
	check_header(nlh, RTM_GETLINK, NLM_F_REQUEST | NLM_F_ACK, 3);
	ifm = mnl_nlmsg_get_payload(nlh);
	CU_ASSERT_EQUAL(ifm->ifi_family, AF_UNSPEC);
	CU_ASSERT_EQUAL(ifm->ifi_index, 0);
	CU_ASSERT_FATAL(parse_msg(nlh, sizeof(*ifm), tb, IFLA_MAX) == 0);
	CU_ASSERT(attr_is_str(tb[IFLA_IFNAME], "lo"));

	errno = 0;
	CU_ASSERT_PTR_NULL(nlreq_link_get(buf, 3, "abcdefghijklmnop"));
	CU_ASSERT_EQUAL(errno, EINVAL);
}

static void test_addr_add(void)
{
	const struct nlattr *tb[IFA_MAX + 1] = { 0 };
	const struct ifaddrmsg *ifa;
	struct nlmsghdr *nlh;

	nlh = nlreq_addr_add(buf, 77, 4, ip("10.0.1.2"), 24);
	CU_ASSERT_PTR_NOT_NULL_FATAL(nlh);
	check_header(nlh, RTM_NEWADDR, NEW_FLAGS, 77);
	ifa = mnl_nlmsg_get_payload(nlh);
	CU_ASSERT_EQUAL(ifa->ifa_family, AF_INET);
	CU_ASSERT_EQUAL(ifa->ifa_prefixlen, 24);
	CU_ASSERT_EQUAL(ifa->ifa_index, 4);
	CU_ASSERT_EQUAL(ifa->ifa_scope, RT_SCOPE_UNIVERSE);
	CU_ASSERT_FATAL(parse_msg(nlh, sizeof(*ifa), tb, IFA_MAX) == 0);
	CU_ASSERT(attr_is_addr(tb[IFA_LOCAL], "10.0.1.2"));
	CU_ASSERT(attr_is_addr(tb[IFA_ADDRESS], "10.0.1.2"));

	nlh = nlreq_addr_add(buf, 78, 4, ip("10.0.1.2"), 32);
	CU_ASSERT_PTR_NOT_NULL_FATAL(nlh);
	CU_ASSERT_EQUAL(((struct ifaddrmsg *)mnl_nlmsg_get_payload(nlh))
				->ifa_prefixlen,
			32);

	errno = 0;
	CU_ASSERT_PTR_NULL(nlreq_addr_add(buf, 1, 4, ip("10.0.1.2"), 33));
	CU_ASSERT_EQUAL(errno, EINVAL);
	errno = 0;
	CU_ASSERT_PTR_NULL(nlreq_addr_add(buf, 1, 0, ip("10.0.1.2"), 24));
	CU_ASSERT_EQUAL(errno, EINVAL);
}

static const struct rtmsg *check_rtmsg(const struct nlmsghdr *nlh,
				       uint8_t dst_len, uint8_t scope,
				       unsigned int flags)
{
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);

	CU_ASSERT_EQUAL(rtm->rtm_family, AF_INET);
	CU_ASSERT_EQUAL(rtm->rtm_dst_len, dst_len);
	CU_ASSERT_EQUAL(rtm->rtm_src_len, 0);
	CU_ASSERT_EQUAL(rtm->rtm_table, RT_TABLE_MAIN);
	CU_ASSERT_EQUAL(rtm->rtm_type, RTN_UNICAST);
	CU_ASSERT_EQUAL(rtm->rtm_scope, scope);
	CU_ASSERT_EQUAL(rtm->rtm_flags, flags);
	CU_ASSERT_NOT_EQUAL(rtm->rtm_protocol, RTPROT_UNSPEC);
	return rtm;
}

static void test_route_gateway_onlink(void)
{
	const struct nlattr *tb[RTA_MAX + 1] = { 0 };
	struct in_addr gw = ip("192.0.2.1");
	struct nlmsghdr *nlh;

	nlh = nlreq_route_add(buf, 5, ip("10.99.1.0"), 24, &gw, 6, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(nlh);
	check_header(nlh, RTM_NEWROUTE, NEW_FLAGS, 5);
	check_rtmsg(nlh, 24, RT_SCOPE_UNIVERSE, RTNH_F_ONLINK);
	CU_ASSERT_FATAL(parse_msg(nlh, sizeof(struct rtmsg), tb, RTA_MAX) ==
			0);
	CU_ASSERT(attr_is_addr(tb[RTA_DST], "10.99.1.0"));
	CU_ASSERT(attr_is_addr(tb[RTA_GATEWAY], "192.0.2.1"));
	CU_ASSERT_PTR_NOT_NULL_FATAL(tb[RTA_OIF]);
	CU_ASSERT_EQUAL(mnl_attr_get_payload_len(tb[RTA_OIF]), 4);
	CU_ASSERT_EQUAL(mnl_attr_get_u32(tb[RTA_OIF]), 6);
}

static void test_route_default(void)
{
	const struct nlattr *tb[RTA_MAX + 1] = { 0 };
	struct in_addr gw = ip("10.0.1.1");
	struct nlmsghdr *nlh;

	nlh = nlreq_route_add(buf, 6, ip("0.0.0.0"), 0, &gw, 0, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(nlh);
	check_header(nlh, RTM_NEWROUTE, NEW_FLAGS, 6);
	check_rtmsg(nlh, 0, RT_SCOPE_UNIVERSE, 0);
	CU_ASSERT_FATAL(parse_msg(nlh, sizeof(struct rtmsg), tb, RTA_MAX) ==
			0);
	/* The default route is the absence of a destination. */
	CU_ASSERT_PTR_NULL(tb[RTA_DST]);
	CU_ASSERT(attr_is_addr(tb[RTA_GATEWAY], "10.0.1.1"));
	CU_ASSERT_PTR_NULL(tb[RTA_OIF]);
}

static void test_route_link(void)
{
	const struct nlattr *tb[RTA_MAX + 1] = { 0 };
	struct nlmsghdr *nlh;

	nlh = nlreq_route_add(buf, 7, ip("10.99.0.0"), 16, NULL, 3, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(nlh);
	check_rtmsg(nlh, 16, RT_SCOPE_LINK, 0);
	CU_ASSERT_FATAL(parse_msg(nlh, sizeof(struct rtmsg), tb, RTA_MAX) ==
			0);
	CU_ASSERT(attr_is_addr(tb[RTA_DST], "10.99.0.0"));
	CU_ASSERT_PTR_NULL(tb[RTA_GATEWAY]);
	CU_ASSERT_EQUAL(mnl_attr_get_u32(tb[RTA_OIF]), 3);
}

static void test_route_rejects(void)
{
	struct in_addr gw = ip("10.0.1.1");

	errno = 0;
	CU_ASSERT_PTR_NULL(nlreq_route_add(buf, 1, ip("10.0.0.0"), 8, NULL, 0,
					   0));
	CU_ASSERT_EQUAL(errno, EINVAL);
	errno = 0;
	CU_ASSERT_PTR_NULL(nlreq_route_add(buf, 1, ip("10.0.0.0"), 33, &gw, 0,
					   0));
	CU_ASSERT_EQUAL(errno, EINVAL);
	errno = 0;
	CU_ASSERT_PTR_NULL(nlreq_route_add(buf, 1, ip("10.0.0.0"), 8, &gw, -1,
					   0));
	CU_ASSERT_EQUAL(errno, EINVAL);
}

/* An IPv6 attribute holds the 16 bytes of s. */
static int attr_is_addr6(const struct nlattr *attr, const char *s)
{
	struct in6_addr a;

	inet_pton(AF_INET6, s, &a);
	return attr && mnl_attr_get_payload_len(attr) == 16 &&
	       memcmp(mnl_attr_get_payload(attr), &a, 16) == 0;
}

/* IPv6: address without DAD, route with gateway onlink, permanent
 * neighbour, each AF_INET6, and the refusals. */
static void test_ipv6(void)
{
	static const unsigned char mac[6] = { 2, 0, 0, 0, 0, 7 };
	const struct nlattr *tb[RTA_MAX + 1] = { 0 };
	struct in6_addr a, gw;
	const struct ifaddrmsg *ifa;
	const struct rtmsg *rtm;
	const struct ndmsg *ndm;
	struct nlmsghdr *nlh;

	inet_pton(AF_INET6, "2001:db8:1::2", &a);
	inet_pton(AF_INET6, "2001:db8::fe", &gw);
	nlh = nlreq_addr6_add(buf, 7, 4, &a, 64);
	CU_ASSERT_PTR_NOT_NULL_FATAL(nlh);
	check_header(nlh, RTM_NEWADDR, NEW_FLAGS, 7);
	ifa = mnl_nlmsg_get_payload(nlh);
	CU_ASSERT_EQUAL(ifa->ifa_family, AF_INET6);
	CU_ASSERT_EQUAL(ifa->ifa_prefixlen, 64);
	CU_ASSERT_EQUAL(ifa->ifa_index, 4u);
	CU_ASSERT_FATAL(parse_msg(nlh, sizeof(*ifa), tb, IFA_MAX) == 0);
	CU_ASSERT(attr_is_addr6(tb[IFA_ADDRESS], "2001:db8:1::2"));
	CU_ASSERT_PTR_NOT_NULL_FATAL(tb[IFA_FLAGS]);
	CU_ASSERT(mnl_attr_get_u32(tb[IFA_FLAGS]) & IFA_F_NODAD);
	memset(tb, 0, sizeof(tb));
	nlh = nlreq_route6_add(buf, 8, &in6addr_any, 0, &gw, 5, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(nlh);
	check_header(nlh, RTM_NEWROUTE, NEW_FLAGS, 8);
	rtm = mnl_nlmsg_get_payload(nlh);
	CU_ASSERT_EQUAL(rtm->rtm_family, AF_INET6);
	CU_ASSERT_EQUAL(rtm->rtm_dst_len, 0);
	CU_ASSERT_EQUAL(rtm->rtm_flags, RTNH_F_ONLINK);
	CU_ASSERT_FATAL(parse_msg(nlh, sizeof(struct rtmsg), tb, RTA_MAX) ==
			0);
	CU_ASSERT_PTR_NULL(tb[RTA_DST]);
	CU_ASSERT(attr_is_addr6(tb[RTA_GATEWAY], "2001:db8::fe"));
	CU_ASSERT_EQUAL(mnl_attr_get_u32(tb[RTA_OIF]), 5);
	memset(tb, 0, sizeof(tb));
	nlh = nlreq_neigh6_add(buf, 9, 3, &gw, mac);
	CU_ASSERT_PTR_NOT_NULL_FATAL(nlh);
	ndm = mnl_nlmsg_get_payload(nlh);
	CU_ASSERT_EQUAL(ndm->ndm_family, AF_INET6);
	CU_ASSERT_EQUAL(ndm->ndm_state, NUD_PERMANENT);
	CU_ASSERT_FATAL(parse_msg(nlh, sizeof(*ndm), tb, NDA_MAX) == 0);
	CU_ASSERT(attr_is_addr6(tb[NDA_DST], "2001:db8::fe"));
	CU_ASSERT_EQUAL(memcmp(mnl_attr_get_payload(tb[NDA_LLADDR]), mac, 6),
			0);
	errno = 0;
	CU_ASSERT_PTR_NULL(nlreq_addr6_add(buf, 1, 4, &a, 129));
	CU_ASSERT_EQUAL(errno, EINVAL);
	CU_ASSERT_PTR_NULL(nlreq_addr6_add(buf, 1, 0, &a, 64));
	CU_ASSERT_PTR_NULL(nlreq_route6_add(buf, 1, &a, 129, NULL, 3, 0));
	CU_ASSERT_PTR_NULL(nlreq_route6_add(buf, 1, &a, 64, NULL, 0, 0));
	CU_ASSERT_PTR_NULL(nlreq_neigh6_add(buf, 1, 3, &a, NULL));
}

int main(void)
{
	static const struct testutil_case tests[] = {
		{ "veth layout", test_veth_layout },
		{ "veth rejects", test_veth_rejects },
		{ "veth point to point: MACs, no ARP", test_veth_p2p },
		{ "neighbour add: permanent", test_neigh_add },
		{ "bridge and bridge port", test_bridge },
		{ "link up", test_link_up },
		{ "link up with its settings", test_link_up_conf },
		{ "link get", test_link_get },
		{ "addr add", test_addr_add },
		{ "route gateway onlink", test_route_gateway_onlink },
		{ "route default", test_route_default },
		{ "route link", test_route_link },
		{ "route rejects", test_route_rejects },
		{ "IPv6 address, route, neighbour", test_ipv6 },
	};
	int failures;

	failures = testutil_run_suite("nlreq", NULL, NULL, tests,
				      TESTUTIL_N(tests));
	return failures ? 1 : 0;
}
