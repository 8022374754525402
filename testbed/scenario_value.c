/* scenario_value: how the value of one scenario key is read — numbers of
 * the condition table, probabilities and expectations, names, profiles —
 * shared by the [scenario]/[cell] reader (scenario.c) and the [matrix]
 * reader (scenario_matrix.c). */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario_priv.h"
#include "scenario_value.h"

/* A choice (strategy): one of the parameter's names, kept as its index. */
static int scenario_param_name(int i, const char *p, size_t len, double *out,
			       struct cfg_error *err)
{
	const char *const *names = cellcond_params[i].names;
	int n, k;

	for (k = 0; names[k]; k++)
		if (strlen(names[k]) == len && !strncmp(names[k], p, len)) {
			*out = k;
			return 0;
		}
	n = snprintf(err->msg, sizeof(err->msg), "'%.*s' is not a %s; want",
		     (int)(len > 32 ? 32 : len), p, cellcond_params[i].name);
	for (k = 0; names[k] && n > 0 && n < (int)sizeof(err->msg); k++)
		n += snprintf(err->msg + n, sizeof(err->msg) - (size_t)n,
			      "%s %s", k ? "," : "", names[k]);
	return -1;
}

/* A plain decimal number (optional '-', digits, one '.') in the
 * parameter's range; the whole ones (rate_kbit, ...) without a '.'; a
 * choice by name. */
int scenario_param_value(int i, const char *p, size_t len,
				double *out, struct cfg_error *err)
{
	char buf[32], *end;
	size_t k = 0;
	int digits = 0, dots = 0;

	while (len && isspace((unsigned char)*p)) {
		p++;
		len--;
	}
	while (len && isspace((unsigned char)p[len - 1]))
		len--;
	if (cellcond_params[i].names)
		return scenario_param_name(i, p, len, out, err);
	if (len && *p == '-')
		k = 1;
	for (size_t j = k; j < len; j++) {
		if (isdigit((unsigned char)p[j]))
			digits++;
		else if (p[j] == '.')
			dots++;
		else
			digits = -1000;
	}
	if (len >= sizeof(buf) || digits <= 0 || dots > 1 ||
	    (cellcond_params[i].whole && dots)) {
		snprintf(err->msg, sizeof(err->msg),
			 "'%.*s' is not a %snumber%s",
			 (int)(len > 40 ? 40 : len), p,
			 cellcond_params[i].whole ? "whole " : "",
			 cellcond_params[i].drawn ?
				 " or a distribution (uniform:LO,HI, "
				 "normal:mean=M,sd=S, "
				 "lognormal:median=M,p90=Q, csv:PATH[:COLUMN])" :
				 "");
		return -1;
	}
	memcpy(buf, p, len);
	buf[len] = '\0';
	*out = strtod(buf, &end);
	if (*out < cellcond_params[i].min || *out > cellcond_params[i].max) {
		snprintf(err->msg, sizeof(err->msg), "%s must be in %g..%g",
			 cellcond_params[i].name, cellcond_params[i].min,
			 cellcond_params[i].max);
		return -1;
	}
	return 0;
}

/* The CSV column of a csv: spec, loaded once per scenario; its path is
 * relative to the scenario's folder. 0 or -1 with err->msg. */
static int scenario_csv(struct scenario_ctx *c, int i, const char *path,
			const char *column, const struct conddist_csv **out,
			struct cfg_error *err)
{
	struct scenario *s = c->s;
	const char *slash = strrchr(s->path, '/');
	char file[PATH_MAX];
	int n;

	for (int k = 0; k < s->ncsvs; k++)
		if (!strcmp(s->csvs[k].path, path) &&
		    !strcmp(s->csvs[k].column, column)) {
			*out = &s->csvs[k];
			return 0;
		}
	if (s->ncsvs == SCENARIO_MAX_CSVS) {
		snprintf(err->msg, sizeof(err->msg),
			 "more than %d CSV columns in one scenario",
			 SCENARIO_MAX_CSVS);
		return -1;
	}
	if (path[0] == '/' || !slash)
		n = snprintf(file, sizeof(file), "%s", path);
	else
		n = snprintf(file, sizeof(file), "%.*s/%s",
			     (int)(slash - s->path), s->path, path);
	if (n >= (int)sizeof(file) ||
	    conddist_csv_load(file, path, column, cellcond_params[i].min,
			      cellcond_params[i].max, &s->csvs[s->ncsvs],
			      err->msg, sizeof(err->msg)) < 0)
		return -1;
	*out = &s->csvs[s->ncsvs++];
	return 0;
}

int scenario_param_spec(struct scenario_ctx *c, int i, const char *p,
			size_t len, double *out, struct cond_dist *d,
			struct cfg_error *err)
{
	const struct cellcond_param *cp = &cellcond_params[i];
	char path[sizeof(c->s->csvs[0].path)], column[64];
	const struct conddist_csv *csv;

