/* results: what a run measured, per cell — trials, successes, failures
 * by outcome, times to connect — folded from the trial records; the
 * summary.json in the shape design.md gives, the one-line-per-cell table,
 * and the verdict against each cell's expectation. Owns the outcome
 * accounting (the vocabulary itself is harness/common/outcomes.h). */
#ifndef PUNCHLAB_RESULTS_H
#define PUNCHLAB_RESULTS_H

#include <stddef.h>

#include "advfold.h"
#include "ladderfold.h"
#include "outcomes.h"
#include "timing.h"
#include "scenario.h"

struct json_t;

struct cell_result {
	unsigned trials, successes;
	unsigned fail[OUTCOME_N];
	double *ttc_ms; /* successful timed trials only */
	double *hs_ms;
	size_t n_ok, cap;
	/* Every trial's drawn conditions (results_cond), for the keys the
	 * cell draws: ndrawn rows of CELLCOND_NPARAMS values. */
	double *drawn;
	size_t ndrawn;
	struct timing_acc timing; /* the harness's own timing */
	struct advfold_acc adv;	  /* an adversary cell's "adv" records */
	struct ladderfold_acc ladder; /* a ladder cell's steps */
};

struct nat_counts {
	long long syn_dropped, rst_sent; /* -1: could not be read */
};

/* Room for ntrials timed successes. 0 or -ENOMEM. */
int results_cell_init(struct cell_result *r, int ntrials);
void results_cell_free(struct cell_result *r);
/* Adds one trial (ttc/hs < 0: not timed). */
void results_account(struct cell_result *r, enum outcome_code o, double ttc,
		     double hs);
/* Keeps a trial record's "adv" member (docs/adversaries.md section 6),
 * if it has one, for the cell's "adversary" object. 0 or -ENOMEM. */
int results_adv(struct cell_result *r, struct json_t *trial);
/* Keeps a ladder trial's "ladder" and "first" (docs/alternatives.md
 * section 6) for the cell's "ladder" object. 0 or -ENOMEM. */
int results_ladder(struct cell_result *r, struct json_t *trial);
/* Adds one trial's conditions (celldraw.h) to the cell's draws. */
void results_cond(struct cell_result *r, const struct cell_cond *cc);
/* {"key": value} of one trial's conditions: every key that takes a
 * distribution and that the cell set, drawn or fixed. */
struct json_t *results_cond_json(const struct scenario_cell *c,
				 const struct cell_cond *cc);
/* Into a cell's or trial's record j: "params" (results_params), and the
 * cell's homes: "home" ("separate" or "shared") and "hosts" {"a": N,
 * "b": M}, the hosts behind each router (the agents' own, bob in a shared
 * home, and the background nodes; b is 0 in a shared home). */
void results_conditions(struct json_t *j, const struct scenario_cell *c);
/* {"param": value} of the cell's conditions that the scenario set. */
struct json_t *results_params(const struct scenario_cell *c);

/* Writes path (summary.json; link_method: "none", "netem", "nfqueue") and
 * prints one line per cell on stdout. counts[cell][side] may be NULL.
 * Returns the number of cells whose measured interval misses their
 * expectation, or whose adversary effect misses expect_effect, or
 * -errno. */
int results_write(const struct scenario *s, const char *rid,
		  struct cell_result *res, struct nat_counts (*counts)[2],
		  const char *link_method, const char *path);

#endif
