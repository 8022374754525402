/* netplan: a [network] scenario's world — namespaces and links through
 * plan.c's step builders, addresses and profiles by seeded draws. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netplan.h"
#include "shapecalc.h"

/* Streams of the scenario's seed, one per draw, so adding a draw of one
 * kind leaves the others alone. */
enum { STREAM_NETGROUP = 0x6e67, STREAM_PROFILE = 0x7066 };

/* Upper bounds of one node's steps (a NAT444 home has the most). */
enum {
	NODE_NS = 3,
	NODE_VETHS = 3,
	NODE_ADDRS = 5,
	NODE_ROUTES = 7,
	NODE_NATS = 2,
	NODE_NEIGHS = 7
};

static int netplan_alloc(struct plan *p, size_t nodes)
{
	p->ns = calloc(1 + NODE_NS * nodes, sizeof(*p->ns));
	p->veths = calloc(NODE_VETHS * nodes, sizeof(*p->veths));
	p->addrs = calloc(1 + NODE_ADDRS * nodes, sizeof(*p->addrs));
	p->routes = calloc(NODE_ROUTES * nodes, sizeof(*p->routes));
	p->nats = calloc(NODE_NATS * nodes, sizeof(*p->nats));
	p->neighs = calloc(NODE_NEIGHS * nodes, sizeof(*p->neighs));
	p->bridges = calloc(1, sizeof(*p->bridges));
	return p->ns && p->veths && p->addrs && p->routes && p->nats &&
			       p->neighs && p->bridges
		       ? 0
		       : -ENOMEM;
}

/* Each node's /24 group and address in it, in id order. */
static int netplan_addresses(struct netplan *np)
{
	const struct scenario_network *n = np->s->net;
	int *used = calloc(n->netgroups, sizeof(*used));
	struct shapecalc_rng rng;

	if (!used)
		return -ENOMEM;
	shapecalc_rng_seed(&rng, np->s->seed, STREAM_NETGROUP);
	for (int id = 0; id < np->nnodes; id++) {
		struct netplan_node *nd = &np->nodes[id];
		int g = (int)(shapecalc_rng_next(&rng) %
			      (uint64_t)n->netgroups);

		/* the parser made sure all nodes fit */
		while (used[g] == SCENARIO_NET_GROUP_HOSTS)
			g = (g + 1) % n->netgroups;
		unsigned a = (16u + (unsigned)g / 256) & 255,
			 b = (unsigned)g & 255, h = (unsigned)++used[g] & 255;

		nd->netgroup = g;
		snprintf(nd->wan_addr, sizeof(nd->wan_addr), "172.%u.%u.%u", a,
			 b, h);
	}
	free(used);
	return 0;
}

/* Home i's profile: a draw over the population's shares. */
static int draw_profile(const struct scenario_network *n,
			struct shapecalc_rng *rng)
{
	double u = shapecalc_rng_unit(rng), acc = 0;

	for (int k = 0; k < n->nprofiles; k++) {
		acc += n->profiles[k].share;
		if (u < acc)
			return k;
	}
	return n->nprofiles - 1; /* rounding: the shares sum to ~1 */
}

static void reachable_plan(struct netplan *np, struct netplan_node *nd)
{
	struct plan *p = np->plan;
	char tag[32], inet_if[PLAN_IFNAME];

	snprintf(tag, sizeof(tag), "r%d", nd->index);
	nd->ns = plan_step_ns(p, tag, 0);
	nd->router = nd->carrier = -1;
	nd->profile = -1;
	nd->coordinator = nd->index < np->s->net->coordinators;
	if (np->s->net->adversary == SCENARIO_NET_ECLIPSE) {
		nd->lies = nd->coordinator &&
			   nd->index < np->s->net->eclipse_coordinators;
		nd->attacker =
			nd->index >= np->s->net->reachable - np->s->net->attackers;
	}
	snprintf(nd->addr, sizeof(nd->addr), "%s", nd->wan_addr);
	plan_step_ifname(p, inet_if, tag);
	plan_step_wan(p, nd->ns, inet_if, nd->wan_addr);
	if (nd->index == 0) {
		p->charlie = nd->ns;
		snprintf(p->charlie_if, sizeof(p->charlie_if), "%s", inet_if);
	}
}

/* A home: router h<i>r, host h<i>, and for NAT444 carrier h<i>c, like a
 * cell's side with a network's names. */
