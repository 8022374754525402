/* advsetting: the cell model's adversary fields (scenario_model.h) as
 * the results use them. The only results file that reads struct
 * cell_adv; the names are docs/adversaries.md section 1's. */
#include <jansson.h>
#include <string.h>

#include "advsetting.h"
#include "scenario_adversary.h"

static json_t *setting(const struct cell_adv *a)
{
	switch (a->attack) {
	case CELL_ATTACK_REDIRECT:
		return json_pack("{s:s}", "victim",
				 scenario_adv_victims[a->victim]);
	case CELL_ATTACK_DELAY:
		return json_pack("{s:I}", "attack_delay_ms",
				 (json_int_t)a->attack_delay_ms);
	case CELL_ATTACK_INJECT:
		return json_pack("{s:s, s:i}", "inject",
				 a->inject == CELL_INJECT_SYN ? "syn" : "rst",
				 "inject_offset_ms", a->inject_offset_ms);
	case CELL_ATTACK_FLOOD:
		return json_pack("{s:s, s:I}", "flood",
				 a->flood == CELL_FLOOD_PAIRS ? "pairs"
							     : "slowloris",
				 "flood_count", (json_int_t)a->flood_count);
	default:
		return json_object();
	}
}

int advsetting_read(const struct scenario_cell *c, struct advsetting *out)
{
	const struct cell_adv *a = &c->adv;

	memset(out, 0, sizeof(*out));
	if (a->attack == CELL_ATTACK_NONE)
		return 0;
	out->attack = scenario_adv_attacks[a->attack];
	out->target_policy = a->target_policy;
	out->peer_auth = a->peer_auth;
	out->coord_limits = a->coord_limits;
	out->start_jitter_ms = a->peer_auth ? a->start_jitter_ms : 0;
	out->rst_guard = a->rst_guard;
	out->expect =
		a->effect_op == CELL_EFFECT_NONE ? "" : a->effect_text;
	out->setting = setting(a);
	return 1;
}
