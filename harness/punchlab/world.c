/* world: builds a scenario's namespaces, links, addresses, routes and NAT
 * rulesets through the testbed library, registering each object for
 * cleanup before it is created. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "linkcond.h"
#include "nat.h"
#include "netns.h"
#include "topo.h"
#include "netbuild.h"
#include "world.h"

#define INET_GW NETBUILD_INET_GW

static const struct {
	const char *tag, *wan_fmt, *lan_prefix, *lan_router, *lan_host;
} world_sides[2] = {
	{ "alice", "198.51.100.%d", "10.0.1.0/24", "10.0.1.1", "10.0.1.2" },
	{ "bob", "203.0.113.%d", "10.0.2.0/24", "10.0.2.1", "10.0.2.2" },
};

#define fail netbuild_fail
#define ifname netbuild_ifname

/* Namespaces come up with IPv6 off (no DAD or router solicitations on
 * the wire), forwarding as asked, and loopback up. */
static int host_add(struct world *w, struct nb_host *h, const char *tag,
		    int forward, char *err, size_t cap)
{
	return netbuild_host(w->cu, w->rid, h, tag, forward, err, cap);
}

static int wan_attach(struct world *w, struct nb_host *h,
		      const char *inet_tag, const char *addr, char *err,
		      size_t cap)
{
	return netbuild_wan(w->rid, w->inet.fd, h, inet_tag, addr, err, cap);
}

#define CGN_CARRIER_LAN "100.64.0.1"
#define CGN_ROUTER_WAN "100.64.0.2"

static int nat_load(struct nb_host *h, const struct nat_profile *p,
		    const struct nat_ifaces *ifc, char *err, size_t cap)
{
	char *rules = malloc(NAT_RULESET_MAX), why[256] = "", nfterr[1024] = "";
	int e;

	if (!rules)
		return -ENOMEM;
	e = nat_render(p, ifc, rules, NAT_RULESET_MAX, why, sizeof(why));
	if (e < 0)
		snprintf(err, cap, "profile %s: %s", p->name,
			 why[0] ? why : strerror(-e));
	else if ((e = nat_apply(h->fd, rules, nfterr, sizeof(nfterr))) < 0)
		snprintf(err, cap, "loading NAT profile %s into %s: %s",
			 p->name, h->ns, nfterr);
	free(rules);
	return e < 0 ? e : 0;
}

/* NAT444: carrier namespace on the WAN, router behind it in 100.64/10. */
static int carrier_build(struct world *w, struct world_side *sd, int cell,
			 int s, char *err, size_t cap)
{
	const char *subs[] = { CGN_ROUTER_WAN };
	char tag[32], lan_if[16], wan_if[16];
	struct nat_ifaces ifc;
	int e;

	snprintf(tag, sizeof(tag), "c%d-c%c", cell, s ? 'b' : 'a');
	if ((e = host_add(w, &sd->carrier, tag, 1, err, cap)) < 0)
		return e;
	snprintf(tag, sizeof(tag), "%d%c", cell, s ? 'b' : 'a');
	if ((e = wan_attach(w, &sd->carrier, tag, sd->wan_addr, err, cap)) < 0)
		return e;
	ifname(lan_if, sizeof(lan_if), w->rid, "lan");
	ifname(wan_if, sizeof(wan_if), w->rid, "wan");
	if ((e = topo_veth(sd->carrier.fd, lan_if, sd->router.fd, wan_if)) < 0)
		return fail(err, cap, e, "carrier link in %s", sd->carrier.ns);
	if ((e = topo_link_up(sd->carrier.fd, lan_if)) < 0 ||
	    (e = topo_link_up(sd->router.fd, wan_if)) < 0 ||
	    (e = topo_addr(sd->carrier.fd, lan_if, CGN_CARRIER_LAN "/10")) <
		    0 ||
	    (e = topo_addr(sd->router.fd, wan_if, CGN_ROUTER_WAN "/10")) < 0 ||
	    (e = topo_route(sd->router.fd, "default", CGN_CARRIER_LAN, wan_if,
			    0)) < 0)
		return fail(err, cap, e, "carrier side of %s", sd->router.ns);
	ifc = (struct nat_ifaces){ .table = w->table,
				   .wan = wan_if,
				   .lan = lan_if,
				   .wan_addr = sd->wan_addr,
				   .lan_cidr = "100.64.0.0/10",
				   .subscribers = subs,
				   .nsubscribers = 1 };
	return nat_load(&sd->carrier, sd->carrier_profile, &ifc, err, cap);
}

