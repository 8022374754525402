/* netnodes: nodes.json from the network plan, through jansson. */
#include <errno.h>

#include <jansson.h>

#include "netnodes.h"

static json_t *node_json(const struct netplan *np,
			 const struct netplan_node *nd)
{
	const struct scenario_network *n = np->s->net;
	const struct plan *p = np->plan;
	json_t *o;

	if (!nd->home) {
		/* "coordinator" only where one runs, as in the contract's
		 * example */
		o = json_pack("{s:i, s:s, s:s, s:s, s:i, s:i}", "id", nd->id,
			      "kind", "reachable", "netns", p->ns[nd->ns].name,
			      "addr", nd->addr, "port", SCENARIO_NET_PORT,
			      "netgroup", nd->netgroup);
		if (o && nd->coordinator)
			json_object_set_new(
				o, "coordinator",
				json_pack("{s:s, s:i}", "addr", nd->addr,
					  "port", SCENARIO_NET_COORD_PORT));
		/* Only in an eclipse run: honest runs' files stay as
		 * they were. */
		if (o && nd->lies)
			json_object_set_new(json_object_get(o, "coordinator"),
					    "lies", json_true());
		if (o && nd->attacker)
			json_object_set_new(o, "attacker", json_true());
		return o;
	}
	/* router_netns, carrier_netns: for the analysis and the tests'
	 * kernel checks; nodes never read them. */
	o = json_pack("{s:i, s:s, s:s, s:s, s:s, s:i, s:s, s:s}", "id", nd->id,
		      "kind", "home", "netns", p->ns[nd->ns].name, "addr",
		      nd->addr, "wan_addr", nd->wan_addr, "netgroup",
		      nd->netgroup, "profile", n->profiles[nd->profile].p.name,
		      "router_netns", p->ns[nd->router].name);
	if (o && nd->carrier >= 0)
		json_object_set_new(o, "carrier_netns",
				    json_string(p->ns[nd->carrier].name));
	return o;
}

static json_t *phases_json(const struct scenario_network *n,
			   const char *const *coord_mode)
{
	json_t *a = json_array();

	for (int i = 0; a && i < n->nphases; i++) {
		const struct scenario_netphase *ph = &n->phases[i];

		json_array_append_new(
			a, json_pack("{s:s, s:s, s:b, s:o}", "name", ph->name,
				     "mode", scenario_net_mode_name(ph->mode),
				     "sybil_mitigation", ph->sybil_mitigation,
				     "coordinator_mode",
				     coord_mode[i] ? json_string(coord_mode[i])
						   : json_null()));
	}
	return a;
}

int netnodes_write(const struct netplan *np, const char *const *coord_mode,
		   const char *path)
{
	const struct scenario_network *n = np->s->net;
	json_t *root, *nodes = json_array();
	int e = 0;

	for (int id = 0; nodes && id < np->nnodes && e == 0; id++)
		if (json_array_append_new(nodes,
					  node_json(np, &np->nodes[id])) < 0)
			e = -ENOMEM;
	root = json_pack(
		"{s:s, s:s, s:I, s:i, s:i, s:i, s:s, s:i, s:i, s:i, s:i, s:i, "
		"s:i, s:i, s:i, s:i, s:o, s:o}",
		"scenario", np->s->name, "run_id", np->plan->rid, "seed",
		(json_int_t)np->s->seed, "homes", n->homes, "reachable",
		n->reachable, "coordinators", n->coordinators, "population",
		n->population, "outbound_full", n->outbound_full,
		"outbound_block", n->outbound_block, "inbound_slots",
		n->inbound_slots, "punch_target", n->punch_target, "blocks",
		n->blocks, "block_bytes", n->block_bytes, "settle_ms",
		n->settle_ms, "netgroups", n->netgroups,
		"coordinator_mode_slots", n->coordinator_mode_slots, "phases",
		phases_json(n, coord_mode), "nodes", nodes);
	if (root && n->adversary == SCENARIO_NET_ECLIPSE)
		json_object_set_new(
			root, "adversary",
			json_pack("{s:s, s:i, s:i}", "attack", "eclipse",
				  "eclipse_coordinators",
				  n->eclipse_coordinators, "attackers",
				  n->attackers));
	if (!root || e < 0) {
		json_decref(root);
		return -ENOMEM;
	}
	if (json_dump_file(root, path, JSON_COMPACT) < 0)
		e = errno ? -errno : -EIO;
	json_decref(root);
	return e;
}
