/* plan6: a dual-stack world's IPv6 addresses, permanent neighbours and
 * routes, on the links plan.c made for IPv4. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "plan.h"
#include "plan6.h"

int plan6_side_on(const struct nat_profile *home,
		  const struct nat_profile *carrier, char *why, size_t cap)
{
	if (why && cap)
		why[0] = '\0';
	if (!home->ipv6.enabled)
		return 0;
	if (carrier && !carrier->ipv6.enabled) {
		/* The carrier routes no IPv6 to it (contract section 2). */
		if (why)
			snprintf(why, cap, "behind carrier %.48s without IPv6",
				 carrier->name);
		return 0;
	}
	return 1;
}

int plan6_wanted(const struct scenario *s)
{
	for (int c = 0; c < s->ncells; c++) {
		const struct scenario_cell *sc = &s->cells[c];

		if (plan6_side_on(&sc->a, sc->a_has_carrier ? &sc->a_carrier :
							       NULL, NULL, 0) ||
		    (sc->cond.home != CELLCOND_HOME_SHARED &&
		     plan6_side_on(&sc->b, sc->b_has_carrier ? &sc->b_carrier
							      : NULL,
				   NULL, 0)))
			return 1;
	}
	return 0;
}

/* Per side, IPv6 adds at most 4 addresses, 6 neighbours and 10 routes
 * (a carrier's), within what two more sides' bounds hold; the WAN core
 * fits in the first cell's. */
void plan6_grow(const struct scenario *s, size_t *sides, size_t *hosts,
		size_t *neighs)
{
	if (!plan6_wanted(s))
		return;
	*sides *= 3;
	*hosts *= 2;
	*neighs *= 2;
}

/* s ("addr" or "addr/len", written from a template with a cell number
 * in it) in the kernel's own spelling, as `ip` prints it and a socket
 * reports it ("2001:db8:1:0::2" becomes "2001:db8:1::2"), so that the
 * plan's strings compare equal to what a run sees. */
static void canon(char *s, size_t cap)
{
	char ip[INET6_ADDRSTRLEN], out[INET6_ADDRSTRLEN], *slash;
	struct in6_addr a;

	snprintf(ip, sizeof(ip), "%s", s);
	slash = strchr(ip, '/');
	if (slash)
		*slash = '\0';
	if (inet_pton(AF_INET6, ip, &a) != 1 ||
	    !inet_ntop(AF_INET6, &a, out, sizeof(out)))
		return;
	/* The prefix length from the copy: s is being written. */
	snprintf(s, cap, "%.19s%s%.4s", out, slash ? "/" : "",
		 slash ? slash + 1 : "");
}

/* Veth v's end b (a host, router or carrier) at addr/128, its gateway gw
 * at end a: the entries both ways, gw's /128 and the default route over
 * the link, and end a's route back to addr. */
static void v6_p2p(struct plan *p, int v, const char *addr, const char *gw)
{
	const struct plan_veth *l = &p->veths[v];
	char a128[PLAN_ADDR], gw128[PLAN_ADDR];

	snprintf(a128, sizeof(a128), "%.19s/128", addr);
	snprintf(gw128, sizeof(gw128), "%.19s/128", gw);
	plan_step_addr(p, l->ns_b, l->if_b, addr, 128);
	plan_step_neigh(p, l->ns_a, l->if_a, addr, l->mac_b);
	plan_step_neigh(p, l->ns_b, l->if_b, gw, l->mac_a);
	plan_step_route(p, l->ns_b, gw128, NULL, l->if_b, 0);
	plan_step_route(p, l->ns_b, "::/0", gw, l->if_b, 1);
	plan_step_route(p, l->ns_a, a128, NULL, l->if_a, 0);
}

/* A WAN host (charlie, mallory, victim): its veth from inet. */
static void v6_wan_host(struct plan *p, int ns, const char *addr)
{
	for (int v = 0; v < p->nveths; v++)
		if (p->veths[v].ns_b == ns && p->veths[v].ns_a == p->inet) {
			v6_p2p(p, v, addr, PLAN6_INET_GW);
			p->ns[ns].v6 = PLAN6_HOST;
			return;
		}
}

/* The home's /64 (prefix pfx, "2001:db8:S:i::"): router ::1 on its LAN
 * end (the bridge when there is one), hosts ::2, ::3, ... in plan_home
 * order, each with a default route to ::1 and every other one's entry. */
static void v6_lan(struct plan *p, const struct plan_side *sd,
		   const char *pfx)
{
	char rtr[PLAN_ADDR], host[CELLCOND_HOSTS_MAX + 2][PLAN_ADDR];
	const struct plan_veth *l = &p->veths[sd->veth_lan];
	const unsigned char *rmac = l->mac_a;
	const char *lan_if = l->if_a;

	if (sd->bridge >= 0) {
		lan_if = p->bridges[sd->bridge].ifname;
		rmac = p->bridges[sd->bridge].mac;
	}
	snprintf(rtr, sizeof(rtr), "%.16s1", pfx);
	canon(rtr, sizeof(rtr));
	for (int i = 0; i < sd->nlan; i++) {
		snprintf(host[i], sizeof(host[i]), "%.16s%x", pfx,
			 (unsigned)(i + 2) & 0xffu);
		canon(host[i], sizeof(host[i]));
	}
	plan_step_addr(p, sd->router, lan_if, rtr, 64);
	for (int i = 0; i < sd->nlan; i++) {
		l = &p->veths[sd->veth_lan + i];
		p->ns[l->ns_b].v6 = PLAN6_HOST;
		plan_step_addr(p, l->ns_b, l->if_b, host[i], 64);
		plan_step_neigh(p, sd->router, lan_if, host[i], l->mac_b);
		plan_step_neigh(p, l->ns_b, l->if_b, rtr, rmac);
		plan_step_route(p, l->ns_b, "::/0", rtr, l->if_b, 0);
		for (int j = 0; j < sd->nlan; j++)
			if (j != i)
				plan_step_neigh(
					p, l->ns_b, l->if_b, host[j],
					p->veths[sd->veth_lan + j].mac_b);
	}
}