static int side_build(struct world *w, int cell, int s,
		      const struct scenario_cell *sc, char *err, size_t cap)
{
	struct world_side *sd = &w->cells[cell].side[s];
	const struct nat_profile *p = s ? &sc->b : &sc->a;
	int has_carrier = s ? sc->b_has_carrier : sc->a_has_carrier;
	int routed = p->mapping == NAT_MAP_NONE;
	char tag[32], lan_if[16], eth_if[16], wan_if[16], cidr[32],
		router_lan[16];
	struct nat_ifaces ifc;
	int e;

	sd->profile = p;
	sd->carrier_profile = has_carrier ? (s ? &sc->b_carrier :
						 &sc->a_carrier) :
					    NULL;
	if (routed && has_carrier) {
		snprintf(err, cap,
			 "profile %s translates nothing (mapping none) and "
			 "cannot sit behind carrier %s",
			 p->name, sd->carrier_profile->name);
		return -EINVAL;
	}
	snprintf(sd->wan_addr, sizeof(sd->wan_addr), world_sides[s].wan_fmt,
		 cell + 1);
	if (routed) {
		/* Its own public /24 per home: inet must route to it. */
		unsigned char o2 = (unsigned char)(18 + (2 * cell + s) / 256),
			      o3 = (unsigned char)((2 * cell + s) % 256);

		snprintf(sd->lan_prefix, sizeof(sd->lan_prefix),
			 "198.%u.%u.0/24", o2, o3);
		snprintf(router_lan, sizeof(router_lan), "198.%u.%u.1", o2,
			 o3);
		snprintf(sd->lan_addr, sizeof(sd->lan_addr), "198.%u.%u.2", o2,
			 o3);
	} else {
		snprintf(sd->lan_prefix, sizeof(sd->lan_prefix), "%s",
			 world_sides[s].lan_prefix);
		snprintf(router_lan, sizeof(router_lan), "%s",
			 world_sides[s].lan_router);
		snprintf(sd->lan_addr, sizeof(sd->lan_addr), "%s",
			 world_sides[s].lan_host);
	}
	snprintf(tag, sizeof(tag), "c%d-r%c", cell, s ? 'b' : 'a');
	if ((e = host_add(w, &sd->router, tag, 1, err, cap)) < 0)
		return e;
	snprintf(tag, sizeof(tag), "c%d-%s", cell, world_sides[s].tag);
	if ((e = host_add(w, &sd->host, tag, 0, err, cap)) < 0)
		return e;
	if (has_carrier)
		e = carrier_build(w, sd, cell, s, err, cap);
	else {
		snprintf(tag, sizeof(tag), "%d%c", cell, s ? 'b' : 'a');
		e = wan_attach(w, &sd->router, tag, sd->wan_addr, err, cap);
	}
	if (e < 0)
		return e;

	ifname(lan_if, sizeof(lan_if), w->rid, "lan");
	ifname(eth_if, sizeof(eth_if), w->rid, "eth");
	ifname(wan_if, sizeof(wan_if), w->rid, "wan");
	if ((e = topo_veth(sd->router.fd, lan_if, sd->host.fd, eth_if)) < 0)
		return fail(err, cap, e, "LAN veth in %s", sd->router.ns);
	snprintf(cidr, sizeof(cidr), "%s/24", router_lan);
	if ((e = topo_link_up(sd->router.fd, lan_if)) < 0 ||
	    (e = topo_link_up(sd->host.fd, eth_if)) < 0 ||
	    (e = topo_addr(sd->router.fd, lan_if, cidr)) < 0)
		return fail(err, cap, e, "LAN side of %s", sd->router.ns);
	snprintf(cidr, sizeof(cidr), "%s/24", sd->lan_addr);
	if ((e = topo_addr(sd->host.fd, eth_if, cidr)) < 0 ||
	    (e = topo_route(sd->host.fd, "default", router_lan, eth_if, 0)) < 0)
		return fail(err, cap, e, "home host %s", sd->host.ns);
	if (routed) {
		snprintf(tag, sizeof(tag), "%d%c", cell, s ? 'b' : 'a');
		ifname(eth_if, sizeof(eth_if), w->rid, tag);
		if ((e = topo_route(w->inet.fd, sd->lan_prefix, sd->wan_addr,
				    eth_if, 0)) < 0)
			return fail(err, cap, e, "route to %s", sd->lan_prefix);
	}

	ifc = (struct nat_ifaces){ .table = w->table,
				   .wan = wan_if,
				   .lan = lan_if,
				   .wan_addr = has_carrier ? CGN_ROUTER_WAN :
							     sd->wan_addr,
				   .lan_cidr = sd->lan_prefix };
	return nat_load(&sd->router, p, &ifc, err, cap);
}

