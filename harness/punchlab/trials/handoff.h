/* handoff: when bob may start in the handoff mode — once charlie holds
 * alice as an inbound peer. */
#ifndef PUNCHLAB_HANDOFF_H
#define PUNCHLAB_HANDOFF_H

#include "running.h"

/* 1 when the coordinator reported r's alice held, or alice gave up
 * already (bob starts anyway and reports it). */
int handoff_alice_held(const struct trials_cfg *cfg, const struct running *r);

#endif
