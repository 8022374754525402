/* scenario_adversary: the attack and defence keys of a cell or matrix,
 * and the refusals of docs/adversaries.md section 1. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario_adversary.h"
#include "scenario_priv.h"
#include "scenario_value.h"

const char *const scenario_adv_attacks[] = {
	[CELL_ATTACK_NONE] = "none",
	[CELL_ATTACK_REDIRECT] = "redirect",
	[CELL_ATTACK_IMPERSONATE] = "impersonate",
	[CELL_ATTACK_WITHHOLD] = "withhold",
	[CELL_ATTACK_DELAY] = "delay",
	[CELL_ATTACK_HIJACK] = "hijack",
	[CELL_ATTACK_INJECT] = "inject",
	[CELL_ATTACK_FLOOD] = "flood",
	NULL,
};
const char *const scenario_adv_victims[] = {
	[CELL_VICTIM_WAN] = "wan",
	[CELL_VICTIM_WAN_LISTEN] = "wan-listen",
	[CELL_VICTIM_LAN] = "lan",
	[CELL_VICTIM_LOOPBACK] = "loopback",
	[CELL_VICTIM_COORDINATOR] = "coordinator",
	NULL,
};
const char *const scenario_adv_injects[] = {
	[CELL_INJECT_RST] = "rst", [CELL_INJECT_SYN] = "syn", NULL,
};
const char *const scenario_adv_floods[] = {
	[CELL_FLOOD_SLOWLORIS] = "slowloris", [CELL_FLOOD_PAIRS] = "pairs",
	NULL,
};
const char *const scenario_adv_effect_ops[] = {
	[CELL_EFFECT_NONE] = "", [CELL_EFFECT_GE] = ">=",
	[CELL_EFFECT_LE] = "<=", [CELL_EFFECT_EQ] = "==",
	[CELL_EFFECT_LT] = "<",	 [CELL_EFFECT_GT] = ">",
	NULL,
};

static const char *const adv_keys[CELL_ADV_NKEYS] = {
	[CELL_ADV_ADVERSARY] = "adversary",
	[CELL_ADV_VICTIM] = "victim",
	[CELL_ADV_ATTACK_DELAY] = "attack_delay_ms",
	[CELL_ADV_INJECT] = "inject",
	[CELL_ADV_INJECT_OFFSET] = "inject_offset_ms",
	[CELL_ADV_FLOOD] = "flood",
	[CELL_ADV_FLOOD_COUNT] = "flood_count",
	[CELL_ADV_TARGET_POLICY] = "target_policy",
	[CELL_ADV_PEER_AUTH] = "peer_auth",
	[CELL_ADV_COORD_LIMITS] = "coord_limits",
	[CELL_ADV_MAX_CLIENTS] = "max_clients",
	[CELL_ADV_EXPECT_EFFECT] = "expect_effect",
	[CELL_ADV_START_JITTER] = "start_jitter_ms",
	[CELL_ADV_RST_GUARD] = "rst_guard",
};

static const char *const adv_offon[] = { "off", "on", NULL };
static const char *const adv_auth[] = { "off", "secret", NULL };

void scenario_adv_init(struct cell_adv *a)
{
	memset(a, 0, sizeof(*a));
	a->attack_delay_ms = UINT32_MAX;
	a->flood_count = 1100;
	a->max_clients = CELL_MAX_CLIENTS_DEFAULT;
}

/* "OP NUMBER": a comparison and a finite number (the effect's unit is
 * the attack's; a rate, ms or SYNs, so no range here). */
