/* startjitter: the secret delay two agents that share an hpauth secret
 * add to the start the coordinator scheduled (--start-jitter-ms). The
 * coordinator knows the session nonce it sent in hppunch but not the
 * secret, so neither it nor a partner it leaks the start to can tell
 * when the first SYNs really leave; both agents derive the same delay,
 * so they still start together. */
#ifndef PUNCHLAB_STARTJITTER_H
#define PUNCHLAB_STARTJITTER_H

#include <stdint.h>

#include "hpauth.h"

#define STARTJITTER_LABEL "punchlab-start-jitter"
#define STARTJITTER_MAX_MS 5000

/* HMAC-SHA256(secret, "punchlab-start-jitter" || session nonce, u64
 * little-endian); its first 8 bytes, little-endian, modulo max_ms + 1
 * (a bias of at most 5001 / 2^64). 0..max_ms into *ms; 0, -EINVAL
 * (max_ms past STARTJITTER_MAX_MS) or -EIO. */
int startjitter_ms(const uint8_t secret[HPAUTH_SECRET_LEN],
		   uint64_t session_nonce, uint32_t max_ms, uint32_t *ms);

#endif