/* Side s of cell: its WAN (and carrier) addresses and routes, its LAN,
 * and the /64 its router's filter guards. */
static void v6_side(struct plan *p, struct plan_side *sd, int cell, int s)
{
	const struct plan_veth *w = &p->veths[sd->veth_wan];
	char pfx[PLAN_ADDR], up[PLAN_ADDR], net[PLAN_ADDR];
	const char *via = sd->wan6;
	unsigned c = (unsigned)cell & 0xfffu; /* < SCENARIO_MAX_CELLS */

	snprintf(pfx, sizeof(pfx), "2001:db8:%c:%x::", s ? '2' : '1', c);
	snprintf(sd->lan6_prefix, sizeof(sd->lan6_prefix), "%.16s/64", pfx);
	snprintf(sd->lan6_addr, sizeof(sd->lan6_addr), "%.16s2", pfx);
	canon(sd->lan6_prefix, sizeof(sd->lan6_prefix));
	canon(sd->lan6_addr, sizeof(sd->lan6_addr));
	if (sd->carrier < 0) {
		snprintf(sd->wan6, sizeof(sd->wan6), "2001:db8:ff%c:%x::1",
			 s ? 'b' : 'a', c);
		canon(sd->wan6, sizeof(sd->wan6));
		v6_p2p(p, sd->veth_wan, sd->wan6, PLAN6_INET_GW);
	} else {
		/* The carrier routes IPv6 untouched: no table of its own. */
		snprintf(up, sizeof(up), "2001:db8:ff%c:%x::1", s ? 'd' : 'c',
			 c);
		snprintf(sd->wan6, sizeof(sd->wan6), "2001:db8:ff%c:%x::2",
			 s ? 'd' : 'c', c);
		snprintf(net, sizeof(net), "2001:db8:ff%c:%x::/64",
			 s ? 'd' : 'c', c);
		canon(up, sizeof(up));
		canon(sd->wan6, sizeof(sd->wan6));
		canon(net, sizeof(net));
		v6_p2p(p, sd->veth_wan, up, PLAN6_INET_GW);
		v6_p2p(p, sd->veth_cgn, sd->wan6, up);
		plan_step_route(p, sd->carrier, sd->lan6_prefix, sd->wan6,
				p->veths[sd->veth_cgn].if_a, 0);
		plan_step_route(p, p->inet, net, up, w->if_a, 0);
		p->ns[sd->carrier].v6 = PLAN6_FORWARD;
		via = up;
	}
	plan_step_route(p, p->inet, sd->lan6_prefix, via, w->if_a, 0);
	p->ns[sd->router].v6 = PLAN6_FORWARD;
	v6_lan(p, sd, pfx);
	snprintf(p->nats[sd->nat].lan6, sizeof(p->nats[sd->nat].lan6), "%s",
		 sd->lan6_prefix);
	sd->v6 = 1;
}

/* Bob in a shared home: the third address of alice's /64. */
static void v6_shared(struct plan *p, int cell)
{
	const struct plan_side *a = &p->cells[cell].side[0];
	struct plan_side *b = &p->cells[cell].side[1];

	b->v6 = a->v6;
	snprintf(b->v6_none, sizeof(b->v6_none), "%s", a->v6_none);
	if (!a->v6)
		return;
	snprintf(b->wan6, sizeof(b->wan6), "%s", a->wan6);
	snprintf(b->lan6_prefix, sizeof(b->lan6_prefix), "%s", a->lan6_prefix);
	snprintf(b->lan6_addr, sizeof(b->lan6_addr), "2001:db8:1:%x::3",
		 (unsigned)cell & 0xfffu);
	canon(b->lan6_addr, sizeof(b->lan6_addr));
}

void plan6_build(struct plan *p, const struct scenario *s)
{
	int wanted = plan6_wanted(s);

	if (wanted) {
		snprintf(p->table6, sizeof(p->table6), "%.28s_f6", p->table);
		p->ns[p->inet].v6 = PLAN6_FORWARD;
		plan_step_addr(p, p->inet, "lo", PLAN6_INET_GW, 128);
		v6_wan_host(p, p->charlie, PLAN6_COORD_ADDR);
		if (p->mallory >= 0) {
			v6_wan_host(p, p->mallory, PLAN6_MALLORY_ADDR);
			v6_wan_host(p, p->victim, PLAN6_VICTIM_ADDR);
		}
	}
	for (int c = 0; c < p->ncells; c++)
		for (int k = 0; k < 2; k++) {
			struct plan_side *sd = &p->cells[c].side[k];

			if (sd->shared) {
				v6_shared(p, c);
				continue;
			}
			if (plan6_side_on(sd->profile, sd->carrier_profile,
					  sd->v6_none, sizeof(sd->v6_none)) &&
			    wanted)
				v6_side(p, sd, c, k);
		}
}