static int world_build(struct world *w, const struct scenario *s,
		       volatile sig_atomic_t *stop, char *err, size_t cap)
{
	char inet_if[16];
	int e;

	if ((e = host_add(w, &w->inet, "inet", 1, err, cap)) < 0)
		return e;
	ifname(inet_if, sizeof(inet_if), w->rid, "ch");
	if ((e = topo_addr(w->inet.fd, "lo", INET_GW "/32")) < 0)
		return fail(err, cap, e, "gateway address in %s", w->inet.ns);
	if ((e = host_add(w, &w->charlie, "charlie", 0, err, cap)) < 0)
		return e;
	if ((e = wan_attach(w, &w->charlie, "ch", WORLD_COORD_ADDR, err,
			    cap)) < 0)
		return e;
	for (int c = 0; c < w->ncells; c++) {
		for (int sd = 0; sd < 2; sd++) {
			if (stop && *stop)
				return fail(err, cap, EINTR, "building cell %d",
					    c);
			e = side_build(w, c, sd, &s->cells[c], err, cap);
			if (e < 0)
				return e;
		}
	}
	return 0;
}

static void host_init(struct nb_host *h)
{
	h->ns[0] = '\0';
	h->fd = -1;
}

#define WORLD_NEIGH_MAX "/proc/sys/net/ipv4/neigh/default/gc_thresh3"

int world_fits_host(const struct scenario *s, char *err, size_t err_cap)
{
	long need = 2, have; /* inet <-> charlie */
	FILE *f;
	int n;

	/* Per side: host <-> router and router <-> inet, plus router <->
	 * carrier when there is one. */
	for (int c = 0; c < s->ncells; c++)
		need += 8 + 2 * (s->cells[c].a_has_carrier +
				 s->cells[c].b_has_carrier);
	f = fopen(WORLD_NEIGH_MAX, "re");
	if (!f)
		return 0; /* cannot tell: let the build find out */
	n = fscanf(f, "%ld", &have);
	fclose(f);
	if (n != 1 || need <= have)
		return 0;
	snprintf(err, err_cap,
		 "%s: %d cells need %ld neighbour (ARP) entries, and the "
		 "kernel's table, shared by every namespace, holds %ld: "
		 "raise net.ipv4.neigh.default.gc_thresh3 (e.g. sysctl -w "
		 "net.ipv4.neigh.default.gc_thresh3=%ld) or split the "
		 "scenario",
		 s->path, s->ncells, need, have, (need + 1023) / 1024 * 2048);
	return -E2BIG;
}

