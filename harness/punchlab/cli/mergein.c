/* mergein: the folders of a merge, loaded and checked against each other
 * and against the scenario they ran. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "mergein.h"

static json_t *load(const char *dir, const char *name, char *err,
		    size_t cap)
{
	char path[PATH_MAX];
	json_error_t jerr;
	json_t *j;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	j = json_load_file(path, 0, &jerr);
	if (!j || !json_is_object(j)) {
		snprintf(err, cap, "%s: %s (not a finished run folder?)",
			 path, j ? "not a JSON object" : jerr.text);
		json_decref(j);
		return NULL;
	}
	return j;
}

static const char *jstr(json_t *o, const char *key)
{
	const char *v = json_string_value(json_object_get(o, key));

	return v ? v : "";
}

/* The summary's "shard" mark into src (none: index -1, count 0). */
static void shard_of(struct mergein_src *src)
{
	json_t *sh = json_object_get(src->summary, "shard");

	src->shard_index = -1;
	src->shard_count = 0;
	if (json_is_object(sh)) {
		src->shard_index =
			(int)json_integer_value(json_object_get(sh, "index"));
		src->shard_count =
			(int)json_integer_value(json_object_get(sh, "count"));
	}
}

int mergein_open(struct mergein *m, char **dirs, int ndirs, char *err,
		 size_t cap)
{
	struct mergein_src *a;

	memset(m, 0, sizeof(*m));
	if (!(m->src = calloc(ndirs, sizeof(*m->src))))
		return -ENOMEM;
	m->nsrc = ndirs;
	for (int i = 0; i < ndirs; i++) {
		struct mergein_src *b = &m->src[i];

		b->dir = dirs[i];
		if (!(b->summary = load(b->dir, "summary.json", err, cap)) ||
		    !(b->run = load(b->dir, "run.json", err, cap)))
			return -EINVAL;
		shard_of(b);
	}
	a = &m->src[0];
	for (int i = 1; i < ndirs; i++) {
		struct mergein_src *b = &m->src[i];

		if (strcmp(jstr(a->summary, "scenario"),
			   jstr(b->summary, "scenario"))) {
			snprintf(err, cap,
				 "mixed scenarios: %s ran '%s', %s ran '%s'",
				 a->dir, jstr(a->summary, "scenario"), b->dir,
				 jstr(b->summary, "scenario"));
			return -EINVAL;
		}
		if (!json_equal(json_object_get(a->summary, "seed"),
				json_object_get(b->summary, "seed"))) {
			snprintf(err, cap,
				 "mixed seeds: %s ran seed %lld, %s seed %lld",
				 a->dir,
				 (long long)json_integer_value(
					 json_object_get(a->summary, "seed")),
				 b->dir,
				 (long long)json_integer_value(
					 json_object_get(b->summary, "seed")));
			return -EINVAL;
		}
		if (a->shard_count != b->shard_count) {
			snprintf(err, cap,
				 "mixed shardings: %s is shard %d/%d, %s is "
				 "shard %d/%d (0/0: not a shard)",
				 a->dir, a->shard_index, a->shard_count, b->dir,
				 b->shard_index, b->shard_count);
			return -EINVAL;
		}
		for (int k = 0; k < i && b->shard_count; k++)
			if (m->src[k].shard_index == b->shard_index) {
				snprintf(err, cap,
					 "shard %d/%d given twice: %s and %s",
					 b->shard_index, b->shard_count,
					 m->src[k].dir, b->dir);
				return -EINVAL;
			}
	}
	return 0;
}

/* 1 when files a and b hold the same bytes, 0 when not, -errno. */
static int same_file(const char *a, const char *b)
{
	FILE *fa = fopen(a, "re"), *fb = fopen(b, "re");
	int ca, cb, r = -errno;

	if (fa && fb) {
		do {
			ca = getc(fa);
			cb = getc(fb);
		} while (ca == cb && ca != EOF);
		r = ca == cb;
	}
	if (fa)
		fclose(fa);
	if (fb)
		fclose(fb);
	return r;
}

static int cell_of(const struct scenario *s, const char *name)
{
	for (int c = 0; c < s->ncells; c++)
		if (!strcmp(s->cells[c].name, name))
			return c;
	return -1;
}

