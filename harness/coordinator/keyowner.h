/* keyowner: --key-owner. A key is bound to the connections that
 * registered it, for as long as they are open (paired, closing or
 * lingering included): in rendezvous mode the first registration owns
 * it and the next one is its partner; in advertised mode the first
 * holder owns it. Any other registration of a bound key is refused
 * (COORD_REJECT_KEY_BUSY) before it can wait, pair or hold in an
 * owner's place. Handoff keys are only preferences and are not bound. */
#ifndef PUNCHLAB_COORD_KEYOWNER_H
#define PUNCHLAB_COORD_KEYOWNER_H

#include "clients.h"

/* Why c's registration (c->key, c->flags filled in, c not yet owning
 * anything) must be refused: "key-owned", or NULL when it may go on.
 * Pure: reads the owners' index only (the owners of c->key, not the
 * whole table). Key 0 ("any peer") is never bound. */
const char *keyowner_busy(const struct clients *cl, const struct conn *c);
/* c's registration was accepted: it owns its key from now on, in the
 * index when --key-owner counts it (clients.c takes it out when c is
 * freed). 0, or -ENOMEM when the index could not be had (c must then be
 * dropped: an owner the index misses would not be protected). */
int keyowner_bind(struct clients *cl, struct conn *c);

#endif
