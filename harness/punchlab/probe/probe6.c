/* probe6: the probe topology's IPv6 (addresses, link-local gateways, the
 * router's ip6 filter), the two IPv6 tests and their rows. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "filter6.h"
#include "nat.h"
#include "netbuild.h"
#include "plan6.h"
#include "probe6.h"
#include "probe_measure.h"
#include "probe_sock.h"
#include "topo.h"

#define PROBE6_LAN "2001:db8:1::/64"

int probe6_wanted(const struct nat_profile *home,
		  const struct nat_profile *carrier)
{
	return plan6_side_on(home, carrier, NULL, 0);
}

/* The probe's veths do neighbour discovery (unlike a world's NOARP
 * links), and the kernel sends a solicitation for a forwarded packet only
 * from a link-local address of the outgoing device (ndisc_send_ns): each
 * end gets one by hand, fe80::1 on the upstream end, fe80::2.. below,
 * since link_up_conf turned address generation off. */
static int probe6_ll(int ns, const char *rid, const char *tag, int k)
{
	char ifn[16], ll[32];

	netbuild_ifname(ifn, sizeof(ifn), rid, tag);
	snprintf(ll, sizeof(ll), "fe80::%d/64", k);
	return topo_addr(ns, ifn, ll);
}

/* A WAN host h (inet's end inet_tag, h's "wan") at addr: link-locals, the
 * address, its default route to inet and inet's route back. */
static int probe6_wan(struct probe_net *n, struct nb_host *h,
		      const char *inet_tag, const char *addr)
{
	char wan[16], iif[16], a128[48];
	int e;

	netbuild_ifname(wan, sizeof(wan), n->rid, "wan");
	netbuild_ifname(iif, sizeof(iif), n->rid, inet_tag);
	snprintf(a128, sizeof(a128), "%s/128", addr);
	if ((e = probe6_ll(n->inet.fd, n->rid, inet_tag, 1)) < 0 ||
	    (e = probe6_ll(h->fd, n->rid, "wan", 2)) < 0 ||
	    (e = topo_addr(h->fd, wan, a128)) < 0 ||
	    (e = topo_route(h->fd, "::/0", "fe80::1", wan, 0)) < 0)
		return e;
	return topo_route(n->inet.fd, a128, NULL, iif, 0);
}

/* T's second address (the "other address" of the filtering test). */
static int probe6_t2(struct probe_net *n, const char *tif)
{
	char wan[16];
	int e;

	netbuild_ifname(wan, sizeof(wan), n->rid, "wan");
	if ((e = topo_addr(n->t.fd, wan, PROBE6_T2 "/128")) < 0)
		return e;
	return topo_route(n->inet.fd, PROBE6_T2 "/128", NULL, tif, 0);
}

/* Home router behind the carrier: its WAN 2001:db8:ffc::2, the carrier
 * routing the LAN to it. */
static int probe6_cgn(struct probe_net *n)
{
	char lan[16], wan[16];
	int e;

	netbuild_ifname(lan, sizeof(lan), n->rid, "lan");
	netbuild_ifname(wan, sizeof(wan), n->rid, "wan");
	if ((e = probe6_ll(n->cgn.fd, n->rid, "lan", 1)) < 0 ||
	    (e = probe6_ll(n->router.fd, n->rid, "wan", 2)) < 0 ||
	    (e = topo_addr(n->router.fd, wan, "2001:db8:ffc::2/128")) < 0 ||
	    (e = topo_route(n->router.fd, "::/0", "fe80::1", wan, 0)) < 0 ||
	    (e = topo_route(n->cgn.fd, "2001:db8:ffc::2/128", NULL, lan, 0)) <
		    0)
		return e;
	return topo_route(n->cgn.fd, PROBE6_LAN, "fe80::2", lan, 0);
}