/* The cells no folder holds, and the shards not given, into err. */
static int missing(const struct mergein *m, char *err, size_t cap)
{
	const struct scenario *s = &m->s;
	int count = m->src[0].shard_count, nmiss = 0;
	size_t len;

	len = (size_t)snprintf(err, cap, "cells missing:");
	for (int c = 0; c < s->ncells; c++)
		if (m->owner[c] < 0 && nmiss++ < 8 && len < cap)
			len += (size_t)snprintf(err + len, cap - len, " %s",
						s->cells[c].name);
	if (!nmiss)
		return 0;
	if (nmiss > 8 && len < cap)
		len += (size_t)snprintf(err + len, cap - len,
					" and %d more", nmiss - 8);
	for (int k = 0; k < count && len < cap; k++) {
		int given = 0;

		for (int i = 0; i < m->nsrc; i++)
			given |= m->src[i].shard_index == k;
		if (!given && k < s->ncells)
			len += (size_t)snprintf(err + len, cap - len,
						"; shard %d/%d not given", k,
						count);
	}
	return -EINVAL;
}

/* Each folder's summary cells to their scenario cell. */
static int assign(struct mergein *m, char *err, size_t cap)
{
	const struct scenario *s = &m->s;

	for (int c = 0; c < s->ncells; c++)
		m->owner[c] = -1;
	for (int i = 0; i < m->nsrc; i++) {
		json_t *cells = json_object_get(m->src[i].summary, "cells"),
		       *cj;
		size_t k;

		json_array_foreach(cells, k, cj) {
			const char *name = jstr(cj, "cell");
			int c = cell_of(s, name);

			if (c < 0) {
				snprintf(err, cap,
					 "%s: cell '%s' is not in %s",
					 m->src[i].dir, name, s->path);
				return -EINVAL;
			}
			if (m->owner[c] >= 0) {
				snprintf(err, cap,
					 "cell '%s' twice: in %s and %s", name,
					 m->src[m->owner[c]].dir,
					 m->src[i].dir);
				return -EINVAL;
			}
			m->owner[c] = i;
			m->cell_json[c] = cj;
		}
	}
	return missing(m, err, cap);
}

int mergein_scenario(struct mergein *m, const char *path,
		     const char *profiles, char *err, size_t cap)
{
	char copy[PATH_MAX], msg[1200];
	struct cfg_error ce;

	if (!path)
		path = jstr(m->src[0].run, "path");
	/* The file itself, not its name: an edited scenario is another
	 * scenario even under the same name. */
	for (int i = 0; i < m->nsrc; i++) {
		snprintf(copy, sizeof(copy), "%s/scenario.ini", m->src[i].dir);
		if (same_file(path, copy) != 1) {
			snprintf(err, cap,
				 "%s did not run %s (its scenario.ini differs "
				 "or is missing; --scenario FILE names the "
				 "file)",
				 m->src[i].dir, path);
			return -EINVAL;
		}
	}
	if (scenario_load(path, profiles, &m->s, &ce) < 0) {
		snprintf(err, cap, "%s", cfg_error_str(&ce, msg, sizeof(msg)));
		return -EINVAL;
	}
	/* As the run named it (a scenario.ini copy would say "scenario"). */
	snprintf(m->s.name, sizeof(m->s.name), "%s",
		 jstr(m->src[0].summary, "scenario"));
	if ((json_int_t)m->s.seed !=
	    json_integer_value(json_object_get(m->src[0].summary, "seed"))) {
		snprintf(err, cap, "%s has seed %llu, the folders ran another",
			 path, (unsigned long long)m->s.seed);
		return -EINVAL;
	}
	m->owner = calloc(m->s.ncells, sizeof(*m->owner));
	m->cell_json = calloc(m->s.ncells, sizeof(*m->cell_json));
	if (!m->owner || !m->cell_json)
		return -ENOMEM;
	return assign(m, err, cap);
}

void mergein_free(struct mergein *m)
{
	for (int i = 0; m->src && i < m->nsrc; i++) {
		json_decref(m->src[i].summary);
		json_decref(m->src[i].run);
	}
	free(m->src);
	free(m->owner);
	free(m->cell_json);
	scenario_free(&m->s);
	memset(m, 0, sizeof(*m));
}
