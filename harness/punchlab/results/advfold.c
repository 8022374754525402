/* advfold: per attack, one fold from the trials' "adv" records to the
 * headline effect (docs/adversaries.md section 6's table), its metrics
 * and the measurement in words; then the expect_effect gate and the
 * verdict line. A request is one trial: each trial asks once. */
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "advfold.h"
#include "stats.h"

struct fold {
	json_t *recs;
	size_t n;
	double value; /* the headline effect; NAN: none */
	json_t *metrics;
	char what[256]; /* the measurement in words */
};

int advfold_add(struct advfold_acc *a, json_t *adv)
{
	if (!json_is_object(adv))
		return 0;
	if (!a->recs && !(a->recs = json_array()))
		return -ENOMEM;
	return json_array_append(a->recs, adv) < 0 ? -ENOMEM : 0;
}

void advfold_free(struct advfold_acc *a)
{
	json_decref(a->recs);
	a->recs = NULL;
}

/* A member as a number; NAN when absent or not one (true counts 1). */
static double num(json_t *r, const char *key)
{
	json_t *v = json_object_get(r, key);

	if (json_is_boolean(v))
		return json_is_true(v);
	return json_is_number(v) ? json_number_value(v) : NAN;
}

static int flag(json_t *r, const char *key)
{
	return num(r, key) == 1;
}

/* Every record's numeric key into v (room for f->n); how many had it. */
static size_t column(const struct fold *f, const char *key, double *v)
{
	size_t k = 0;

	for (size_t i = 0; i < f->n; i++) {
		double x = num(json_array_get(f->recs, i), key);

		if (!isnan(x))
			v[k++] = x;
	}
	return k;
}

static double sum(const double *v, size_t n)
{
	double s = 0;

	for (size_t i = 0; i < n; i++)
		s += v[i];
	return s;
}

static double mean(const double *v, size_t n)
{
	return n ? sum(v, n) / (double)n : NAN;
}

static json_t *jreal(double v)
{
	return isnan(v) || isinf(v) ? json_null() : json_real(v);
}

static void put(json_t *m, const char *key, double v)
{
	json_object_set_new(m, key, jreal(v));
}

static void puti(json_t *m, const char *key, size_t v)
{
	json_object_set_new(m, key, json_integer((json_int_t)v));
}

static double ratio(size_t k, size_t n)
{
	return n ? (double)k / (double)n : NAN;
}

/* mean, p90, max of key into the metrics as KEY_mean...; mean back. */
static double spread(struct fold *f, const char *key, const char *as, double *v)
{
	size_t k = column(f, key, v);
	char name[64];
	double m = mean(v, k);

	snprintf(name, sizeof(name), "%s_mean", as);
	put(f->metrics, name, m);
	snprintf(name, sizeof(name), "%s_p90", as);
	put(f->metrics, name, stats_percentile(v, k, 90));
	snprintf(name, sizeof(name), "%s_max", as);
	put(f->metrics, name, stats_percentile(v, k, 100));
	return m;
}

/* Per request: the sums over the trials divided by the lying hppunches
 * the victim's counter could see (the records' "requests"; one per trial
 * when a record predates it). */
static void fold_redirect(struct fold *f, double *v)
{
	double syns, syn_max, vbytes, abytes, req = 0;
	size_t k, i, counted = 0;

	/* Only trials whose counters were read count as requests: a failed
	 * read must not pass as "the victim got 0 SYNs". */
	for (i = 0; i < f->n; i++) {
		json_t *r = json_array_get(f->recs, i), *q;

		if (!json_is_number(json_object_get(r, "victim_syns")))
			continue;
		counted++;
		q = json_object_get(r, "requests");
		req += json_is_number(q) ? json_number_value(q) : 1;
	}
	if (!counted)
		req = 0;
	k = column(f, "victim_syns", v);
	syns = sum(v, k);
	f->value = req > 0 ? syns / req : NAN;
	syn_max = stats_percentile(v, k, 100);
	put(f->metrics, "requests", req);
	put(f->metrics, "victim_syns_per_request_mean", f->value);
	put(f->metrics, "victim_syns_per_trial_max", syn_max);
	put(f->metrics, "victim_syns_total", syns);
	k = column(f, "victim_bytes", v);
	vbytes = sum(v, k);
	put(f->metrics, "victim_bytes_per_request", req > 0 ? vbytes / req : NAN);
	k = column(f, "attacker_bytes", v);
	abytes = sum(v, k);
	put(f->metrics, "attacker_bytes_per_request",
	    req > 0 ? abytes / req : NAN);
	/* Bytes the victim got per byte the liar sent: the amplification
	 * an attacker buys by naming a victim. */
	put(f->metrics, "amplification", abytes > 0 ? vbytes / abytes : NAN);
	k = column(f, "syns_sent", v);
	put(f->metrics, "syns_sent_per_trial_mean", mean(v, k));
	put(f->metrics, "syns_sent_per_trial_max", stats_percentile(v, k, 100));
	if (req == 0)
		snprintf(f->what, sizeof(f->what),
			 "no victim counter was read in %zu trials", f->n);
	else if (syns == 0)
		snprintf(f->what, sizeof(f->what),
			 "victim got 0 SYNs in %.0f requests", req);
	else
		snprintf(f->what, sizeof(f->what),
			 "victim got %.1f SYNs per request (%.0f requests)%s",
			 f->value, req, abytes > 0 ? ", amplification" : "");
	if (syns > 0 && abytes > 0)
		snprintf(f->what + strlen(f->what),
			 sizeof(f->what) - strlen(f->what), " %.1f",
			 vbytes / abytes);
}

