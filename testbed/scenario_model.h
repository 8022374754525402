/* scenario_model: a scenario as the parser leaves it — run settings and
 * one cell per NAT pair with its profiles, conditions and expectation. A
 * data model, no code: scenario.h reads files into it, the scenario
 * reader's parts (scenario_priv.h) fill it. */
#ifndef PUNCHLAB_SCENARIO_MODEL_H
#define PUNCHLAB_SCENARIO_MODEL_H

#include <stdint.h>

#include "cellcond.h"
#include "conddist.h"
#include "profile.h"
#include "scenario_netmodel.h"

/* The one cell limit: the parser, the plan and README.md use this
 * number. Addresses are not what bounds it (plan.c addresses cells 0-249
 * from the RFC 5737 /24s and the rest from 172.16.0.0/12); the machine's
 * memory, pid_max and file limit are, and world_fits_host checks them. */
#define SCENARIO_MAX_CELLS 4096

/* What runs in each home host (`node =`). */
enum scenario_node {
	SCENARIO_NODE_EMBEDDED,	/* the agent's own minimal Bitcoin node */
	SCENARIO_NODE_BITCOIND,	/* regtest bitcoind, bytes spliced */
	SCENARIO_NODE_BITCOIND_IMPORT, /* the punched socket handed over */
};

/* How the two homes learn each other's endpoint (`mode =`). */
enum scenario_mode {
	SCENARIO_MODE_RENDEZVOUS, /* charlie pairs two waiting peers */
	SCENARIO_MODE_HANDOFF,	  /* charlie's inbound slots are full: it
				   * hands a newcomer to a held peer */
	SCENARIO_MODE_OOB,	  /* no coordinator: a side channel */
	SCENARIO_MODE_ADVERTISED, /* bob keeps a light connection to charlie
				   * (advertised through it); alice seeks */
};

/* An outside puncher ([puncher NAME]): a program run from a command
 * template once the harness has learned the endpoints (cmdtmpl.h). */
#define SCENARIO_MAX_PUNCHERS 16
#define SCENARIO_PUNCHER_AGENT (-1) /* a side's puncher: the built-in agent */
#define SCENARIO_PUNCHER_CMD_MAX 200 /* a line is at most 199 bytes */

enum scenario_verify {
	SCENARIO_VERIFY_TOKEN,	   /* each stdout carries the other's token */
	SCENARIO_VERIFY_CONNTRACK, /* an assured flow in both routers */
};

struct scenario_puncher {
	char name[PROFILE_NAME_MAX];
	char command[SCENARIO_PUNCHER_CMD_MAX];
	enum scenario_verify verify;
	int line; /* of the [puncher] header */
};

/* An adversary cell's attack and defences (docs/adversaries.md section 1;
 * read by scenario_adversary.c). Each enum's names are in
 * scenario_adversary.h. */
enum cell_attack {
	CELL_ATTACK_NONE, CELL_ATTACK_REDIRECT, CELL_ATTACK_IMPERSONATE,
	CELL_ATTACK_WITHHOLD, CELL_ATTACK_DELAY, CELL_ATTACK_HIJACK,
	CELL_ATTACK_INJECT, CELL_ATTACK_FLOOD,
};
enum cell_victim {
	CELL_VICTIM_WAN, CELL_VICTIM_WAN_LISTEN, CELL_VICTIM_LAN,
	CELL_VICTIM_LOOPBACK, CELL_VICTIM_COORDINATOR,
};
enum cell_inject { CELL_INJECT_RST, CELL_INJECT_SYN };
enum cell_flood { CELL_FLOOD_SLOWLORIS, CELL_FLOOD_PAIRS };
/* expect_effect's comparison; NONE: not given */
enum cell_effect_op {
	CELL_EFFECT_NONE, CELL_EFFECT_GE, CELL_EFFECT_LE, CELL_EFFECT_EQ,
	CELL_EFFECT_LT, CELL_EFFECT_GT,
};
/* Where each key was written (the cell's or the matrix's line), 0: not
 * given; the checks that need the whole file name that line. */
enum cell_adv_key {
	CELL_ADV_ADVERSARY, CELL_ADV_VICTIM, CELL_ADV_ATTACK_DELAY,
	CELL_ADV_INJECT, CELL_ADV_INJECT_OFFSET, CELL_ADV_FLOOD,
	CELL_ADV_FLOOD_COUNT, CELL_ADV_TARGET_POLICY, CELL_ADV_PEER_AUTH,
	CELL_ADV_COORD_LIMITS, CELL_ADV_MAX_CLIENTS, CELL_ADV_EXPECT_EFFECT,
	CELL_ADV_START_JITTER, CELL_ADV_RST_GUARD, CELL_ADV_NKEYS
};
#define CELL_MAX_CLIENTS_DEFAULT 1024
#define CELL_START_JITTER_MAX_MS 5000

