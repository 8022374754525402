/* netbuild: namespaces and WAN attachments of a run's topology. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cleanup.h"
#include "netbuild.h"
#include "netns.h"
#include "runid.h"
#include "topo.h"

int netbuild_fail(char *err, size_t cap, int e, const char *fmt, ...)
{
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	snprintf(err, cap, "%s: %s", what, strerror(e < 0 ? -e : e));
	return e < 0 ? e : -e;
}

int netbuild_ifname(char *buf, size_t cap, const char *rid, const char *tag)
{
	size_t r = strlen(rid), t = strlen(tag);

	if (r + 1 + t + 1 > cap) {
		buf[0] = '\0';
		return -ENAMETOOLONG;
	}
	memcpy(buf, rid, r);
	buf[r] = '-';
	memcpy(buf + r + 1, tag, t + 1);
	return 0;
}

int netbuild_host_add(struct cleanup *cu, const char *rid, struct nb_host *h,
		      const char *tag, char *err, size_t cap)
{
	int e;

	snprintf(h->ns, sizeof(h->ns), "%s%s-%s", RUNID_NETNS_PREFIX, rid,
		 tag);
	if ((e = cleanup_netns(cu, h->ns)) < 0)
		return netbuild_fail(err, cap, e, "registering namespace %s",
				     h->ns);
	if ((e = netns_add(h->ns)) < 0)
		return netbuild_fail(err, cap, e, "creating namespace %s",
				     h->ns);
	h->fd = netns_open(h->ns);
	if (h->fd < 0)
		return netbuild_fail(err, cap, h->fd, "opening namespace %s",
				     h->ns);
	return 0;
}

/* No /proc/sys here: each link brought up with topo_v_link_up_conf
 * carries its forwarding, redirect and IPv6 settings (nlreq.c says why).
 * lo too, for its IPv6 mode; it keeps ::1, which no packet leaves. */
int netbuild_host_setup(struct topo_visit *v, struct nb_host *h, int router,
			char *err, size_t cap)
{
	int e;

	h->forward = router;
	if ((e = topo_v_link_up_conf(v, "lo", router)) < 0)
		return netbuild_fail(err, cap, e, "loopback up in %s", h->ns);
	return 0;
}

int netbuild_host(struct cleanup *cu, const char *rid, struct nb_host *h,
		  const char *tag, int router, char *err, size_t cap)
{
	struct topo_visit v;
	int e;

	if ((e = netbuild_host_add(cu, rid, h, tag, err, cap)) < 0)
		return e;
	if ((e = topo_enter(&v, h->fd)) < 0)
		return netbuild_fail(err, cap, e, "entering %s", h->ns);
	e = netbuild_host_setup(&v, h, router, err, cap);
	topo_leave(&v);
	return e;
}

int netbuild_wan(const char *rid, int inet_fd, struct nb_host *h,
		 const char *inet_tag, const char *addr, char *err,
		 size_t cap)
{
	char inet_if[16], wan_if[16], cidr[32];
	int e;

	netbuild_ifname(inet_if, sizeof(inet_if), rid, inet_tag);
	netbuild_ifname(wan_if, sizeof(wan_if), rid, "wan");
	snprintf(cidr, sizeof(cidr), "%s/32", addr);
	if ((e = topo_veth(inet_fd, inet_if, h->fd, wan_if)) < 0)
		return netbuild_fail(err, cap, e, "veth %s <-> %s:%s", inet_if,
				     h->ns, wan_if);
	/* inet routes between WAN hosts. */
	if ((e = topo_link_up_conf(inet_fd, inet_if, 1)) < 0 ||
	    (e = topo_link_up_conf(h->fd, wan_if, h->forward)) < 0 ||
	    (e = topo_addr(h->fd, wan_if, cidr)) < 0 ||
	    (e = topo_route(h->fd, PLAN_INET_GW "/32", NULL, wan_if, 0)) <
		    0 ||
	    (e = topo_route(h->fd, "default", PLAN_INET_GW, wan_if, 1)) <
		    0 ||
	    (e = topo_route(inet_fd, cidr, NULL, inet_if, 0)) < 0)
		return netbuild_fail(err, cap, e, "WAN link of %s (%s)", h->ns,
				     addr);
	return 0;
}
