/* advcmd: what an adversary cell and the agents' defences change in an
 * agent's command line (docs/adversaries.md sections 3 and 4): where it
 * registers, --target-policy with the WAN's private prefixes,
 * --auth-secret and --start-jitter-ms. */
#ifndef PUNCHLAB_ADVCMD_H
#define PUNCHLAB_ADVCMD_H

#include <stddef.h>

#include "advtrial.h"
#include "trialcfg.h"

#define ADVCMD_ARGS 10 /* at most this many options */

/* "ADDR:PORT" the agents of cell register at into buf: the run's
 * coordinator for an honest cell; mallory's lying coordinator (redirect,
 * impersonate, withhold, delay) or the cell's own honest one (hijack,
 * inject, flood) at PLAN_ADV_PORT_BASE + cell. */
void advcmd_coordinator(const struct trials_cfg *cfg, int cell, char *buf,
			size_t cap);
/* The defence options of side s (0 alice, 1 bob) of a trial of cell
 * into argv (pointing into t and static strings); returns how many. */
int advcmd_argv(const struct trials_cfg *cfg, int cell,
		const struct adv_trial *t, int s, char **argv);
/* The port of cell's own coordinator, and of mallory's for it. */
int advcmd_port(int cell);
/* How long a lying coordinator may make an undefended agent wait beyond
 * the trial's timeout (withhold: the agent's 60 s match timeout; delay:
 * the named delay, at most 120 s), plus the start jitter the agents
 * may add (start_jitter_ms): the harness's hang grace grows by it, so
 * the cost measured is the agent's own, not the harness's kill. */
int advcmd_wait_ms(const struct cell_adv *a);

#endif