struct world *world_new(const char *rid, const struct scenario *s,
			volatile sig_atomic_t *stop, char *err,
			size_t err_cap)
{
	struct world *w;
	int e;

	/* scenario_load refuses more; kept for structs built by hand. */
	if (s->ncells > SCENARIO_MAX_CELLS) {
		snprintf(err, err_cap, "%s: %d cells, at most %d fit the WAN",
			 s->path, s->ncells, SCENARIO_MAX_CELLS);
		errno = E2BIG;
		return NULL;
	}
	if ((e = world_fits_host(s, err, err_cap)) < 0) {
		errno = -e;
		return NULL;
	}
	w = calloc(1, sizeof(*w));
	if (!w)
		goto err_alloc;
	snprintf(w->rid, sizeof(w->rid), "%s", rid);
	snprintf(w->table, sizeof(w->table), "punchlab_%s", rid);
	host_init(&w->inet);
	host_init(&w->charlie);
	w->ncells = s->ncells;
	w->cells = calloc(s->ncells, sizeof(*w->cells));
	if (!w->cells)
		goto err_cells;
	for (int c = 0; c < w->ncells; c++)
		for (int sd = 0; sd < 2; sd++) {
			host_init(&w->cells[c].side[sd].router);
			host_init(&w->cells[c].side[sd].host);
			host_init(&w->cells[c].side[sd].carrier);
		}
	w->cu = cleanup_new(rid);
	if (!w->cu) {
		snprintf(err, err_cap, "state directory %s/%s: %s",
			 RUNID_STATE_DIR, rid, strerror(errno));
		goto err_cleanup;
	}
	e = world_build(w, s, stop, err, err_cap);
	if (e < 0) {
		world_free(w);
		errno = -e;
		return NULL;
	}
	return w;

err_cleanup:
	free(w->cells);
err_cells:
	free(w);
err_alloc:
	if (!err[0])
		snprintf(err, err_cap, "%s", strerror(errno));
	return NULL;
}

static void host_close(struct nb_host *h)
{
	if (h->fd >= 0)
		close(h->fd);
	h->fd = -1;
}

static void world_close(struct world *w)
{
	host_close(&w->inet);
	host_close(&w->charlie);
	for (int c = 0; c < w->ncells; c++)
		for (int sd = 0; sd < 2; sd++) {
			host_close(&w->cells[c].side[sd].router);
			host_close(&w->cells[c].side[sd].host);
			host_close(&w->cells[c].side[sd].carrier);
		}
}

void world_free(struct world *w)
{
	if (!w)
		return;
	world_close(w);
	cleanup_free(w->cu);
	free(w->cells);
	free(w);
}

void world_detach(struct world *w)
{
	if (!w)
		return;
	world_close(w);
	cleanup_detach(w->cu);
	free(w->cells);
	free(w);
}

/* One queue: its spec text goes to punch-shaper, its rule to inet. */
static int shape_queue(struct world *w, char ***specs, int *n, double delay,
		       const struct cell_cond *c, const char *iif,
		       const char *oif, char *err, size_t cap)
{
	char text[SHAPESPEC_TEXT_MAX], **grown;
	int e, q = *n + 1;

	snprintf(text, sizeof(text), "%d:%.6f:%.6f:%.9f:%u", q, delay,
		 c->jitter_ms, c->loss, c->rate_kbit);
	grown = realloc(*specs, (*n + 2) * sizeof(**specs));
	if (!grown)
		return -ENOMEM;
	*specs = grown;
	(*specs)[*n] = strdup(text);
	(*specs)[*n + 1] = NULL;
	if (!(*specs)[*n])
		return -ENOMEM;
	(*n)++;
	e = linkcond_apply_match(w->inet.fd, w->rid, iif, oif, q);
	if (e < 0)
		return fail(err, cap, e, "queue rule %s -> %s",
			    iif ? iif : "*", oif ? oif : "*");
	return 0;
}

