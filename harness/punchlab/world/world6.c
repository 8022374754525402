/* world6: what a dual-stack world sets per namespace beyond its links
 * (plan6.h says which namespaces have IPv6). */
#include <stddef.h>

#include "plan6.h"
#include "topo.h"
#include "world6.h"

/* IPv6 forwarding has no netlink setter (inet6_set_link_af takes only
 * the address mode and token) and ip6_forward() reads the namespace's
 * all.forwarding, so a router, carrier or inet pays the one /proc/sys
 * lookup nlreq.c avoids (measured: 300 dual-stack cells, 1,800
 * namespaces, README "IPv6 homes"); IPv4-only worlds never do. Nothing
 * else needs a sysctl: every address skips DAD by its own flag
 * (IFA_F_NODAD, nlreq.c: accept_dad = 0 for that address), and no
 * router advertisement can be valid here (RFC 4861 6.1.2: its source
 * must be link-local, and no device of a world has a link-local
 * address), so accept_ra has nothing to accept. all.forwarding switches
 * every device and the default, so it may be written before the links
 * exist. */
int world6_sysctls(int v6, const struct nb_host *h, char *err, size_t cap)
{
	struct topo_visit v;
	int e, back;

	if (v6 != PLAN6_FORWARD)
		return 0;
	if ((e = topo_enter(&v, h->fd)) < 0)
		return netbuild_fail(err, cap, e, "entering %s", h->ns);
	e = topo_v_sysctl(&v, "net.ipv6.conf.all.forwarding", "1");
	back = topo_leave(&v);
	if (e < 0 || back < 0)
		return netbuild_fail(err, cap, e < 0 ? e : back,
				     "IPv6 forwarding in %s", h->ns);
	return 0;
}
