/* shard: `punchlab run --shard I/N` — which cells of a scenario one
 * machine runs when a scenario is spread over N machines. Shard I
 * (0-based, as Kubernetes' JOB_COMPLETION_INDEX) holds the cells whose
 * position in the scenario's file order (matrices expanded) is I modulo
 * N. A cell's draws and seeds depend only on the scenario seed, the
 * cell's name and the trial (celldraw.h), so a shard's trials meet the
 * conditions the unsharded run's do; `punchlab merge` puts the shards
 * back together. */
#ifndef PUNCHLAB_SHARD_H
#define PUNCHLAB_SHARD_H

#include "scenario.h"

struct shard {
	int index, count; /* count 0: not sharded */
};

/* "I/N" with 0 <= I < N <= SCENARIO_MAX_CELLS. 0 or -EINVAL. */
int shard_parse(const char *text, struct shard *out);
/* Keeps only the shard's cells of s, in their order. s->ncells may
 * become 0 (fewer cells than shards). */
void shard_select(struct scenario *s, const struct shard *sh);
/* Adds "shard": {"index", "count"} to run_dir's
 * summary.json. 0 or -errno. */
int shard_note(const char *run_dir, const struct shard *sh);

#endif
