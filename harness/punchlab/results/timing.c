/* timing: start errors, first-SYN gaps and shaper lateness, per trial
 * (trials.jsonl) and per cell (summary.json). */
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>

#include "shapeboard.h"
#include "stats.h"
#include "timing.h"

int timing_acc_init(struct timing_acc *t, size_t ntrials)
{
	memset(t, 0, sizeof(*t));
	t->start_err_us = calloc(2 * ntrials, sizeof(double));
	t->syn_gap_us = calloc(ntrials, sizeof(double));
	if (!t->start_err_us || !t->syn_gap_us) {
		timing_acc_free(t);
		return -ENOMEM;
	}
	t->cap = ntrials;
	return 0;
}

void timing_acc_free(struct timing_acc *t)
{
	free(t->start_err_us);
	free(t->syn_gap_us);
	t->start_err_us = t->syn_gap_us = NULL;
	t->cap = 0;
}

static const char *const timing_names[] = {"ok", "degraded", "unmeasured",
					   "n/a"};

const char *timing_verdict_name(enum timing_verdict v)
{
	return timing_names[v];
}

static int64_t jint(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_integer(v) ? (int64_t)json_integer_value(v) : -1;
}

static json_t *jnum(double v)
{
	return isnan(v) ? json_null() : json_real(v);
}

/* One side: its first SYN and how late it left against when it was due
 * (t_punch_ns; reports without it: t_start_ns). -1 without a SYN. */
static int64_t timing_side(json_t *sd, double *err_us)
{
	json_t *syn = json_object_get(sd, "syn_ns");
	int64_t due = jint(sd, "t_punch_ns"), first = -1;

	if (due < 0)
		due = jint(sd, "t_start_ns");
	if (json_is_array(syn) && json_array_size(syn) > 0 &&
	    json_is_integer(json_array_get(syn, 0)))
		first = (int64_t)json_integer_value(json_array_get(syn, 0));
	*err_us = first >= 0 && due >= 0 ? (double)(first - due) / 1e3 : NAN;
	json_object_set_new(sd, "t_first_syn_ns",
			    first >= 0 ? json_integer(first) : json_null());
	json_object_set_new(sd, "start_error_us", jnum(*err_us));
	return first;
}

/* A ladder trial: counted, and its punch step's shaper figures (sh, or
 * the record's own when a merge reads it back) kept for the cell. 0 when
 * no punch step ran: nothing of the trial is judged. */
static int timing_ladder(json_t *rec, const struct shapeboard_delta *sh,
			 struct timing_acc *r)
{
	json_t *mean = json_object_get(rec, "shaper_late_us_mean"),
	       *max = json_object_get(rec, "shaper_late_us_max");

	r->ladder++;
	if (!json_is_string(json_object_get(rec, "timing_step")))
		return 0;
	r->ladder_timed++;
	if (sh && sh->released) {
		r->step_late_n++;
		r->step_late_us_sum += sh->late_us_mean;
		r->step_late_us_max =
			fmax(r->step_late_us_max, sh->late_us_max);
	} else if (!sh && json_is_number(mean) && json_is_number(max)) {
		r->step_late_n++;
		r->step_late_us_sum += json_number_value(mean);
		r->step_late_us_max =
			fmax(r->step_late_us_max, json_number_value(max));
	}
	return 1;
}

void timing_trial(json_t *rec, const struct shapeboard_delta *sh,
		  struct timing_acc *r)
{
	json_t *a = json_object_get(rec, "alice"),
	       *b = json_object_get(rec, "bob");
	double ea = NAN, eb = NAN, gap = NAN;
	int64_t fa = -1, fb = -1;
	int judged =
		!json_object_get(rec, "ladder") || timing_ladder(rec, sh, r);

