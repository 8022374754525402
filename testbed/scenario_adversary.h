/* scenario_adversary: a cell's attack and defence keys (docs/
 * adversaries.md section 1) into struct cell_adv (scenario_model.h), and
 * the checks that need the whole file: an attack's own keys only with
 * that attack, an attack only where the coordinator's rendezvous and the
 * built-in node run. The names and scenario_adv_any are for everyone
 * (plan, trials, results); the rest is the scenario reader's. */
#ifndef PUNCHLAB_SCENARIO_ADVERSARY_H
#define PUNCHLAB_SCENARIO_ADVERSARY_H

#include "cfg.h"
#include "scenario_model.h"

struct scenario_ctx;

/* NULL-terminated, indexed by the enums of scenario_model.h. */
/* punch-adversary's hijacker holds one connection per trial key
 * (harness/adversary/hijack.c HIJACK_MAX_KEYS) */
#define SCENARIO_ADV_HIJACK_MAX_KEYS 1000

extern const char *const scenario_adv_attacks[];
extern const char *const scenario_adv_victims[];
extern const char *const scenario_adv_injects[];
extern const char *const scenario_adv_floods[];
extern const char *const scenario_adv_effect_ops[]; /* [0] "" */

/* The defaults: no attack, victim wan, attack_delay_ms 2^32-1, inject
 * rst at offset 0, flood slowloris of 1100, defences off, max_clients
 * 1024, no expect_effect. */
void scenario_adv_init(struct cell_adv *a);
/* key = v, written at line, into *a. 1 when key is not one of these
 * (the caller goes on), 0 when taken, -1 with err->msg. */
int scenario_adv_key(struct cell_adv *a, const char *key, const char *v,
		     int line, struct cfg_error *err);
/* Once the file is read: the cell's keys against its attack and the
 * scenario's mode and node. 0 or -1 with err naming file:line:key. */
int scenario_adv_check(const struct scenario_ctx *c,
		       const struct scenario_cell *cell,
		       struct cfg_error *err);
/* 1 when any cell of s has an attack (the plan then adds mallory and
 * victim). */
int scenario_adv_any(const struct scenario *s);

#endif
