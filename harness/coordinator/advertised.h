/* advertised: the `advertised` mode (docs/network.md, section 4). A home
 * node keeps a light connection to the coordinator under its advertised
 * key (a holder, COORD_REG_HOLD); a node that picked that address asks,
 * as a seeker (COORD_REG_SEEK), to be punched to it. The seeker's session
 * ends with its hppunch; the holder's stays, so it can be punched again. */
#ifndef PUNCHLAB_COORD_ADVERTISED_H
#define PUNCHLAB_COORD_ADVERTISED_H

#include <stdbool.h>
#include <stdint.h>

#include "clients.h"

/* c is a holder: the daemon is in advertised mode and c registered with
 * COORD_REG_HOLD. */
bool advertised_is_holder(const struct clients *cl, const struct conn *c);

/* At hpregister, before the RTT ping. Rejects c and returns true when it
 * names neither role or both (COORD_REJECT_NO_PEER), holds a key another
 * holder has (COORD_REJECT_KEY_BUSY), or seeks a key nobody holds
 * (COORD_REJECT_NO_PEER); else false and c goes on to its ping. */
bool advertised_refuse(struct clients *cl, struct conn *c);

/* c has just got its RTT. A holder is held (the "hold" event, and "held
 * KEY" on the control channel) and every seeker already waiting for its
 * key is punched to it. A seeker is punched to the holder of its key when
 * that has its RTT, waits while the holder's ping is out, and is rejected
 * (COORD_REJECT_NO_PEER) when the holder has gone. */
void advertised_ready(struct clients *cl, struct conn *c);

/* A pong on a holder's light connection: the keepalive's answer
 * refreshes its RTT (the next punch's schedule) and its deadline. */
void advertised_pong(struct clients *cl, struct conn *c, uint64_t nonce,
		     int64_t now_us);

/* The holder's deadline passed: drop it when the last keepalive ping is
 * unanswered ("hold-timeout"), else send the next one. The interval is
 * half of --hold-timeout-ms, so a silent holder goes within that time. */
void advertised_keepalive(struct clients *cl, struct conn *c, int64_t now_us);

#endif