/* The LAN bridge and both hosts. */
static int probe6_lan(struct probe_net *n)
{
	struct nb_host *hosts[2] = { &n->h1, &n->h2 };
	static const char *const addrs[2] = { PROBE6_H1 "/64",
					      PROBE6_H2 "/64" };
	char br[16], eth[16];
	int e;

	netbuild_ifname(br, sizeof(br), n->rid, "lan");
	netbuild_ifname(eth, sizeof(eth), n->rid, "eth");
	if ((e = probe6_ll(n->router.fd, n->rid, "lan", 1)) < 0 ||
	    (e = topo_addr(n->router.fd, br, "2001:db8:1::1/64")) < 0)
		return e;
	for (int i = 0; i < 2; i++)
		if ((e = probe6_ll(hosts[i]->fd, n->rid, "eth", 2 + i)) < 0 ||
		    (e = topo_addr(hosts[i]->fd, eth, addrs[i])) < 0 ||
		    (e = topo_route(hosts[i]->fd, "::/0", "2001:db8:1::1", eth,
				    0)) < 0)
			return e;
	return 0;
}

/* The router's filter, rendered as a world's router gets it. */
static int probe6_filter(struct probe_net *n, char *err, size_t cap)
{
	char wan[16], lan[16], table[40], why[256] = "", nfterr[1024] = "";
	struct filter6_ifaces f = { .table = table, .wan = wan, .lan = lan,
				    .lan6 = PROBE6_LAN };
	char *rules = malloc(NAT_RULESET_MAX);
	int e;

	netbuild_ifname(wan, sizeof(wan), n->rid, "wan");
	netbuild_ifname(lan, sizeof(lan), n->rid, "lan");
	snprintf(table, sizeof(table), "%.30s_f6", n->table);
	if (!rules)
		return netbuild_fail(err, cap, ENOMEM, "IPv6 filter");
	e = filter6_render(n->home, &f, rules, NAT_RULESET_MAX, why,
			   sizeof(why));
	if (e >= 0)
		e = nat_apply(n->router.fd, rules, nfterr, sizeof(nfterr));
	if (e < 0)
		snprintf(err, cap, "IPv6 filter of %s: %s%s", n->home->name,
			 why, nfterr);
	free(rules);
	return e < 0 ? e : 0;
}

int probe6_net(struct probe_net *n, char *err, size_t cap)
{
	struct nb_host *outer = n->has_carrier ? &n->cgn : &n->router;
	char rif[16], tif[16];
	int e;

	netbuild_ifname(rif, sizeof(rif), n->rid, "r");
	netbuild_ifname(tif, sizeof(tif), n->rid, "t");
	if ((e = topo_sysctl(n->inet.fd, "net.ipv6.conf.all.forwarding",
			     "1")) < 0 ||
	    (e = topo_sysctl(n->router.fd, "net.ipv6.conf.all.forwarding",
			     "1")) < 0 ||
	    (n->has_carrier &&
	     (e = topo_sysctl(n->cgn.fd, "net.ipv6.conf.all.forwarding",
			      "1")) < 0) ||
	    (e = probe6_wan(n, &n->t, "t", PROBE6_T1)) < 0 ||
	    (e = probe6_t2(n, tif)) < 0 ||
	    (e = probe6_wan(n, outer, "r",
			    n->has_carrier ? "2001:db8:ffc::1"
					   : "2001:db8:ffa::1")) < 0 ||
	    (n->has_carrier && (e = probe6_cgn(n)) < 0) ||
	    (e = topo_route(n->inet.fd, PROBE6_LAN, "fe80::2", rif, 0)) < 0 ||
	    (e = probe6_lan(n)) < 0)
		return netbuild_fail(err, cap, e, "IPv6 of the probe topology");
	return probe6_filter(n, err, cap);
}

/* A TCP socket in ns bound to [addr]:port (0: any), sharing the port
 * (SO_REUSEPORT) as the IPv4 probe's sockets do. fd or -errno. */
static int probe6_sock(int ns, const char *addr, uint16_t port)
{
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6,
				   .sin6_port = htons(port) };
	int fd = probe_sock_in(ns, AF_INET6, SOCK_STREAM, 0), one = 1, e;

	if (fd < 0)
		return fd;
	inet_pton(AF_INET6, addr, &sa.sin6_addr);
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) < 0 ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		e = -errno;
		close(fd);
		return e;
	}
	return fd;
}

