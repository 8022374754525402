/* evlog: the coordinator's machine-readable events, one JSON object per
 * line on the stream main() hands over (stdout), flushed line by line so
 * the harness sees each event as it happens. */
#ifndef PUNCHLAB_COORD_EVLOG_H
#define PUNCHLAB_COORD_EVLOG_H

#include <stdint.h>
#include <stdio.h>

/* f stays the caller's; NULL turns events off. */
void evlog_init(FILE *f);

/* mode is "rendezvous", "handoff" or "advertised"; inbound_limit < 0
 * writes null; addr6 (--listen6's bound address) is added as "addr6"
 * when not NULL. */
void evlog_listening(const char *addr, const char *addr6, const char *mode,
		     int inbound_limit);
void evlog_register(uint64_t key, const char *observed, int64_t rtt_us,
		    int unreachable);
/* Handoff mode: peer now holds one of the coordinator's inbound slots;
 * held counts the slots taken, peer's included. */
void evlog_inbound(const char *peer, uint64_t key, int unreachable,
		   unsigned held);
/* Handoff mode: initiator (the newcomer) and responder (a held peer) were
 * handed to each other; held counts the slots still taken. Also records
 * who learned which endpoint. */
void evlog_handoff(const char *initiator, const char *responder,
		   uint64_t key_initiator, uint64_t key_responder,
		   uint64_t nonce, uint32_t delay_initiator_ms,
		   uint32_t delay_responder_ms, unsigned held);
void evlog_match(uint64_t key, const char *initiator, const char *responder,
		 uint64_t nonce, uint32_t delay_initiator_ms,
		 uint32_t delay_responder_ms);
/* Advertised mode: peer's light connection is held under key. */
void evlog_hold(const char *peer, uint64_t key, int64_t rtt_us);
/* Advertised mode: the seeker (initiator) was punched to the holder of
 * key (responder), whose connection stays; punches counts the hppunch
 * sent on it so far, this one included. */
void evlog_seek(uint64_t key, const char *initiator, const char *responder,
		uint64_t nonce, uint32_t delay_initiator_ms,
		uint32_t delay_responder_ms, unsigned punches);
void evlog_drop(const char *peer, const char *reason);
void evlog_reject(const char *peer, uint64_t key, unsigned code,
		  const char *reason);
void evlog_stopped(void);

#endif
