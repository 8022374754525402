/* scenario_puncher: outside punchers in a scenario file. References may
 * come before the [puncher] they name, so they are kept with their line
 * and resolved when the file is read. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "cmdtmpl.h"
#include "punchdef.h"
#include "scenario_puncher.h"
#include "scenario_value.h"

static const char *const pref_keys[3] = { "puncher", "puncher_a",
					  "puncher_b" };

int scenario_puncher_section(struct scenario_ctx *c, const char *name,
			     int line, struct cfg_error *err)
{
	struct scenario *s = c->s;
	struct scenario_puncher *p;

	name = scenario_section_name(name, sizeof(p->name), "puncher", err);
	if (!name)
		return -1;
	if (!strcmp(name, "agent")) {
		snprintf(err->msg, sizeof(err->msg),
			 "'agent' is the built-in agent; name yours otherwise");
		return -1;
	}
	for (int i = 0; i < s->npunchers; i++)
		if (!strcmp(s->punchers[i].name, name)) {
			snprintf(err->msg, sizeof(err->msg),
				 "puncher name used twice (first at line %d)",
				 s->punchers[i].line);
			return -1;
		}
	if (s->npunchers == SCENARIO_MAX_PUNCHERS) {
		snprintf(err->msg, sizeof(err->msg), "more than %d punchers",
			 SCENARIO_MAX_PUNCHERS);
		return -1;
	}
	p = &s->punchers[s->npunchers++];
	memset(p, 0, sizeof(*p));
	strcpy(p->name, name);
	p->line = line;
	c->puncher = p;
	return 0;
}

static int puncher_own_key(struct scenario_ctx *c, const char *key,
			   const char *v, struct cfg_error *err)
{
	struct scenario_puncher *p = c->puncher;
	char why[400];
	int n;

	if (!strcmp(key, "command")) {
		if (cmdtmpl_check(v, why, sizeof(why)) < 0) {
			snprintf(err->msg, sizeof(err->msg), "%s", why);
			return -1;
		}
		return scenario_copy(p->command, sizeof(p->command), v, err);
	}
	if (!strcmp(key, "verify")) {
		n = cfg_enum(v, scenario_verify_names, err);
		if (n < 0)
			return -1;
		p->verify = (enum scenario_verify)n;
		return 0;
	}
	snprintf(err->msg, sizeof(err->msg),
		 "unknown key in a puncher; known keys: command verify");
	return -1;
}

static int pref_set(struct scenario_pref *r, const char *key, const char *v,
		    int line, struct cfg_error *err)
{
	if (!*v || strlen(v) >= sizeof(r->name)) {
		snprintf(err->msg, sizeof(err->msg),
			 "a puncher name of 1..%zu characters, or agent",
			 sizeof(r->name) - 1);
		return -1;
	}
	strcpy(r->name, v);
	r->line = line;
	snprintf(r->key, sizeof(r->key), "%s", key);
	return 0;
}

/* A [matrix]'s list: names only here, checked when resolved. */
static int plist_set(struct scenario_plist *l, const char *v, int line,
		     struct cfg_error *err)
{
	l->n = 0;
	l->line = line;
	for (const char *p = v;; p++) {
		const char *q = strchr(p, ',');
		size_t len = q ? (size_t)(q - p) : strlen(p);

		while (len && isspace((unsigned char)*p)) {
			p++;
			len--;
		}
		while (len && isspace((unsigned char)p[len - 1]))
			len--;
		if (!len || len >= PROFILE_NAME_MAX || l->n == SCENARIO_MAX_LIST) {
			snprintf(err->msg, sizeof(err->msg),
				 "a list of 1..%d puncher names separated by "
				 "commas",
				 SCENARIO_MAX_LIST);
			return -1;
		}
		memcpy(l->names[l->n], p, len);
		l->names[l->n++][len] = '\0';
		if (!q)
			return 0;
		p = q;
	}
}

int scenario_puncher_key(struct scenario_ctx *c, const char *key,
			 const char *v, int line, struct cfg_error *err)
{
	int k;

	if (c->puncher)
		return puncher_own_key(c, key, v, err);
	for (k = 0; k < 3 && strcmp(key, pref_keys[k]); k++)
		;
	if (k == 3)
		return 1;
	if (c->matrix)
		return plist_set(&c->matrix->punchers[k], v, line, err);
	struct scenario_pref *r =
		c->cell ? c->cell_pref[c->cell - c->s->cells] : c->def_pref;
	for (int s = 0; s < 2; s++)
		if (k == 0 || k == s + 1)
			if (pref_set(&r[s], key, v, line, err) < 0)
				return -1;
	return 0;
}

int scenario_puncher_combos(const struct scenario_matrix *m)
{
	int n = 1;

	for (int k = 0; k < 3; k++)
		n *= m->punchers[k].n ? m->punchers[k].n : 1;
	return n;
}

void scenario_puncher_combo(struct scenario_ctx *c,
			    const struct scenario_matrix *m, int k, int cell,
			    char *suffix, size_t cap)
{
	size_t len = 0;

	suffix[0] = '\0';
	for (int l = 0; l < 3; l++) {
		const struct scenario_plist *pl = &m->punchers[l];
		int i;

		if (!pl->n)
			continue;
		i = k % pl->n;
		k /= pl->n;
		for (int s = 0; s < 2; s++)
			if (l == 0 || l == s + 1) {
				struct scenario_pref *r = &c->cell_pref[cell][s];

				strcpy(r->name, pl->names[i]);
				r->line = pl->line;
				strcpy(r->key, pref_keys[l]);
			}
		if (pl->n > 1 && len < cap)
			len += (size_t)snprintf(suffix + len, cap - len,
						":%s=%s", pref_keys[l],
						pl->names[i]);
	}
}

/* A reference into an index; "" falls back to dflt. */
static int pref_resolve(struct scenario_ctx *c, const struct scenario_pref *r,
			int dflt, int *out, struct cfg_error *err)
{
	struct scenario *s = c->s;

	if (!r->name[0]) {
		*out = dflt;
		return 0;
	}
	if (!strcmp(r->name, "agent")) {
		*out = SCENARIO_PUNCHER_AGENT;
		return 0;
	}
	for (int i = 0; i < s->npunchers; i++)
		if (!strcmp(s->punchers[i].name, r->name)) {
			*out = i;
			return 0;
		}
	return cfg_fail(err, s->path, r->line, r->key,
			"unknown puncher '%s'; define [puncher %s] with a "
			"command, or use agent (the built-in agent)",
			r->name, r->name);
}

int scenario_puncher_resolve(struct scenario_ctx *c, struct cfg_error *err)
{
	struct scenario *s = c->s;
	int dflt[2];

	for (int i = 0; i < s->npunchers; i++)
		if (!s->punchers[i].command[0])
			return cfg_fail(err, s->path, s->punchers[i].line,
					"command",
					"missing in [puncher %s]; every "
					"puncher needs a command",
					s->punchers[i].name);
	for (int sd = 0; sd < 2; sd++)
		if (pref_resolve(c, &c->def_pref[sd], SCENARIO_PUNCHER_AGENT,
				 &dflt[sd], err) < 0)
			return -1;
	for (int i = 0; i < s->ncells; i++)
		for (int sd = 0; sd < 2; sd++)
			if (pref_resolve(c, &c->cell_pref[i][sd], dflt[sd],
					 &s->cells[i].puncher[sd], err) < 0)
				return -1;
	return 0;
}

