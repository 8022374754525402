/* startjitter: one HMAC over a fixed label and the session nonce, under
 * the same secret and libcrypto call as hpauth.c. */
#include <errno.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "p2p.h"
#include "startjitter.h"

#define STARTJITTER_LABEL_LEN (sizeof(STARTJITTER_LABEL) - 1)

int startjitter_ms(const uint8_t secret[HPAUTH_SECRET_LEN],
		   uint64_t session_nonce, uint32_t max_ms, uint32_t *ms)
{
	uint8_t msg[STARTJITTER_LABEL_LEN + 8], mac[HPAUTH_MAC_LEN];
	unsigned int len = 0;
	uint64_t x;

	if (max_ms > STARTJITTER_MAX_MS)
		return -EINVAL;
	memcpy(msg, STARTJITTER_LABEL, STARTJITTER_LABEL_LEN);
	p2p_put_u64le(msg + STARTJITTER_LABEL_LEN, session_nonce);
	if (!HMAC(EVP_sha256(), secret, HPAUTH_SECRET_LEN, msg, sizeof(msg),
		  mac, &len) ||
	    len != HPAUTH_MAC_LEN)
		return -EIO;
	x = p2p_get_u64le(mac);
	OPENSSL_cleanse(mac, sizeof(mac));
	*ms = (uint32_t)(x % ((uint64_t)max_ms + 1));
	return 0;
}
