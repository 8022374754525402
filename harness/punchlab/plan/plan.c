/* plan: a scenario's world as lists of steps — namespaces, veths,
 * addresses, routes, NAT loads — in the order the kernel needs them. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan.h"
#include "runid.h"
#include "scenario_adversary.h"

/* The two sides' fixed addressing; a routed home's LAN is its own. Hosts
 * of a home take .2, .3, ... after the router's .1. */
static const struct {
	const char *name, *wan_fmt, *lan_prefix;
	unsigned long lan_base;
} plan_sides[2] = {
	{ "alice", "198.51.100.%d", "10.0.1.0/24", 10UL << 24 | 1UL << 8 },
	{ "bob", "203.0.113.%d", "10.0.2.0/24", 10UL << 24 | 2UL << 8 },
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
       SIDE_NATS = 2, SIDE_NEIGHS = 7, CORE_NS = 4, CORE_VETHS = 3,
       CORE_ADDRS = 4, CORE_ROUTES = 9, CORE_NEIGHS = 5 };

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

/* A bridge's MAC: K past every veth end (2 * veth + end < 2^23). */
static int bridge_add(struct plan *p, int ns, const char *ifn)
{
	struct plan_bridge *b = &p->bridges[p->nbridges];

	b->ns = ns;
	snprintf(b->ifname, sizeof(b->ifname), "%s", ifn);
	mac_of(p, 0, 0, b->mac);
	b->mac[3] = (unsigned char)(0x80 | (p->nbridges >> 16));
	b->mac[4] = (unsigned char)(p->nbridges >> 8);
	b->mac[5] = (unsigned char)p->nbridges;
	return p->nbridges++;
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

void plan_step_addr(struct plan *p, int ns, const char *ifn,
		    const char *addr, int prefix)
{
	struct plan_addr *a = &p->addrs[p->naddrs++];

	a->ns = ns;
	snprintf(a->ifname, sizeof(a->ifname), "%s", ifn);
	snprintf(a->cidr, sizeof(a->cidr), "%.19s/%d", addr, prefix);
}

void plan_step_neigh(struct plan *p, int ns, const char *ifn,
		     const char *addr, const unsigned char *mac)
{
	struct plan_neigh *n = &p->neighs[p->nneighs++];

	n->ns = ns;
	snprintf(n->ifname, sizeof(n->ifname), "%s", ifn);
	snprintf(n->addr, sizeof(n->addr), "%.23s", addr);
	memcpy(n->mac, mac, PLAN_MAC);
}

/* In the namespace of end `end` of veth v: addr is at the other end. */
static void neigh_add(struct plan *p, int v, int end, const char *addr)
{
	const struct plan_veth *l = &p->veths[v];

	plan_step_neigh(p, end ? l->ns_b : l->ns_a, end ? l->if_b : l->if_a, addr,
		  end ? l->mac_a : l->mac_b);
}

/* addr/prefix on end `end` of veth v, and the other end's entry for it. */
static void link_addr(struct plan *p, int v, int end, const char *addr,
		      int prefix)
{
	const struct plan_veth *l = &p->veths[v];

	plan_step_addr(p, end ? l->ns_b : l->ns_a, end ? l->if_b : l->if_a, addr,
		 prefix);
	neigh_add(p, v, !end, addr);
}

void plan_step_route(struct plan *p, int ns, const char *dst,
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
static int wan_attach(struct plan *p, int h, const char *inet_if,
		      const char *addr)
{
	char wan_if[PLAN_IFNAME], host32[PLAN_ADDR];
	int v;

	ifname(p, wan_if, "wan");
	snprintf(host32, sizeof(host32), "%.15s/32", addr);
	v = veth_add(p, p->inet, inet_if, h, wan_if);
	link_addr(p, v, 1, addr, 32);
	neigh_add(p, v, 1, PLAN_INET_GW); /* on inet's loopback */
	plan_step_route(p, h, PLAN_INET_GW "/32", NULL, wan_if, 0);
	plan_step_route(p, h, "default", PLAN_INET_GW, wan_if, 1);
	plan_step_route(p, p->inet, host32, NULL, inet_if, 0);
	return v;
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

/* NAT444: the carrier (namespace tag) on the WAN, its LAN 100.64/10
 * toward the router. */
static void carrier_plan_tag(struct plan *p, struct plan_side *sd,
			     const char *tag)
{
	char lan_if[PLAN_IFNAME], wan_if[PLAN_IFNAME];
	int v;

	sd->carrier = ns_add(p, tag, 1);
	sd->veth_wan = wan_attach(p, sd->carrier, sd->inet_if, sd->wan_addr);
	ifname(p, lan_if, "lan");
	ifname(p, wan_if, "wan");
	v = sd->veth_cgn = veth_add(p, sd->carrier, lan_if, sd->router, wan_if);
	link_addr(p, v, 0, PLAN_CGN_CARRIER_LAN, 10);
	link_addr(p, v, 1, PLAN_CGN_ROUTER_WAN, 10);
	plan_step_route(p, sd->router, "default", PLAN_CGN_CARRIER_LAN, wan_if, 0);
	nat_add(p, sd->carrier, sd->carrier_profile, sd->wan_addr,
		"100.64.0.0/10", 1);
}

static void carrier_plan(struct plan *p, struct plan_side *sd, int cell,
			 int s)
{
	char tag[32];

	snprintf(tag, sizeof(tag), "c%d-c%c", cell, s ? 'b' : 'a');
	carrier_plan_tag(p, sd, tag);
}

/* A home's LAN: 10.0.x.0/24 behind a NAT, or for mapping none a public
 * LAN of its own (see wan_address). Its network address into *base;
 * returns its prefix length. */
static int lan_addresses(struct plan_side *sd, int cell, int s,
			 unsigned long *base)
{
	unsigned long k = (unsigned long)(cell - PLAN_DOC_CELLS);
	char net[PLAN_ADDR];

	if (!sd->routed) {
		snprintf(sd->lan_prefix, sizeof(sd->lan_prefix), "%s",
			 plan_sides[s].lan_prefix);
		*base = plan_sides[s].lan_base;
		return 24;
	}
	if (cell < PLAN_DOC_CELLS)
		*base = (198UL << 24 | 18UL << 16) +
			256UL * (2UL * (unsigned long)cell + (unsigned long)s);
	else
		*base = (172UL << 24 | (20UL + 4UL * s) << 16) + 8 * k;
	ip4_str(net, sizeof(net), *base);
	snprintf(sd->lan_prefix, sizeof(sd->lan_prefix), "%.15s/%d", net,
		 cell < PLAN_DOC_CELLS ? 24 : 29);
	return cell < PLAN_DOC_CELLS ? 24 : 29;
}

/* The hosts of one home, in address order: the side's own host, bob in
 * a shared home, then the background-node hosts. */
struct plan_home {
	int n, ns[CELLCOND_HOSTS_MAX + 2];
	char addr[CELLCOND_HOSTS_MAX + 2][PLAN_ADDR];
};

/* One host: a single point-to-point veth to the router. */
static void lan_single(struct plan *p, const struct plan_side *sd,
		       const char *router_lan, int len)
{
	char lan_if[PLAN_IFNAME], eth_if[PLAN_IFNAME];
	int v;

	ifname(p, lan_if, "lan");
	ifname(p, eth_if, "eth");
	v = veth_add(p, sd->router, lan_if, sd->host, eth_if);
	link_addr(p, v, 0, router_lan, len);
	link_addr(p, v, 1, sd->lan_addr, len);
	plan_step_route(p, sd->host, "default", router_lan, eth_if, 0);
}

/* Several hosts: the router's LAN is a bridge with one veth port per
 * host; every host has the router's and each other's entries, so a host
 * could reach another directly (LAN-direct) as well as through the
 * router's public address (hairpinning). */
static void lan_bridged(struct plan *p, const struct plan_side *sd,
			const struct plan_home *h, const char *router_lan,
			int len)
{
	char lan_if[PLAN_IFNAME], eth_if[PLAN_IFNAME], port_if[PLAN_IFNAME];
	int br, v[CELLCOND_HOSTS_MAX + 2];

	ifname(p, lan_if, "lan");
	ifname(p, eth_if, "eth");
	br = bridge_add(p, sd->router, lan_if);
	plan_step_addr(p, sd->router, lan_if, router_lan, len);
	for (int i = 0; i < h->n; i++) {
		ifname(p, port_if, "p%d", i);
		v[i] = veth_add(p, sd->router, port_if, h->ns[i], eth_if);
		snprintf(p->veths[v[i]].master_a,
			 sizeof(p->veths[v[i]].master_a), "%s", lan_if);
		plan_step_addr(p, h->ns[i], eth_if, h->addr[i], len);
		plan_step_neigh(p, sd->router, lan_if, h->addr[i],
			  p->veths[v[i]].mac_b);
		plan_step_neigh(p, h->ns[i], eth_if, router_lan,
			  p->bridges[br].mac);
		plan_step_route(p, h->ns[i], "default", router_lan, eth_if, 0);
	}
	for (int i = 0; i < h->n; i++)
		for (int j = 0; j < h->n; j++)
			if (i != j)
				plan_step_neigh(p, h->ns[i], eth_if, h->addr[j],
					  p->veths[v[j]].mac_b);
}

/* The hosts' namespaces and addresses of side s's home. -EINVAL when a
 * routed /29 cannot address them all. */
static int home_hosts(struct plan *p, const struct scenario *scn, int cell,
		      int s, unsigned long base, int len, struct plan_home *h,
		      char *err, size_t cap)
{
	const struct scenario_cell *sc = &scn->cells[cell];
	struct plan_side *sd = &p->cells[cell].side[s];
	int shared = sc->cond.home == CELLCOND_HOME_SHARED;
	char tag[32];

	sd->nextra = (int)(s ? sc->cond.hosts_b : sc->cond.hosts_a);
	h->n = 1 + sd->nextra + (shared && !s);
	if (h->n > (1 << (32 - len)) - 3) {
		snprintf(err, cap,
			 "%s:%d: cell %s: a routed /%d LAN holds at most %d "
			 "hosts, not %d",
			 scn->path, sc->line, sc->name, len,
			 (1 << (32 - len)) - 3, h->n);
		return -EINVAL;
	}
	h->ns[0] = sd->host;
	if (shared && !s) {
		snprintf(tag, sizeof(tag), "c%d-%s", cell, plan_sides[1].name);
		p->cells[cell].side[1].host = h->ns[1] = ns_add(p, tag, 0);
	}
	for (int i = 0; i < sd->nextra; i++) {
		snprintf(tag, sizeof(tag), "c%d-%c%d", cell, s ? 'b' : 'a',
			 i + 1);
		sd->extra[i] = h->ns[h->n - sd->nextra + i] = ns_add(p, tag, 0);
	}
	for (int i = 0; i < h->n; i++)
		ip4_str(h->addr[i], sizeof(h->addr[i]),
			base + 2 + (unsigned long)i);
	snprintf(sd->lan_addr, sizeof(sd->lan_addr), "%s", h->addr[0]);
	if (shared && !s)
		snprintf(p->cells[cell].side[1].lan_addr, PLAN_ADDR, "%s",
			 h->addr[1]);
	for (int i = 0; i < sd->nextra; i++)
		snprintf(sd->extra_addr[i], sizeof(sd->extra_addr[i]), "%s",
			 h->addr[h->n - sd->nextra + i]);
	return 0;
}

/* Bob in a shared home: alice's router, carrier and addresses; his host
 * and LAN address were planned with alice's home. */
static void shared_side(struct plan *p, int cell)
{
	const struct plan_side *a = &p->cells[cell].side[0];
	struct plan_side *b = &p->cells[cell].side[1];

	b->router = a->router;
	b->carrier = a->carrier;
	b->profile = a->profile;
	b->carrier_profile = a->carrier_profile;
	b->routed = a->routed;
	b->shared = 1;
	b->nextra = 0;
	snprintf(b->wan_addr, sizeof(b->wan_addr), "%s", a->wan_addr);
	snprintf(b->inet_if, sizeof(b->inet_if), "%s", a->inet_if);
	snprintf(b->lan_prefix, sizeof(b->lan_prefix), "%s", a->lan_prefix);
}

static int side_plan(struct plan *p, const struct scenario *scn, int cell,
		     int s, char *err, size_t cap)
{
	const struct scenario_cell *sc = &scn->cells[cell];
	struct plan_side *sd = &p->cells[cell].side[s];
	int has_carrier = s ? sc->b_has_carrier : sc->a_has_carrier;
	char tag[32], router_lan[PLAN_ADDR];
	struct plan_home h;
	unsigned long base;
	int lan_len, e;

	if (s && sc->cond.home == CELLCOND_HOME_SHARED) {
		shared_side(p, cell);
		return 0;
	}
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
	lan_len = lan_addresses(sd, cell, s, &base);
	ip4_str(router_lan, sizeof(router_lan), base + 1);
	snprintf(tag, sizeof(tag), "c%d-r%c", cell, s ? 'b' : 'a');
	sd->router = ns_add(p, tag, 1);
	snprintf(tag, sizeof(tag), "c%d-%s", cell, plan_sides[s].name);
	sd->host = ns_add(p, tag, 0);
	if ((e = home_hosts(p, scn, cell, s, base, lan_len, &h, err, cap)) < 0)
		return e;
	sd->veth_cgn = -1;
	if (has_carrier)
		carrier_plan(p, sd, cell, s);
	else
		sd->veth_wan = wan_attach(p, sd->router, sd->inet_if,
					  sd->wan_addr);
	sd->veth_lan = p->nveths; /* the hosts' veths in plan_home order */
	sd->bridge = h.n == 1 ? -1 : p->nbridges;
	sd->nlan = h.n;
	if (h.n == 1)
		lan_single(p, sd, router_lan, lan_len);
	else
		lan_bridged(p, sd, &h, router_lan, lan_len);
	if (sd->routed)
		plan_step_route(p, p->inet, sd->lan_prefix, sd->wan_addr,
			  sd->inet_if, 0);
	sd->nat = p->nnats;
	nat_add(p, sd->router, sd->profile,
		has_carrier ? PLAN_CGN_ROUTER_WAN : sd->wan_addr,
		sd->lan_prefix, 0);
	p->nats[sd->nat].rst_guard = sc->adv.rst_guard;
	return 0;
}

/* What the homes' extra hosts add to the fixed per-side bounds. */
struct plan_extra {
	size_t hosts, neighs, bridges;
};

static void plan_extra(const struct scenario *s, struct plan_extra *x)
{
	memset(x, 0, sizeof(*x));
	for (int c = 0; c < s->ncells; c++) {
		const struct cell_cond *cc = &s->cells[c].cond;
		int shared = cc->home == CELLCOND_HOME_SHARED;
		size_t h[2] = { 1 + cc->hosts_a + (size_t)shared,
				shared ? 1 : 1 + cc->hosts_b };

		for (int k = 0; k < 2; k++) {
			if (h[k] < 2)
				continue;
			x->hosts += h[k] - 1;
			x->neighs += h[k] * (h[k] + 1);
			x->bridges++;
		}
	}
}

static int plan_alloc(struct plan *p, const struct scenario *s)
{
	size_t sides = 2 * (size_t)s->ncells;
	struct plan_extra x;

	plan_extra(s, &x);
	plan6_grow(s, &sides, &x.hosts, &x.neighs);
	p->cells = calloc(s->ncells ? s->ncells : 1, sizeof(*p->cells));
	p->ns = calloc(CORE_NS + SIDE_NS * sides + x.hosts, sizeof(*p->ns));
	p->veths = calloc(CORE_VETHS + SIDE_VETHS * sides + x.hosts,
			  sizeof(*p->veths));
	p->addrs = calloc(CORE_ADDRS + SIDE_ADDRS * sides + x.hosts,
			  sizeof(*p->addrs));
	p->routes = calloc(CORE_ROUTES + SIDE_ROUTES * sides + x.hosts,
			   sizeof(*p->routes));
	p->nats = calloc(SIDE_NATS * sides + 1, sizeof(*p->nats));
	p->neighs = calloc(CORE_NEIGHS + SIDE_NEIGHS * sides + x.neighs,
			   sizeof(*p->neighs));
	p->bridges = calloc(x.bridges + 1, sizeof(*p->bridges));
	if (!p->cells || !p->ns || !p->veths || !p->addrs || !p->routes ||
	    !p->nats || !p->neighs || !p->bridges)
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
	if (!p || plan_alloc(p, s) < 0)
		goto err;
	snprintf(p->rid, sizeof(p->rid), "%s", rid);
	snprintf(p->table, sizeof(p->table), "punchlab_%s", rid);
	p->ncells = s->ncells;
	p->inet = ns_add(p, "inet", 1);
	plan_step_addr(p, p->inet, "lo", PLAN_INET_GW, 32);
	p->charlie = ns_add(p, "charlie", 0);
	ifname(p, p->charlie_if, "ch");
	wan_attach(p, p->charlie, p->charlie_if, PLAN_COORD_ADDR);
	p->mallory = p->victim = -1;
	if (scenario_adv_any(s)) {
		char inet_if[PLAN_IFNAME];

		p->mallory = ns_add(p, "mallory", 0);
		ifname(p, inet_if, "ml");
		wan_attach(p, p->mallory, inet_if, PLAN_MALLORY_ADDR);
		p->victim = ns_add(p, "victim", 0);
		ifname(p, inet_if, "vi");
		wan_attach(p, p->victim, inet_if, PLAN_VICTIM_ADDR);
	}
	for (int c = 0; c < s->ncells; c++)
		for (int sd = 0; sd < 2; sd++)
			if ((e = side_plan(p, s, c, sd, err, err_cap)) < 0)
				goto err;
	plan6_build(p, s);
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
	free(p->bridges);
	free(p);
}

/* The step builders, for plans made elsewhere (netplan.c): the same
 * namespaces, links, MACs and neighbour entries as a cell's. */
int plan_step_ns(struct plan *p, const char *tag, int forward)
{
	return ns_add(p, tag, forward);
}

void plan_step_ifname(const struct plan *p, char *buf, const char *tag)
{
	ifname(p, buf, "%s", tag);
}

void plan_step_wan(struct plan *p, int h, const char *inet_if,
		   const char *addr)
{
	wan_attach(p, h, inet_if, addr);
}

void plan_step_carrier(struct plan *p, struct plan_side *sd, const char *tag)
{
	carrier_plan_tag(p, sd, tag);
}

void plan_step_lan(struct plan *p, const struct plan_side *sd,
		   const char *router_lan, int len)
{
	lan_single(p, sd, router_lan, len);
}

void plan_step_nat(struct plan *p, int ns, const struct nat_profile *prof,
		   const char *wan_addr, const char *lan_cidr)
{
	nat_add(p, ns, prof, wan_addr, lan_cidr, 0);
}
