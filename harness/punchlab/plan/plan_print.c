/* plan_print: `punchlab plan`'s text, one line per namespace, link,
 * neighbour, address, route, NAT load and home of a plan (plan.h). */
#include <stdio.h>

#include "plan.h"

static const char *mac_str(const unsigned char *m, char *buf)
{
	snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2],
		 m[3], m[4], m[5]);
	return buf;
}

/* One line per home: its router, public address and every host on it. */
static void plan_print_homes(const struct plan *p, int c, FILE *f)
{
	const struct plan_cell *pc = &p->cells[c];

	for (int s = 0; s < 2; s++) {
		const struct plan_side *sd = &pc->side[s];

		if (sd->shared)
			continue; /* printed with side 0 */
		fprintf(f, "home c%d %s: router %s (%s) hosts %s %s (%s)", c,
			pc->side[1].shared ? "shared" : s ? "b" : "a",
			p->ns[sd->router].tag, sd->wan_addr,
			p->ns[sd->host].tag, sd->lan_addr,
			s ? "bob" : "alice");
		if (!s && pc->side[1].shared)
			fprintf(f, ", %s %s (bob)", p->ns[pc->side[1].host].tag,
				pc->side[1].lan_addr);
		for (int i = 0; i < sd->nextra; i++)
			fprintf(f, ", %s %s (background node)",
				p->ns[sd->extra[i]].tag, sd->extra_addr[i]);
		if (sd->v6)
			fprintf(f, "; ipv6 %s router WAN %s", sd->lan6_prefix,
				sd->wan6);
		else if (sd->v6_none[0])
			fprintf(f, "; no ipv6: %s", sd->v6_none);
		fputc('\n', f);
	}
}

void plan_print(const struct plan *p, FILE *f)
{
	char ma[18], mb[18];

	for (int i = 0; i < p->nns; i++)
		fprintf(f, "netns %s%s%s\n", p->ns[i].name,
			p->ns[i].forward ? " forward" : "",
			p->ns[i].v6 == 2 ? " forward6" : "");
	for (int i = 0; i < p->nbridges; i++)
		fprintf(f, "bridge %s:%s noarp %s\n", p->ns[p->bridges[i].ns].tag,
			p->bridges[i].ifname, mac_str(p->bridges[i].mac, ma));
	for (int i = 0; i < p->nveths; i++) {
		const struct plan_veth *v = &p->veths[i];

		fprintf(f, "veth %s:%s %s:%s noarp %s %s%s%s\n",
			p->ns[v->ns_a].tag, v->if_a, p->ns[v->ns_b].tag,
			v->if_b, mac_str(v->mac_a, ma), mac_str(v->mac_b, mb),
			v->master_a[0] ? " master " : "", v->master_a);
	}
	for (int i = 0; i < p->naddrs; i++)
		fprintf(f, "addr %s:%s %s\n", p->ns[p->addrs[i].ns].tag,
			p->addrs[i].ifname, p->addrs[i].cidr);
	for (int i = 0; i < p->nneighs; i++)
		fprintf(f, "neigh %s:%s %s lladdr %s permanent\n",
			p->ns[p->neighs[i].ns].tag, p->neighs[i].ifname,
			p->neighs[i].addr, mac_str(p->neighs[i].mac, ma));
	for (int i = 0; i < p->nroutes; i++) {
		const struct plan_route *r = &p->routes[i];

		fprintf(f, "route %s: %s%s%s dev %s%s\n", p->ns[r->ns].tag,
			r->dst, r->gw[0] ? " via " : "", r->gw, r->ifname,
			r->onlink ? " onlink" : "");
	}
	for (int i = 0; i < p->nnats; i++) {
		fprintf(f, "nat %s: profile %s wan %s (%s) lan %s (%s)",
			p->ns[p->nats[i].ns].tag, p->nats[i].profile->name,
			p->nats[i].wan_if, p->nats[i].wan_addr,
			p->nats[i].lan_if, p->nats[i].lan_cidr);
		if (p->nats[i].lan6[0])
			fprintf(f, " ip6 filter %s %s (%s)", p->table6,
				profile6_filter_str(
					p->nats[i].profile->ipv6.filtering),
				p->nats[i].lan6);
		if (p->nats[i].rst_guard)
			fprintf(f, " rst_guard %s_rstguard", p->table);
		fputc('\n', f);
	}
	for (int c = 0; c < p->ncells; c++)
		plan_print_homes(p, c, f);
}
