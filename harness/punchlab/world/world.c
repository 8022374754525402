/* world: executes a plan — namespaces first, then veths, addresses,
 * routes and NAT rulesets, in the plan's order — registering each
 * namespace for cleanup before it is created; and shapes its links. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "linkcond.h"
#include "nat.h"
#include "netns.h"
#include "runid.h"
#include "shapespec.h"
#include "topo.h"
#include "world.h"

#define fail netbuild_fail

static int nat_load(struct world *w, const struct plan_nat *n, char *err,
		    size_t cap)
{
	const char *subs[] = { PLAN_CGN_ROUTER_WAN };
	struct nb_host *h = &w->hosts[n->ns];
	char *rules = malloc(NAT_RULESET_MAX), why[256] = "", nfterr[1024] = "";
	struct nat_ifaces ifc = { .table = w->table,
				  .wan = n->wan_if,
				  .lan = n->lan_if,
				  .wan_addr = n->wan_addr,
				  .lan_cidr = n->lan_cidr,
				  .subscribers = n->carrier ? subs : NULL,
				  .nsubscribers = n->carrier ? 1 : 0 };
	int e;

	if (!rules)
		return -ENOMEM;
	e = nat_render(n->profile, &ifc, rules, NAT_RULESET_MAX, why,
		       sizeof(why));
	if (e < 0)
		snprintf(err, cap, "profile %s: %s", n->profile->name,
			 why[0] ? why : strerror(-e));
	else if ((e = nat_apply(h->fd, rules, nfterr, sizeof(nfterr))) < 0)
		snprintf(err, cap, "loading NAT profile %s into %s: %s",
			 n->profile->name, h->ns, nfterr);
	free(rules);
	return e < 0 ? e : 0;
}

static int links_build(struct world *w, char *err, size_t cap)
{
	const struct plan *p = w->plan;
	int e;

	for (int i = 0; i < p->nbridges; i++) {
		const struct plan_bridge *b = &p->bridges[i];
		struct nb_host *h = &w->hosts[b->ns];

		if ((e = topo_bridge(h->fd, b->ifname, b->mac)) < 0 ||
		    (e = topo_link_up(h->fd, b->ifname)) < 0)
			return fail(err, cap, e, "bridge %s:%s", h->ns,
				    b->ifname);
	}
	for (int i = 0; i < p->nveths; i++) {
		const struct plan_veth *v = &p->veths[i];
		struct nb_host *a = &w->hosts[v->ns_a], *b = &w->hosts[v->ns_b];

		if ((e = topo_veth_p2p(a->fd, v->if_a, v->mac_a, b->fd,
				       v->if_b, v->mac_b)) < 0 ||
		    (v->master_a[0] &&
		     (e = topo_link_master(a->fd, v->if_a, v->master_a)) < 0) ||
		    (e = topo_link_up(a->fd, v->if_a)) < 0 ||
		    (e = topo_link_up(b->fd, v->if_b)) < 0)
			return fail(err, cap, e, "veth %s:%s <-> %s:%s", a->ns,
				    v->if_a, b->ns, v->if_b);
	}
	for (int i = 0; i < p->naddrs; i++) {
		const struct plan_addr *a = &p->addrs[i];

		if ((e = topo_addr(w->hosts[a->ns].fd, a->ifname, a->cidr)) <
		    0)
			return fail(err, cap, e, "address %s on %s:%s", a->cidr,
				    w->hosts[a->ns].ns, a->ifname);
	}
	for (int i = 0; i < p->nneighs; i++) {
		const struct plan_neigh *n = &p->neighs[i];

		if ((e = topo_neigh(w->hosts[n->ns].fd, n->ifname, n->addr,
				    n->mac)) < 0)
			return fail(err, cap, e, "neighbour %s on %s:%s",
				    n->addr, w->hosts[n->ns].ns, n->ifname);
	}
	for (int i = 0; i < p->nroutes; i++) {
		const struct plan_route *r = &p->routes[i];

		if ((e = topo_route(w->hosts[r->ns].fd, r->dst,
				    r->gw[0] ? r->gw : NULL, r->ifname,
				    r->onlink)) < 0)
			return fail(err, cap, e, "route to %s in %s", r->dst,
				    w->hosts[r->ns].ns);
	}
	return 0;
}

static int world_build(struct world *w, volatile sig_atomic_t *stop,
		       char *err, size_t cap)
{
	const struct plan *p = w->plan;
	int e;

	for (int i = 0; i < p->nns; i++) {
		if (stop && *stop)
			return fail(err, cap, EINTR, "building namespaces");
		e = netbuild_host(w->cu, w->rid, &w->hosts[i], p->ns[i].tag,
				  p->ns[i].forward, err, cap);
		if (e < 0)
			return e;
	}
	if ((e = links_build(w, err, cap)) < 0)
		return e;
	for (int i = 0; i < p->nnats; i++) {
		if (stop && *stop)
			return fail(err, cap, EINTR, "loading NAT rulesets");
		if ((e = nat_load(w, &p->nats[i], err, cap)) < 0)
			return e;
	}
	return 0;
}

static void world_views(struct world *w)
{
	const struct plan *p = w->plan;

	w->inet = &w->hosts[p->inet];
	w->charlie = &w->hosts[p->charlie];
	for (int c = 0; c < w->ncells; c++)
		for (int s = 0; s < 2; s++) {
			const struct plan_side *ps = &p->cells[c].side[s];
			struct world_side *ws = &w->cells[c].side[s];

			ws->p = ps;
			ws->router = &w->hosts[ps->router];
			ws->host = &w->hosts[ps->host];
			ws->carrier =
				ps->carrier >= 0 ? &w->hosts[ps->carrier] : NULL;
		}
}

struct world *world_new(const struct plan *p, volatile sig_atomic_t *stop,
			char *err, size_t err_cap)
{
	struct world *w;
	int e;

	w = calloc(1, sizeof(*w));
	if (!w)
		goto err_alloc;
	w->plan = p;
	w->rid = p->rid;
	w->table = p->table;
	w->ncells = p->ncells;
	w->hosts = calloc(p->nns, sizeof(*w->hosts));
	w->cells = calloc(p->ncells ? p->ncells : 1, sizeof(*w->cells));
	if (!w->hosts || !w->cells)
		goto err_arrays;
	for (int i = 0; i < p->nns; i++)
		w->hosts[i].fd = -1;
	world_views(w);
	w->cu = cleanup_new(p->rid);
	if (!w->cu) {
		snprintf(err, err_cap, "state directory %s/%s: %s",
			 RUNID_STATE_DIR, p->rid, strerror(errno));
		goto err_arrays;
	}
	e = world_build(w, stop, err, err_cap);
	if (e < 0) {
		world_free(w);
		errno = -e;
		return NULL;
	}
	return w;

err_arrays:
	free(w->hosts);
	free(w->cells);
	free(w);
err_alloc:
	if (!err[0])
		snprintf(err, err_cap, "%s", strerror(errno));
	return NULL;
}

static void world_close(struct world *w)
{
	for (int i = 0; i < w->plan->nns; i++)
		if (w->hosts[i].fd >= 0) {
			close(w->hosts[i].fd);
			w->hosts[i].fd = -1;
		}
}

/* Frees the memory; detach leaves the topology up (punchlab up). */
static void world_end(struct world *w, int detach)
{
	if (!w)
		return;
	world_close(w);
	if (detach)
		cleanup_detach(w->cu);
	else
		cleanup_free(w->cu);
	free(w->hosts);
	free(w->cells);
	free(w);
}

