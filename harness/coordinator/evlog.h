/* evlog: the coordinator's machine-readable events, one JSON object per
 * line on the stream main() hands over (stdout), flushed line by line so
 * the harness sees each event as it happens. */
#ifndef PUNCHLAB_COORD_EVLOG_H
#define PUNCHLAB_COORD_EVLOG_H

#include <stdint.h>
#include <stdio.h>

/* f stays the caller's; NULL turns events off. */
void evlog_init(FILE *f);

void evlog_listening(const char *addr);
void evlog_register(uint64_t key, const char *observed, int64_t rtt_us);
void evlog_match(uint64_t key, const char *initiator, const char *responder,
		 uint64_t nonce, uint32_t delay_initiator_ms,
		 uint32_t delay_responder_ms);
void evlog_drop(const char *peer, const char *reason);
void evlog_reject(const char *peer, uint64_t key, unsigned code,
		  const char *reason);
void evlog_stopped(void);

#endif
