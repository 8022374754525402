/* conddist: the value of a condition key as a distribution — a fixed
 * number, uniform, normal, lognormal, or the values of one column of a
 * CSV of measurements — parsed from its scenario text, and drawn once
 * per trial from a generator seeded by the scenario seed, the cell and
 * the trial, so `punchlab run --cell X --trial N` replays the same draw.
 *
 *	rtt_ms = 40				fixed
 *	rtt_ms = uniform:20,80			LO..HI
 *	rtt_ms = normal:mean=40,sd=10		cut to the key's range
 *	rtt_ms = lognormal:median=40,p90=120
 *	rtt_ms = csv:../conditions/x.csv:rtt_ms	one row's value, at random
 */
#ifndef PUNCHLAB_CONDDIST_H
#define PUNCHLAB_CONDDIST_H

#include <stddef.h>
#include <stdint.h>

enum conddist_kind {
	CONDDIST_FIXED, /* not a distribution: the key's plain number */
	CONDDIST_UNIFORM,
	CONDDIST_NORMAL,
	CONDDIST_LOGNORMAL,
	CONDDIST_CSV,
};

/* The numbers of one CSV column, loaded once per scenario and file;
 * owned by the scenario (scenario_free frees them). */
struct conddist_csv {
	char path[256];	 /* as written in the scenario */
	char column[64]; /* "" = the first column */
	double *v;
	size_t n;
};

struct cond_dist {
	enum conddist_kind kind;
	/* uniform: lo, hi; normal: mean, sd; lognormal: median, p90 */
	double a, b;
	const struct conddist_csv *csv;
};

#define CONDDIST_TEXT_MAX 320

/* 1 when text (blanks skipped) starts a distribution ("uniform:",
 * "normal:", "lognormal:", "csv:"), 0 for anything else (a number). */
int conddist_is_spec(const char *text, size_t len);
/* Length of the spec at text: up to the comma after its last field, so
 * a [matrix] list can hold "lognormal:median=40,p90=120, 0". For text
 * that is no spec, up to the first comma. */
size_t conddist_span(const char *text, size_t len);
/* A plain decimal, blanks around it skipped: optional '-', digits, at
 * most one '.'; nothing strtod would also take (exponents, hex, inf,
 * nan). 0 or -1. */
int conddist_decimal(const char *p, size_t len, double *out);
/* Parses a spec (not a fixed number) into d. A csv spec fills
 * csv_path and csv_column for the caller to
 * load (conddist_csv_load) and set d->csv; min..max is the key's range,
 * which every parameter must respect. 0, or -EINVAL with why set. */
int conddist_parse(const char *text, size_t len, double min, double max,
		   struct cond_dist *d, char *csv_path, size_t path_cap,
		   char *csv_column, size_t column_cap, char *why,
		   size_t why_cap);
/* Loads column (or the first) of the CSV at file (path as written, for
 * errors and the spec text) into out. '#' lines and a header row are
 * skipped; every other row must hold a number in min..max in that
 * column. 0, or -errno with why naming the file's line. */
int conddist_csv_load(const char *file, const char *path, const char *column,
		      double min, double max, struct conddist_csv *out,
		      char *why, size_t why_cap);
void conddist_csv_free(struct conddist_csv *c);

/* The spec as a scenario would write it. */
int conddist_format(const struct cond_dist *d, char *buf, size_t cap);
/* The same, shorter for a cell's name: a CSV by its file's base name. */
int conddist_label(const struct cond_dist *d, char *buf, size_t cap);
/* The distribution's median: what `punchlab plan`, checks and the cell's
 * nominal value use. */
double conddist_median(const struct cond_dist *d);
/* One value from the generator seeded by seed, cut to min..max. */
double conddist_draw(const struct cond_dist *d, uint64_t seed, double min,
		     double max);
/* The seed of key index param of trial `trial` in the cell named cell,
 * from the scenario's seed. Depends on the cell's name, not its index,
 * so adding a cell moves no other cell's draws. */
uint64_t conddist_seed(uint64_t scenario_seed, const char *cell, int trial,
		       int param);

#endif