struct cell_adv {
	enum cell_attack attack;
	enum cell_victim victim;	/* redirect */
	uint32_t attack_delay_ms;	/* delay */
	enum cell_inject inject;	/* inject */
	int inject_offset_ms;		/* inject, -1000..1000 */
	enum cell_flood flood;		/* flood */
	int flood_count;		/* flood, 1..5000 */
	int target_policy, peer_auth, coord_limits; /* defences, 0/1 */
	int max_clients;		/* the cell's coordinator's cap */
	/* inject's defences: the agents' secret start jitter (0..5000 ms,
	 * needs peer_auth = secret) and both routers' RST guard (0/1) */
	int start_jitter_ms, rst_guard;
	enum cell_effect_op effect_op;
	double effect_value;
	char effect_text[32];		/* as written, e.g. ">= 0.9" */
	int line[CELL_ADV_NKEYS];
};

/* The comparison's mechanisms (`mechanisms =`, docs/alternatives.md
 * section 6), named by scenario_ladder.h's table. */
enum ladder_mech {
	LADDER_DIRECT, LADDER_PCP, LADDER_IPV6_DIRECT, LADDER_IPV6_PUNCH,
	LADDER_IPV4_PUNCH, LADDER_NMECH
};

struct cell_ladder {
	int n;				/* 0: not a ladder cell */
	unsigned char mech[LADDER_NMECH]; /* in the order a trial tries them */
	int line;			/* of the mechanisms key */
	/* expect_<mechanism>: that mechanism's success-rate range; text ""
	 * when not given. line: where it was written (0: not given). */
	double expect_min[LADDER_NMECH], expect_max[LADDER_NMECH];
	char expect_text[LADDER_NMECH][32];
	int expect_line[LADDER_NMECH];
};

struct scenario_cell {
	char name[64];		/* from [cell NAME] */
	struct nat_profile a, b; /* alice's and bob's routers */
	/* NAT444: the carrier NAT a router sits behind (its `behind` key) */
	struct nat_profile a_carrier, b_carrier;
	int a_has_carrier, b_has_carrier;
	double expect_min, expect_max; /* success-rate range, inclusive */
	char expect_text[64];	/* as written, e.g. ">= 0.95" */
	char reason[256];	/* one line: why this outcome is expected */
	int line;		/* line of the [cell] or [matrix] header */
	struct cell_cond cond;	/* link conditions, skew */
	unsigned params;	/* bit i: cellcond_params[i].name was set or swept,
				 * so results report it */
	/* Per key: a distribution drawn per trial (celldraw.h), or kind
	 * CONDDIST_FIXED when cond holds the value. For a distribution cond
	 * holds its median. */
	struct cond_dist dist[CELLCOND_NPARAMS];
	/* per side: index into scenario.punchers, or SCENARIO_PUNCHER_AGENT */
	int puncher[2];
	struct cell_adv adv; /* attack none: an honest cell */
	struct cell_ladder ladder; /* n 0: one punch per trial */
};

struct scenario {
	char path[512];
	char name[64]; /* file name without .ini */
	char description[256];
	int trials;	/* per cell */
	uint64_t seed;
	int parallel;	/* trials in flight per cell */
	int timeout_ms; /* per trial, from the punch start */
	/* A cell whose start error p90 (or shaper lateness mean) exceeds
	 * this is marked timing: degraded (harness/punchlab/results/
	 * timing.h); default 1 ms. */
	double timing_error_max_ms;
	int realtime; /* agents and shaper ask for SCHED_FIFO; default 1 */
	enum scenario_node node;
	enum scenario_mode mode;
	int star;	/* bitcoind: all homes stay up around a hub node at
			 * charlie; one punch per cell, then a block's spread */
	int natpmp;	/* bitcoind: alice's node maps its port itself
			 * (-natpmp=1), a node on charlie dials it; no punch */
	int npunchers;
	struct scenario_puncher punchers[SCENARIO_MAX_PUNCHERS];
	/* The CSV columns distributions draw from (conddist.h), each loaded
	 * once; SCENARIO_MAX_CSVS of them, freed by scenario_free. */
	struct conddist_csv *csvs;
	int ncsvs;
	int ncells;
	/* SCENARIO_MAX_CELLS of them from scenario_load (the untouched ones
	 * cost no memory), freed by scenario_free */
	struct scenario_cell *cells;
	/* A [network] scenario (scenario_netmodel.h): many nodes on one
	 * world, no cells. NULL otherwise; freed by scenario_free. */
	struct scenario_network *net;
};

#define SCENARIO_MAX_MATRICES 16
#define SCENARIO_MAX_CSVS 8 /* CSV columns one scenario draws from */
#define SCENARIO_MAX_LIST 32 /* values in one list key of a [matrix] */

#endif
