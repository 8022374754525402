/* world: executes a plan — namespaces first, then veths, addresses,
 * routes and NAT rulesets, in the plan's order — registering each
 * namespace for cleanup before it is created; and shapes its links. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "celldraw.h"
#include "cleanup.h"
#include "filter6.h"
#include "linkcond.h"
#include "nat.h"
#include "netns.h"
#include "rstguard.h"
#include "runid.h"
#include "shapeboard.h"
#include "shapespec.h"
#include "topo.h"
#include "world.h"
#include "world6.h"

#define fail netbuild_fail

/* Rulesets are rendered here and loaded NAT_BATCH at a time, each batch
 * in one nft child (nscall_each): a fork copies the fd table, which in a
 * world of 5,000 homes holds 10,000 namespace fds. */
#define NAT_BATCH 64

static int nat_render_one(struct world *w, const struct plan_nat *n,
			  char *rules, char *err, size_t cap)
{
	const char *subs[] = { PLAN_CGN_ROUTER_WAN };
	char why[256] = "";
	struct nat_ifaces ifc = { .table = w->table,
				  .wan = n->wan_if,
				  .lan = n->lan_if,
				  .wan_addr = n->wan_addr,
				  .lan_cidr = n->lan_cidr,
				  .subscribers = n->carrier ? subs : NULL,
				  .nsubscribers = n->carrier ? 1 : 0 };
	int e;

	e = nat_render(n->profile, &ifc, rules, NAT_RULESET_MAX, why,
		       sizeof(why));
	/* The IPv6 filter goes in the same load: both tables or neither. */
	if (e >= 0 && n->lan6[0]) {
		struct filter6_ifaces f6 = { .table = w->plan->table6,
					     .wan = n->wan_if,
					     .lan = n->lan_if,
					     .lan6 = n->lan6 };

		int at = e;

		e = filter6_render(n->profile, &f6, rules + at,
				   NAT_RULESET_MAX - (size_t)at, why,
				   sizeof(why));
		e = e < 0 ? e : at + e;
	}
	/* rst_guard: in the same load too */
	if (e >= 0 && n->rst_guard) {
		int at = e;

		e = rstguard_render(w->table, n->wan_if, rules + at,
				    NAT_RULESET_MAX - (size_t)at);
		e = e < 0 ? e : at + e;
	}
	if (e < 0)
		snprintf(err, cap, "profile %s: %s", n->profile->name,
			 why[0] ? why : strerror(-e));
	return e < 0 ? e : 0;
}

/* NAT rulesets from first on, at most NAT_BATCH. */
static int nat_load_batch(struct world *w, int first, int n, char *err,
			  size_t cap)
{
	const struct plan_nat *nats = &w->plan->nats[first];
	char *rules = malloc((size_t)n * NAT_RULESET_MAX),
	     nfterr[1024] = "";
	const char *texts[NAT_BATCH];
	int fds[NAT_BATCH], done = 0, e = 0;

	if (!rules)
		return -ENOMEM;
	for (int i = 0; i < n && e == 0; i++) {
		texts[i] = rules + (size_t)i * NAT_RULESET_MAX;
		fds[i] = w->hosts[nats[i].ns].fd;
		e = nat_render_one(w, &nats[i], rules + (size_t)i *
				   NAT_RULESET_MAX, err, cap);
	}
	if (e == 0 &&
	    (e = nat_apply_each(fds, texts, n, &done, nfterr,
				sizeof(nfterr))) < 0)
		snprintf(err, cap, "loading NAT profile %s into %s: %s",
			 nats[done < n ? done : n - 1].profile->name,
			 w->hosts[nats[done < n ? done : n - 1].ns].ns, nfterr);
	free(rules);
	return e;
}

/* The plan's steps of one kind grouped by namespace, in plan order within
 * each: items[first[ns] .. first[ns + 1]) index the plan's array (a
 * counting sort, so no step is looked for twice). */
struct byns {
	int *first, *items;
};

