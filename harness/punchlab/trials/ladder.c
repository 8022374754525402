/* ladder: the steps of a ladder trial. Each step is judged from its own
 * processes' reports; the times are CLOCK_MONOTONIC, the harness's and
 * the agents' alike, from the step's first spawn. */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ladder.h"
#include "ladderstep.h"
#include "log.h"
#include "monoclock.h"
#include "scenario_ladder.h"

/* Harness guards, not measurements: how long bob's listener may take to
 * listen (past the cell's timeout with a mapping, which may take that
 * long), how long he may take to report once alice has ended, and how
 * long a step may outlive its timeout before it counts as hung. */
#define LADDER_LISTEN_WAIT_MS 5000
#define LADDER_SERVE_AFTER_MS 1000
#define LADDER_HANG_GRACE_MS 30000

int ladder_cell(const struct trials_cfg *cfg, const struct running *r)
{
	return cfg->s->cells[r->cell].ladder.n > 0;
}

static int step_mech(const struct trials_cfg *cfg, const struct running *r)
{
	return cfg->s->cells[r->cell].ladder.mech[r->lad.step];
}

static struct ladder_step *step_now(const struct trials_cfg *cfg,
				    struct running *r)
{
	struct ladder_step *st = &r->lad.res[r->lad.nres];

	memset(st, 0, sizeof(*st));
	st->mech = step_mech(cfg, r);
	st->ms = -1;
	return st;
}

/* 1 for the mechanisms both agents punch in (the others: bob serves) */
static int ladder_punch(int m)
{
	return m == LADDER_IPV4_PUNCH || m == LADDER_IPV6_PUNCH;
}

static void set_deadline(struct running *r, int64_t ms)
{
	r->lad.phase_deadline_ns = mono_ns() + ms * 1000000;
}

/* A serving step's two bounds, in one place because the second is set
 * from the first: how long the harness waits for bob's listener (the SERVING
 * deadline) and the --timeout-ms he serves with. He waits through
 * alice's whole attempt (timeout_ms) past his own start; the harness
 * stops him once she has her answer. With --pcp his mapping comes first
 * and has the same bound: a router without a server costs timeout_ms,
 * then he reports it (outcome pcp) well within the listen wait, which
 * grows by that much. */
struct serve_bounds {
	int listen_ms, serve_ms;
};

static struct serve_bounds serve_bounds(const struct trials_cfg *cfg, int mech)
{
	int tmo = cfg->s->timeout_ms, pcp = mech == LADDER_PCP;
	struct serve_bounds b = {
		.listen_ms = LADDER_LISTEN_WAIT_MS + (pcp ? tmo : 0),
	};

	b.serve_ms = tmo + (pcp ? LADDER_SERVE_AFTER_MS : b.listen_ms);
	return b;
}

/* Starts step r->lad.step: 1 when its processes run, 0 when it was
 * recorded without any (unavailable, or they could not start). */
static int step_start(const struct trials_cfg *cfg, struct running *r)
{
	struct ladder_step *st = step_now(cfg, r);
	int e;

	r->lad.t_step_ns = mono_ns();
	r->lad.phase_deadline_ns = 0;
	for (int s = 0; s < 2; s++) { /* nothing of the step before */
		r->sd[s].pid = -1;
		r->sd[s].len = 0;
		r->sd[s].t_spawn_ns = r->sd[s].t_end_ns = 0;
	}
	r->hard_deadline_ns =
		r->lad.t_step_ns +
		(int64_t)(cfg->s->timeout_ms + LADDER_HANG_GRACE_MS) * 1000000;
	if (!ladderstep_offered(cfg, r->cell, st->mech, st->why,
				sizeof(st->why))) {
		snprintf(st->outcome, sizeof(st->outcome), "unavailable");
		r->lad.nres++;
		return 0;
	}
	if (ladder_punch(st->mech)) {
		if (st->mech == LADDER_IPV4_PUNCH)
			running_board(cfg, r->cell, &r->lad.board[0]);
		r->lad.phase = LADDER_PHASE_DIALLING;
		e = ladderstep_punch(cfg, r, st->mech);
	} else {
		struct serve_bounds b = serve_bounds(cfg, st->mech);

		r->lad.phase = LADDER_PHASE_SERVING;
		set_deadline(r, b.listen_ms);
		e = ladderstep_serve(cfg, r, st->mech, b.serve_ms);
	}
	if (e == 0)
		return 1;
	running_kill(cfg, r, 1);
	snprintf(st->outcome, sizeof(st->outcome), "setup");
	snprintf(st->why, sizeof(st->why), "cannot start: %s", strerror(-e));
	r->lad.nres++;
	return 0;
}

