/* modes: one entry per coordinator mode. */
#include "modes.h"

static int rendezvous_opts(char **argv, int s, const char *coordinator,
			   const char *probe, const char *key)
{
	(void)s;
	(void)probe;
	argv[0] = "--coordinator";
	argv[1] = (char *)coordinator;
	argv[2] = "--key";
	argv[3] = (char *)key;
	return 4;
}

/* Like rendezvous, but the agent expects to be held or handed off. */
static int handoff_opts(char **argv, int s, const char *coordinator,
			const char *probe, const char *key)
{
	int n = rendezvous_opts(argv, s, coordinator, probe, key);

	argv[n++] = "--handoff";
	return n;
}

/* No coordinator, no key: a probe server on charlie tells each agent its
 * public endpoint, the harness relays the rest. */
static int oob_opts(char **argv, int s, const char *coordinator,
		    const char *probe, const char *key)
{
	(void)s;
	(void)coordinator;
	(void)key;
	argv[0] = "--oob";
	argv[1] = "--probe";
	argv[2] = (char *)probe;
	return 3;
}

/* Bob is the home node advertised as reachable through charlie: he
 * holds the trial's key; alice picked his address and seeks it. */
static int advertised_opts(char **argv, int s, const char *coordinator,
			   const char *probe, const char *key)
{
	int n = rendezvous_opts(argv, s, coordinator, probe, key);

	argv[n++] = s ? "--hold" : "--seek";
	return n;
}

static const struct trial_mode trial_modes[] = {
	[SCENARIO_MODE_RENDEZVOUS] = { .mode = SCENARIO_MODE_RENDEZVOUS,
				       .agent_opts = rendezvous_opts },
	[SCENARIO_MODE_HANDOFF] = { .mode = SCENARIO_MODE_HANDOFF,
				    .max_inflight = 1,
				    .wait_held = 1,
				    .first = 0,
				    .agent_opts = handoff_opts },
	[SCENARIO_MODE_OOB] = { .mode = SCENARIO_MODE_OOB,
				.side_channel = 1,
				.agent_opts = oob_opts },
	[SCENARIO_MODE_ADVERTISED] = { .mode = SCENARIO_MODE_ADVERTISED,
				       .wait_held = 1,
				       .first = 1,
				       .agent_opts = advertised_opts },
};

const struct trial_mode *trial_mode(enum scenario_mode m)
{
	if ((unsigned)m >= sizeof(trial_modes) / sizeof(trial_modes[0]))
		return &trial_modes[SCENARIO_MODE_RENDEZVOUS];
	return &trial_modes[m];
}
