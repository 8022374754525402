/* ownaddrs: the addresses of the namespace the agent runs in, for the
 * target policy's "own address" rule (a coordinator naming one of them
 * points the agent's SYNs at its own host). */
#ifndef PUNCHLAB_AGENT_OWNADDRS_H
#define PUNCHLAB_AGENT_OWNADDRS_H

#include "targetpolicy.h"

/* Adds every IPv4 and IPv6 address getifaddrs lists. 0, or -errno
 * (-ENOSPC past TARGETPOLICY_MAX_OWN). */
int ownaddrs_load(struct targetpolicy *tp);

#endif
