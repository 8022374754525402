/* probe_timers: the timers of issue 11's keys — how long a mapping made
 * by one unanswered SYN lives (SYN_SENT) and whether inbound-only
 * packets keep a mapping alive (refresh). Each waits a few seconds. */
#ifndef PUNCHLAB_PROBE_TIMERS_H
#define PUNCHLAB_PROBE_TIMERS_H

#include <stdint.h>

#include "probe.h"
#include "probe_net.h"

/* PROBE_NLIFE mappings from H1:base+36.. (each a listener and one SYN to
 * a trap port of T, whose socket is closed once T saw it: no
 * retransmission refreshes it), probed syn_s -1.5 .. +1.5 s later by a
 * SYN from T to the public endpoint: alive when it reached H1's
 * listener, or, with simultaneous_open = drop somewhere, when a router's
 * simopen_dropped counter moved (only a live entry has a reply
 * direction). 0 (results or why in o), -EINTR on stop. */
int probe_measure_synsent(struct probe_net *n, int pfd, uint16_t base,
			  unsigned int syn_s, struct probe_obs *o);
/* H1:base+27 sends one datagram to S:a:PROBE_REFRESH_PORT; S then sends
 * one every PROBE_REFRESH_STEP_MS to the source it saw until life_s +
 * 1.5 s while H1 stays silent; which arrived. 0 or -EINTR. */
int probe_measure_refresh(struct probe_net *n, uint16_t base,
			  unsigned int life_s, struct probe_obs *o);

#define PROBE_REFRESH_PORT 3481

#endif
