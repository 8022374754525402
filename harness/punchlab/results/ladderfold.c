/* ladderfold: folding the ladder records of one cell. */
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ladderfold.h"
#include "scenario_ladder.h"
#include "stats.h"

static int mech_index(const char *name)
{
	for (int m = 0; name && m < LADDER_NMECH; m++)
		if (!strcmp(name, scenario_ladder_names[m]))
			return m;
	return -1;
}

static int keep_ms(struct ladderfold_acc *a, int m, double ms)
{
	if (a->nms[m] == a->cap[m]) {
		size_t cap = a->cap[m] ? 2 * a->cap[m] : 16;
		double *v = realloc(a->ms[m], cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		a->ms[m] = v;
		a->cap[m] = cap;
	}
	a->ms[m][a->nms[m]++] = ms;
	return 0;
}

int ladderfold_add(struct ladderfold_acc *a, json_t *trial)
{
	json_t *steps = json_object_get(trial, "ladder"), *st;
	const char *first;
	size_t i;
	int m;

	if (!json_is_array(steps))
		return 0;
	a->ntrials++;
	json_array_foreach(steps, i, st)
	{
		json_t *ms = json_object_get(st, "ms");

		m = mech_index(
			json_string_value(json_object_get(st, "mechanism")));
		if (m < 0)
			continue;
		a->trials[m]++;
		if (!json_is_true(json_object_get(st, "ok")))
			continue;
		a->ok[m]++;
		if (json_is_number(ms) && keep_ms(a, m, json_number_value(ms)))
			return -ENOMEM;
	}
	first = json_string_value(json_object_get(trial, "first"));
	m = mech_index(first);
	a->first[m < 0 ? LADDER_NMECH : m]++;
	return 0;
}

void ladderfold_free(struct ladderfold_acc *a)
{
	for (int m = 0; m < LADDER_NMECH; m++) {
		free(a->ms[m]);
		a->ms[m] = NULL;
		a->nms[m] = a->cap[m] = 0;
	}
}

static json_t *mech_json(const struct cell_ladder *l, struct ladderfold_acc *a,
			 int m, int *pass)
{
	unsigned n = a->trials[m], k = a->ok[m];
	double lo = 0, hi = 0, p50 = stats_percentile(a->ms[m], a->nms[m], 50);
	json_t *j;

	if (n)
		stats_wilson(k, n, STATS_Z95, &lo, &hi);
	j = json_pack("{s:i, s:i, s:f, s:f, s:f, s:o}", "trials", n,
		      "successes", k, "rate", n ? (double)k / n : 0.0,
		      "wilson_low", lo, "wilson_high", hi, "ms_p50",
		      isnan(p50) ? json_null() : json_real(p50));
	if (!j || !l->expect_text[m][0])
		return j;
	int met = stats_gate(k, n, l->expect_min[m], l->expect_max[m]);

	json_object_set_new(j, "expect", json_string(l->expect_text[m]));
	json_object_set_new(j, "verdict", json_string(met ? "pass" : "fail"));
	*pass = *pass && met;
	return j;
}

json_t *ladderfold_cell(const struct cell_ladder *l, struct ladderfold_acc *a,
			int *pass)
{
	json_t *j, *order, *first;

	if (!l->n || !(j = json_object()))
		return NULL;
	order = json_array();
	first = json_object();
	for (int i = 0; i < l->n; i++) {
		int m = l->mech[i];

		json_array_append_new(order,
				      json_string(scenario_ladder_names[m]));
		json_object_set_new(j, scenario_ladder_names[m],
				    mech_json(l, a, m, pass));
		json_object_set_new(first, scenario_ladder_names[m],
				    json_integer(a->first[m]));
	}
	json_object_set_new(first, "none",
			    json_integer(a->first[LADDER_NMECH]));
	json_object_set_new(j, "first", first);
	json_object_set_new(j, "order", order);
	return j;
}

void ladderfold_line(const json_t *ladder, char *buf, size_t cap)
{
	json_t *order = json_object_get(ladder, "order"), *name;
	size_t i, n = 0;

	buf[0] = '\0';
	if (!ladder)
		return;
	json_array_foreach(order, i, name)
	{
		const char *s = json_string_value(name);
		json_t *o = json_object_get(ladder, s);
		json_t *p50 = json_object_get(o, "ms_p50");

		if (n >= cap)
			return;
		n += (size_t)snprintf(
			buf + n, cap - n, "%s%s %lld/%lld", i ? "  " : "", s,
			json_integer_value(json_object_get(o, "successes")),
			json_integer_value(json_object_get(o, "trials")));
		if (n < cap && json_is_number(p50))
			n += (size_t)snprintf(buf + n, cap - n, " p50 %.1f ms",
					      json_number_value(p50));
	}
	json_array_foreach(order, i, name)
	{
		json_t *first = json_object_get(ladder, "first");

		if (n >= cap)
			return;
		n += (size_t)snprintf(
			buf + n, cap - n, "%s%s %lld",
			i ? " " : "  | first: ", json_string_value(name),
			json_integer_value(json_object_get(
				first, json_string_value(name))));
	}
	if (n < cap)
		snprintf(buf + n, cap - n, " none %lld",
			 json_integer_value(json_object_get(
				 json_object_get(ladder, "first"), "none")));
}