void ladder_poll(const struct trials_cfg *cfg, struct running *r)
{
	struct ladder_trial *t = &r->lad;
	int64_t now = mono_ns();

	if (!ladder_cell(cfg, r))
		return;
	if (t->phase == LADDER_PHASE_SERVING && r->sd[1].fd >= 0) {
		if (ladderstep_ready(cfg, r, t->res[t->nres].mech)) {
			t->phase = LADDER_PHASE_DIALLING;
			t->phase_deadline_ns = 0;
			if (ladderstep_dial(cfg, r) < 0)
				running_stop_side(cfg, &r->sd[1]);
		} else if (now > t->phase_deadline_ns) {
			log_warnx("ladder: bob's listener of trial %d of cell "
				  "%d never got ready",
				  r->trial, r->cell);
			running_stop_side(cfg, &r->sd[1]);
		}
		return;
	}
	/* direct: once alice has her answer, bob's wait is over */
	if (t->phase == LADDER_PHASE_DIALLING && r->sd[0].fd < 0 &&
	    r->sd[1].fd >= 0 && !ladder_punch(t->res[t->nres].mech)) {
		if (!t->phase_deadline_ns)
			set_deadline(r, LADDER_SERVE_AFTER_MS);
		else if (now > t->phase_deadline_ns)
			running_stop_side(cfg, &r->sd[1]);
	}
}

static int64_t jns(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_integer(v) ? (int64_t)json_integer_value(v) : -1;
}

/* Why a dial failed, in the words of what was seen. */
static void dial_why(enum outcome_code o, const char *error, char *why,
		     size_t cap)
{
	const char *what = o == OUTCOME_REFUSED ? "RST: refused"
			   : o == OUTCOME_TIMEOUT
				   ? "no answer within timeout_ms"
			   : o == OUTCOME_UNREACHABLE ? "ICMP unreachable"
						      : "failed";

	snprintf(why, cap, "%s%s%s", what, error ? " - " : "",
		 error ? error : "");
}

/* Judges the step that just ended from its reports. */
static void step_end(const struct trials_cfg *cfg, struct running *r)
{
	struct ladder_step *st = step_now(cfg, r);
	json_t *ra = ladderstep_report(&r->sd[0]);
	json_t *rb = ladderstep_report(&r->sd[1]);
	int punch = ladder_punch(st->mech);
	enum outcome_code oa = outcome_parse(
		json_string_value(json_object_get(ra, "outcome")));
	enum outcome_code ob = outcome_parse(
		json_string_value(json_object_get(rb, "outcome")));
	enum outcome_code o = punch ? outcome_combine(oa, ob) : oa;
	int64_t hs = jns(ra, "t_handshake_ns"), hb = jns(rb, "t_handshake_ns");
	int64_t end = punch && r->sd[1].t_end_ns > r->sd[0].t_end_ns
			      ? r->sd[1].t_end_ns
			      : r->sd[0].t_end_ns;
	const char *err = json_string_value(json_object_get(ra, "error"));
	int64_t t0;

	if (punch && hb > hs)
		hs = hb;
	if (!end) /* alice never started */
		end = mono_ns();
	if (punch && !err)
		err = json_string_value(json_object_get(rb, "error"));
	st->ok = o == OUTCOME_OK;
	if (!ra && !punch && r->lad.phase == LADDER_PHASE_SERVING) {
		/* bob never got ready: his report says why (a mapping
		 * refused or unanswered: outcome pcp) */
		o = rb && ob != OUTCOME_OK ? ob : OUTCOME_SETUP;
		err = json_string_value(json_object_get(rb, "error"));
		snprintf(st->why, sizeof(st->why), "bob not ready: %s",
			 err ? err : "his listener never listened");
	} else if (!ra) {
		err = "alice gave no report";
	}
	snprintf(st->outcome, sizeof(st->outcome), "%s", outcome_name(o));
	/* From the dialler's spawn (a dial; both agents' for a punch): bob's
	 * listener was up before, as a serving node's is. */
	t0 = punch || !r->sd[0].t_spawn_ns ? r->lad.t_step_ns
					   : r->sd[0].t_spawn_ns;
	st->ms = (double)((st->ok && hs > 0 ? hs : end) - t0) / 1e6;
	if (!st->ok && punch)
		snprintf(st->why, sizeof(st->why), "%s", err ? err : "");
	else if (!st->ok && !st->why[0])
		dial_why(o, err, st->why, sizeof(st->why));
	json_decref(ra);
	json_decref(rb);
	r->lad.nres++;
	r->lad.phase = LADDER_PHASE_NONE;
	if (st->mech != LADDER_IPV4_PUNCH)
		return;
	running_board(cfg, r->cell, &r->lad.board[1]);
	r->lad.timed = 1;
	for (int s = 0; s < 2; s++) { /* for the trial's record */
		free(r->lad.punch[s]);
		r->lad.punch[s] = malloc(r->sd[s].len + 1);
		if (r->lad.punch[s])
			memcpy(r->lad.punch[s], r->sd[s].buf, r->sd[s].len);
		r->lad.punch_len[s] = r->lad.punch[s] ? r->sd[s].len : 0;
		r->lad.punch_status[s] = r->sd[s].status;
	}
}

