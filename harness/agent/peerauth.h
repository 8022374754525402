/* peerauth: the hpauth exchange (hpauth.h) on the punched connection,
 * right after verack: send our MAC, then the peer's next message must be
 * its hpauth with the MAC the shared secret gives. */
#ifndef PUNCHLAB_AGENT_PEERAUTH_H
#define PUNCHLAB_AGENT_PEERAUTH_H

#include <stddef.h>
#include <stdint.h>

#include "hpauth.h"
#include "msgio.h"

/* How the report spells it: no secret, verified, or tried and failed;
 * NONE: a secret, but the trial ended before the exchange. */
enum peerauth_state {
	PEERAUTH_OFF,
	PEERAUTH_NONE,
	PEERAUTH_OK,
	PEERAUTH_FAILED,
};

/* "off", "ok", "failed"; NULL for PEERAUTH_NONE. */
const char *peerauth_state_name(enum peerauth_state s);

/* own: our side's fields (our role, the session nonce, our version
 * nonce, the peer's). 0, or -EACCES with why filled (a bad MAC, another
 * command, a payload of the wrong size), or msgio's -errno (-ETIMEDOUT:
 * no hpauth before the deadline). */
int peerauth_run(struct msgio *m, const uint8_t secret[HPAUTH_SECRET_LEN],
		 const struct hpauth_input *own, int64_t deadline_ns,
		 char *why, size_t whylen);

#endif
