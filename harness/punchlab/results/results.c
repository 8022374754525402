/* results: per-cell statistics, the expectation gate and summary.json. */
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "celldraw.h"
#include "results.h"
#include "stats.h"

int results_cell_init(struct cell_result *r, int ntrials)
{
	size_t n = ntrials > 0 ? (size_t)ntrials : 1;

	memset(r, 0, sizeof(*r));
	r->ttc_ms = calloc(n, sizeof(double));
	r->hs_ms = calloc(n, sizeof(double));
	r->drawn = calloc(n * CELLCOND_NPARAMS, sizeof(double));
	if (!r->ttc_ms || !r->hs_ms || !r->drawn ||
	    timing_acc_init(&r->timing, n) < 0) {
		results_cell_free(r);
		return -ENOMEM;
	}
	r->cap = n;
	return 0;
}

void results_cell_free(struct cell_result *r)
{
	free(r->ttc_ms);
	free(r->hs_ms);
	free(r->drawn);
	timing_acc_free(&r->timing);
	advfold_free(&r->adv);
	ladderfold_free(&r->ladder);
	r->ttc_ms = r->hs_ms = r->drawn = NULL;
	r->cap = 0;
}

void results_account(struct cell_result *r, enum outcome_code o, double ttc,
		     double hs)
{
	r->trials++;
	if (o != OUTCOME_OK) {
		r->fail[o < OUTCOME_N ? o : OUTCOME_SETUP]++;
		return;
	}
	r->successes++;
	if (ttc >= 0 && r->n_ok < r->cap) { /* timed successes only */
		r->ttc_ms[r->n_ok] = ttc;
		r->hs_ms[r->n_ok] = hs;
		r->n_ok++;
	}
}

int results_adv(struct cell_result *r, json_t *trial)
{
	return advfold_add(&r->adv, json_object_get(trial, "adv"));
}

int results_ladder(struct cell_result *r, json_t *trial)
{
	return ladderfold_add(&r->ladder, trial);
}

void results_cond(struct cell_result *r, const struct cell_cond *cc)
{
	double *row = &r->drawn[r->ndrawn * CELLCOND_NPARAMS];

	if (r->ndrawn >= r->cap)
		return;
	for (int i = 0; i < CELLCOND_NPARAMS; i++)
		row[i] = cellcond_get(cc, i);
	r->ndrawn++;
}

json_t *results_cond_json(const struct scenario_cell *c,
			  const struct cell_cond *cc)
{
	json_t *j = json_object();

	for (int i = 0; i < CELLCOND_NPARAMS; i++)
		if (cellcond_params[i].drawn && (c->params & (1u << i)))
			json_object_set_new(j, cellcond_params[i].name,
					    json_real(cellcond_get(cc, i)));
	return j;
}

/* Per drawn key: the spec and what its trials drew (p50, p90, min, max). */
static void cell_draws(json_t *j, const struct scenario_cell *c,
		       const struct cell_result *r)
{
	json_t *spec = json_object(), *drawn = json_object();
	char text[CONDDIST_TEXT_MAX];
	double *v = calloc(r->ndrawn ? r->ndrawn : 1, sizeof(*v));

	for (int i = 0; v && i < CELLCOND_NPARAMS; i++) {
		if (c->dist[i].kind == CONDDIST_FIXED)
			continue;
		conddist_format(&c->dist[i], text, sizeof(text));
		json_object_set_new(spec, cellcond_params[i].name,
				    json_string(text));
		if (!r->ndrawn)
			continue;
		for (size_t k = 0; k < r->ndrawn; k++)
			v[k] = r->drawn[k * CELLCOND_NPARAMS + i];
		json_object_set_new(
			drawn, cellcond_params[i].name,
			json_pack("{s:f, s:f, s:f, s:f}", "p50",
				  stats_percentile(v, r->ndrawn, 50), "p90",
				  stats_percentile(v, r->ndrawn, 90), "min",
				  stats_percentile(v, r->ndrawn, 0), "max",
				  stats_percentile(v, r->ndrawn, 100)));
	}
	free(v);
	json_object_set_new(j, "cond_spec", spec);
	json_object_set_new(j, "cond_drawn", drawn);
}

