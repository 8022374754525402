/* conddist: distribution specs of the condition keys — their text, the
 * CSV columns they may name, and one seeded draw per trial. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conddist.h"
#include "why.h"

/* z of the normal distribution's 90th percentile: a lognormal's sigma is
 * ln(p90 / median) / Z90. */
#define Z90 1.2815515655446004
#define CSV_ROWS_MAX 1000000
#define CSV_LINE_MAX 1024

static const struct {
	const char *prefix;
	enum conddist_kind kind;
	int commas; /* between its fields */
} kinds[] = {
	{"uniform:", CONDDIST_UNIFORM, 1},
	{"normal:", CONDDIST_NORMAL, 1},
	{"lognormal:", CONDDIST_LOGNORMAL, 1},
	{"csv:", CONDDIST_CSV, 0},
};
#define NKINDS (sizeof(kinds) / sizeof(kinds[0]))

static void trim(const char **p, size_t *len)
{
	while (*len && isspace((unsigned char)**p)) {
		(*p)++;
		(*len)--;
	}
	while (*len && isspace((unsigned char)(*p)[*len - 1]))
		(*len)--;
}

/* The kind whose prefix text starts with, or -1. */
static int kind_of(const char *text, size_t len)
{
	trim(&text, &len);
	for (size_t k = 0; k < NKINDS; k++) {
		size_t n = strlen(kinds[k].prefix);

		if (len >= n && !strncmp(text, kinds[k].prefix, n))
			return (int)k;
	}
	return -1;
}

int conddist_is_spec(const char *text, size_t len)
{
	return kind_of(text, len) >= 0;
}

size_t conddist_span(const char *text, size_t len)
{
	int k = kind_of(text, len), commas = k >= 0 ? kinds[k].commas : 0;
	size_t i;

	for (i = 0; i < len; i++)
		if (text[i] == ',' && commas-- == 0)
			break;
	return i;
}

int conddist_decimal(const char *p, size_t len, double *out)
{
	char buf[32];
	int digits = 0, dots = 0;
	size_t i = 0;

	trim(&p, &len);
	if (len && *p == '-')
		i = 1;
	for (; i < len; i++) {
		if (isdigit((unsigned char)p[i]))
			digits++;
		else if (p[i] == '.')
			dots++;
		else
			return -1;
	}
	if (!digits || dots > 1 || len >= sizeof(buf))
		return -1;
	memcpy(buf, p, len);
	buf[len] = '\0';
	*out = strtod(buf, NULL);
	return 0;
}

/* "name=number" with the name expected, into *out. */
static int named(const char *p, size_t len, const char *name, double *out)
{
	size_t n = strlen(name);

	trim(&p, &len);
	if (len <= n || strncmp(p, name, n) || p[n] != '=')
		return -1;
	return conddist_decimal(p + n + 1, len - n - 1, out);
}

static int in_range(double v, double min, double max)
{
	return v >= min && v <= max;
}

/* The two fields of uniform, normal and lognormal. */
static int two_fields(int k, const char *body, size_t len, double min,
		      double max, struct cond_dist *d, char *why, size_t cap)
{
	const char *comma = memchr(body, ',', len);
	size_t l1 = comma ? (size_t)(comma - body) : len;
	const char *f2 = comma ? comma + 1 : body + len;
	size_t l2 = comma ? len - l1 - 1 : 0;

	switch (kinds[k].kind) {
	case CONDDIST_UNIFORM:
		if (!comma || conddist_decimal(body, l1, &d->a) < 0 ||
		    conddist_decimal(f2, l2, &d->b) < 0 || d->a > d->b)
			return why_fail(why, cap,
					"write uniform:LO,HI with LO <= HI");
		break;
	case CONDDIST_NORMAL:
		if (!comma || named(body, l1, "mean", &d->a) < 0 ||
		    named(f2, l2, "sd", &d->b) < 0 || d->b < 0)
			return why_fail(why, cap,
					"write normal:mean=M,sd=S with S >= 0");
		break;
	default: /* lognormal */
		if (!comma || named(body, l1, "median", &d->a) < 0 ||
		    named(f2, l2, "p90", &d->b) < 0 || d->a <= 0 ||
		    d->b <= d->a)
			return why_fail(why, cap,
					"write lognormal:median=M,p90=Q with "
					"0 < M < Q");
	}
	if (!in_range(d->a, min, max) || !in_range(d->b, min, max))
		return why_fail(why, cap, "its numbers must be in %g..%g", min,
				max);
	return 0;
}

/* PATH[:COLUMN]: a path without ':' and a column of letters, digits,
 * '_' and '-'. */