static int adv_effect(struct cell_adv *a, const char *v, struct cfg_error *err)
{
	const char *p = v;
	char *end;
	int op = 0;

	for (int i = 1; scenario_adv_effect_ops[i]; i++) {
		size_t n = strlen(scenario_adv_effect_ops[i]);

		/* ">=" before ">": the longer operator wins */
		if (!strncmp(p, scenario_adv_effect_ops[i], n) &&
		    (!op || n > strlen(scenario_adv_effect_ops[op])))
			op = i;
	}
	if (op)
		p += strlen(scenario_adv_effect_ops[op]);
	while (*p == ' ' || *p == '\t')
		p++;
	if (strlen(v) >= sizeof(a->effect_text)) {
		snprintf(err->msg, sizeof(err->msg),
			 "'%.40s...' is longer than %zu characters", v,
			 sizeof(a->effect_text) - 1);
		return -1;
	}
	/* decimal only: strtod would also read hex ("0x10" as 16), inf and
	 * nan */
	a->effect_value = strspn(p, "+-0123456789.eE") == strlen(p)
				  ? strtod(p, &end)
				  : (end = (char *)p, 0.0);
	if (!op || end == p || *end || !(a->effect_value > -1e300 &&
					  a->effect_value < 1e300)) {
		snprintf(err->msg, sizeof(err->msg),
			 "'%s' is not an expectation of the effect; write "
			 "\"OP NUMBER\" with OP one of >= <= == < > and a "
			 "decimal number",
			 v);
		return -1;
	}
	a->effect_op = (enum cell_effect_op)op;
	strcpy(a->effect_text, v);
	return 0;
}

static int adv_set(struct cell_adv *a, int k, const char *v,
		   struct cfg_error *err)
{
	long n = 0;
	int e = 0, x = 0;

	switch (k) {
	case CELL_ADV_ADVERSARY:
		e = scenario_choice(v, scenario_adv_attacks, &x, err);
		a->attack = (enum cell_attack)x;
		return e;
	case CELL_ADV_VICTIM:
		e = scenario_choice(v, scenario_adv_victims, &x, err);
		a->victim = (enum cell_victim)x;
		return e;
	case CELL_ADV_ATTACK_DELAY:
		e = cfg_int(v, 0, UINT32_MAX, &n, err);
		a->attack_delay_ms = (uint32_t)n;
		return e;
	case CELL_ADV_INJECT:
		e = scenario_choice(v, scenario_adv_injects, &x, err);
		a->inject = (enum cell_inject)x;
		return e;
	case CELL_ADV_INJECT_OFFSET:
		e = cfg_int(v, -1000, 1000, &n, err);
		a->inject_offset_ms = (int)n;
		return e;
	case CELL_ADV_FLOOD:
		e = scenario_choice(v, scenario_adv_floods, &x, err);
		a->flood = (enum cell_flood)x;
		return e;
	case CELL_ADV_FLOOD_COUNT:
		e = cfg_int(v, 1, 5000, &n, err);
		a->flood_count = (int)n;
		return e;
	case CELL_ADV_TARGET_POLICY:
		return scenario_choice(v, adv_offon, &a->target_policy, err);
	case CELL_ADV_PEER_AUTH:
		return scenario_choice(v, adv_auth, &a->peer_auth, err);
	case CELL_ADV_COORD_LIMITS:
		return scenario_choice(v, adv_offon, &a->coord_limits, err);
	case CELL_ADV_MAX_CLIENTS:
		e = cfg_int(v, 1, 65536, &n, err);
		a->max_clients = (int)n;
		return e;
	case CELL_ADV_START_JITTER:
		e = cfg_int(v, 0, CELL_START_JITTER_MAX_MS, &n, err);
		a->start_jitter_ms = (int)n;
		return e;
	case CELL_ADV_RST_GUARD:
		return scenario_choice(v, adv_offon, &a->rst_guard, err);
	default:
		return adv_effect(a, v, err);
	}
}

int scenario_adv_key(struct cell_adv *a, const char *key, const char *v,
		     int line, struct cfg_error *err)
{
	for (int k = 0; k < CELL_ADV_NKEYS; k++) {
		if (strcmp(key, adv_keys[k]))
			continue;
		if (adv_set(a, k, v, err) < 0)
			return -1;
		a->line[k] = line;
		return 0;
	}
	return 1;
}

/* Which attack each attack-specific key belongs to. */
static const struct {
	int key;
	enum cell_attack attack;
} adv_owned[] = {
	{ CELL_ADV_VICTIM, CELL_ATTACK_REDIRECT },
	{ CELL_ADV_ATTACK_DELAY, CELL_ATTACK_DELAY },
	{ CELL_ADV_INJECT, CELL_ATTACK_INJECT },
	{ CELL_ADV_INJECT_OFFSET, CELL_ATTACK_INJECT },
	{ CELL_ADV_FLOOD, CELL_ATTACK_FLOOD },
	{ CELL_ADV_FLOOD_COUNT, CELL_ATTACK_FLOOD },
};

