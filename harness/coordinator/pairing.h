/* pairing: matches two registered clients and schedules their punch so
 * both start at the same moment (RTT/2 sync, as libp2p DCUtR). */
#ifndef PUNCHLAB_COORD_PAIRING_H
#define PUNCHLAB_COORD_PAIRING_H

#include <stdint.h>

#include "clients.h"

/* Delay for the side whose RTT is rtt_self_us: with
 * D = max(rtt_self, rtt_other)/2 + margin, it is D - rtt_self/2, in ms,
 * rounded, never negative. hppunch reaches that side after about
 * rtt_self/2, so both start D after the coordinator sends. */
uint32_t pairing_delay_ms(int64_t rtt_self_us, int64_t rtt_other_us,
			  int margin_ms);

/* Queues self's hppunch: peer's observed endpoint, role, nonce, delay
 * (and the optional fields self asked for). 0, -ENOBUFS or -errno. */
int pairing_send(struct clients *cl, struct conn *self,
		 const struct conn *peer, uint8_t role, uint64_t nonce,
		 uint32_t delay_ms);

/* Sends ini and rsp their hppunch back to back (each with the other's
 * observed endpoint, the role, nonce and its delay) and ends both
 * sessions: FIN once flushed. A side whose output overflows is dropped. */
/* Writes both sides' pending hppunch, in an order the nonce's low bit
 * picks. Which side hears first leads its SYN by the gap between the two
 * writes (tens of us); at zero added delay that decides races (a router
 * that answers an early SYN with RST, or a host behind EIF), so a fixed
 * order (always the initiator) made the lab, not the NAT, decide such
 * pairs: 19 of 20 trials had one sign. Then the pairing goes to the tap
 * (tap.h), with a's delay_ms for the start both were scheduled for. */
void pairing_flush_both(struct conn *a, struct conn *b, uint64_t nonce,
			uint32_t delay_a_ms);

void pairing_punch(struct clients *cl, struct conn *ini, struct conn *rsp,
		   uint64_t nonce, uint32_t delay_ini_ms,
		   uint32_t delay_rsp_ms);

/* Rendezvous mode. c has just got its RTT: if another client waits with
 * the same key (key 0 pairs only with key 0), send both hppunch and end
 * both sessions. */
void pairing_try(struct clients *cl, struct conn *c);

#endif
