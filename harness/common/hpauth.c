/* hpauth: HMAC-SHA256 through libcrypto's one-shot HMAC(); the message is
 * fixed-size, so it is laid out in one buffer. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "hpauth.h"
#include "p2p.h"

#define HPAUTH_LABEL_LEN (sizeof(HPAUTH_LABEL) - 1)
#define HPAUTH_MSG_LEN (HPAUTH_LABEL_LEN + 1 + 3 * 8)

int hpauth_secret_read(const char *path, uint8_t secret[HPAUTH_SECRET_LEN])
{
	uint8_t buf[HPAUTH_SECRET_LEN + 1];
	size_t got = 0;
	ssize_t n;
	int fd, err = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* One byte more than a secret: a longer file is refused too. */
	while (got < sizeof(buf)) {
		n = read(fd, buf + got, sizeof(buf) - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = -errno;
			break;
		}
		if (!n)
			break;
		got += (size_t)n;
	}
	close(fd);
	if (!err && got != HPAUTH_SECRET_LEN)
		err = -EMSGSIZE;
	if (!err)
		memcpy(secret, buf, HPAUTH_SECRET_LEN);
	OPENSSL_cleanse(buf, sizeof(buf));
	return err;
}

int hpauth_mac(const uint8_t secret[HPAUTH_SECRET_LEN],
	       const struct hpauth_input *in, uint8_t mac[HPAUTH_MAC_LEN])
{
	uint8_t msg[HPAUTH_MSG_LEN], *p = msg;
	unsigned int len = 0;

	memcpy(p, HPAUTH_LABEL, HPAUTH_LABEL_LEN);
	p += HPAUTH_LABEL_LEN;
	*p++ = in->role;
	p2p_put_u64le(p, in->session_nonce);
	p2p_put_u64le(p + 8, in->own_nonce);
	p2p_put_u64le(p + 16, in->peer_nonce);
	if (!HMAC(EVP_sha256(), secret, HPAUTH_SECRET_LEN, msg, sizeof(msg),
		  mac, &len) || len != HPAUTH_MAC_LEN)
		return -EIO;
	return 0;
}

int hpauth_verify(const uint8_t secret[HPAUTH_SECRET_LEN],
		  const struct hpauth_input *in, const uint8_t *payload,
		  size_t len)
{
	uint8_t want[HPAUTH_MAC_LEN];
	int err;

	err = hpauth_mac(secret, in, want);
	if (err)
		return err;
	if (len != HPAUTH_MAC_LEN ||
	    CRYPTO_memcmp(want, payload, HPAUTH_MAC_LEN))
		return -EACCES;
	return 0;
}
