/* advrecord: one adversary trial's "adv" object. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "advcell.h"
#include "advrecord.h"
#include "agentcmd.h"
#include "outcomes.h"
#include "scenario_adversary.h"

/* What the cell's events file says about one trial's key. */
struct adv_seen {
	long long attacker_bytes;
	int punches, played, injects;
	double inject_offset_ms;
};

static void seen_event(json_t *ev, struct adv_seen *v)
{
	const char *kind = json_string_value(json_object_get(ev, "event"));
	json_t *x;

	if (!kind)
		return;
	if (!strcmp(kind, "punch")) {
		x = json_object_get(ev, "bytes");
		v->attacker_bytes += json_is_integer(x) ?
					     json_integer_value(x) : 0;
		v->punches++;
	} else if (!strcmp(kind, "played")) {
		v->played = 1;
	} else if (!strcmp(kind, "inject")) {
		x = json_object_get(ev, "offset_ns");
		/* the first injection of the trial: when it was sent */
		if (!v->injects++ && json_is_number(x))
			v->inject_offset_ms = json_number_value(x) / 1e6;
	}
}

/* Every event of the events file that names key. The file is the
 * adversary's own; a line cut short by its last write is skipped. */
static void read_events(const char *path, unsigned long long key,
			struct adv_seen *v)
{
	char line[4096];
	FILE *f = path[0] ? fopen(path, "re") : NULL;

	memset(v, 0, sizeof(*v));
	while (f && fgets(line, sizeof(line), f)) {
		json_t *ev = json_loads(line, JSON_DISABLE_EOF_CHECK, NULL);
		json_t *k = json_object_get(ev, "key");

		if (json_is_integer(k) &&
		    (unsigned long long)json_integer_value(k) == key)
			seen_event(ev, v);
		json_decref(ev);
	}
	if (f)
		fclose(f);
}

static int64_t jint(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_integer(v) ? (int64_t)json_integer_value(v) : -1;
}

static int wrong_peer(json_t *rep)
{
	return outcome_parse(json_string_value(
		       json_object_get(rep, "outcome"))) == OUTCOME_WRONG_PEER;
}

/* A node's cost: from its registration (the request it made; its spawn
 * when it never registered) to the end of its report, the longer side. */
static double cost_ms(const struct running *r, json_t *rep[2])
{
	double worst = 0;

	for (int s = 0; s < 2; s++) {
		int64_t from = jint(rep[s], "t_register_ns");
		int64_t end = r->sd[s].t_end_ns;

		if (from <= 0)
			from = r->sd[s].t_spawn_ns;
		if (end > from && (double)(end - from) / 1e6 > worst)
			worst = (double)(end - from) / 1e6;
	}
	return worst;
}

/* SYNs and sockets (connect() calls, one per syn_ns entry) of both. */
static void node_effort(json_t *rep[2], json_t *adv)
{
	long long syns = 0, sockets = 0;

	for (int s = 0; s < 2; s++) {
		int64_t n = jint(rep[s], "syns_sent");

		syns += n > 0 ? n : 0;
		sockets += (long long)json_array_size(
			json_object_get(rep[s], "syn_ns"));
	}
	json_object_set_new(adv, "syns_sent", json_integer(syns));
	json_object_set_new(adv, "sockets", json_integer(sockets));
}

/* The lying hppunches whose SYNs the victim's counter can see: a LAN or
 * loopback victim is counted at alice's side only (bob's SYNs go to his
 * own router or loopback), a WAN victim sees both nodes. The attacker's
 * bytes are those of the same hppunches, so the amplification compares
 * like with like. */
static void redirect_requests(const struct cell_adv *a,
			      const struct adv_seen *v, json_t *adv)
{
	int alice_only = a->victim == CELL_VICTIM_LAN ||
			 a->victim == CELL_VICTIM_LOOPBACK;
	int n = alice_only && v->punches > 1 ? 1 : v->punches;
	long long bytes = v->punches ? v->attacker_bytes * n / v->punches : 0;

	json_object_set_new(adv, "requests", json_integer(n));
	json_object_set_new(adv, "attacker_bytes", json_integer(bytes));
}

/* inject: the burst's offset from the scheduled start; with the start
 * jitter, the secret delay alice added and the burst's offset from her
 * real start; the time to connect from the scheduled start (jitter and
 * any RST penalty included), survivors only. */
static void inject_fields(const struct cell_adv *a, const struct adv_seen *v,
			  json_t *ra, int ok, json_t *adv)
{
	int64_t jitter = jint(ra, "start_jitter_ms");
	int64_t start = jint(ra, "t_start_ns"), est = jint(ra, "t_established_ns");

	json_object_set_new(adv, "kind",
			    json_string(scenario_adv_injects[a->inject]));
	if (v->injects)
		json_object_set_new(adv, "inject_offset_ms",
				    json_real(v->inject_offset_ms));
	if (jitter >= 0) {
		json_object_set_new(adv, "start_jitter_ms",
				    json_integer(jitter));
		if (v->injects)
			json_object_set_new(
				adv, "real_offset_ms",
				json_real(v->inject_offset_ms -
					  (double)jitter));
	}
	if (ok && start > 0 && est > start)
		json_object_set_new(
			adv, "ttc_ms",
			json_real((double)(est - start) / 1e6 +
				  (double)(jitter > 0 ? jitter : 0)));
	json_object_set_new(adv, "killed", json_integer(v->injects > 0 && !ok));
}

json_t *advrecord_json(const struct cell_adv *a, const char *events,
		       unsigned long long key, const struct running *r,
		       json_t *ra, json_t *rb, int ok)
{
	json_t *rep[2] = { ra, rb }, *adv;
	struct adv_seen v;
	int played, paired;

	read_events(events, key, &v);
	played = v.played;
	paired = jint(ra, "t_match_ns") > 0 && jint(rb, "t_match_ns") > 0;
	adv = json_object();
	json_object_set_new(adv, "attack",
			    json_string(scenario_adv_attacks[a->attack]));
	if (a->attack == CELL_ATTACK_REDIRECT && r->adv.counted) {
		json_object_set_new(adv, "victim_syns",
				    json_integer((json_int_t)(r->adv.syn1 -
							      r->adv.syn0)));
		json_object_set_new(adv, "victim_bytes",
				    json_integer((json_int_t)(r->adv.bytes1 -
							      r->adv.bytes0)));
	}
	if (a->attack == CELL_ATTACK_REDIRECT)
		redirect_requests(a, &v, adv);
	if (a->attack == CELL_ATTACK_IMPERSONATE ||
	    a->attack == CELL_ATTACK_HIJACK) {
		json_object_set_new(adv, "played", json_integer(played));
		json_object_set_new(
			adv, "detected",
			json_integer(played && (wrong_peer(ra) || wrong_peer(rb))));
	}
	json_object_set_new(adv, "cost_ms", json_real(cost_ms(r, rep)));
	node_effort(rep, adv);
	if (a->attack == CELL_ATTACK_INJECT)
		inject_fields(a, &v, ra, ok, adv);
	json_object_set_new(adv, "paired", json_integer(paired));
	return adv;
}

void advrecord_add(json_t *t, const struct trials_cfg *cfg,
		   const struct running *r, json_t *ra, json_t *rb, int ok)
{
	const struct cell_adv *a = &cfg->s->cells[r->cell].adv;

	if (a->attack == CELL_ATTACK_NONE)
		return;
	json_object_set_new(t, "adv",
			    advrecord_json(a, advcell_events(cfg->adv, r->cell),
					   agentcmd_key(r->cell, r->trial), r,
					   ra, rb, ok));
}
