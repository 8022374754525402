/* oob: the harness as the out-of-band side channel between two agents. */
#ifndef PUNCHLAB_OOB_H
#define PUNCHLAB_OOB_H

#include "running.h"

/* Once both agents of r told their public endpoints, tells each the
 * other's, a role, a nonce and a start time, and closes the channels;
 * when one cannot (ended, garbled), closes both so the agents report it.
 * Sets r->relayed when done. */
void oob_relay(struct running *r);

#endif