static int shape_netem(struct world *w, int cell, int s,
		       const struct cell_cond *c, char *err, size_t cap)
{
	struct shape_spec sp;
	char text[SHAPESPEC_TEXT_MAX], why[128], inet_if[16], tag[16];
	int e;

	snprintf(text, sizeof(text), "0:%.6f:%.6f:%.9f:%u", c->rtt_ms / 2,
		 c->jitter_ms, c->loss, c->rate_kbit);
	if (shapespec_parse(text, &sp, why, sizeof(why)) < 0) {
		snprintf(err, cap, "link condition %s: %s", text, why);
		return -EINVAL;
	}
	snprintf(tag, sizeof(tag), "%d%c", cell, s ? 'b' : 'a');
	ifname(inet_if, sizeof(inet_if), w->rid, tag);
	/* Same model as the queues: the link's inbound direction. */
	if ((e = linkcond_apply_netem(w->inet.fd, inet_if, &sp, 0, 0)) < 0)
		return fail(err, cap, e, "netem on %s", inet_if);
	return 0;
}

int world_shape(struct world *w, const struct scenario *s, char ***specs,
		int *method, char *err, size_t err_cap)
{
	char ch_if[16], link_if[16], tag[16];
	int n = 0, e = 0, any = 0;

	*specs = NULL;
	*method = 0;
	for (int c = 0; c < w->ncells; c++)
		any |= cellcond_shaped(&s->cells[c].cond);
	if (!any)
		return 0;
	*method = linkcond_method();
	if (*method < 0)
		return fail(err, err_cap, *method, "link conditions");
	ifname(ch_if, sizeof(ch_if), w->rid, "ch");
	/* Paths to charlie first: a packet is queued by the first rule it
	 * matches, so these must precede the links' general rules. */
	for (int c = 0; c < w->ncells && *method == LINKCOND_NFQUEUE; c++) {
		const struct cell_cond *cc = &s->cells[c].cond;

		for (int sd = 0; sd < 2 && e == 0; sd++) {
			double extra = sd ? cc->coord_delay_b_ms :
					    cc->coord_delay_a_ms;

			if (extra <= 0)
				continue;
			snprintf(tag, sizeof(tag), "%d%c", c, sd ? 'b' : 'a');
			ifname(link_if, sizeof(link_if), w->rid, tag);
			e = shape_queue(w, specs, &n, cc->rtt_ms / 2 + extra,
					cc, ch_if, link_if, err, err_cap);
			if (e == 0)
				e = shape_queue(w, specs, &n, extra, cc,
						link_if, ch_if, err, err_cap);
		}
	}
	for (int c = 0; c < w->ncells && e == 0; c++) {
		const struct cell_cond *cc = &s->cells[c].cond;

		if (!cellcond_shaped(cc))
			continue;
		for (int sd = 0; sd < 2 && e == 0; sd++) {
			if (*method != LINKCOND_NFQUEUE) {
				if (cc->coord_delay_a_ms > 0 ||
				    cc->coord_delay_b_ms > 0) {
					snprintf(err, err_cap,
						 "coord_delay_*_ms needs the "
						 "NFQUEUE shaper");
					return -ENOTSUP;
				}
				e = shape_netem(w, c, sd, cc, err, err_cap);
				continue;
			}
			snprintf(tag, sizeof(tag), "%d%c", c, sd ? 'b' : 'a');
			ifname(link_if, sizeof(link_if), w->rid, tag);
			/* A packet crossing inet is queued once, by the first
			 * rule it matches; it leaves through exactly one WAN
			 * link, so shaping each link's inbound direction gives
			 * RTT(alice, bob) = rtt/2 + rtt/2. */
			e = shape_queue(w, specs, &n, cc->rtt_ms / 2, cc, NULL,
					link_if, err, err_cap);
		}
	}
	return e < 0 ? e : n;
}
