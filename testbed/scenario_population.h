/* scenario_population: the population of a [network] scenario, from a
 * population CSV or an inline list. Private to the scenario reader. */
#ifndef PUNCHLAB_SCENARIO_POPULATION_H
#define PUNCHLAB_SCENARIO_POPULATION_H

#include "scenario_priv.h"

/* n->population read into n->profiles (a profile listed twice is one
 * entry; shares sum to 1), each profile loaded from c->profile_dir; a
 * CSV path is looked up beside the scenario, then next to the profile
 * folder (the source tree), then from the current folder, and kept in
 * n->population_path. 0, or -1 with err naming the scenario's line
 * (the population key's) and, for a CSV, the CSV's own file:line in the
 * message. Profiles that translate nothing (mapping none) are refused. */
int scenario_population_load(struct scenario_ctx *c, struct scenario_network *n,
			     int line, struct cfg_error *err);

#endif