static int byns_build(struct byns *b, int nns, const void *arr, int n,
		      size_t elem, size_t ns_off)
{
	const char *base = arr;

	b->first = calloc((size_t)nns + 2, sizeof(int));
	b->items = malloc(((size_t)n + 1) * sizeof(int));
	if (!b->first || !b->items)
		return -ENOMEM;
	for (int i = 0; i < n; i++)
		b->first[*(const int *)(base + i * elem + ns_off) + 2]++;
	for (int k = 2; k < nns + 2; k++)
		b->first[k] += b->first[k - 1];
	/* first[ns + 1] is now where ns's items start; filling moves it to
	 * where ns + 1's start, which first[ns + 1] must say in the end. */
	for (int i = 0; i < n; i++)
		b->items[b->first[*(const int *)(base + i * elem + ns_off) +
				  1]++] = i;
	return 0;
}

static void byns_free(struct byns *b)
{
	free(b->first);
	free(b->items);
}

#define BYNS(b, ns, k) \
	for (int k##_ = (b)->first[ns], k; \
	     k##_ < (b)->first[(ns) + 1] && ((k = (b)->items[k##_]), 1); k##_++)

enum { BY_BRIDGE, BY_VETH_A, BY_VETH_B, BY_ADDR, BY_NEIGH, BY_ROUTE, BY_N };

/* First visit of a namespace: its bridges, and the
 * veths whose a end it holds (the b end is made in ns_b from here, by
 * fd), a ends joined to their bridges and set up. */
static int visit_links(struct world *w, struct topo_visit *v, int ns,
		       struct byns *by, char *err, size_t cap)
{
	const struct plan *p = w->plan;
	struct nb_host *h = &w->hosts[ns];
	int e;

	BYNS(&by[BY_BRIDGE], ns, i) {
		const struct plan_bridge *b = &p->bridges[i];

		if ((e = topo_v_bridge(v, b->ifname, b->mac)) < 0 ||
		    (e = topo_v_link_up_conf(v, b->ifname, h->forward)) < 0)
			return fail(err, cap, e, "bridge %s:%s", h->ns,
				    b->ifname);
	}
	BYNS(&by[BY_VETH_A], ns, i) {
		const struct plan_veth *pv = &p->veths[i];
		struct nb_host *b = &w->hosts[pv->ns_b];

		if ((e = topo_v_veth_p2p(v, pv->if_a, pv->mac_a, b->fd,
					 pv->if_b, pv->mac_b)) < 0 ||
		    (pv->master_a[0] &&
		     (e = topo_v_link_master(v, pv->if_a, pv->master_a)) <
			     0) ||
		    (e = topo_v_link_up_conf(v, pv->if_a, h->forward)) < 0)
			return fail(err, cap, e, "veth %s:%s <-> %s:%s", h->ns,
				    pv->if_a, b->ns, pv->if_b);
	}
	return 0;
}

/* Second visit, once every link exists: b ends up, then addresses,
 * neighbours and routes, each kind in plan order. */
static int visit_addressing(struct world *w, struct topo_visit *v, int ns,
			    struct byns *by, char *err, size_t cap)
{
	const struct plan *p = w->plan;
	const char *name = w->hosts[ns].ns;
	int e;

	BYNS(&by[BY_VETH_B], ns, i) {
		const struct plan_veth *pv = &p->veths[i];

		if ((e = topo_v_link_up_conf(v, pv->if_b,
					       w->hosts[ns].forward)) < 0)
			return fail(err, cap, e, "veth %s:%s <-> %s:%s",
				    w->hosts[pv->ns_a].ns, pv->if_a, name,
				    pv->if_b);
	}
	BYNS(&by[BY_ADDR], ns, i) {
		const struct plan_addr *a = &p->addrs[i];

		if ((e = topo_v_addr(v, a->ifname, a->cidr)) < 0)
			return fail(err, cap, e, "address %s on %s:%s", a->cidr,
				    name, a->ifname);
	}
	BYNS(&by[BY_NEIGH], ns, i) {
		const struct plan_neigh *n = &p->neighs[i];

		if ((e = topo_v_neigh(v, n->ifname, n->addr, n->mac)) < 0)
			return fail(err, cap, e, "neighbour %s on %s:%s",
				    n->addr, name, n->ifname);
	}
	BYNS(&by[BY_ROUTE], ns, i) {
		const struct plan_route *r = &p->routes[i];

		if ((e = topo_v_route(v, r->dst, r->gw[0] ? r->gw : NULL,
				      r->ifname, r->onlink)) < 0)
			return fail(err, cap, e, "route to %s in %s", r->dst,
				    name);
	}
	return 0;
}

typedef int (*visit_fn)(struct world *w, struct topo_visit *v, int ns,
			struct byns *by, char *err, size_t cap);

/* One visit per namespace, fn's steps inside it. */
static int visit_all(struct world *w, visit_fn fn, struct byns *by,
		     volatile sig_atomic_t *stop, char *err, size_t cap)
{
	struct topo_visit v;
	int e, back;

	for (int ns = 0; ns < w->plan->nns; ns++) {
		if (stop && *stop)
			return fail(err, cap, EINTR, "building links");
		if ((e = topo_enter(&v, w->hosts[ns].fd)) < 0)
			return fail(err, cap, e, "entering %s",
				    w->hosts[ns].ns);
		e = fn(w, &v, ns, by, err, cap);
		back = topo_leave(&v);
		if (e < 0)
			return e;
		if (back < 0)
			return fail(err, cap, back, "leaving %s",
				    w->hosts[ns].ns);
	}
	return 0;
}

#define BY(kind, arr, n, field)                                          \
	byns_build(&by[kind], p->nns, p->arr, p->n, sizeof(*p->arr),     \
		   offsetof(__typeof__(*p->arr), field))

static int links_build(struct world *w, volatile sig_atomic_t *stop,
		       char *err, size_t cap)
{
	const struct plan *p = w->plan;
	struct byns by[BY_N] = { 0 };
	int e;

	if ((e = BY(BY_BRIDGE, bridges, nbridges, ns)) < 0 ||
	    (e = BY(BY_VETH_A, veths, nveths, ns_a)) < 0 ||
	    (e = BY(BY_VETH_B, veths, nveths, ns_b)) < 0 ||
	    (e = BY(BY_ADDR, addrs, naddrs, ns)) < 0 ||
	    (e = BY(BY_NEIGH, neighs, nneighs, ns)) < 0 ||
	    (e = BY(BY_ROUTE, routes, nroutes, ns)) < 0)
		e = fail(err, cap, e, "grouping the plan's steps");
	else if ((e = visit_all(w, visit_links, by, stop, err, cap)) == 0)
		e = visit_all(w, visit_addressing, by, stop, err, cap);
	for (int k = 0; k < BY_N; k++)
		byns_free(&by[k]);
	return e;
}

static int world_build(struct world *w, volatile sig_atomic_t *stop,
		       char *err, size_t cap)
{
	const struct plan *p = w->plan;
	int e;

	for (int i = 0; i < p->nns; i++) {
		if (stop && *stop)
			return fail(err, cap, EINTR, "building namespaces");
		/* No sysctl: the first /proc/sys lookup in a namespace
		 * walks a hash chain holding that dentry of every namespace
		 * alive, so namespace k paid k compares (2,000 homes: 57 s,
		 * then 32 s with one /proc/sys/net open per namespace, at
		 * load 5). Each link now carries its settings (nlreq.c). */
		e = netbuild_host(w->cu, w->rid, &w->hosts[i], p->ns[i].tag,
				  p->ns[i].forward, err, cap);
		if (e < 0 || (e = world6_sysctls(p->ns[i].v6, &w->hosts[i], err,
						  cap)) < 0)
			return e;
	}
	if ((e = links_build(w, stop, err, cap)) < 0)
		return e;
	for (int i = 0; i < p->nnats; i += NAT_BATCH) {
		if (stop && *stop)
			return fail(err, cap, EINTR, "loading NAT rulesets");
		e = nat_load_batch(w, i,
				   p->nnats - i < NAT_BATCH ? p->nnats - i :
							      NAT_BATCH,
				   err, cap);
		if (e < 0)
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
	/* A dual-stack world's IPv6 packets take the same path and queue. */
	if (e >= 0 && w->plan->table6[0])
		e = linkcond_apply_match6(w->inet->fd, w->rid, iif, oif, q);
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
