/* handoff: when the second side may start in the modes where one waits
 * (modes.h: wait_held) — once charlie holds the first: alice as an
 * inbound peer (handoff), bob's light connection (advertised). */
#ifndef PUNCHLAB_HANDOFF_H
#define PUNCHLAB_HANDOFF_H

#include "running.h"

/* 1 when the coordinator reported r's first side held, or that side gave
 * up already (the second starts anyway and reports it). */
int handoff_first_held(const struct trials_cfg *cfg, const struct running *r);

#endif
