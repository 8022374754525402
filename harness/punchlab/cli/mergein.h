/* mergein: the run folders `punchlab merge` is given — each one's
 * summary.json and run.json, checked to be parts of one run of one
 * scenario: same scenario name, seed, scenario file and shard count,
 * every cell of the scenario in exactly one folder. */
#ifndef PUNCHLAB_MERGEIN_H
#define PUNCHLAB_MERGEIN_H

#include <stddef.h>

#include "scenario.h"

struct json_t;

struct mergein_src {
	const char *dir;
	struct json_t *summary, *run; /* owned; freed by mergein_free */
	int shard_index, shard_count; /* -1 and 0: not a shard */
};

struct mergein {
	struct mergein_src *src;
	int nsrc;
	struct scenario s; /* loaded by mergein_scenario */
	int *owner;	   /* per cell of s: its folder (index into src) */
	/* per cell of s: its object in its folder's summary.json */
	struct json_t **cell_json;
};

/* Loads every folder's summary.json and run.json and checks they agree
 * (scenario, seed, shard count, no shard twice). 0, or -EINVAL with the
 * reason, naming the folders, in err. */
int mergein_open(struct mergein *m, char **dirs, int ndirs, char *err,
		 size_t cap);
/* Loads the scenario (path NULL: the first folder's run.json "path")
 * with the profiles of the folder profiles, checks that every
 * folder ran this very file (its scenario.ini copy), and gives each cell
 * its folder: a cell in two folders, one the scenario lacks, or a cell in
 * none (with the shards not given) is an error. 0 or -EINVAL and err. */
int mergein_scenario(struct mergein *m, const char *path,
		     const char *profiles, char *err, size_t cap);
void mergein_free(struct mergein *m);

#endif