void world_free(struct world *w)
{
	world_end(w, 0);
}

void world_detach(struct world *w)
{
	world_end(w, 1);
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
	e = linkcond_apply_match(w->inet->fd, w->rid, iif, oif, q);
	if (e < 0)
		return fail(err, cap, e, "queue rule %s -> %s",
			    iif ? iif : "*", oif ? oif : "*");
	return 0;
}

static int shape_netem(struct world *w, int cell, int s,
		       const struct cell_cond *c, char *err, size_t cap)
{
	struct shape_spec sp;
	const char *inet_if = w->cells[cell].side[s].p->inet_if;
	char text[SHAPESPEC_TEXT_MAX], why[128];
	int e;

	snprintf(text, sizeof(text), "0:%.6f:%.6f:%.9f:%u", c->rtt_ms / 2,
		 c->jitter_ms, c->loss, c->rate_kbit);
	if (shapespec_parse(text, &sp, why, sizeof(why)) < 0) {
		snprintf(err, cap, "link condition %s: %s", text, why);
		return -EINVAL;
	}
	/* Same model as the queues: the link's inbound direction. */
	if ((e = linkcond_apply_netem(w->inet->fd, inet_if, &sp, 0, 0)) < 0)
		return fail(err, cap, e, "netem on %s", inet_if);
	return 0;
}

int world_shape(struct world *w, const struct scenario *s, char ***specs,
		int *method, char *err, size_t err_cap)
{
	const char *ch_if = w->plan->charlie_if, *link_if;
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
	/* Paths to charlie first: a packet is queued by the first rule it
	 * matches, so these must precede the links' general rules. */
	for (int c = 0; c < w->ncells && *method == LINKCOND_NFQUEUE; c++) {
		const struct cell_cond *cc = &s->cells[c].cond;

		for (int sd = 0; sd < 2 && e == 0; sd++) {
			double extra = sd ? cc->coord_delay_b_ms :
					    cc->coord_delay_a_ms;

			if (w->cells[c].side[sd].p->shared)
				continue; /* router a's link, shaped once */

			if (extra <= 0)
				continue;
			link_if = w->cells[c].side[sd].p->inet_if;
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
			if (w->cells[c].side[sd].p->shared)
				continue; /* router a's link, shaped once */
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
			link_if = w->cells[c].side[sd].p->inet_if;
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
