/* shard: one machine's part of a scenario, and its mark in summary.json. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "optparse.h"
#include "shard.h"

int shard_parse(const char *text, struct shard *out)
{
	char num[16];
	const char *slash = strchr(text, '/');
	size_t len = slash ? (size_t)(slash - text) : 0;

	memset(out, 0, sizeof(*out));
	if (!slash || len == 0 || len >= sizeof(num))
		return -EINVAL;
	memcpy(num, text, len);
	num[len] = '\0';
	if (optparse_int(slash + 1, 1, SCENARIO_MAX_CELLS, &out->count) < 0 ||
	    optparse_int(num, 0, out->count - 1, &out->index) < 0) {
		out->count = 0;
		return -EINVAL;
	}
	return 0;
}

void shard_select(struct scenario *s, const struct shard *sh)
{
	int kept = 0;

	/* The cells are plain values (profiles copied in, punchers by index
	 * into s->punchers): moving one moves all of it. */
	for (int c = sh->index; c < s->ncells; c += sh->count)
		s->cells[kept++] = s->cells[c];
	s->ncells = kept;
}

int shard_note(const char *run_dir, const struct shard *sh)
{
	char path[PATH_MAX];
	json_error_t jerr;
	json_t *j;
	int e = 0;

	if (snprintf(path, sizeof(path), "%s/summary.json", run_dir) >=
	    (int)sizeof(path))
		return -ENAMETOOLONG;
	if (!(j = json_load_file(path, 0, &jerr)))
		return -EIO;
	json_object_set_new(j, "shard",
			    json_pack("{s:i, s:i}", "index", sh->index,
				      "count", sh->count));
	if (json_dump_file(j, path, JSON_INDENT(2)) < 0)
		e = -EIO;
	json_decref(j);
	return e;
}