	memset(d, 0, sizeof(*d));
	if (!conddist_is_spec(p, len))
		return scenario_param_value(i, p, len, out, err);
	if (!cp->drawn) {
		snprintf(err->msg, sizeof(err->msg),
			 "%s takes a fixed number, not a distribution",
			 cp->name);
		return -1;
	}
	if (conddist_parse(p, len, cp->min, cp->max, d, path, sizeof(path),
			   column, sizeof(column), err->msg,
			   sizeof(err->msg)) < 0)
		return -1;
	if (d->kind == CONDDIST_CSV) {
		if (scenario_csv(c, i, path, column, &csv, err) < 0)
			return -1;
		d->csv = csv;
	}
	*out = conddist_median(d);
	return 0;
}

int scenario_copy(char *dst, size_t cap, const char *v,
			 struct cfg_error *err)
{
	if (strlen(v) >= cap) {
		snprintf(err->msg, sizeof(err->msg),
			 "longer than %zu characters", cap - 1);
		return -1;
	}
	strcpy(dst, v);
	return 0;
}

/* One probability: digits and at most one '.', nothing strtod would also
 * take (hex, exponents, inf, nan), no sign, within 0..1. */
static int scenario_prob(const char *p, size_t len, double *out)
{
	if (memchr(p, '-', len) || conddist_decimal(p, len, out) < 0 ||
	    *out < 0.0 || *out > 1.0)
		return -1;
	return 0;
}

int scenario_parse_expect(const char *text, double *min, double *max)
{
	const char *dots;
	double x, y;

	while (isspace((unsigned char)*text))
		text++;
	/* A measurement the gate does not judge (a zero-delay race that
	 * no bound holds for on every machine): said, not left out, so
	 * that a forgotten expect is still an error. */
	if (!strcmp(text, "none")) {
		*min = 0.0;
		*max = 1.0;
		return 0;
	}
	if (!strncmp(text, ">=", 2) || !strncmp(text, "<=", 2) ||
	    !strncmp(text, "==", 2)) {
		if (scenario_prob(text + 2, strlen(text + 2), &x) < 0)
			return -1;
		*min = text[0] == '<' ? 0.0 : x;
		*max = text[0] == '>' ? 1.0 : x;
		return 0;
	}
	dots = strstr(text, "..");
	/* "0...1" could be read two ways; refuse it. */
	if (!dots || strstr(dots + 1, "..") ||
	    scenario_prob(text, (size_t)(dots - text), &x) < 0 ||
	    scenario_prob(dots + 2, strlen(dots + 2), &y) < 0 || x > y)
		return -1;
	*min = x;
	*max = y;
	return 0;
}

/* An `expect` value of a cell or matrix: its range and its text. */
int scenario_expect(const char *v, double *min, double *max,
			   char *text, size_t cap, struct cfg_error *err)
{
	if (scenario_parse_expect(v, min, max) < 0) {
		snprintf(err->msg, sizeof(err->msg),
			 "'%s' is not an expectation; write \">= x\", "
			 "\"<= x\", \"== x\", \"x..y\" with "
			 "0 <= x <= y <= 1, or \"none\" (not gated)",
			 v);
		return -1;
	}
	return scenario_copy(text, cap, v, err);
}

/* Loads p and, when it sits behind a carrier, the carrier into *carrier
 * (*has_carrier says whether it did). */
int scenario_profile(struct scenario_ctx *c, const char *name,
			    struct nat_profile *p, struct nat_profile *carrier,
			    int *has_carrier, struct cfg_error *err)
{
	struct cfg_error perr;
	char text[1200];

	*has_carrier = 0;
	if (profile_find(c->profile_dir, name, p, &perr) == 0) {
		if (!p->behind[0])
			return 0;
		if (profile_load_carrier(c->profile_dir, p, carrier, &perr) ==
		    0) {
			*has_carrier = 1;
			return 0;
		}
		snprintf(err->msg, sizeof(err->msg),
			 "NAT profile '%s' is broken: %s", name,
			 cfg_error_str(&perr, text, sizeof(text)));
		return -1;
	}
	if (errno == ENOENT)
		snprintf(err->msg, sizeof(err->msg),
			 "no NAT profile '%s' (%s/%s.ini does not exist); "
			 "fix the name or add the profile",
			 name, c->profile_dir, name);
	else if (!perr.file[0])
		snprintf(err->msg, sizeof(err->msg), "%s", perr.msg);
	else
		snprintf(err->msg, sizeof(err->msg),
			 "NAT profile '%s' is broken: %s", name,
			 cfg_error_str(&perr, text, sizeof(text)));
	return -1;
}

int scenario_cell_name_ok(const char *name)
{
	const char *p;

	if (!*name)
		return 0;
	for (p = name; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("._+-", *p))
			return 0;
	return 1;
}

const char *scenario_section_name(const char *name, size_t cap,
				  const char *what, struct cfg_error *err)
{
	while (isspace((unsigned char)*name))
		name++;
	if (scenario_cell_name_ok(name) && strlen(name) < cap)
		return name;
	snprintf(err->msg, sizeof(err->msg),
		 "a %s needs a name of 1..%zu letters, digits, '.', '_', '+' "
		 "or '-': [%s NAME]",
		 what, cap - 1, what);
	return NULL;
}

/* One of names (NULL-terminated) into *out, by index. */
int scenario_choice(const char *v, const char *const *names, int *out,
		    struct cfg_error *err)
{
	int n = cfg_enum(v, names, err);

	if (n < 0)
		return -1;
	*out = n;
	return 0;
}
