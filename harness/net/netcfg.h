/* netcfg: the nodes file punchlab writes for punch-net (docs/network.md,
 * section 3), read with jansson into plain arrays. netcfg_free frees what
 * netcfg_load filled. */
#ifndef PUNCHLAB_NETCFG_H
#define PUNCHLAB_NETCFG_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

enum netcfg_kind { NETCFG_REACHABLE, NETCFG_HOME };
enum netcfg_mode { NETCFG_OFF, NETCFG_RENDEZVOUS, NETCFG_HANDOFF,
		   NETCFG_ADVERTISED };

struct netcfg_phase {
	char name[64];
	enum netcfg_mode mode;
	int sybil_mitigation;
};

struct netcfg_node {
	int id;
	enum netcfg_kind kind;
	char netns[64];
	struct in_addr addr;
	uint16_t port; /* reachable: listening port */
	int netgroup;
	int coordinator; /* 1: runs a coordinator at coord_addr:coord_port */
	int lies;	 /* eclipse: the coordinator pairs homes with attackers */
	int attacker;	 /* eclipse: the attacker's node (docs/adversaries.md) */
	struct in_addr coord_addr;
	uint16_t coord_port;
};

struct netcfg {
	char run_id[32];
	uint64_t seed;
	int outbound_full, outbound_block, inbound_slots, punch_target;
	int blocks, block_bytes, settle_ms;
	struct netcfg_phase *phases;
	int nphases;
	struct netcfg_node *nodes;
	int nnodes;
	int max_id;
};

/* 0, or -EINVAL/-ENOMEM with err naming file and key ("nodes[3].addr:
 * missing") and saying what is wrong. */
int netcfg_load(const char *path, struct netcfg *c, char *err, size_t errlen);
/* The phase named name, or -1. */
int netcfg_phase_find(const struct netcfg *c, const char *name);
const char *netcfg_mode_name(enum netcfg_mode m);
void netcfg_free(struct netcfg *c);

#endif
