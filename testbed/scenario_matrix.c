/* scenario_matrix: [matrix NAME] sections — lists of profiles and of
 * condition values — expanded into one cell per combination. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario_adversary.h"
#include "scenario_home.h"
#include "scenario_ladder.h"
#include "scenario_matrix.h"
#include "scenario_priv.h"
#include "scenario_puncher.h"
#include "scenario_value.h"

/* Comma-separated list into out[]; returns the count or -1. */
static int scenario_list(const char *v, char out[][PROFILE_NAME_MAX],
			 struct cfg_error *err)
{
	int n = 0;

	for (const char *p = v;; p++) {
		const char *q = strchr(p, ',');
		size_t len = q ? (size_t)(q - p) : strlen(p);

		while (len && isspace((unsigned char)*p)) {
			p++;
			len--;
		}
		while (len && isspace((unsigned char)p[len - 1]))
			len--;
		if (!len || len >= PROFILE_NAME_MAX ||
		    n == SCENARIO_MAX_LIST) {
			snprintf(err->msg, sizeof(err->msg),
				 "a list of 1..%d names separated by commas, "
				 "each 1..%d characters",
				 SCENARIO_MAX_LIST, PROFILE_NAME_MAX - 1);
			return -1;
		}
		memcpy(out[n], p, len);
		out[n++][len] = '\0';
		if (!q)
			return n;
		p = q;
	}
}


static int scenario_profile_list(struct scenario_ctx *c, const char *v,
				 char out[][PROFILE_NAME_MAX], int *n,
				 struct cfg_error *err)
{
	struct nat_profile *p = malloc(2 * sizeof(*p));
	int has, ret = 0;

	if (!p)
		return -1;
	*n = scenario_list(v, out, err);
	/* Load each once now, so a bad name is reported at this line. */
	for (int i = 0; *n > 0 && i < *n && ret == 0; i++)
		ret = scenario_profile(c, out[i], &p[0], &p[1], &has, err);
	free(p);
	return *n < 0 ? -1 : ret;
}

int scenario_matrix_key(struct scenario_ctx *c, const char *key,
			const char *v, int line, struct cfg_error *err)
{
	struct scenario_matrix *m = c->matrix;
	int i;

	if (!strcmp(key, "a")) {
		m->has |= CELL_HAS_A;
		m->a_line = line;
		return scenario_profile_list(c, v, m->a, &m->na, err);
	}
	if (!strcmp(key, "b")) {
		m->has |= CELL_HAS_B;
		m->b_line = line;
		return scenario_profile_list(c, v, m->b, &m->nb, err);
	}
	if (!strcmp(key, "expect")) {
		m->has |= CELL_HAS_EXPECT;
		return scenario_expect(v, &m->expect_min, &m->expect_max,
				       m->expect_text, sizeof(m->expect_text),
				       err);
	}
	if (!strcmp(key, "reason"))
		return scenario_copy(m->reason, sizeof(m->reason), v, err);
	/* Not lists: an attack and its defences are one cell's story. */
	i = scenario_adv_key(&m->adv, key, v, line, err);
	if (i <= 0)
		return i;
	i = scenario_ladder_key(&m->ladder, key, v, line, err);
	if (i <= 0)
		return i;
	i = cellcond_index(key);
	if (i < 0) {
		snprintf(err->msg, sizeof(err->msg),
			 "unknown key in a matrix; known keys: a b expect "
			 "puncher puncher_a puncher_b "
			 "reason and lists of rtt_ms jitter_ms loss rate_kbit "
			 "skew_ms coord_delay_a_ms coord_delay_b_ms "
			 "access_a_ms access_b_ms strategy predict_window "
			 "birthday_sockets birthday_ports syn_budget home hosts_a hosts_b family, "
			 "and single values of adversary victim "
			 "attack_delay_ms inject inject_offset_ms flood "
			 "flood_count target_policy peer_auth coord_limits "
			 "max_clients expect_effect start_jitter_ms rst_guard mechanisms "
			 "expect_<mechanism>");
		return -1;
	}
	m->nvals[i] = 0;
	/* A distribution's own commas belong to it (conddist_span). */
	for (const char *p = v;; p++) {
		size_t len = conddist_span(p, strlen(p));
		int k = m->nvals[i];

		if (k == SCENARIO_MAX_LIST) {
			snprintf(err->msg, sizeof(err->msg),
				 "at most %d values", SCENARIO_MAX_LIST);
			return -1;
		}
		if (scenario_param_spec(c, i, p, len, &m->vals[i][k],
					&m->dists[i][k], err) < 0)
			return -1;
		m->nvals[i]++;
		if (!p[len])
			return 0;
		p += len;
	}
}


