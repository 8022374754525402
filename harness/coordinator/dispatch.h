/* dispatch: what each message from a client means to the coordinator:
 * the version handshake, ping/pong, and hpregister. */
#ifndef PUNCHLAB_COORD_DISPATCH_H
#define PUNCHLAB_COORD_DISPATCH_H

#include "clients.h"

#define DISPATCH_USER_AGENT COORD_USER_AGENT

/* Handles one framed message from c. Returns NULL, or the reason to drop
 * c (a short token for the "drop" event). May queue output, change c's
 * state, or pair c with a waiting client. */
const char *dispatch_message(struct clients *cl, struct conn *c,
			     const struct p2p_hdr *h, const uint8_t *payload);

#endif
