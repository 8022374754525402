/* modes: how each coordinator mode runs a trial — how many trials may be
 * in flight, whether one side waits until charlie holds the other,
 * whether the harness relays endpoints itself, and the agents' mode
 * options. */
#ifndef PUNCHLAB_MODES_H
#define PUNCHLAB_MODES_H

#include "scenario.h"

struct trial_mode {
	enum scenario_mode mode;
	/* trials in flight in the whole run (0: the engine's limit) */
	int max_inflight;
	/* One side starts first; the other once the coordinator reports
	 * the first held (coordctl). handoff: charlie has one inbound slot
	 * and alice (first = 0) takes it; advertised: bob (first = 1) is
	 * the holder alice's seek needs. */
	int wait_held;
	int first;
	/* out of band: the harness is the side channel (oob.c) */
	int side_channel;
	/* side s's agent options for this mode (0 alice, 1 bob);
	 * coordinator is "ADDR:PORT" and key the trial's; returns how many
	 * it put in argv */
	int (*agent_opts)(char **argv, int s, const char *coordinator,
			  const char *probe, const char *key);
};

const struct trial_mode *trial_mode(enum scenario_mode m);

#endif
