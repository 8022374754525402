/* results: summary.json in the shape design.md gives, the one-line-per-
 * cell table, and the verdict against each cell's expectation. */
#ifndef PUNCHLAB_RESULTS_H
#define PUNCHLAB_RESULTS_H

#include "scenario.h"
#include "trials.h"
#include "world.h"

struct nat_counts {
	long long syn_dropped, rst_sent; /* -1: could not be read */
};

/* Writes path (summary.json; link_method: "none", "netem", "nfqueue") and prints one line per cell on stdout.
 * counts[cell][side] may be NULL. Returns the number of cells whose
 * measured interval misses their expectation, or -errno. */
int results_write(const struct scenario *s, const char *rid,
		  struct cell_result *res, struct nat_counts (*counts)[2],
		  const char *link_method, const char *path);

#endif
