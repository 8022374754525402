/* ladderfold: a ladder cell's per-trial "ladder" and "first" members
 * (trials.jsonl, docs/alternatives.md section 6) folded into
 * summary.json's "ladder" object: per mechanism its trials, successes,
 * rate with Wilson interval, median ms and expect_<mechanism> verdict;
 * which mechanism connected first, how often. */
#ifndef PUNCHLAB_LADDERFOLD_H
#define PUNCHLAB_LADDERFOLD_H

#include <stddef.h>

#include "scenario_model.h"

struct json_t;

struct ladderfold_acc {
	unsigned trials[LADDER_NMECH], ok[LADDER_NMECH];
	double *ms[LADDER_NMECH]; /* the successes' ms, grown as they come */
	size_t nms[LADDER_NMECH], cap[LADDER_NMECH];
	unsigned first[LADDER_NMECH + 1]; /* [LADDER_NMECH]: none connected */
	unsigned ntrials;		  /* records with a "ladder" */
};

/* Adds one trial record's "ladder" array and "first" (a record without
 * them is ignored). 0 or -ENOMEM. */
int ladderfold_add(struct ladderfold_acc *a, struct json_t *trial);
void ladderfold_free(struct ladderfold_acc *a);
/* The cell's "ladder" object for the mechanisms l lists; *pass is 0 when
 * a mechanism's interval misses its expect_<mechanism>, else left as it
 * is. NULL when l lists none (not a ladder cell) or out of memory. */
struct json_t *ladderfold_cell(const struct cell_ladder *l,
			       struct ladderfold_acc *a, int *pass);
/* One line under the cell's: each mechanism's successes/trials and p50,
 * then the first-success counts ("" when not a ladder cell). */
void ladderfold_line(const struct json_t *ladder, char *buf, size_t cap);

#endif
