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

/* Upper bounds of the steps of one side and of the WAN core. */
enum { SIDE_NS = 3, SIDE_VETHS = 3, SIDE_ADDRS = 5, SIDE_ROUTES = 6,
       SIDE_NATS = 2, CORE_NS = 2, CORE_VETHS = 1, CORE_ADDRS = 2,
       CORE_ROUTES = 3 };

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

static void veth_add(struct plan *p, int a, const char *if_a, int b,
		     const char *if_b)
{
	struct plan_veth *v = &p->veths[p->nveths++];

	v->ns_a = a;
	v->ns_b = b;
	snprintf(v->if_a, sizeof(v->if_a), "%s", if_a);
	snprintf(v->if_b, sizeof(v->if_b), "%s", if_b);
}

static void addr_add(struct plan *p, int ns, const char *ifn,
		     const char *addr, int prefix)
{
	struct plan_addr *a = &p->addrs[p->naddrs++];

	a->ns = ns;
	snprintf(a->ifname, sizeof(a->ifname), "%s", ifn);
	snprintf(a->cidr, sizeof(a->cidr), "%.15s/%d", addr, prefix);
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

	ifname(p, wan_if, "wan");
	snprintf(host32, sizeof(host32), "%.15s/32", addr);
	veth_add(p, p->inet, inet_if, h, wan_if);
	addr_add(p, h, wan_if, addr, 32);
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

	snprintf(tag, sizeof(tag), "c%d-c%c", cell, s ? 'b' : 'a');
	sd->carrier = ns_add(p, tag, 1);
	wan_attach(p, sd->carrier, sd->inet_if, sd->wan_addr);
	ifname(p, lan_if, "lan");
	ifname(p, wan_if, "wan");
	veth_add(p, sd->carrier, lan_if, sd->router, wan_if);
	addr_add(p, sd->carrier, lan_if, PLAN_CGN_CARRIER_LAN, 10);
	addr_add(p, sd->router, wan_if, PLAN_CGN_ROUTER_WAN, 10);
	route_add(p, sd->router, "default", PLAN_CGN_CARRIER_LAN, wan_if, 0);
	nat_add(p, sd->carrier, sd->carrier_profile, sd->wan_addr,
		"100.64.0.0/10", 1);
}

/* A home's LAN: 10.0.x.0/24 behind a NAT, or for mapping none a public
 * /24 of its own from 198.18.0.0/15 (two per cell). */
static void lan_addresses(struct plan_side *sd, int cell, int s,
			  char *router_lan, size_t cap)
{
	if (sd->routed) {
		unsigned char o2 = (unsigned char)(18 + (2 * cell + s) / 256),
			      o3 = (unsigned char)((2 * cell + s) % 256);

		snprintf(sd->lan_prefix, sizeof(sd->lan_prefix),
			 "198.%u.%u.0/24", o2, o3);
		snprintf(router_lan, cap, "198.%u.%u.1", o2, o3);
		snprintf(sd->lan_addr, sizeof(sd->lan_addr), "198.%u.%u.2", o2,
			 o3);
		return;
	}
	snprintf(sd->lan_prefix, sizeof(sd->lan_prefix), "%s",
		 plan_sides[s].lan_prefix);
	snprintf(router_lan, cap, "%s", plan_sides[s].lan_router);
	snprintf(sd->lan_addr, sizeof(sd->lan_addr), "%s",
		 plan_sides[s].lan_host);
}

static int side_plan(struct plan *p, const struct scenario *scn, int cell,
		     int s, char *err, size_t cap)
{
	const struct scenario_cell *sc = &scn->cells[cell];
	struct plan_side *sd = &p->cells[cell].side[s];
	int has_carrier = s ? sc->b_has_carrier : sc->a_has_carrier;
	char tag[32], lan_if[PLAN_IFNAME], eth_if[PLAN_IFNAME],
		router_lan[PLAN_ADDR];

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
	snprintf(sd->wan_addr, sizeof(sd->wan_addr), plan_sides[s].wan_fmt,
		 cell + 1);
	ifname(p, sd->inet_if, "%d%c", cell, s ? 'b' : 'a');
	lan_addresses(sd, cell, s, router_lan, sizeof(router_lan));
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
	veth_add(p, sd->router, lan_if, sd->host, eth_if);
	addr_add(p, sd->router, lan_if, router_lan, 24);
	addr_add(p, sd->host, eth_if, sd->lan_addr, 24);
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
	return p->cells && p->ns && p->veths && p->addrs && p->routes &&
			       p->nats ?
		       0 :
		       -ENOMEM;
}

struct plan *plan_new(const struct scenario *s, const char *rid, char *err,
		      size_t err_cap)
{
	struct plan *p = calloc(1, sizeof(*p));
	int e = -ENOMEM;

	if (s->ncells > SCENARIO_MAX_CELLS) { /* scenario_load refuses more */
		snprintf(err, err_cap, "%s: %d cells, at most %d fit the WAN",
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
	free(p);
}

void plan_print(const struct plan *p, FILE *f)
{
	for (int i = 0; i < p->nns; i++)
		fprintf(f, "netns %s%s\n", p->ns[i].name,
			p->ns[i].forward ? " forward" : "");
	for (int i = 0; i < p->nveths; i++)
		fprintf(f, "veth %s:%s %s:%s\n", p->ns[p->veths[i].ns_a].tag,
			p->veths[i].if_a, p->ns[p->veths[i].ns_b].tag,
			p->veths[i].if_b);
	for (int i = 0; i < p->naddrs; i++)
		fprintf(f, "addr %s:%s %s\n", p->ns[p->addrs[i].ns].tag,
			p->addrs[i].ifname, p->addrs[i].cidr);
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