static int probe6_connect(int fd, const char *addr, uint16_t port)
{
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6,
				   .sin6_port = htons(port) };

	inet_pton(AF_INET6, addr, &sa.sin6_addr);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 &&
	    errno != EINPROGRESS)
		return -errno;
	return 0;
}

/* One dial from ns [src] to [dst]:port within PROBE_WINDOW_MS. ICMPv6
 * errors arrive as errno only (the IPv4 probe reads ICMP from the error
 * queue): EACCES is destination unreachable code 1, admin prohibited
 * (icmpv6_err_convert), recorded as ICMP 1/1. */
static int probe6_dial(int ns, const char *src, const char *dst,
		       uint16_t port, struct probe_attempt *a)
{
	int fd = probe6_sock(ns, src, 0), e;

	memset(a, 0, sizeof(*a));
	if (fd < 0)
		return fd;
	e = probe6_connect(fd, dst, port);
	if (!e)
		e = probe_sock_wait(fd, PROBE_WINDOW_MS, a);
	close(fd);
	if (a->ans == PROBE_ANS_ERROR && a->err == EACCES) {
		a->ans = PROBE_ANS_ICMP;
		a->icmp_type = 1;
		a->icmp_code = 1;
	}
	return e;
}

/* H1 listens on base+50 and base+51, sends from base+50 to T1; then T1
 * and T2 dial base+50 and T1 dials base+51, which never sent. */
int probe6_measure(struct probe_net *n, uint16_t base, struct probe6_obs *o)
{
	int l1 = -1, l2 = -1, tl = -1, c = -1, e = 0;
	struct probe_attempt out;

	o->on = n->v6_on;
	o->filtering = n->home->ipv6.filtering;
	o->syn = n->home->ipv6.unsolicited_syn;
	if (!o->on)
		return 0;
	if ((l1 = probe6_sock(n->h1.fd, PROBE6_H1, base + 50)) < 0 ||
	    listen(l1, 8) < 0 ||
	    (l2 = probe6_sock(n->h1.fd, PROBE6_H1, base + 51)) < 0 ||
	    listen(l2, 8) < 0 ||
	    (tl = probe6_sock(n->t.fd, PROBE6_T1, PROBE6_T_PORT)) < 0 ||
	    listen(tl, 8) < 0 ||
	    (c = probe6_sock(n->h1.fd, PROBE6_H1, base + 50)) < 0 ||
	    (e = probe6_connect(c, PROBE6_T1, PROBE6_T_PORT)) < 0 ||
	    (e = probe_sock_wait(c, PROBE_STEP_MS, &out)) < 0) {
		probe_why(o->why, sizeof(o->why), &o->err,
			  e ? e : -errno, "IPv6 sockets: %s",
			  strerror(e ? -e : errno));
		goto out;
	}
	if (out.ans != PROBE_ANS_ACCEPTED) {
		probe_why(o->why, sizeof(o->why), &o->err, -EHOSTUNREACH,
			  "H1 [%s]:%u could not reach T [%s]:%d over IPv6",
			  PROBE6_H1, base + 50, PROBE6_T1, PROBE6_T_PORT);
		goto out;
	}
	if ((e = probe6_dial(n->t.fd, PROBE6_T1, PROBE6_H1, base + 50,
			     &o->same_addr)) < 0 ||
	    (e = probe6_dial(n->t.fd, PROBE6_T2, PROBE6_H1, base + 50,
			     &o->other_addr)) < 0 ||
	    (e = probe6_dial(n->t.fd, PROBE6_T1, PROBE6_H1, base + 51,
			     &o->unused)) < 0)
		probe_why(o->why, sizeof(o->why), &o->err, e,
			  "IPv6 dials: %s", strerror(-e));
out:
	for (int *fd = (int[]){ l1, l2, tl, c, -2 }; *fd != -2; fd++)
		if (*fd >= 0)
			close(*fd);
	return e == -EINTR ? e : 0;
}
