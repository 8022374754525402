/* pcpsum: natpmp.json, the per-cell figures of a natpmp run (the README's
 * table comes from it, not from a one-off script). */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pcpsum.h"
#include "stats.h"

struct pcpsum_cell {
	int trials, mapped, inbound, honoured, advertised;
	int nmap, nin;
	double *map_ms, *in_ms; /* ntrials each */
	json_t *why;		/* log line (no timestamp) -> count */
	json_t *external;	/* "IP:PORT" -> count */
};

struct pcpsum {
	int ncells, ntrials;
	struct pcpsum_cell *c;
};

struct pcpsum *pcpsum_new(int ncells, int ntrials)
{
	struct pcpsum *s = calloc(1, sizeof(*s));

	if (!s || !(s->c = calloc(ncells, sizeof(*s->c))))
		goto err;
	s->ncells = ncells;
	s->ntrials = ntrials;
	for (int i = 0; i < ncells; i++) {
		s->c[i].map_ms = calloc(ntrials, sizeof(double));
		s->c[i].in_ms = calloc(ntrials, sizeof(double));
		s->c[i].why = json_object();
		s->c[i].external = json_object();
		if (!s->c[i].map_ms || !s->c[i].in_ms || !s->c[i].why ||
		    !s->c[i].external)
			goto err;
	}
	return s;
err:
	pcpsum_free(s);
	errno = ENOMEM;
	return NULL;
}

void pcpsum_free(struct pcpsum *s)
{
	for (int i = 0; s && s->c && i < s->ncells; i++) {
		free(s->c[i].map_ms);
		free(s->c[i].in_ms);
		json_decref(s->c[i].why);
		json_decref(s->c[i].external);
	}
	if (s)
		free(s->c);
	free(s);
}

static void count(json_t *o, const char *key)
{
	json_t *n = json_object_get(o, key);

	json_object_set_new(o, key, json_integer(json_integer_value(n) + 1));
}

static int jtrue(const json_t *o, const char *k)
{
	return json_is_true(json_object_get(o, k));
}

void pcpsum_add(struct pcpsum *s, int cell, const json_t *rec)
{
	const json_t *pcp = json_object_get(rec, "pcp");
	const json_t *in = json_object_get(rec, "inbound");
	struct pcpsum_cell *c = &s->c[cell];
	const char *log = json_string_value(json_object_get(pcp, "log"));
	const char *ext = json_string_value(json_object_get(pcp, "external"));
	json_t *ms = json_object_get(pcp, "ms");

	if (c->trials >= s->ntrials)
		return;
	c->trials++;
	c->mapped += jtrue(pcp, "ok");
	c->inbound += jtrue(in, "ok");
	c->honoured += jtrue(pcp, "port_honoured");
	c->advertised += jtrue(rec, "advertised");
	if (json_is_real(ms))
		c->map_ms[c->nmap++] = json_real_value(ms);
	/* ttc_ms is null unless the trial's outcome is ok (an inbound
	 * without a mapping): no 0 ms in the percentiles */
	if (jtrue(in, "ok") && json_is_real(json_object_get(rec, "ttc_ms")))
		c->in_ms[c->nin++] =
			json_real_value(json_object_get(rec, "ttc_ms"));
	/* The line without its timestamp, so that equal reasons add up. */
	if (log && !jtrue(pcp, "ok"))
		count(c->why, strchr(log, ' ') ? strchr(log, ' ') + 1 : log);
	if (ext)
		count(c->external, ext);
}

static json_t *ms_or_null(double *v, int n, double p)
{
	double x = n ? stats_percentile(v, (size_t)n, p) : NAN;

	return isnan(x) ? json_null() : json_real(round(x * 10) / 10);
}

static json_t *cell_json(const struct pcpsum_cell *c)
{
	return json_pack(
		"{s:i, s:i, s:i, s:i, s:i, s:o, s:o, s:o, s:o, s:O, s:O}",
		"trials", c->trials, "mapped", c->mapped, "inbound", c->inbound,
		"port_honoured", c->honoured, "advertised", c->advertised,
		"map_ms_p50", ms_or_null(c->map_ms, c->nmap, 50), "map_ms_p90",
		ms_or_null(c->map_ms, c->nmap, 90), "inbound_from_start_ms_p50",
		ms_or_null(c->in_ms, c->nin, 50), "inbound_from_start_ms_p90",
		ms_or_null(c->in_ms, c->nin, 90), "external", c->external,
		"why", c->why);
}

int pcpsum_write(const struct pcpsum *s, const char *const *names,
		 const char *dir)
{
	json_t *j = json_object();
	char path[PATH_MAX];
	int r = 0;

	for (int i = 0; j && i < s->ncells; i++)
		if (s->c[i].trials)
			json_object_set_new(j, names[i], cell_json(&s->c[i]));
	snprintf(path, sizeof(path), "%s/natpmp.json", dir);
	if (!j || json_dump_file(j, path,
				 JSON_INDENT(2) | JSON_REAL_PRECISION(6)) < 0)
		r = -EIO;
	json_decref(j);
	return r;
}