/* Keys that only an attack gives meaning to: the coordinator's own
 * settings (only an adversary cell has a coordinator of its own) and the
 * effect (an honest cell has none). The agents' defences may run in any
 * cell: an honest cell measures what they cost. */
static const int adv_needs_attack[] = {
	CELL_ADV_COORD_LIMITS, CELL_ADV_MAX_CLIENTS, CELL_ADV_EXPECT_EFFECT,
};

int scenario_adv_check(const struct scenario_ctx *c,
		       const struct scenario_cell *cell, struct cfg_error *err)
{
	const struct cell_adv *a = &cell->adv;
	const struct scenario *s = c->s;
	const char *path = s->path;

	for (size_t i = 0; i < sizeof(adv_owned) / sizeof(*adv_owned); i++)
		if (a->line[adv_owned[i].key] && a->attack != adv_owned[i].attack)
			return cfg_fail(err, path, a->line[adv_owned[i].key],
					adv_keys[adv_owned[i].key],
					"belongs to adversary = %s, and [cell %s] "
					"runs %s; drop the key or change the "
					"attack",
					scenario_adv_attacks[adv_owned[i].attack],
					cell->name,
					scenario_adv_attacks[a->attack]);
	/* bitcoind's agents run through btctrials.c, which does not pass
	 * the defences on: refuse rather than ignore them */
	for (int k = CELL_ADV_TARGET_POLICY; k <= CELL_ADV_PEER_AUTH; k++)
		if (a->line[k] && (k == CELL_ADV_TARGET_POLICY ?
					   a->target_policy : a->peer_auth) &&
		    s->node != SCENARIO_NODE_EMBEDDED)
			return cfg_fail(err, path, a->line[k], adv_keys[k],
					"needs node = embedded (the built-in "
					"node's defence); [cell %s] runs "
					"another node",
					cell->name);
	/* the jitter is derived from the agents' shared secret: without one
	 * the coordinator could compute it too */
	if (a->line[CELL_ADV_START_JITTER] && !a->peer_auth)
		return cfg_fail(err, path, a->line[CELL_ADV_START_JITTER],
				adv_keys[CELL_ADV_START_JITTER],
				"needs peer_auth = secret in [cell %s] (the "
				"jitter is derived from the agents' shared "
				"secret, which the coordinator never has)",
				cell->name);
	if (a->attack == CELL_ATTACK_NONE) {
		for (size_t i = 0; i < sizeof(adv_needs_attack) /
					       sizeof(*adv_needs_attack); i++)
			if (a->line[adv_needs_attack[i]])
				return cfg_fail(err, path,
						a->line[adv_needs_attack[i]],
						adv_keys[adv_needs_attack[i]],
						"needs an adversary in [cell %s] "
						"(only an adversary cell has a "
						"coordinator and an effect of its "
						"own)",
						cell->name);
		return 0;
	}
	if (s->mode != SCENARIO_MODE_RENDEZVOUS)
		return cfg_fail(err, path, a->line[CELL_ADV_ADVERSARY],
				"adversary",
				"needs mode = rendezvous, the default (the "
				"attacks lie in or beside the rendezvous); "
				"[cell %s] runs another mode",
				cell->name);
	if (s->node != SCENARIO_NODE_EMBEDDED || s->star)
		return cfg_fail(err, path, a->line[CELL_ADV_ADVERSARY],
				"adversary",
				"needs node = embedded without star (the "
				"agents' defences and reports are the "
				"built-in node's); [cell %s] runs another",
				cell->name);
	/* the hijacker holds one connection per key (hijack.c) */
	if (a->attack == CELL_ATTACK_HIJACK &&
	    s->trials > SCENARIO_ADV_HIJACK_MAX_KEYS)
		return cfg_fail(err, path, a->line[CELL_ADV_ADVERSARY],
				"adversary",
				"hijack registers every trial's key at once: "
				"at most %d trials, the scenario has %d",
				SCENARIO_ADV_HIJACK_MAX_KEYS, s->trials);
	return 0;
}

int scenario_adv_any(const struct scenario *s)
{
	for (int i = 0; i < s->ncells; i++)
		if (s->cells[i].adv.attack != CELL_ATTACK_NONE)
			return 1;
	return 0;
}