/* Trials where mallory played the peer, and those where a node then
 * detected it: impersonate and hijack count the same two things. */
static void plays(struct fold *f, size_t *played, size_t *detected)
{
	*played = *detected = 0;
	for (size_t i = 0; i < f->n; i++) {
		json_t *r = json_array_get(f->recs, i);
		int p = flag(r, "played");

		*played += p;
		*detected += p && flag(r, "detected");
	}
	puti(f->metrics, "played", *played);
	puti(f->metrics, "detected", *detected);
}

static void fold_impersonate(struct fold *f, double *v)
{
	size_t played, detected;

	(void)v;
	plays(f, &played, &detected);
	f->value = ratio(detected, played);
	put(f->metrics, "detected_rate", f->value);
	snprintf(f->what, sizeof(f->what),
		 "detected %zu of %zu impersonations (mallory played the "
		 "peer in %zu of %zu trials)",
		 detected, played, played, f->n);
}

/* withhold and delay: what a lying answer costs the node. */
static void fold_cost(struct fold *f, double *v)
{
	double p90, syns, socks;

	f->value = spread(f, "cost_ms", "cost_ms", v);
	p90 = json_real_value(json_object_get(f->metrics, "cost_ms_p90"));
	syns = spread(f, "syns_sent", "syns", v);
	socks = spread(f, "sockets", "sockets", v);
	if (isnan(f->value)) {
		snprintf(f->what, sizeof(f->what),
			 "no trial recorded its cost (%zu requests)", f->n);
		return;
	}
	snprintf(f->what, sizeof(f->what),
		 "a request cost the node %.0f ms mean (p90 %.0f), %.1f SYNs, "
		 "%.1f sockets in %zu requests",
		 f->value, p90, syns, socks, f->n);
}