static int csv_fields(const char *body, size_t len, char *path, size_t path_cap,
		      char *column, size_t column_cap, char *why, size_t cap)
{
	const char *colon = memchr(body, ':', len);
	size_t lp = colon ? (size_t)(colon - body) : len;
	size_t lc = colon ? len - lp - 1 : 0;

	if (!lp || lp >= path_cap || (colon && (!lc || lc >= column_cap)))
		return why_fail(
			why, cap,
			"write csv:PATH[:COLUMN] (a path of at most %zu "
			"characters, a column of at most %zu)",
			path_cap - 1, column_cap - 1);
	for (size_t i = 0; i < lc; i++)
		if (!isalnum((unsigned char)colon[1 + i]) &&
		    !strchr("_-", colon[1 + i]))
			return why_fail(
				why, cap,
				"a CSV column is named by letters, digits, "
				"'_' and '-'");
	memcpy(path, body, lp);
	path[lp] = '\0';
	if (colon)
		memcpy(column, colon + 1, lc);
	column[lc] = '\0';
	return 0;
}

int conddist_parse(const char *text, size_t len, double min, double max,
		   struct cond_dist *d, char *csv_path, size_t path_cap,
		   char *csv_column, size_t column_cap, char *why,
		   size_t why_cap)
{
	int k;
	size_t n;

	trim(&text, &len);
	k = kind_of(text, len);
	memset(d, 0, sizeof(*d));
	if (k < 0)
		return why_fail(
			why, why_cap,
			"'%.*s' is no distribution; write uniform:LO,HI, "
			"normal:mean=M,sd=S, lognormal:median=M,p90=Q or "
			"csv:PATH[:COLUMN]",
			(int)(len > 40 ? 40 : len), text);
	n = strlen(kinds[k].prefix);
	d->kind = kinds[k].kind;
	if (d->kind == CONDDIST_CSV)
		return csv_fields(text + n, len - n, csv_path, path_cap,
				  csv_column, column_cap, why, why_cap);
	return two_fields(k, text + n, len - n, min, max, d, why, why_cap);
}

/* Field i (0-based) of a CSV line: its start and length. -1 if absent. */
static int csv_field(const char *line, int i, const char **f, size_t *len)
{
	const char *p = line;

	for (int k = 0; k < i; k++) {
		p = strchr(p, ',');
		if (!p)
			return -1;
		p++;
	}
	*f = p;
	*len = strcspn(p, ",\r\n");
	trim(f, len);
	return 0;
}

/* The index of the column named column in a header line, or -1. */
static int csv_column_index(const char *line, const char *column)
{
	const char *f;
	size_t len;

	for (int i = 0; csv_field(line, i, &f, &len) == 0; i++)
		if (len == strlen(column) && !strncmp(f, column, len))
			return i;
	return -1;
}

static int csv_append(struct conddist_csv *out, size_t *cap, double v)
{
	if (out->n == *cap) {
		size_t ncap = *cap ? 2 * *cap : 256;
		double *g = realloc(out->v, ncap * sizeof(*g));

		if (!g)
			return -ENOMEM;
		out->v = g;
		*cap = ncap;
	}
	out->v[out->n++] = v;
	return 0;
}

int conddist_csv_load(const char *file, const char *path, const char *column,
		      double min, double max, struct conddist_csv *out,
		      char *why, size_t why_cap)
{
	char line[CSV_LINE_MAX];
	size_t cap = 0, len;
	int lineno = 0, col = column[0] ? -1 : 0, e = 0;
	const char *f;
	double v;
	FILE *fp = fopen(file, "r");

	memset(out, 0, sizeof(*out));
	if (!fp) {
		e = -errno;
		snprintf(why, why_cap, "cannot open %s: %s", file,
			 strerror(errno));
		return e;
	}
	snprintf(out->path, sizeof(out->path), "%s", path);
	snprintf(out->column, sizeof(out->column), "%s", column);
	while (e == 0 && fgets(line, sizeof(line), fp)) {
		lineno++;
		if (line[0] == '#' || strspn(line, " \t\r\n") == strlen(line))
			continue;
		if (col < 0) { /* the header names the column */
			col = csv_column_index(line, column);
			if (col < 0)
				e = why_fail(
					why, why_cap,
					"%s:%d: no column '%s' in the header",
					file, lineno, column);
			continue;
		}
		if (csv_field(line, col, &f, &len) < 0 ||
		    conddist_decimal(f, len, &v) < 0) {
			if (out->n == 0 && !column[0])
				continue; /* a header row */
			e = why_fail(why, why_cap,
				     "%s:%d: column %d is not a number", file,
				     lineno, col + 1);
		} else if (!in_range(v, min, max)) {
			e = why_fail(why, why_cap, "%s:%d: %g is not in %g..%g",
				     file, lineno, v, min, max);
		} else if (out->n == CSV_ROWS_MAX) {
			e = why_fail(why, why_cap, "%s: more than %d rows",
				     file, CSV_ROWS_MAX);
		} else {
			e = csv_append(out, &cap, v);
		}
	}
	fclose(fp);
	if (e == 0 && out->n == 0)
		e = why_fail(why, why_cap, "%s: no values", file);
	if (e < 0)
		conddist_csv_free(out);
	return e;
}

