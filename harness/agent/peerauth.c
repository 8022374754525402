/* peerauth: both sides send before they read, so the exchange takes one
 * round trip; the peer's MAC is checked against its own view (its role,
 * its nonce first). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "peerauth.h"

const char *peerauth_state_name(enum peerauth_state s)
{
	switch (s) {
	case PEERAUTH_OFF:
		return "off";
	case PEERAUTH_OK:
		return "ok";
	case PEERAUTH_FAILED:
		return "failed";
	default:
		return NULL;
	}
}

int peerauth_run(struct msgio *m, const uint8_t secret[HPAUTH_SECRET_LEN],
		 const struct hpauth_input *own, int64_t deadline_ns,
		 char *why, size_t whylen)
{
	struct hpauth_input peer = {
		.role = own->role ? 0 : 1,
		.session_nonce = own->session_nonce,
		.own_nonce = own->peer_nonce,
		.peer_nonce = own->own_nonce,
	};
	uint8_t mac[HPAUTH_MAC_LEN];
	const uint8_t *payload;
	struct p2p_hdr h;
	int err;

	err = hpauth_mac(secret, own, mac);
	if (!err)
		err = msgio_send(m, HPAUTH_CMD, mac, sizeof(mac), deadline_ns);
	OPENSSL_cleanse(mac, sizeof(mac));
	if (err) {
		snprintf(why, whylen, "sending hpauth");
		return err;
	}
	err = msgio_recv(m, &h, &payload, deadline_ns);
	if (err) {
		snprintf(why, whylen, "waiting for hpauth");
		return err;
	}
	if (strcmp(h.command, HPAUTH_CMD)) {
		snprintf(why, whylen, "'%s' instead of hpauth", h.command);
		return -EACCES;
	}
	err = hpauth_verify(secret, &peer, payload, h.length);
	if (err == -EACCES)
		snprintf(why, whylen, "bad MAC (%" PRIu32 " bytes)", h.length);
	else if (err)
		snprintf(why, whylen, "computing the MAC");
	return err;
}
