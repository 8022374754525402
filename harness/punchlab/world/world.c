/* world: executes a plan — namespaces first, then veths, addresses,
 * routes and NAT rulesets, in the plan's order — registering each
 * namespace for cleanup before it is created; and shapes its links. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "celldraw.h"
#include "cleanup.h"
#include "linkcond.h"
#include "nat.h"
#include "netns.h"
#include "runid.h"
#include "shapeboard.h"
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

int world_cell_queues(const struct world *w, int cell,
		      unsigned q[WORLD_CELL_QUEUES])
{
	const struct world_cell *wc = &w->cells[cell];
	const unsigned all[WORLD_CELL_QUEUES] = {
		wc->link_queue[0],     wc->link_queue[1],
		wc->coord_queue[0][0], wc->coord_queue[0][1],
		wc->coord_queue[1][0], wc->coord_queue[1][1],
	};
	int n = 0;

	for (int i = 0; i < WORLD_CELL_QUEUES; i++)
		if (all[i])
			q[n++] = all[i];
	return n;
}

/* One queue: its spec text goes to punch-shaper, its rule to inet. */
static int shape_queue(struct world *w, char ***specs, int *n, double delay,
		       const struct cell_cond *c, const char *iif,
		       const char *oif, unsigned *qnum, char *err, size_t cap)
{
	char text[SHAPESPEC_TEXT_MAX], **grown;
	int e, q = *n + 1;

	*qnum = (unsigned)q;
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

/* netem shapes a link's inbound direction with one fixed spec: no paths
 * to charlie of their own, no access delays, no per-trial draws. */
static int shape_netem(struct world *w, int cell, int s,
		       const struct scenario_cell *sc, char *err, size_t cap)
{
	const struct cell_cond *c = &sc->cond;
	struct shape_spec sp;
	const char *inet_if = w->cells[cell].side[s].p->inet_if;
	char text[SHAPESPEC_TEXT_MAX], why[128];
	int e;

	if (c->coord_delay_a_ms > 0 || c->coord_delay_b_ms > 0 ||
	    c->access_a_ms > 0 || c->access_b_ms > 0 ||
	    celldraw_shaper(sc)) {
		snprintf(err, cap,
			 "coord_delay_*_ms, access_*_ms and distributions "
			 "need the NFQUEUE shaper (cell %s)",
			 sc->name);
		return -ENOTSUP;
	}
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

/* A cell has queues to charlie when some trial delays that path. */
static int coord_paths(const struct scenario_cell *sc, int sd)
{
	return cellcond_to_coord_ms(&sc->cond, sd) > 0 || celldraw_shaper(sc);
}

int world_shape(struct world *w, const struct scenario *s, char ***specs,
		int *method, char *err, size_t err_cap)
{
	const char *ch_if = w->plan->charlie_if, *link_if;
	int n = 0, e = 0, any = 0;

	*specs = NULL;
	*method = 0;
	for (int c = 0; c < w->ncells; c++)
		any |= celldraw_shaped(&s->cells[c]);
	if (!any)
		return 0;
	*method = linkcond_method();
	if (*method < 0)
		return fail(err, err_cap, *method, "link conditions");
	/* Paths to charlie first: a packet is queued by the first rule it
	 * matches, so these must precede the links' general rules. */
	for (int c = 0; c < w->ncells && *method == LINKCOND_NFQUEUE; c++) {
		const struct cell_cond *cc = &s->cells[c].cond;
		struct world_cell *wc = &w->cells[c];

		for (int sd = 0; sd < 2 && e == 0; sd++) {
			if (w->cells[c].side[sd].p->shared)
				continue; /* router a's link, shaped once */
			if (!coord_paths(&s->cells[c], sd))
				continue;
			link_if = wc->side[sd].p->inet_if;
			e = shape_queue(w, specs, &n,
					cellcond_from_coord_ms(cc, sd), cc,
					ch_if, link_if, &wc->coord_queue[sd][0],
					err, err_cap);
			if (e == 0)
				e = shape_queue(w, specs, &n,
						cellcond_to_coord_ms(cc, sd),
						cc, link_if, ch_if,
						&wc->coord_queue[sd][1], err,
						err_cap);
		}
	}
	for (int c = 0; c < w->ncells && e == 0; c++) {
		const struct scenario_cell *sc = &s->cells[c];
		const struct cell_cond *cc = &sc->cond;

		if (!celldraw_shaped(sc))
			continue;
		for (int sd = 0; sd < 2 && e == 0; sd++) {
			if (w->cells[c].side[sd].p->shared)
				continue; /* router a's link, shaped once */
			if (*method != LINKCOND_NFQUEUE) {
				e = shape_netem(w, c, sd, sc, err, err_cap);
				continue;
			}
			link_if = w->cells[c].side[sd].p->inet_if;
			/* A packet crossing inet is queued once, by the first
			 * rule it matches; besides charlie's (above) only the
			 * peer's packets leave through this link, so this is
			 * the peer path: rtt/2 plus both access links. */
			e = shape_queue(w, specs, &n, cellcond_peer_ms(cc), cc,
					NULL, link_if,
					&w->cells[c].link_queue[sd], err,
					err_cap);
		}
	}
	return e < 0 ? e : n;
}

/* One queue's slot on the board: delay_ms and the trial's jitter and
 * loss, the delay cut to what the shaper can hold. */
static void board_set(struct shapeboard *b, unsigned q, double delay_ms,
		      const struct cell_cond *cc)
{
	if (!q)
		return;
	if (delay_ms > SHAPESPEC_MAX_DELAY_MS)
		delay_ms = SHAPESPEC_MAX_DELAY_MS;
	shapeboard_set(b, q, (int64_t)(delay_ms * 1e6),
		       (int64_t)(cc->jitter_ms * 1e6), cc->loss);
}

void world_shape_trial(struct world *w, struct shapeboard *b, int cell,
		       const struct cell_cond *cc)
{
	const struct world_cell *wc = &w->cells[cell];

	if (!b)
		return;
	for (int sd = 0; sd < 2; sd++) {
		board_set(b, wc->link_queue[sd], cellcond_peer_ms(cc), cc);
		board_set(b, wc->coord_queue[sd][0],
			  cellcond_from_coord_ms(cc, sd), cc);
		board_set(b, wc->coord_queue[sd][1],
			  cellcond_to_coord_ms(cc, sd), cc);
	}
}
