/* netplan: the world of a [network] scenario (docs/network.md section 2)
 * as a struct plan that world.c executes unchanged — inet; per reachable
 * node a WAN host; per home a host behind its own router (and carrier
 * for NAT444 profiles) — plus the nodes: ids, namespaces, addresses,
 * netgroups and profiles, drawn from the scenario's seed. Pure, like
 * plan.h: no syscall.
 *
 *   [h<i>] -- [h<i>r: NAT] (-- [h<i>c: CGN]) --+
 *                                               [inet] -- [r<j>] 172.16/12
 *   node ids: reachable j = j, home i = R + i   |
 *
 * WAN addresses: netgroup g is 172.(16 + g/256).(g%256).0/24; each node's
 * group is a seeded draw, its address the next free one (.1 up) in it; a
 * full group passes the node on to the next. plan->charlie is r0 (the
 * first coordinator), so world.c's views stay valid. */
#ifndef PUNCHLAB_NETPLAN_H
#define PUNCHLAB_NETPLAN_H

#include <stdio.h>

#include "plan.h"

#define NETPLAN_HOST_ADDR "10.0.0.2"
#define NETPLAN_ROUTER_LAN "10.0.0.1"
#define NETPLAN_LAN "10.0.0.0/24"

struct netplan_node {
	int id;
	int home;	     /* 1: a home node, 0: reachable */
	int index;	     /* i of h<i> or j of r<j> */
	int ns;		     /* the node's own namespace (plan index) */
	int router, carrier; /* plan indices; -1 for none */
	int netgroup;
	int profile;		  /* index into net->profiles; -1 reachable */
	int coordinator;	  /* runs punch-coordinator (j < C) */
	/* eclipse (docs/adversaries.md section 7): a lying coordinator
	 * (j < eclipse_coordinators), an attacker's node (j >= R - A) */
	int lies, attacker;
	char addr[PLAN_ADDR];	  /* where it listens / connects from */
	char wan_addr[PLAN_ADDR]; /* its public address */
};

struct netplan {
	struct plan *plan; /* what world_new executes */
	const struct scenario *s;
	int nnodes; /* R + N; nodes[id] */
	struct netplan_node *nodes;
};

/* The network world of s (s->net non-NULL) for run rid. NULL with errno
 * and a message in err. The plan borrows s's profiles: s outlives it. */
struct netplan *netplan_new(const struct scenario *s, const char *rid,
			    char *err, size_t err_cap);
void netplan_free(struct netplan *np);
/* The plan's steps (plan_print), one `node` line per node and one
 * `phase` line per phase. */
void netplan_print(const struct netplan *np, FILE *f);

#endif
