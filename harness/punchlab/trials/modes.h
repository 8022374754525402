/* modes: how each coordinator mode runs a trial — how many trials may be
 * in flight, whether bob waits until charlie holds alice, whether the
 * harness relays endpoints itself, and the agents' mode options. */
#ifndef PUNCHLAB_MODES_H
#define PUNCHLAB_MODES_H

#include "scenario.h"

struct trial_mode {
	enum scenario_mode mode;
	/* trials in flight in the whole run (0: the engine's limit) */
	int max_inflight;
	/* handoff: charlie has one inbound slot; bob starts once the
	 * coordinator reports alice held (coordctl) */
	int bob_waits;
	/* out of band: the harness is the side channel (oob.c) */
	int side_channel;
	/* the agent's options for this mode; coordinator is "ADDR:PORT" and
	 * key the trial's; returns how many it put in argv */
	int (*agent_opts)(char **argv, const char *coordinator,
			  const char *probe, const char *key);
};

const struct trial_mode *trial_mode(enum scenario_mode m);

#endif