void conddist_csv_free(struct conddist_csv *c)
{
	if (!c)
		return;
	free(c->v);
	c->v = NULL;
	c->n = 0;
}

int conddist_format(const struct cond_dist *d, char *buf, size_t cap)
{
	switch (d->kind) {
	case CONDDIST_UNIFORM:
		return snprintf(buf, cap, "uniform:%g,%g", d->a, d->b);
	case CONDDIST_NORMAL:
		return snprintf(buf, cap, "normal:mean=%g,sd=%g", d->a, d->b);
	case CONDDIST_LOGNORMAL:
		return snprintf(buf, cap, "lognormal:median=%g,p90=%g", d->a,
				d->b);
	case CONDDIST_CSV:
		return snprintf(buf, cap, "csv:%s%s%s",
				d->csv ? d->csv->path : "?",
				d->csv && d->csv->column[0] ? ":" : "",
				d->csv ? d->csv->column : "");
	default:
		return snprintf(buf, cap, "%g", d->a);
	}
}

int conddist_label(const struct cond_dist *d, char *buf, size_t cap)
{
	const char *base;

	if (d->kind != CONDDIST_CSV || !d->csv)
		return conddist_format(d, buf, cap);
	base = strrchr(d->csv->path, '/');
	return snprintf(buf, cap, "csv:%s%s%s", base ? base + 1 : d->csv->path,
			d->csv->column[0] ? ":" : "", d->csv->column);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double conddist_median(const struct cond_dist *d)
{
	double m, *v;

	switch (d->kind) {
	case CONDDIST_UNIFORM:
		return (d->a + d->b) / 2;
	case CONDDIST_CSV:
		if (!d->csv || !d->csv->n)
			return 0;
		v = malloc(d->csv->n * sizeof(*v));
		if (!v)
			return d->csv->v[0];
		memcpy(v, d->csv->v, d->csv->n * sizeof(*v));
		qsort(v, d->csv->n, sizeof(*v), cmp_double);
		m = v[d->csv->n / 2];
		free(v);
		return m;
	default: /* fixed, normal, lognormal: a */
		return d->a;
	}
}

/* splitmix64 (Vigna): a seed per draw, and its few numbers. */
static uint64_t splitmix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Uniform in (0, 1]: never 0, so log() is safe. */
static double unit(uint64_t *s)
{
	return ((double)(splitmix(s) >> 11) + 1.0) * 0x1.0p-53;
}

/* A standard normal (Box-Muller). */
static double gauss(uint64_t *s)
{
	double u1 = unit(s), u2 = unit(s);

	return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

double conddist_draw(const struct cond_dist *d, uint64_t seed, double min,
		     double max)
{
	uint64_t s = seed;
	double v;

	switch (d->kind) {
	case CONDDIST_UNIFORM:
		v = d->a + (unit(&s) - 0x1.0p-53) * (d->b - d->a);
		break;
	case CONDDIST_NORMAL:
		v = d->a + d->b * gauss(&s);
		break;
	case CONDDIST_LOGNORMAL:
		v = d->a * exp(log(d->b / d->a) / Z90 * gauss(&s));
		break;
	case CONDDIST_CSV:
		if (!d->csv || !d->csv->n)
			return 0;
		v = d->csv->v[(size_t)((unit(&s) - 0x1.0p-53) *
				       (double)d->csv->n) %
			      d->csv->n];
		break;
	default:
		v = d->a;
	}
	return v < min ? min : v > max ? max : v;
}

uint64_t conddist_seed(uint64_t scenario_seed, const char *cell, int trial,
		       int param)
{
	uint64_t h = 0xcbf29ce484222325ull, s;

	for (const char *p = cell; *p; p++) /* FNV-1a */
		h = (h ^ (unsigned char)*p) * 0x100000001b3ull;
	s = scenario_seed;
	s = splitmix(&s) ^ h;
	s = splitmix(&s) ^ (uint64_t)(unsigned)trial;
	s = splitmix(&s) ^ (uint64_t)(unsigned)param;
	return splitmix(&s);
}
