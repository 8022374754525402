/* scenario: a scenario file (scenarios/<name>.ini): which NAT pairs to
 * punch between, how many trials, and the success rate each pair is
 * expected to reach. */
#ifndef PUNCHLAB_SCENARIO_H
#define PUNCHLAB_SCENARIO_H

#include "cfg.h"
#include "punchdef.h"
#include "scenario_model.h"

/* Parses path, loading each cell's profiles from profile_dir, and the
 * carrier profile of each that has `behind`. 0, or -1 with err naming
 * file, line and key (a missing or broken profile names the line of the
 * key that referenced it, and the message the profile's own file, line
 * and key). */
int scenario_load(const char *path, const char *profile_dir,
		  struct scenario *s, struct cfg_error *err);
/* Frees what scenario_load allocated (the cells) and leaves s empty, as
 * after a failed load; NULL is safe. Every scenario_load, failed or not,
 * needs one before s is loaded again or forgotten. */
void scenario_free(struct scenario *s);
/* "rendezvous", "handoff", "out-of-band", "advertised" / "embedded",
 * "bitcoind", "bitcoind-import": as scenario files spell them. */
const char *scenario_mode_name(enum scenario_mode m);
const char *scenario_node_name(enum scenario_node n);

#endif
