/* netnodes: the nodes file punch-net and network.py read (docs/network.md
 * section 3): run settings, phases, and every node with its namespace,
 * address, netgroup, profile and coordinator. */
#ifndef PUNCHLAB_NETNODES_H
#define PUNCHLAB_NETNODES_H

#include "netplan.h"

/* Writes path. coord_mode[i]: the mode phase i's coordinators really run
 * ("rendezvous", "handoff", "advertised"; NULL: none run), which differs
 * from the phase's mode only where the daemon lacks it. 0 or -errno. */
int netnodes_write(const struct netplan *np, const char *const *coord_mode,
		   const char *path);

#endif