static void home_plan(struct netplan *np, struct netplan_node *nd)
{
	const struct scenario_netprofile *pr =
		&np->s->net->profiles[nd->profile];
	struct plan *p = np->plan;
	struct plan_side sd = {.carrier = -1};
	char tag[32];

	snprintf(tag, sizeof(tag), "h%dr", nd->index);
	sd.router = nd->router = plan_step_ns(p, tag, 1);
	snprintf(tag, sizeof(tag), "h%d", nd->index);
	sd.host = nd->ns = plan_step_ns(p, tag, 0);
	plan_step_ifname(p, sd.inet_if, tag);
	snprintf(sd.wan_addr, sizeof(sd.wan_addr), "%s", nd->wan_addr);
	snprintf(sd.lan_addr, sizeof(sd.lan_addr), NETPLAN_HOST_ADDR);
	snprintf(nd->addr, sizeof(nd->addr), NETPLAN_HOST_ADDR);
	sd.profile = &pr->p;
	sd.carrier_profile = pr->has_carrier ? &pr->carrier : NULL;
	if (pr->has_carrier) {
		snprintf(tag, sizeof(tag), "h%dc", nd->index);
		plan_step_carrier(p, &sd, tag);
	} else {
		plan_step_wan(p, sd.router, sd.inet_if, sd.wan_addr);
	}
	nd->carrier = sd.carrier;
	plan_step_lan(p, &sd, NETPLAN_ROUTER_LAN, 24);
	plan_step_nat(p, sd.router, &pr->p,
		      pr->has_carrier ? PLAN_CGN_ROUTER_WAN : sd.wan_addr,
		      NETPLAN_LAN);
}

struct netplan *netplan_new(const struct scenario *s, const char *rid,
			    char *err, size_t err_cap)
{
	const struct scenario_network *n = s->net;
	struct netplan *np = calloc(1, sizeof(*np));
	struct shapecalc_rng rng;
	struct plan *p;

	if (!np)
		goto err;
	np->s = s;
	np->nnodes = n->reachable + n->homes;
	np->nodes = calloc(np->nnodes, sizeof(*np->nodes));
	np->plan = p = calloc(1, sizeof(*p));
	if (!np->nodes || !p || netplan_alloc(p, np->nnodes) < 0 ||
	    netplan_addresses(np) < 0)
		goto err;
	snprintf(p->rid, sizeof(p->rid), "%s", rid);
	snprintf(p->table, sizeof(p->table), "punchlab_%s", rid);
	p->mallory = p->victim = -1; /* no adversary cells in a network */
	p->inet = plan_step_ns(p, "inet", 1);
	plan_step_addr(p, p->inet, "lo", PLAN_INET_GW, 32);
	shapecalc_rng_seed(&rng, s->seed, STREAM_PROFILE);
	for (int id = 0; id < np->nnodes; id++) {
		struct netplan_node *nd = &np->nodes[id];

		nd->id = id;
		nd->home = id >= n->reachable;
		nd->index = nd->home ? id - n->reachable : id;
		if (nd->home) {
			nd->profile = draw_profile(n, &rng);
			home_plan(np, nd);
		} else {
			reachable_plan(np, nd);
		}
	}
	return np;
err:
	snprintf(err, err_cap, "planning %s: %s", s->path, strerror(ENOMEM));
	netplan_free(np);
	errno = ENOMEM;
	return NULL;
}

void netplan_free(struct netplan *np)
{
	if (!np)
		return;
	plan_free(np->plan);
	free(np->nodes);
	free(np);
}

void netplan_print(const struct netplan *np, FILE *f)
{
	const struct scenario_network *n = np->s->net;
	const struct plan *p = np->plan;

	plan_print(p, f);
	for (int id = 0; id < np->nnodes; id++) {
		const struct netplan_node *nd = &np->nodes[id];

		if (!nd->home) {
			fprintf(f,
				"node %d reachable %s %s:%d netgroup %d%s%s\n",
				id, p->ns[nd->ns].tag, nd->addr,
				SCENARIO_NET_PORT, nd->netgroup,
				nd->coordinator ? " coordinator :18445" : "",
				nd->lies       ? " lies"
				: nd->attacker ? " attacker"
					       : "");
			continue;
		}
		fprintf(f,
			"node %d home %s %s router %s wan %s netgroup %d "
			"profile %s%s%s\n",
			id, p->ns[nd->ns].tag, nd->addr, p->ns[nd->router].tag,
			nd->wan_addr, nd->netgroup,
			n->profiles[nd->profile].p.name,
			nd->carrier >= 0 ? " carrier " : "",
			nd->carrier >= 0 ? p->ns[nd->carrier].tag : "");
	}
	for (int i = 0; i < n->nphases; i++)
		fprintf(f, "phase %s mode %s sybil_mitigation %s\n",
			n->phases[i].name,
			scenario_net_mode_name(n->phases[i].mode),
			n->phases[i].sybil_mitigation ? "on" : "off");
}
