/* record: one trial's line in trials.jsonl — both agents' reports, the
 * combined outcome, time to connect and handshake from the earlier start
 * — and its place in the cell's results. */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "advrecord.h"
#include "cellcond.h"
#include "ladder.h"
#include "record.h"
#include "trialrtt.h"

static json_t *side_report(struct side *sd)
{
	json_error_t jerr;
	json_t *j;

	sd->buf[sd->len < RUNNING_OUT_MAX ? sd->len : RUNNING_OUT_MAX - 1] = '\0';
	j = json_loads(sd->buf, JSON_DISABLE_EOF_CHECK, &jerr);
	if (j && json_is_object(j))
		return j;
	json_decref(j);
	j = json_object();
	json_object_set_new(j, "outcome", json_string("setup"));
	json_object_set_new(
		j, "error",
		json_sprintf("agent gave no report (wait status %d)",
			     sd->status));
	return j;
}

/* Integer member, -1 when absent or null. */
static int64_t jint(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_integer(v) ? (int64_t)json_integer_value(v) : -1;
}

/* Span from the earlier start to the later of the two marks, in ms. */
static double span_ms(json_t *a, json_t *b, const char *mark)
{
	int64_t sa = jint(a, "t_start_ns"), sb = jint(b, "t_start_ns");
	int64_t ea = jint(a, mark), eb = jint(b, mark);

	if (sa < 0 || sb < 0 || ea < 0 || eb < 0)
		return -1.0;
	return (double)((ea > eb ? ea : eb) - (sa < sb ? sa : sb)) / 1e6;
}

json_t *record_head(const struct trials_cfg *cfg, int cell, int trial)
{
	const struct scenario_cell *c = &cfg->s->cells[cell];

	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:I}", "scenario",
			 cfg->s->name, "run_id", cfg->w->rid, "cell", c->name,
			 "a", c->a.name, "b", c->b.name, "trial", trial, "seed",
			 (json_int_t)cfg->s->seed);
}

/* Failures a cell does not expect get a command that replays exactly
 * this trial; report.md lists it for every failure. */
static void rerun_hint(const struct trials_cfg *cfg, const struct running *r,
		       enum outcome_code o)
{
	const struct scenario_cell *c = &cfg->s->cells[r->cell];

	if (o == OUTCOME_OK || c->expect_min <= 0)
		return;
	fprintf(stderr,
		"%s  trial %d of cell %s failed (%s); rerun: punchlab run "
		"--cell %s --trial %d %s\n",
		cfg->progress ? "\n" : "", r->trial, c->name, outcome_name(o),
		c->name, r->trial, cfg->s->path);
}

void record_trial(const struct trials_cfg *cfg, struct running *r,
			 FILE *jsonl, struct cell_result *res)
{
	const struct scenario_cell *c = &cfg->s->cells[r->cell];
	json_t *ra = side_report(&r->sd[0]), *rb = side_report(&r->sd[1]);
	enum outcome_code oa, ob, o;
	double ttc, hs;
	json_t *t, *rep[2] = { ra, rb };
	int64_t sa, sb;
	struct shapeboard_stats now;
	const struct shapeboard_stats *from, *to;
	struct shapeboard_delta sh;
	int shaped;

	puncher_judge(cfg, r->cell, rep);
	oa = outcome_parse(json_string_value(json_object_get(ra, "outcome")));
	ob = outcome_parse(json_string_value(json_object_get(rb, "outcome")));
	o = outcome_combine(oa, ob);
	ttc = span_ms(ra, rb, "t_established_ns");
	hs = span_ms(ra, rb, "t_handshake_ns");
	ladder_outcome(r, &o, &ttc, &hs); /* any mechanism connected */
	sa = jint(ra, "t_start_ns");
	sb = jint(rb, "t_start_ns");

	t = record_head(cfg, r->cell, r->trial);
	json_object_set_new(t, "outcome", json_string(outcome_name(o)));
	json_object_set_new(t, "attempts",
			    json_integer(jint(ra, "attempts") >
						 jint(rb, "attempts") ?
					 jint(ra, "attempts") :
					 jint(rb, "attempts")));
	json_object_set_new(t, "ttc_ms",
			    o == OUTCOME_OK && ttc >= 0 ? json_real(ttc) :
							  json_null());
	json_object_set_new(t, "handshake_ms",
			    o == OUTCOME_OK && hs >= 0 ? json_real(hs) :
							 json_null());
	json_object_set_new(t, "start_skew_us",
			    sa >= 0 && sb >= 0 ? json_integer((sb - sa) / 1000) :
						 json_null());
	results_conditions(t, c);
	json_object_set_new(t, "cond", results_cond_json(c, &r->cond));
	if (cfg->trial_rtt && cfg->trial_rtt->n && cfg->board &&
	    cellcond_shaped(&c->cond))
		json_object_set_new(
			t, "trial_rtt_ms",
			json_real(cfg->trial_rtt->ms[r->trial %
						     cfg->trial_rtt->n]));
	json_object_set_new(t, "puncher_a", json_string(scenario_puncher_label(
						    cfg->s, c, 0)));
	json_object_set_new(t, "puncher_b", json_string(scenario_puncher_label(
						    cfg->s, c, 1)));
	advrecord_add(t, cfg, r, ra, rb, o == OUTCOME_OK);
	ladder_record(t, r, res);
	json_object_set_new(t, "alice", ra);
	json_object_set_new(t, "bob", rb);
	/* The cell's queues over the trial: shared with the cell's other
	 * trials in flight, as the link itself is. */
	shaped = running_board(cfg, r->cell, &now);
	from = &r->board0;
	to = &now;
	shaped = ladder_board(r, &from, &to) && shaped;
	if (shaped)
		shapeboard_delta(from, to, &sh);
	timing_trial(t, shaped ? &sh : NULL, &res->timing);
	json_dumpf(t, jsonl, JSON_COMPACT);
	fputc('\n', jsonl);
	fflush(jsonl);
	results_adv(res, t); /* an adversary trial's "adv", for the fold */
	json_decref(t);
	results_account(res, o, ttc, hs);
	results_cond(res, &r->cond);
	rerun_hint(cfg, r, o);
}
