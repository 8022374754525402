/* advcell: the cell model's adversary fields (scenario_advmodel.h) as
 * the results use them. The only results file that reads struct
 * cell_adv; the names are docs/adversaries.md section 1's. */
#include <jansson.h>
#include <string.h>

#include "advcell.h"

static const char *const attack_names[] = {
	[ADV_NONE] = "none",
	[ADV_REDIRECT] = "redirect",
	[ADV_IMPERSONATE] = "impersonate",
	[ADV_WITHHOLD] = "withhold",
	[ADV_DELAY] = "delay",
	[ADV_HIJACK] = "hijack",
	[ADV_INJECT] = "inject",
	[ADV_FLOOD] = "flood",
};
static const char *const victim_names[] = {
	[ADV_VICTIM_WAN] = "wan",
	[ADV_VICTIM_WAN_LISTEN] = "wan-listen",
	[ADV_VICTIM_LAN] = "lan",
	[ADV_VICTIM_LOOPBACK] = "loopback",
	[ADV_VICTIM_COORDINATOR] = "coordinator",
};

#define NAME(t, i)                                                             \
	((unsigned)(i) < sizeof(t) / sizeof((t)[0]) && (t)[i] ? (t)[i] : "?")

static json_t *setting(const struct cell_adv *a)
{
	switch (a->attack) {
	case ADV_REDIRECT:
		return json_pack("{s:s}", "victim",
				 NAME(victim_names, a->victim));
	case ADV_DELAY:
		return json_pack("{s:I}", "attack_delay_ms",
				 (json_int_t)a->attack_delay_ms);
	case ADV_INJECT:
		return json_pack("{s:s, s:i}", "inject",
				 a->inject == ADV_INJECT_SYN ? "syn" : "rst",
				 "inject_offset_ms", a->inject_offset_ms);
	case ADV_FLOOD:
		return json_pack("{s:s, s:I}", "flood",
				 a->flood == ADV_FLOOD_PAIRS ? "pairs"
							     : "slowloris",
				 "flood_count", (json_int_t)a->flood_count);
	default:
		return json_object();
	}
}

int advcell_read(const struct scenario_cell *c, struct advcell *out)
{
	const struct cell_adv *a = &c->adv;

	memset(out, 0, sizeof(*out));
	if (a->attack == ADV_NONE)
		return 0;
	out->attack = NAME(attack_names, a->attack);
	out->target_policy = a->target_policy;
	out->peer_auth = a->peer_auth;
	out->coord_limits = a->coord_limits;
	out->expect =
		a->expect_effect.op == ADV_OP_NONE ? "" : a->expect_effect.text;
	out->setting = setting(a);
	return 1;
}