int scenario_matrix_section(struct scenario_ctx *c, const char *name,
			    int line, struct cfg_error *err)
{
	struct scenario_matrix *m;

	name = scenario_section_name(name, sizeof(m->name), "matrix", err);
	if (!name)
		return -1;
	for (int i = 0; i < c->nmatrices; i++)
		if (!strcmp(c->matrices[i].name, name)) {
			snprintf(err->msg, sizeof(err->msg),
				 "matrix name used twice (first at line %d)",
				 c->matrices[i].line);
			return -1;
		}
	if (c->nmatrices == SCENARIO_MAX_MATRICES) {
		snprintf(err->msg, sizeof(err->msg), "more than %d matrices",
			 SCENARIO_MAX_MATRICES);
		return -1;
	}
	m = &c->matrices[c->nmatrices++];
	memset(m, 0, sizeof(*m));
	scenario_adv_init(&m->adv);
	strcpy(m->name, name);
	m->line = line;
	c->matrix = m;
	return 0;
}

/* err->msg already says what; this adds where. */
static int scenario_fail_at(struct cfg_error *err, const char *path,
			    int line, const char *key)
{
	snprintf(err->file, sizeof(err->file), "%s", path);
	err->line = line;
	snprintf(err->key, sizeof(err->key), "%s", key);
	return -1;
}

/* The name of combination (ia, ib, idx) into name: NAME:a:b plus
 * :param=value for each swept parameter. Its length, possibly past cap. */
static int cell_name(const struct scenario_matrix *m, int ia, int ib,
		     const int *idx, char *name, size_t cap)
{
	/* Without b every cell is a shared home: bob is behind router a. */
	int n = snprintf(name, cap, "%s:%s:%s", m->name, m->a[ia],
			 (m->has & CELL_HAS_B) ? m->b[ib] : "same");

	for (int p = 0; p < CELLCOND_NPARAMS; p++)
		/* Past the end, snprintf's size would wrap; the caller
		 * refuses the name anyway. */
		if (m->nvals[p] > 1 && n < (int)cap && cellcond_params[p].names)
			n += snprintf(name + n, cap - (size_t)n, ":%s=%s",
				      cellcond_params[p].name,
				      cellcond_params[p].names[(int)m->vals[p][idx[p]]]);
		else if (m->nvals[p] > 1 && n < (int)cap &&
			 m->dists[p][idx[p]].kind != CONDDIST_FIXED) {
			char spec[CONDDIST_TEXT_MAX];

			conddist_label(&m->dists[p][idx[p]], spec,
				       sizeof(spec));
			n += snprintf(name + n, cap - (size_t)n, ":%s=%s",
				      cellcond_params[p].name, spec);
		} else if (m->nvals[p] > 1 && n < (int)cap)
			n += snprintf(name + n, cap - (size_t)n, ":%s=%g",
				      cellcond_params[p].name,
				      m->vals[p][idx[p]]);
	return n;
}

/* Appends the cell of combination (ia, ib, idx) with puncher
 * combination pk. 0 or -1 with err. */
static int expand_one(struct scenario_ctx *c, struct scenario_matrix *m,
		      int ia, int ib, const int *idx, int pk,
		      struct cfg_error *err)
{
	struct scenario *s = c->s;
	struct scenario_cell *cell = &s->cells[s->ncells];
	char name[256], suffix[160];
	int n = cell_name(m, ia, ib, idx, name, sizeof(name));

