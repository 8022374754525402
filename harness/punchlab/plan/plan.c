/* plan: a scenario's world as lists of steps — namespaces, veths,
 * addresses, routes, NAT loads — in the order the kernel needs them. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan.h"
#include "runid.h"

/* The two sides' fixed addressing; a routed home's LAN is its own. */
static const struct {
	const char *name, *wan_fmt, *lan_prefix, *lan_router, *lan_host;
} plan_sides[2] = {
	{ "alice", "198.51.100.%d", "10.0.1.0/24", "10.0.1.1", "10.0.1.2" },
	{ "bob", "203.0.113.%d", "10.0.2.0/24", "10.0.2.1", "10.0.2.2" },
};

/* Cells 0-249 take their WAN addresses from the RFC 5737 /24s above and
 * a routed home's LAN from 198.18.0.0/15 (RFC 2544), which those 500
 * LANs fill up to 198.19.243.0/24. Later cells (k = cell - 250) go to
 * 172.16.0.0/12, private like every WAN range here and unused by the
 * testbed: side s's WAN address is 172.(16+s).0.0/16 + k + 1, its routed
 * LAN the /29 at 172.(20+4s).0.0/14 + 8k (router .1, host .2). */
#define PLAN_DOC_CELLS 250

static void ip4_str(char *buf, size_t cap, unsigned long a)
{
	snprintf(buf, cap, "%lu.%lu.%lu.%lu", a >> 24 & 255, a >> 16 & 255,
		 a >> 8 & 255, a & 255);
}

static void wan_address(int cell, int s, char *buf, size_t cap)
{
	unsigned long k = (unsigned long)(cell - PLAN_DOC_CELLS);

	if (cell < PLAN_DOC_CELLS)
		snprintf(buf, cap, plan_sides[s].wan_fmt, cell + 1);
	else
		ip4_str(buf, cap, ((172UL << 24) | ((16UL + s) << 16)) + k + 1);
}

/* Upper bounds of the steps of one side and of the WAN core. */
enum { SIDE_NS = 3, SIDE_VETHS = 3, SIDE_ADDRS = 5, SIDE_ROUTES = 6,
       SIDE_NATS = 2, SIDE_NEIGHS = 7, CORE_NS = 2, CORE_VETHS = 1,
       CORE_ADDRS = 2, CORE_ROUTES = 3, CORE_NEIGHS = 3 };