/* The ipv4-punch step's reports back into the sides, for record.c. */
static void restore_punch(struct running *r)
{
	for (int s = 0; s < 2; s++) {
		if (!r->lad.punch[s])
			continue;
		memcpy(r->sd[s].buf, r->lad.punch[s], r->lad.punch_len[s]);
		r->sd[s].len = r->lad.punch_len[s];
		r->sd[s].status = r->lad.punch_status[s];
		free(r->lad.punch[s]);
		r->lad.punch[s] = NULL;
	}
}

int ladder_next(const struct trials_cfg *cfg, struct running *r)
{
	const struct cell_ladder *l = &cfg->s->cells[r->cell].ladder;

	if (!l->n)
		return 0;
	if (r->lad.step >= 0 && r->lad.step < l->n)
		step_end(cfg, r);
	while (++r->lad.step < l->n)
		if (step_start(cfg, r))
			return 1;
	restore_punch(r);
	return 0;
}

int ladder_begin(const struct trials_cfg *cfg, struct running *r)
{
	r->lad.step = -1;
	r->lad.nres = 0;
	r->lad.timed = 0;
	ladder_next(cfg, r);
	return 0;
}

void ladder_outcome(const struct running *r, enum outcome_code *o, double *ttc,
		    double *hs)
{
	const struct ladder_trial *t = &r->lad;

	if (!t->nres)
		return;
	*hs = -1;
	for (int i = 0; i < t->nres; i++)
		if (t->res[i].ok) {
			*o = OUTCOME_OK;
			*ttc = t->res[i].ms;
			return;
		}
	*ttc = -1;
	*o = OUTCOME_SETUP;
	for (int i = 0; i < t->nres; i++) {
		int punch = t->res[i].mech == LADDER_IPV4_PUNCH;

		if (punch || i == t->nres - 1)
			*o = outcome_parse(t->res[i].outcome);
		if (punch)
			return;
	}
}

int ladder_board(const struct running *r, const struct shapeboard_stats **from,
		 const struct shapeboard_stats **to)
{
	if (!r->lad.nres)
		return 1;
	*from = &r->lad.board[0];
	*to = &r->lad.board[1];
	return r->lad.timed;
}

void ladder_record(json_t *t, const struct running *r, struct cell_result *res)
{
	const struct ladder_trial *lt = &r->lad;
	json_t *steps, *first = json_null();

	if (!lt->nres)
		return;
	steps = json_array();
	for (int i = 0; i < lt->nres; i++) {
		const struct ladder_step *st = &lt->res[i];
		const char *name = scenario_ladder_names[st->mech];

		json_array_append_new(
			steps,
			json_pack("{s:s, s:b, s:o, s:s, s:o}", "mechanism",
				  name, "ok", st->ok, "ms",
				  st->ms >= 0 ? json_real(st->ms) : json_null(),
				  "outcome", st->outcome, "why",
				  st->why[0] ? json_string(st->why)
					     : json_null()));
		if (st->ok && json_is_null(first))
			first = json_string(name);
	}
	json_object_set_new(t, "ladder", steps);
	json_object_set_new(t, "first", first);
	/* What the trial's timing fields judge (timing.h): the punch step,
	 * or nothing when none ran (a dial or a server has no scheduled
	 * simultaneous start to miss). */
	json_object_set_new(
		t, "timing_step",
		lt->timed
			? json_string(scenario_ladder_names[LADDER_IPV4_PUNCH])
			: json_null());
	results_ladder(res, t);
}
