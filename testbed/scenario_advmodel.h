/* scenario_advmodel: a cell's adversary and defences as the parser leaves
 * them (docs/adversaries.md sections 1 and 6). A data model, no code: the
 * cell model (scenario_model.h) holds one, the results read it. A cell
 * without an adversary has attack ADV_NONE (the zeroed cell). */
#ifndef PUNCHLAB_SCENARIO_ADVMODEL_H
#define PUNCHLAB_SCENARIO_ADVMODEL_H

#include <stdint.h>

/* `adversary =`, in the contract's order. */
enum adv_attack {
	ADV_NONE,
	ADV_REDIRECT,
	ADV_IMPERSONATE,
	ADV_WITHHOLD,
	ADV_DELAY,
	ADV_HIJACK,
	ADV_INJECT,
	ADV_FLOOD,
};

/* `victim =`: whom a redirecting coordinator names. */
enum adv_victim {
	ADV_VICTIM_WAN,
	ADV_VICTIM_WAN_LISTEN,
	ADV_VICTIM_LAN,
	ADV_VICTIM_LOOPBACK,
	ADV_VICTIM_COORDINATOR,
};

enum adv_inject { ADV_INJECT_RST, ADV_INJECT_SYN };
enum adv_flood { ADV_FLOOD_SLOWLORIS, ADV_FLOOD_PAIRS };

/* `expect_effect = OP NUMBER`; ADV_OP_NONE: the key is absent. */
enum adv_op {
	ADV_OP_NONE,
	ADV_OP_GE,
	ADV_OP_LE,
	ADV_OP_EQ,
	ADV_OP_LT,
	ADV_OP_GT
};

struct adv_expect {
	enum adv_op op;
	double value;
	char text[32]; /* as written, e.g. "== 0"; "" when absent */
};

struct cell_adv {
	enum adv_attack attack;
	enum adv_victim victim;
	uint32_t attack_delay_ms;
	enum adv_inject inject;
	int inject_offset_ms;
	enum adv_flood flood;
	unsigned flood_count;
	int target_policy; /* 1: on */
	int peer_auth;	   /* 1: secret */
	int coord_limits;  /* 1: on */
	unsigned max_clients;
	struct adv_expect expect_effect;
};

#endif