	scenario_puncher_combo(c, m, pk, s->ncells, suffix, sizeof(suffix));
	if (n < (int)sizeof(name))
		n += snprintf(name + n, sizeof(name) - (size_t)n, "%s", suffix);

	memset(cell, 0, sizeof(*cell));
	for (int p = 0; p < CELLCOND_NPARAMS; p++)
		if (m->nvals[p]) {
			cellcond_set(&cell->cond, p, m->vals[p][idx[p]]);
			cell->dist[p] = m->dists[p][idx[p]];
			c->cell_params[s->ncells] |= 1u << p;
		}
	if (n >= (int)sizeof(cell->name))
		return cfg_fail(err, s->path, m->line, "",
				"cell name '%s' is too long; shorten the "
				"matrix name",
				name);
	for (int k = 0; k < s->ncells; k++)
		if (!strcmp(s->cells[k].name, name))
			return cfg_fail(err, s->path, m->line, "",
					"[matrix %s] makes cell '%s' twice; "
					"list each profile and value once",
					m->name, name);
	strcpy(cell->name, name);
	cell->line = m->line;
	cell->expect_min = m->expect_min;
	cell->expect_max = m->expect_max;
	strcpy(cell->expect_text, m->expect_text);
	strcpy(cell->reason, m->reason);
	cell->adv = m->adv;
	cell->ladder = m->ladder;
	/* Checked while parsing; fails only if a profile changed since. */
	if (scenario_profile(c, m->a[ia], &cell->a, &cell->a_carrier,
			     &cell->a_has_carrier, err) < 0)
		return scenario_fail_at(err, s->path, m->a_line, "a");
	if ((m->has & CELL_HAS_B) &&
	    scenario_profile(c, m->b[ib], &cell->b, &cell->b_carrier,
			     &cell->b_has_carrier, err) < 0)
		return scenario_fail_at(err, s->path, m->b_line, "b");
	/* No b: scenario_home_check gives the cell router a's. */
	c->has[s->ncells] = CELL_HAS_A | (m->has & (CELL_HAS_B | CELL_HAS_EXPECT));
	s->ncells++;
	return 0;
}

/* Next combination of the swept lists (an odometer); 0 after the last. */
static int next_combination(const struct scenario_matrix *m, int *idx)
{
	for (int p = 0; p < CELLCOND_NPARAMS; p++) {
		if (m->nvals[p] < 2)
			continue;
		if (++idx[p] < m->nvals[p])
			return 1;
		idx[p] = 0;
	}
	return 0;
}

/* One cell per combination of a, b and every listed parameter. */
int scenario_expand(struct scenario_ctx *c, struct scenario_matrix *m,
		    struct cfg_error *err)
{
	struct scenario *s = c->s;
	int idx[CELLCOND_NPARAMS];
	/* Up to 32^14 combinations: a long long would wrap and pass the
	 * check; a double holds the count exactly (a product of small
	 * numbers far below 2^1023). */
	double total = (double)m->na * (m->nb ? m->nb : 1);
	int npk = scenario_puncher_combos(m);
	char key[64];

	for (int p = 0; p < CELLCOND_NPARAMS; p++)
		if (m->nvals[p])
			total *= m->nvals[p];
	total *= npk;
	snprintf(key, sizeof(key), "[matrix %s]", m->name);
	if (s->ncells + total > SCENARIO_MAX_CELLS)
		return cfg_fail(err, s->path, m->line, key,
				"expands to %.0f cells; with the %d before "
				"it that is more than %d; shorten its lists "
				"or split the scenario",
				total, s->ncells, SCENARIO_MAX_CELLS);
	for (int ia = 0; ia < m->na; ia++)
		for (int ib = 0; ib < (m->nb ? m->nb : 1); ib++) {
			memset(idx, 0, sizeof(idx));
			do {
				if (scenario_home_skip(m, ia, ib, idx))
					continue;
				for (int pk = 0; pk < npk; pk++)
					if (expand_one(c, m, ia, ib, idx, pk,
						       err) < 0)
						return -1;
			} while (next_combination(m, idx));
		}
	return 0;
}