/* "<rid>-<tag>": every interface name carries the run id. */
static void ifname(const struct plan *p, char *buf, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void ifname(const struct plan *p, char *buf, const char *fmt, ...)
{
	char tag[PLAN_IFNAME];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(tag, sizeof(tag), fmt, ap);
	va_end(ap);
	snprintf(buf, PLAN_IFNAME, "%.6s-%.8s", p->rid, tag);
}

static int ns_add(struct plan *p, const char *tag, int forward)
{
	struct plan_ns *n = &p->ns[p->nns];

	snprintf(n->tag, sizeof(n->tag), "%s", tag);
	snprintf(n->name, sizeof(n->name), "%s%s-%s", RUNID_NETNS_PREFIX,
		 p->rid, tag);
	n->forward = forward;
	return p->nns++;
}

/* 02:RR:RR:KK:KK:KK: locally administered unicast, RRRR from the run id
 * (a capture tells which run a frame belongs to), K = 2 * veth + end. */
static void mac_of(const struct plan *p, int v, int end, unsigned char *mac)
{
	char hex[5];
	unsigned long r, k = 2 * (unsigned long)v + (unsigned long)end;

	snprintf(hex, sizeof(hex), "%.4s", p->rid);
	r = strtoul(hex, NULL, 16);
	mac[0] = 0x02;
	mac[1] = (unsigned char)(r >> 8);
	mac[2] = (unsigned char)r;
	mac[3] = (unsigned char)(k >> 16);
	mac[4] = (unsigned char)(k >> 8);
	mac[5] = (unsigned char)k;
}

static int veth_add(struct plan *p, int a, const char *if_a, int b,
		    const char *if_b)
{
	struct plan_veth *v = &p->veths[p->nveths];

	v->ns_a = a;
	v->ns_b = b;
	snprintf(v->if_a, sizeof(v->if_a), "%s", if_a);
	snprintf(v->if_b, sizeof(v->if_b), "%s", if_b);
	mac_of(p, p->nveths, 0, v->mac_a);
	mac_of(p, p->nveths, 1, v->mac_b);
	return p->nveths++;
}

static void addr_add(struct plan *p, int ns, const char *ifn,
		     const char *addr, int prefix)
{
	struct plan_addr *a = &p->addrs[p->naddrs++];

	a->ns = ns;
	snprintf(a->ifname, sizeof(a->ifname), "%s", ifn);
	snprintf(a->cidr, sizeof(a->cidr), "%.15s/%d", addr, prefix);
}

/* In the namespace of end `end` of veth v: addr is at the other end. */
static void neigh_add(struct plan *p, int v, int end, const char *addr)
{
	const struct plan_veth *l = &p->veths[v];
	struct plan_neigh *n = &p->neighs[p->nneighs++];

	n->ns = end ? l->ns_b : l->ns_a;
	snprintf(n->ifname, sizeof(n->ifname), "%s", end ? l->if_b : l->if_a);
	snprintf(n->addr, sizeof(n->addr), "%.15s", addr);
	memcpy(n->mac, end ? l->mac_a : l->mac_b, PLAN_MAC);
}

/* addr/prefix on end `end` of veth v, and the other end's entry for it. */
static void link_addr(struct plan *p, int v, int end, const char *addr,
		      int prefix)
{
	const struct plan_veth *l = &p->veths[v];

	addr_add(p, end ? l->ns_b : l->ns_a, end ? l->if_b : l->if_a, addr,
		 prefix);
	neigh_add(p, v, !end, addr);
}

static void route_add(struct plan *p, int ns, const char *dst,
		      const char *gw, const char *ifn, int onlink)
{
	struct plan_route *r = &p->routes[p->nroutes++];

	r->ns = ns;
	snprintf(r->dst, sizeof(r->dst), "%s", dst);
	snprintf(r->gw, sizeof(r->gw), "%s", gw ? gw : "");
	snprintf(r->ifname, sizeof(r->ifname), "%s", ifn);
	r->onlink = onlink;
}

/* Host h on the WAN: a veth from inet (inet_if) to h's "wan", addr/32 on
 * it, a default route to the gateway on inet's loopback, and inet's /32
 * route back. */
static void wan_attach(struct plan *p, int h, const char *inet_if,
		       const char *addr)
{
	char wan_if[PLAN_IFNAME], host32[PLAN_ADDR];
	int v;

	ifname(p, wan_if, "wan");
	snprintf(host32, sizeof(host32), "%.15s/32", addr);
	v = veth_add(p, p->inet, inet_if, h, wan_if);
	link_addr(p, v, 1, addr, 32);
	neigh_add(p, v, 1, PLAN_INET_GW); /* on inet's loopback */
	route_add(p, h, PLAN_INET_GW "/32", NULL, wan_if, 0);
	route_add(p, h, "default", PLAN_INET_GW, wan_if, 1);
	route_add(p, p->inet, host32, NULL, inet_if, 0);
}

static void nat_add(struct plan *p, int ns, const struct nat_profile *prof,
		    const char *wan_addr, const char *lan_cidr, int carrier)
{
	struct plan_nat *n = &p->nats[p->nnats++];

	n->ns = ns;
	n->profile = prof;
	ifname(p, n->wan_if, "wan");
	ifname(p, n->lan_if, "lan");
	snprintf(n->wan_addr, sizeof(n->wan_addr), "%s", wan_addr);
	snprintf(n->lan_cidr, sizeof(n->lan_cidr), "%s", lan_cidr);
	n->carrier = carrier;
}

/* NAT444: the carrier on the WAN, its LAN 100.64/10 toward the router. */
static void carrier_plan(struct plan *p, struct plan_side *sd, int cell,
			 int s)
{
	char tag[32], lan_if[PLAN_IFNAME], wan_if[PLAN_IFNAME];
	int v;

	snprintf(tag, sizeof(tag), "c%d-c%c", cell, s ? 'b' : 'a');
	sd->carrier = ns_add(p, tag, 1);
	wan_attach(p, sd->carrier, sd->inet_if, sd->wan_addr);
	ifname(p, lan_if, "lan");
	ifname(p, wan_if, "wan");
	v = veth_add(p, sd->carrier, lan_if, sd->router, wan_if);
	link_addr(p, v, 0, PLAN_CGN_CARRIER_LAN, 10);
	link_addr(p, v, 1, PLAN_CGN_ROUTER_WAN, 10);
	route_add(p, sd->router, "default", PLAN_CGN_CARRIER_LAN, wan_if, 0);
	nat_add(p, sd->carrier, sd->carrier_profile, sd->wan_addr,
		"100.64.0.0/10", 1);
}

/* A home's LAN: 10.0.x.0/24 behind a NAT, or for mapping none a public
 * LAN of its own (see wan_address). Returns its prefix length. */
static int lan_addresses(struct plan_side *sd, int cell, int s,
			 char *router_lan, size_t cap)
{
	unsigned long base, k = (unsigned long)(cell - PLAN_DOC_CELLS);
	char net[PLAN_ADDR];

	if (!sd->routed) {
		snprintf(sd->lan_prefix, sizeof(sd->lan_prefix), "%s",
			 plan_sides[s].lan_prefix);
		snprintf(router_lan, cap, "%s", plan_sides[s].lan_router);
		snprintf(sd->lan_addr, sizeof(sd->lan_addr), "%s",
			 plan_sides[s].lan_host);
		return 24;
	}
	if (cell < PLAN_DOC_CELLS)
		base = (198UL << 24 | 18UL << 16) +
		       256UL * (2UL * (unsigned long)cell + (unsigned long)s);
	else
		base = (172UL << 24 | (20UL + 4UL * s) << 16) + 8 * k;
	ip4_str(net, sizeof(net), base);
	snprintf(sd->lan_prefix, sizeof(sd->lan_prefix), "%.15s/%d", net,
		 cell < PLAN_DOC_CELLS ? 24 : 29);
	ip4_str(router_lan, cap, base + 1);
	ip4_str(sd->lan_addr, sizeof(sd->lan_addr), base + 2);
	return cell < PLAN_DOC_CELLS ? 24 : 29;
}

static int side_plan(struct plan *p, const struct scenario *scn, int cell,
		     int s, char *err, size_t cap)
{
	const struct scenario_cell *sc = &scn->cells[cell];
	struct plan_side *sd = &p->cells[cell].side[s];
	int has_carrier = s ? sc->b_has_carrier : sc->a_has_carrier;
	char tag[32], lan_if[PLAN_IFNAME], eth_if[PLAN_IFNAME],
		router_lan[PLAN_ADDR];
	int v, lan_len;

	sd->profile = s ? &sc->b : &sc->a;
	sd->carrier_profile = !has_carrier ? NULL :
			      s		   ? &sc->b_carrier :
						     &sc->a_carrier;
	sd->routed = sd->profile->mapping == NAT_MAP_NONE;
	sd->carrier = -1;
	if (sd->routed && has_carrier) {
		snprintf(err, cap,
			 "%s:%d: profile %s translates nothing (mapping none) "
			 "and cannot sit behind carrier %s",
			 scn->path, sc->line, sd->profile->name,
			 sd->carrier_profile->name);
		return -EINVAL;
	}
	wan_address(cell, s, sd->wan_addr, sizeof(sd->wan_addr));
	ifname(p, sd->inet_if, "%d%c", cell, s ? 'b' : 'a');
	lan_len = lan_addresses(sd, cell, s, router_lan, sizeof(router_lan));
	snprintf(tag, sizeof(tag), "c%d-r%c", cell, s ? 'b' : 'a');
	sd->router = ns_add(p, tag, 1);
	snprintf(tag, sizeof(tag), "c%d-%s", cell, plan_sides[s].name);
	sd->host = ns_add(p, tag, 0);
	if (has_carrier)
		carrier_plan(p, sd, cell, s);
	else
		wan_attach(p, sd->router, sd->inet_if, sd->wan_addr);

	ifname(p, lan_if, "lan");
	ifname(p, eth_if, "eth");
	v = veth_add(p, sd->router, lan_if, sd->host, eth_if);
	link_addr(p, v, 0, router_lan, lan_len);
	link_addr(p, v, 1, sd->lan_addr, lan_len);
	route_add(p, sd->host, "default", router_lan, eth_if, 0);
	if (sd->routed)
		route_add(p, p->inet, sd->lan_prefix, sd->wan_addr,
			  sd->inet_if, 0);
	nat_add(p, sd->router, sd->profile,
		has_carrier ? PLAN_CGN_ROUTER_WAN : sd->wan_addr,
		sd->lan_prefix, 0);
	return 0;
}

static int plan_alloc(struct plan *p, int ncells)
{
	size_t sides = 2 * (size_t)ncells;

	p->cells = calloc(ncells ? ncells : 1, sizeof(*p->cells));
	p->ns = calloc(CORE_NS + SIDE_NS * sides, sizeof(*p->ns));
	p->veths = calloc(CORE_VETHS + SIDE_VETHS * sides, sizeof(*p->veths));
	p->addrs = calloc(CORE_ADDRS + SIDE_ADDRS * sides, sizeof(*p->addrs));
	p->routes =
		calloc(CORE_ROUTES + SIDE_ROUTES * sides, sizeof(*p->routes));
	p->nats = calloc(SIDE_NATS * sides + 1, sizeof(*p->nats));
	p->neighs =
		calloc(CORE_NEIGHS + SIDE_NEIGHS * sides, sizeof(*p->neighs));
	if (!p->cells || !p->ns || !p->veths || !p->addrs || !p->routes ||
	    !p->nats || !p->neighs)
		return -ENOMEM;
	return 0;
}

struct plan *plan_new(const struct scenario *s, const char *rid, char *err,
		      size_t err_cap)
{
	struct plan *p = calloc(1, sizeof(*p));
	int e = -ENOMEM;

	if (s->ncells > SCENARIO_MAX_CELLS) { /* scenario_load refuses more */
		snprintf(err, err_cap, "%s: %d cells, at most %d",
			 s->path, s->ncells, SCENARIO_MAX_CELLS);
		e = -E2BIG;
		goto err;
	}
	if (!p || plan_alloc(p, s->ncells) < 0)
		goto err;
	snprintf(p->rid, sizeof(p->rid), "%s", rid);
	snprintf(p->table, sizeof(p->table), "punchlab_%s", rid);
	p->ncells = s->ncells;
	p->inet = ns_add(p, "inet", 1);
	addr_add(p, p->inet, "lo", PLAN_INET_GW, 32);
	p->charlie = ns_add(p, "charlie", 0);
	ifname(p, p->charlie_if, "ch");
	wan_attach(p, p->charlie, p->charlie_if, PLAN_COORD_ADDR);
	for (int c = 0; c < s->ncells; c++)
		for (int sd = 0; sd < 2; sd++)
			if ((e = side_plan(p, s, c, sd, err, err_cap)) < 0)
				goto err;
	return p;
err:
	if (e == -ENOMEM)
		snprintf(err, err_cap, "planning %s: %s", s->path,
			 strerror(ENOMEM));
	plan_free(p);
	errno = -e;
	return NULL;
}

void plan_free(struct plan *p)
{
	if (!p)
		return;
	free(p->cells);
	free(p->ns);
	free(p->veths);
	free(p->addrs);
	free(p->routes);
	free(p->nats);
	free(p->neighs);
	free(p);
}

static const char *mac_str(const unsigned char *m, char *buf)
{
	snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2],
		 m[3], m[4], m[5]);
	return buf;
}

void plan_print(const struct plan *p, FILE *f)
{
	char ma[18], mb[18];

	for (int i = 0; i < p->nns; i++)
		fprintf(f, "netns %s%s\n", p->ns[i].name,
			p->ns[i].forward ? " forward" : "");
	for (int i = 0; i < p->nveths; i++) {
		const struct plan_veth *v = &p->veths[i];

		fprintf(f, "veth %s:%s %s:%s noarp %s %s\n", p->ns[v->ns_a].tag,
			v->if_a, p->ns[v->ns_b].tag, v->if_b,
			mac_str(v->mac_a, ma), mac_str(v->mac_b, mb));
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
	for (int i = 0; i < p->nnats; i++)
		fprintf(f, "nat %s: profile %s wan %s (%s) lan %s (%s)\n",
			p->ns[p->nats[i].ns].tag, p->nats[i].profile->name,
			p->nats[i].wan_if, p->nats[i].wan_addr,
			p->nats[i].lan_if, p->nats[i].lan_cidr);
}
