/* handoff: the inbound-handoff mode. The coordinator is a node with a few
 * inbound slots; each registered agent takes one. When the slots are full,
 * a newcomer is not refused and no one is evicted if both it and a held
 * peer are unreachable: they are handed to each other to punch. */
#ifndef PUNCHLAB_COORD_HANDOFF_H
#define PUNCHLAB_COORD_HANDOFF_H

#include "clients.h"

/* Registered clients holding an inbound slot (CONN_WAITING, not dead). */
unsigned handoff_held(const struct clients *cl);

/* The held peer c is handed to when the slots are full: among held peers
 * flagged unreachable, the oldest with c's key when that key is non-zero,
 * else the oldest. NULL when no held peer is flagged unreachable. */
struct conn *handoff_pick(const struct clients *cl, const struct conn *c);

/* c has just got its RTT: hold it when a slot is free (reported as the
 * "inbound" event and on the control channel); else hand it and
 * handoff_pick's peer to each other (c initiator, the held peer
 * responder); else, or when c itself is not flagged unreachable, reject it
 * with COORD_REJECT_INBOUND_FULL. */
void handoff_admit(struct clients *cl, struct conn *c);

#endif