json_t *results_params(const struct scenario_cell *c)
{
	json_t *p = json_object();

	char spec[CONDDIST_TEXT_MAX];

	for (int i = 0; i < CELLCOND_NPARAMS; i++) {
		const char *name = cellcond_value_name(&c->cond, i);

		if (!(c->params & (1u << i)))
			continue;
		/* A distribution is named by its spec. */
		if (c->dist[i].kind != CONDDIST_FIXED) {
			conddist_format(&c->dist[i], spec, sizeof(spec));
			name = spec;
		}
		json_object_set_new(p, cellcond_params[i].name,
				    name ? json_string(name)
					 : json_real(cellcond_get(&c->cond, i)));
	}
	return p;
}

void results_conditions(json_t *j, const struct scenario_cell *c)
{
	int shared = c->cond.home == CELLCOND_HOME_SHARED;

	json_object_set_new(j, "params", results_params(c));
	json_object_set_new(j, "home",
			    json_string(cellcond_homes[shared]));
	json_object_set_new(
		j, "hosts",
		json_pack("{s:i, s:i}", "a", 1 + (int)c->cond.hosts_a + shared,
			  "b", shared ? 0 : 1 + (int)c->cond.hosts_b));
}

static json_t *jnum_or_null(double v)
{
	return isnan(v) ? json_null() : json_real(v);
}

static json_t *cell_json(const struct scenario *sc,
			 const struct scenario_cell *c,
			 struct cell_result *r, struct nat_counts *nc,
			 int pass, double lo, double hi, double p50,
			 double p90)
{
	json_t *j, *f = json_object(), *nat;

	for (int o = 1; o < OUTCOME_N; o++)
		if (r->fail[o])
			json_object_set_new(f, outcome_name(o),
					    json_integer(r->fail[o]));
	j = json_pack("{s:s, s:s, s:s, s:i, s:i, s:f, s:f, s:f, s:o, s:o, "
		      "s:o}",
		      "cell", c->name, "a", c->a.name, "b", c->b.name,
		      "trials", r->trials, "successes", r->successes,
		      "success_rate",
		      r->trials ? (double)r->successes / r->trials : 0.0,
		      "wilson_low", lo, "wilson_high", hi, "ttc_ms_p50",
		      jnum_or_null(p50), "ttc_ms_p90", jnum_or_null(p90),
		      "failures", f);
	json_object_set_new(j, "expect",
			    json_pack("{s:s, s:f, s:f, s:s}", "text",
				      c->expect_text, "min", c->expect_min,
				      "max", c->expect_max, "reason",
				      c->reason));
	json_object_set_new(j, "verdict", json_string(pass ? "pass" : "fail"));
	results_conditions(j, c);
	if (celldraw_any(c)) {
		cell_draws(j, c, r);
		json_object_set_new(j, "parallel",
				    json_integer(celldraw_shaper(c) ?
							 1 :
							 sc->parallel));
	}
	/* Every cell names its strategy, set or not. */
	json_object_set_new(
		j, "strategy",
		json_string(cellcond_value_name(&c->cond, CELLCOND_STRATEGY)));
	for (int s = 0; s < 2; s++) {
		const struct scenario_puncher *p =
			scenario_cell_puncher(sc, c, s);

		json_object_set_new(j, s ? "puncher_b" : "puncher_a",
				    json_string(p ? p->name : "agent"));
		json_object_set_new(j, s ? "verify_b" : "verify_a",
				    p ? json_string(scenario_verify_name(
						p->verify))
				      : json_null());
	}
	if (nc) {
		nat = json_object();
		for (int s = 0; s < 2; s++)
			json_object_set_new(
				nat, s ? "b" : "a",
				json_pack("{s:I, s:I}", "syn_dropped",
					  (json_int_t)nc[s].syn_dropped,
					  "rst_sent",
					  (json_int_t)nc[s].rst_sent));
		json_object_set_new(j, "nat_counters", nat);
	}
	return j;
}

