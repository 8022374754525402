/* netpick: a node's outbound picks from its address manager — the
 * outbound_full + outbound_block connections to reachable nodes, and in
 * advertised phases the punch_target extra picks, where an advertised
 * entry is reached by a seeker registration (netpunch). */
#ifndef PUNCHLAB_NETPICK_H
#define PUNCHLAB_NETPICK_H

#include "netmodel.h"

/* Tops up the outbound connections from T0 + 500 ms. */
void netpick_outbound(struct networld *w, struct netnode *n, int64_t now);
/* Advertised phases: the extra picks, from T0 + max(NET_T_PICK_MS,
 * settle_ms / 2) to settle. */
void netpick_extra(struct networld *w, struct netnode *n, int64_t now);

#endif
