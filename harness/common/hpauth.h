/* hpauth: the peer authentication message two agents exchange after
 * verack on the punched connection (--auth-secret): a MAC over who sends
 * it and this connection's nonces, under a secret both were given out of
 * band, so that a stranger the coordinator put in the peer's place (who
 * can replay the nonces but not the secret) is told apart. */
#ifndef PUNCHLAB_HPAUTH_H
#define PUNCHLAB_HPAUTH_H

#include <stddef.h>
#include <stdint.h>

#define HPAUTH_CMD "hpauth"
#define HPAUTH_SECRET_LEN 32
#define HPAUTH_MAC_LEN 32 /* the payload: HMAC-SHA256 */
#define HPAUTH_LABEL "punchlab-auth"

/* The fields the MAC covers, from the sender's side: its role (0
 * initiator, 1 responder, as coordmsg.h numbers them), the session nonce
 * (hppunch's), its own version nonce, then the peer's. */
struct hpauth_input {
	uint8_t role;
	uint64_t session_nonce;
	uint64_t own_nonce, peer_nonce;
};

/* Reads a secret file of exactly HPAUTH_SECRET_LEN bytes. 0, -errno of
 * open/read, or -EMSGSIZE when it has another size. */
int hpauth_secret_read(const char *path, uint8_t secret[HPAUTH_SECRET_LEN]);

/* HMAC-SHA256(secret, "punchlab-auth" || role || session nonce ||
 * own nonce || peer nonce), integers little-endian. 0 or -EIO. */
int hpauth_mac(const uint8_t secret[HPAUTH_SECRET_LEN],
	       const struct hpauth_input *in, uint8_t mac[HPAUTH_MAC_LEN]);

/* A received payload against the MAC expected from the peer (in as the
 * peer computes it: its role, its nonce first). Constant-time. 0, or
 * -EACCES (wrong length or MAC), -EIO. */
int hpauth_verify(const uint8_t secret[HPAUTH_SECRET_LEN],
		  const struct hpauth_input *in, const uint8_t *payload,
		  size_t len);

#endif