/* The cell's "adversary" object (NULL: none); clears *pass when the
 * effect misses expect_effect. */
static json_t *adversary(const struct scenario_cell *c,
			 const struct cell_result *r, int *pass)
{
	struct advsetting ac;
	json_t *j;
	int met = 1;

	if (!advsetting_read(c, &ac))
		return NULL;
	j = advfold_cell(&ac, &r->adv, &met);
	json_decref(ac.setting);
	*pass = *pass && met;
	return j;
}

/* The expectation the cell line shows: `expect`, else expect_effect. */
static const char *expect_shown(const struct scenario_cell *c, json_t *adv)
{
	const char *e = json_string_value(json_object_get(adv, "expect_effect"));

	if (c->expect_text[0])
		return c->expect_text;
	return e ? e : "-";
}

int results_write(const struct scenario *s, const char *rid,
		  struct cell_result *res, struct nat_counts (*counts)[2],
		  const char *link_method, const char *path)
{
	json_t *root, *cells = json_array();
	int failed = 0;

	for (int i = 0; i < s->ncells; i++) {
		const struct scenario_cell *c = &s->cells[i];
		struct cell_result *r = &res[i];
		double lo, hi, p50, p90;
		enum timing_verdict tv;
		json_t *j, *adv, *ladder;
		char line[512];
		int pass;

		if (r->trials == 0)
			continue; /* not selected in this run */
		stats_wilson(r->successes, r->trials, STATS_Z95, &lo, &hi);
		p50 = stats_percentile(r->ttc_ms, r->n_ok, 50);
		p90 = stats_percentile(r->ttc_ms, r->n_ok, 90);
		/* An adversary cell may leave `expect` out: its claim is
		 * expect_effect, checked by the fold. */
		pass = !c->expect_text[0] ||
		       stats_gate(r->successes, r->trials, c->expect_min,
				  c->expect_max);
		adv = adversary(c, r, &pass);
		ladder = ladderfold_cell(&c->ladder, &r->ladder, &pass);
		failed += !pass;
		j = cell_json(s, c, r, counts ? counts[i] : NULL, pass, lo, hi,
			      p50, p90);
		if (adv)
			json_object_set_new(j, "adversary", adv);
		ladderfold_line(ladder, line, sizeof(line));
		if (ladder)
			json_object_set_new(j, "ladder", ladder);
		tv = timing_cell(j, &r->timing, s->timing_error_max_ms);
		json_array_append_new(cells, j);
		printf("  %-22s %-14s x %-14s %3u/%-3u rate %.3f "
		       "[%.3f,%.3f]  ttc p50 ",
		       c->name, c->a.name, c->b.name, r->successes, r->trials,
		       (double)r->successes / r->trials, lo, hi);
		if (r->n_ok)
			printf("%8.2f ms p90 %8.2f ms", p50, p90);
		else
			printf("%8s    p90 %8s   ", "-", "-");
		/* PASS or FAIL ends the line: scripts count them. */
		printf("%s  expect %-9s %s\n",
		       tv == TIMING_DEGRADED ? "  [timing degraded]" : "",
		       expect_shown(c, adv), pass ? "PASS" : "FAIL");
		if (adv) /* under its cell, never ending in PASS/FAIL */
			printf("    adversary %s: %s\n",
			       json_string_value(json_object_get(adv, "attack")),
			       json_string_value(json_object_get(adv, "verdict")));
		if (line[0]) /* under its cell, never ending in PASS/FAIL */
			printf("    ladder %s\n", line);
	}
	fflush(stdout);
	root = json_pack("{s:s, s:s, s:I, s:s, s:f, s:b, s:o}", "scenario",
			 s->name, "run_id", rid, "seed", (json_int_t)s->seed,
			 "link_conditions", link_method, "timing_error_max_ms",
			 s->timing_error_max_ms, "realtime", s->realtime,
			 "cells", cells);
	if (json_dump_file(root, path, JSON_INDENT(2)) < 0) {
		json_decref(root);
		return -EIO;
	}
	json_decref(root);
	return failed;
}
