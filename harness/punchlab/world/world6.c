/* world6: what a dual-stack world sets per namespace beyond its links
 * (plan6.h says which namespaces have IPv6). */
#include <stddef.h>

#include "plan6.h"
#include "topo.h"
#include "world6.h"

/* IPv6 settings have no netlink attribute (inet6_set_link_af takes only
 * the address mode and token), so a dual-stack namespace pays the
 * /proc/sys lookup nlreq.c avoids; IPv4-only worlds never do. Written
 * before any link exists: "default" is copied into each new device, and
 * all.forwarding switches every device and the default. DAD is off per
 * address too (nlreq6.c), RAs are never sent in a world (no daemon
 * sends them) and ignored where forwarding is on. */
int world6_sysctls(int v6, const struct nb_host *h, char *err, size_t cap)
{
	static const char *const keys[] = { "net.ipv6.conf.default.accept_dad",
					    "net.ipv6.conf.all.accept_dad",
					    "net.ipv6.conf.default.accept_ra" };
	struct topo_visit v;
	int e = 0, back;

	if (!v6)
		return 0;
	if ((e = topo_enter(&v, h->fd)) < 0)
		return netbuild_fail(err, cap, e, "entering %s", h->ns);
	for (size_t k = 0; k < sizeof(keys) / sizeof(*keys) && !e; k++)
		e = topo_v_sysctl(&v, keys[k], "0");
	if (!e && v6 == PLAN6_FORWARD)
		e = topo_v_sysctl(&v, "net.ipv6.conf.all.forwarding", "1");
	back = topo_leave(&v);
	if (e < 0 || back < 0)
		return netbuild_fail(err, cap, e < 0 ? e : back,
				     "IPv6 sysctls in %s", h->ns);
	return 0;
}