	if (json_is_object(a))
		fa = timing_side(a, &ea);
	if (json_is_object(b))
		fb = timing_side(b, &eb);
	if (!judged) { /* a dial's SYN was due at no scheduled instant */
		ea = eb = NAN;
		fa = fb = -1;
		if (json_is_object(a))
			json_object_set_new(a, "start_error_us", json_null());
		if (json_is_object(b))
			json_object_set_new(b, "start_error_us", json_null());
	}
	if (fa >= 0 && fb >= 0)
		gap = (double)(fb - fa) / 1e3;
	json_object_set_new(rec, "first_syn_gap_us", jnum(gap));
	json_object_set_new(rec, "shaper_packets",
			    sh ? json_integer((json_int_t)sh->packets)
			       : json_null());
	json_object_set_new(rec, "shaper_late_us_mean",
			    sh && sh->released ? json_real(sh->late_us_mean)
					       : json_null());
	json_object_set_new(rec, "shaper_late_us_max",
			    sh && sh->released ? json_real(sh->late_us_max)
					       : json_null());
	if (!isnan(ea) && r->n_start_err < 2 * r->cap)
		r->start_err_us[r->n_start_err++] = ea;
	if (!isnan(eb) && r->n_start_err < 2 * r->cap)
		r->start_err_us[r->n_start_err++] = eb;
	if (!isnan(gap) && r->n_syn_gap < r->cap)
		r->syn_gap_us[r->n_syn_gap++] = fabs(gap);
}

/* The shaper lateness the verdict reads: the run's on the cell's queues,
 * or a ladder cell's punch steps' (their trials' figures averaged, so
 * what the shaper did during a PCP mapping or a dial does not count). 0
 * when there is none. */
static int timing_shaper(const struct timing_acc *r, double *mean, double *max)
{
	if (r->ladder) {
		if (!r->step_late_n)
			return 0;
		*mean = r->step_late_us_sum / r->step_late_n;
		*max = r->step_late_us_max;
		return 1;
	}
	*mean = r->shaper_late_us_mean;
	*max = r->shaper_late_us_max;
	return r->shaped && r->shaper_released;
}

enum timing_verdict timing_cell(json_t *j, struct timing_acc *r, double max_ms)
{
	double *se = r->start_err_us, *gap = r->syn_gap_us;
	size_t ns = r->n_start_err, ng = r->n_syn_gap;
	double p90 = stats_percentile(se, ns, 90), smean = 0, smax = 0;
	int shaped = timing_shaper(r, &smean, &smax);
	enum timing_verdict v = TIMING_OK;
	char note[256];

	json_object_set_new(j, "start_error_us_p50",
			    jnum(stats_percentile(se, ns, 50)));
	json_object_set_new(j, "start_error_us_p90", jnum(p90));
	json_object_set_new(j, "start_error_us_p99",
			    jnum(stats_percentile(se, ns, 99)));
	json_object_set_new(j, "start_error_us_max",
			    jnum(stats_percentile(se, ns, 100)));
	json_object_set_new(j, "first_syn_gap_us_p50",
			    jnum(stats_percentile(gap, ng, 50)));
	json_object_set_new(j, "first_syn_gap_us_p90",
			    jnum(stats_percentile(gap, ng, 90)));
	json_object_set_new(j, "first_syn_gap_us_max",
			    jnum(stats_percentile(gap, ng, 100)));
	json_object_set_new(j, "shaper_late_us_mean",
			    shaped ? json_real(smean) : json_null());
	json_object_set_new(j, "shaper_late_us_max",
			    shaped ? json_real(smax) : json_null());
	json_object_set_new(j, "timing_error_max_ms", json_real(max_ms));
	if (r->ladder && !r->ladder_timed)
		v = TIMING_NA;
	else if (!ns)
		v = TIMING_UNMEASURED;
	else if (p90 > max_ms * 1e3 || (shaped && smean > max_ms * 1e3))
		v = TIMING_DEGRADED;
	json_object_set_new(j, "timing", json_string(timing_names[v]));
	if (v == TIMING_DEGRADED) {
		snprintf(note, sizeof(note),
			 "harness timing degraded (start error p90 %.0f us, "
			 "shaper lateness mean %.0f us; threshold %g ms): "
			 "this cell's rate is the harness's, not the NAT's",
			 p90, shaped ? smean : 0.0, max_ms);
		json_object_set_new(j, "timing_note", json_string(note));
	}
	return v;
}
