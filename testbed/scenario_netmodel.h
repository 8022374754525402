/* scenario_netmodel: a [network] section as the parser leaves it — many
 * nodes, homes and reachable ones, their profile mix and the phases run
 * on one world (docs/network.md section 1). A data model, no code. */
#ifndef PUNCHLAB_SCENARIO_NETMODEL_H
#define PUNCHLAB_SCENARIO_NETMODEL_H

#include "profile.h"

#define SCENARIO_NET_MAX_PROFILES 32 /* distinct profiles of a population */
/* off, then rendezvous, handoff, advertised x2 each (an eclipse runs
 * every punching mode once per sybil_mitigation value) */
#define SCENARIO_NET_MAX_PHASES 7
#define SCENARIO_NET_MAX_NODES 65536  /* homes + reachable */
#define SCENARIO_NET_MAX_GROUPS 4096  /* the /24s of 172.16.0.0/12 */
#define SCENARIO_NET_GROUP_HOSTS 254  /* .1 .. .254 of a /24 */
#define SCENARIO_NET_PORT 18444	      /* every reachable node listens here */
#define SCENARIO_NET_COORD_PORT 18445 /* punch-coordinator on the first C */

/* A phase's coordinator mode; OFF: no punching (the baseline). */
enum scenario_net_mode {
	SCENARIO_NET_OFF,
	SCENARIO_NET_RENDEZVOUS,
	SCENARIO_NET_HANDOFF,
	SCENARIO_NET_ADVERTISED,
};

enum scenario_net_sybil {
	SCENARIO_SYBIL_ON,
	SCENARIO_SYBIL_OFF,
	SCENARIO_SYBIL_BOTH,
};

/* One profile of the population, with its share of the homes (the
 * shares sum to 1; a profile listed twice is one entry). */
struct scenario_netprofile {
	struct nat_profile p;
	struct nat_profile carrier; /* NAT444: the profile's `behind` */
	int has_carrier;
	double share;
};

/* One phase: run one after another on the same world. name is what the
 * phase files and network.json call it ("advertised-mitigated"). */
struct scenario_netphase {
	char name[32];
	enum scenario_net_mode mode;
	int sybil_mitigation;
};

/* The network's adversary (docs/adversaries.md section 7). */
enum scenario_net_adversary {
	SCENARIO_NET_HONEST,
	SCENARIO_NET_ECLIPSE, /* lying coordinators pair homes with attackers */
};

struct scenario_network {
	int line; /* of the [network] header */
	int homes, reachable, coordinators;
	char population[256];	   /* as written */
	char population_path[512]; /* the CSV read, "" for an inline list */
	int nprofiles;
	struct scenario_netprofile profiles[SCENARIO_NET_MAX_PROFILES];
	int outbound_full, outbound_block, inbound_slots, punch_target;
	enum scenario_net_sybil sybil;
	int nphases;
	struct scenario_netphase phases[SCENARIO_NET_MAX_PHASES];
	int blocks, block_bytes, netgroups, settle_ms;
	int coordinator_mode_slots;
	/* eclipse: coordinators 0..eclipse_coordinators-1 lie; the last
	 * `attackers` reachable nodes are the attacker's (never
	 * coordinators). */
	enum scenario_net_adversary adversary;
	int eclipse_coordinators, attackers;
};

/* A [network] phase's mode as scenario files spell it: "off",
 * "rendezvous", "handoff", "advertised". */
const char *scenario_net_mode_name(enum scenario_net_mode m);

#endif
