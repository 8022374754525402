/* nlreq6: IPv6 rtnetlink request builders; only bytes in a buffer, so
 * unit tests check them without root. */
#include <errno.h>
#include <string.h>
#include <linux/if_addr.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <libmnl/libmnl.h>

#include "nlreq.h"
#include "nlreq6.h"

#define NLREQ6_FLAGS_NEW (NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL)

static struct nlmsghdr *nlreq6_header(void *buf, uint16_t type, uint32_t seq)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLREQ6_FLAGS_NEW;
	nlh->nlmsg_seq = seq;
	return nlh;
}

struct nlmsghdr *nlreq_addr6_add(void *buf, uint32_t seq, int ifindex,
				 const struct in6_addr *addr,
				 uint8_t prefixlen)
{
	struct nlmsghdr *nlh;
	struct ifaddrmsg *ifa;

	if (ifindex <= 0 || !addr || prefixlen > 128) {
		errno = EINVAL;
		return NULL;
	}
	nlh = nlreq6_header(buf, RTM_NEWADDR, seq);
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = AF_INET6;
	ifa->ifa_prefixlen = prefixlen;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_index = (uint32_t)ifindex;
	/* No DAD: the plan made every address unique, and a tentative
	 * address could not be used for the second or so DAD takes (and
	 * DAD's solicitation would need ND, which NOARP links lack). This
	 * is accept_dad = 0 for the one address, without a sysctl. */
	ifa->ifa_flags = IFA_F_NODAD;
	mnl_attr_put(nlh, IFA_ADDRESS, sizeof(*addr), addr);
	mnl_attr_put_u32(nlh, IFA_FLAGS, IFA_F_NODAD);
	return nlh;
}

struct nlmsghdr *nlreq_route6_add(void *buf, uint32_t seq,
				  const struct in6_addr *dst, uint8_t dst_len,
				  const struct in6_addr *gw, int oif,
				  int onlink)
{
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;

	if (!dst || dst_len > 128 || oif < 0 || (!gw && oif == 0)) {
		errno = EINVAL;
		return NULL;
	}
	nlh = nlreq6_header(buf, RTM_NEWROUTE, seq);
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = AF_INET6;
	rtm->rtm_dst_len = dst_len;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = RTPROT_STATIC;
	rtm->rtm_scope = RT_SCOPE_UNIVERSE; /* IPv6 routes have no scope */
	rtm->rtm_type = RTN_UNICAST;
	rtm->rtm_flags = onlink ? RTNH_F_ONLINK : 0;
	if (dst_len > 0)
		mnl_attr_put(nlh, RTA_DST, sizeof(*dst), dst);
	if (gw)
		mnl_attr_put(nlh, RTA_GATEWAY, sizeof(*gw), gw);
	if (oif > 0)
		mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)oif);
	return nlh;
}

struct nlmsghdr *nlreq_neigh6_add(void *buf, uint32_t seq, int ifindex,
				  const struct in6_addr *addr,
				  const unsigned char *mac)
{
	struct nlmsghdr *nlh;
	struct ndmsg *ndm;

	if (ifindex <= 0 || !addr || !mac) {
		errno = EINVAL;
		return NULL;
	}
	nlh = nlreq6_header(buf, RTM_NEWNEIGH, seq);
	ndm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ndm));
	ndm->ndm_family = AF_INET6;
	ndm->ndm_ifindex = ifindex;
	/* On an IFF_NOARP link the kernel would take the device's own MAC
	 * for any neighbour it made itself (ndisc_constructor): only a
	 * permanent entry names the other end. */
	ndm->ndm_state = NUD_PERMANENT;
	ndm->ndm_type = RTN_UNICAST;
	mnl_attr_put(nlh, NDA_DST, sizeof(*addr), addr);
	mnl_attr_put(nlh, NDA_LLADDR, NLREQ_MAC_LEN, mac);
	return nlh;
}