static void fold_hijack(struct fold *f, double *v)
{
	size_t played, detected;

	(void)v;
	plays(f, &played, &detected);
	/* A completion the node did not detect is the hijack. */
	f->value = ratio(played - detected, f->n);
	puti(f->metrics, "hijacked", played - detected);
	put(f->metrics, "hijacked_rate", f->value);
	snprintf(f->what, sizeof(f->what),
		 "attacker completed undetected in %zu of %zu trials (played "
		 "%zu, detected %zu)",
		 played - detected, f->n, played, detected);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* [{"offset_ms", "trials", "killed", "killed_rate"}] in offset order. */
static json_t *by_offset(const struct fold *f, double *v)
{
	size_t k = column(f, "inject_offset_ms", v);
	json_t *out = json_array();

	qsort(v, k, sizeof(*v), cmp_double);
	for (size_t i = 0; i < k; i++) {
		size_t n = 0, killed = 0;

		if (i && v[i] == v[i - 1])
			continue;
		for (size_t j = 0; j < f->n; j++) {
			json_t *r = json_array_get(f->recs, j);

			if (num(r, "inject_offset_ms") != v[i])
				continue;
			n++;
			killed += flag(r, "killed");
		}
		json_array_append_new(
			out, json_pack("{s:o, s:I, s:I, s:o}", "offset_ms",
				       jreal(v[i]), "trials", (json_int_t)n,
				       "killed", (json_int_t)killed,
				       "killed_rate", jreal(ratio(killed, n))));
	}
	return out;
}

/* The survivors' time to connect from the scheduled start (records'
 * "ttc_ms"), p50 and p90, and the mean start jitter: what the defences
 * cost and what a spoofed RST costs. p50 back (NAN: no survivor). */
static double inject_ttc(struct fold *f, double *v)
{
	size_t k = column(f, "ttc_ms", v);
	double p50 = stats_percentile(v, k, 50);

	put(f->metrics, "ttc_ms_p50", p50);
	put(f->metrics, "ttc_ms_p90", stats_percentile(v, k, 90));
	k = column(f, "start_jitter_ms", v);
	if (k)
		put(f->metrics, "start_jitter_ms_mean", mean(v, k));
	return p50;
}

static void fold_inject(struct fold *f, double *v)
{
	size_t killed = 0;
	double p50;
	json_t *bo;

	for (size_t i = 0; i < f->n; i++)
		killed += flag(json_array_get(f->recs, i), "killed");
	f->value = ratio(killed, f->n);
	puti(f->metrics, "killed", killed);
	put(f->metrics, "killed_rate", f->value);
	p50 = inject_ttc(f, v);
	bo = by_offset(f, v);
	snprintf(f->what, sizeof(f->what), "%zu of %zu punches killed", killed,
		 f->n);
	if (json_array_size(bo) == 1)
		snprintf(f->what + strlen(f->what),
			 sizeof(f->what) - strlen(f->what), " at %+g ms",
			 json_number_value(json_object_get(
				 json_array_get(bo, 0), "offset_ms")));
	json_object_set_new(f->metrics, "by_offset", bo);
	if (!isnan(p50))
		snprintf(f->what + strlen(f->what),
			 sizeof(f->what) - strlen(f->what),
			 ", time to connect p50 %.0f ms", p50);
}

/* inject = rst kills nothing (README "Spoofed packets at punch time"):
 * its effect is the time to connect it costs the survivors. */
static void fold_inject_rst(struct fold *f, double *v)
{
	fold_inject(f, v);
	f->value = num(f->metrics, "ttc_ms_p50");
}

static void fold_flood(struct fold *f, double *v)
{
	size_t paired = 0;

	(void)v;
	for (size_t i = 0; i < f->n; i++)
		paired += flag(json_array_get(f->recs, i), "paired");
	f->value = ratio(paired, f->n);
	puti(f->metrics, "paired", paired);
	put(f->metrics, "legit_matched_rate", f->value);
	snprintf(f->what, sizeof(f->what),
		 "%zu of %zu legitimate trials paired under the flood", paired,
		 f->n);
}

/* harm: where the effect says the attack worked — above harm_at when
 * harm_up, else below it. A cost is harm past what an honest coordinator
 * can cost: withhold, past its 15 s pair timeout and the policy's 20 s
 * wait (1 s of slack); delay, past the policy's 5 s start bound (+1 s);
 * a flood is harm when fewer than 95% of legitimate pairs match. */
static const struct attack_fold {
	const char *attack, *effect, *unit;
	void (*fn)(struct fold *f, double *scratch);
	double harm_at;
	int harm_up;
} folds[] = {
	{"redirect", "victim_syns_per_request", "SYNs", fold_redirect, 0, 1},
	{"impersonate", "detected_rate", "ratio", fold_impersonate, 1, 0},
	{"withhold", "cost_ms_per_request", "ms", fold_cost, 21000, 1},
	{"delay", "cost_ms_per_request", "ms", fold_cost, 6000, 1},
	{"hijack", "hijacked_rate", "ratio", fold_hijack, 0, 1},
	{"inject", "killed_rate", "ratio", fold_inject, 0, 1},
	/* a RST's harm is its penalty: past 500 ms, the 1 s retransmission
	 * the punch waited for (a punch without one takes about an RTT) */
	{"inject-rst", "ttc_ms_p50", "ms", fold_inject_rst, 500, 1},
	{"flood", "legit_matched_rate", "ratio", fold_flood, 0.95, 0},
};

static int harmful(const struct attack_fold *af, double v)
{
	if (!af || isnan(v))
		return 0;
	return af->harm_up ? v > af->harm_at : v < af->harm_at;
}

int advfold_expect(const char *expect, double value)
{
	static const char *const ops[] = {">=", "<=", "==", "<", ">"};
	const char *p = expect;
	char *end;
	double want;
	int op = -1;

	while (*p == ' ' || *p == '\t')
		p++;
	for (int i = 0; i < 5 && op < 0; i++)
		if (!strncmp(p, ops[i], strlen(ops[i])))
			op = i;
	if (op < 0)
		return -EINVAL;
	p += strlen(ops[op]);
	want = strtod(p, &end);
	if (end == p || isnan(want))
		return -EINVAL;
	while (*end == ' ' || *end == '\t')
		end++;
	if (*end)
		return -EINVAL;
	if (isnan(value))
		return 0;
	/* Rates and means of integers: a last-bit difference is no miss. */
	switch (op) {
	case 0:
		return value >= want - 1e-9;
	case 1:
		return value <= want + 1e-9;
	case 2:
		return fabs(value - want) <= 1e-9;
	case 3:
		return value < want;
	default:
		return value > want;
	}
}

static const struct attack_fold *fold_of(const char *attack)
{
	for (size_t i = 0; attack && i < sizeof(folds) / sizeof(folds[0]); i++)
		if (!strcmp(folds[i].attack, attack))
			return &folds[i];
	return NULL;
}

/* The attack's name: the cell's, else the records' own. */
static const char *attack_of(const struct advsetting *ac, json_t *recs)
{
	if (ac->attack)
		return ac->attack;
	return json_string_value(
		json_object_get(json_array_get(recs, 0), "attack"));
}

/* An inject cell that spoofs RSTs: by its setting, else its records. */
static int inject_rst(const struct advsetting *ac, json_t *recs)
{
	const char *attack = attack_of(ac, recs), *kind;
	json_t *k = json_object_get(ac->setting, "inject");

	if (!k)
		k = json_object_get(json_array_get(recs, 0), "kind");
	kind = json_string_value(k);
	return attack && !strcmp(attack, "inject") && kind &&
	       !strcmp(kind, "rst");
}

/* One line: how the effect stands against expect_effect and whether
 * the attack did harm, then what was measured. An expectation can be
 * met by an attack that works (a cell that shows a defence does not
 * answer it): the lead says which. */
static json_t *verdict(const struct advsetting *ac, const struct fold *f,
		       int met, int harm)
{
	int defended = ac->target_policy || ac->peer_auth || ac->coord_limits ||
		       ac->start_jitter_ms > 0 || ac->rst_guard;
	const char *lead;

	if (!f->n)
		return json_sprintf("no measurement: no trial carried an "
				    "\"adv\" record%s",
				    met < 0 ? "" : " (expect_effect fails)");
	if (met < 0)
		lead = "measured";
	else if (met && harm)
		lead = defended ? "attack works despite the defence"
				: "attack works";
	else if (met)
		lead = defended ? "defence holds" : "attack fails undefended";
	else
		lead = defended ? "defence fails" : "expectation missed";
	if (met == 0)
		return json_sprintf("%s: %s (expect_effect %s)", lead, f->what,
				    ac->expect);
	return json_sprintf("%s: %s", lead, f->what);
}

json_t *advfold_cell(const struct advsetting *ac, const struct advfold_acc *a,
		     int *pass)
{
	const char *attack = attack_of(ac, a->recs);
	const struct attack_fold *af = fold_of(inject_rst(ac, a->recs)
						       ? "inject-rst"
						       : attack);
	int has_expect = ac->expect && ac->expect[0];
	struct fold f = {.recs = a->recs,
			 .n = json_array_size(a->recs),
			 .value = NAN,
			 .metrics = json_object()};
	double *scratch = calloc(f.n ? f.n : 1, sizeof(double));
	int met = -1;
	json_t *j;

	if (!scratch || !f.metrics) {
		free(scratch);
		json_decref(f.metrics);
		return NULL;
	}
	puti(f.metrics, "trials", f.n);
	snprintf(f.what, sizeof(f.what), "no fold for attack '%s'",
		 attack ? attack : "?");
	if (af && f.n)
		af->fn(&f, scratch);
	free(scratch);
	if (has_expect)
		met = advfold_expect(ac->expect, f.value) == 1;
	*pass = met != 0;
	j = json_pack("{s:s?, s:{s:s, s:s, s:s, s:i, s:s}, s:{s:s?, s:o, "
		      "s:s?}, s:o, s:o}",
		      "attack", attack, "defences", "target_policy",
		      ac->target_policy ? "on" : "off", "peer_auth",
		      ac->peer_auth ? "secret" : "off", "coord_limits",
		      ac->coord_limits ? "on" : "off", "start_jitter_ms",
		      ac->start_jitter_ms, "rst_guard",
		      ac->rst_guard ? "on" : "off", "effect", "name",
		      af ? af->effect : NULL, "value", jreal(f.value), "unit",
		      af ? af->unit : NULL, "metrics", f.metrics,
		      "expect_effect",
		      has_expect ? json_string(ac->expect) : json_null());
	if (!j)
		return NULL;
	json_object_set_new(j, "met",
			    met < 0 ? json_null() : json_boolean(met));
	json_object_set_new(j, "verdict",
			    verdict(ac, &f, met, harmful(af, f.value)));
	json_object_set_new(j, "setting",
			    ac->setting ? json_deep_copy(ac->setting)
					: json_object());
	return j;
}
