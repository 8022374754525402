/* probe_lifetime: how long an idle established mapping keeps letting its
 * peer in, measured from outside within half a second. */
#ifndef PUNCHLAB_PROBE_LIFETIME_H
#define PUNCHLAB_PROBE_LIFETIME_H

#include "probe.h"
#include "probe_net.h"

/* PROBE_NLIFE connections from H1:base+30.. to the holder (hold_fd), left
 * idle life_s -1.5, -1, -0.5, +0.5, +1, +1.5 s; then the holder's side
 * sends one byte and H1 either gets it (alive) or not. 0 (results or
 * why in o), -EINTR on stop. */
int probe_measure_lifetime(struct probe_net *n, int hold_fd, uint16_t base,
			   unsigned int life_s, struct probe_obs *o);

#endif
