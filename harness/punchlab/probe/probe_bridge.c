/* probe_bridge: RTM_NEWLINK requests for a bridge and its ports, sent on
 * an rtnetlink socket opened inside the target namespace (libmnl through
 * testbed/rtnl.h). */
#include <errno.h>
#include <stdalign.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <libmnl/libmnl.h>

#include "log.h"
#include "netns.h"
#include "probe_bridge.h"
#include "rtnl.h"

#define PROBE_BRIDGE_BUF 8192

struct probe_bridge_req {
	const char *bridge, *port; /* port NULL: create the bridge */
};

static int probe_bridge_name_ok(const char *name)
{
	size_t n = name ? strnlen(name, IFNAMSIZ) : 0;

	return n > 0 && n < IFNAMSIZ;
}

static int probe_bridge_send(struct rtnl *r, const struct probe_bridge_req *q)
{
	alignas(struct nlmsghdr) char buf[PROBE_BRIDGE_BUF];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifm;
	struct nlattr *info;
	int br, port;

	nlh->nlmsg_type = RTM_NEWLINK;
	nlh->nlmsg_seq = rtnl_seq(r);
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_family = AF_UNSPEC;
	if (!q->port) {
		nlh->nlmsg_flags =
			NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL;
		mnl_attr_put_strz(nlh, IFLA_IFNAME, q->bridge);
		info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
		mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "bridge");
		mnl_attr_nest_end(nlh, info);
		return rtnl_request(r, nlh);
	}
	br = rtnl_ifindex(r, q->bridge);
	if (br < 0)
		return br;
	port = rtnl_ifindex(r, q->port);
	if (port < 0)
		return port;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	ifm->ifi_index = port;
	mnl_attr_put_u32(nlh, IFLA_MASTER, (uint32_t)br);
	return rtnl_request(r, nlh);
}

/* Runs the request from inside ns and comes back. */
static int probe_bridge_in(int ns, const struct probe_bridge_req *q)
{
	struct rtnl *r;
	int self, ret, back;

	if (!probe_bridge_name_ok(q->bridge) ||
	    (q->port && !probe_bridge_name_ok(q->port)))
		return -EINVAL;
	self = netns_self();
	if (self < 0)
		return self;
	ret = netns_enter(ns);
	if (ret < 0)
		goto out;
	r = rtnl_open();
	ret = r ? probe_bridge_send(r, q) : -errno;
	rtnl_free(r);
	back = netns_enter(self);
	if (back < 0) {
		log_warnx("probe: cannot return to own namespace: %s",
			  strerror(-back));
		ret = back;
	}
out:
	close(self);
	return ret;
}

int probe_bridge_add(int ns, const char *name)
{
	struct probe_bridge_req q = {.bridge = name};

	return probe_bridge_in(ns, &q);
}

int probe_bridge_port(int ns, const char *bridge, const char *port)
{
	struct probe_bridge_req q = {.bridge = bridge, .port = port};

	return probe_bridge_in(ns, &q);
}
