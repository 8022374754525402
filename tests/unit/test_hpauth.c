/* test_hpauth: the hpauth MAC against fixed vectors computed outside the
 * project (Python's hmac and `openssl dgst -sha256 -mac HMAC`), that each
 * covered field changes it, verify's constant-time refusal of a wrong MAC
 * or length, and the secret file's exact size. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/Basic.h>

#include "hpauth.h"
#include "lib/testutil.h"

static uint8_t secret[HPAUTH_SECRET_LEN];

static void hex(const uint8_t *b, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", b[i]);
}

/* key = 00 01 .. 1f. Vectors:
 *   python3 -c 'import hmac,hashlib,struct; print(hmac.new(bytes(range(32)),
 *     b"punchlab-auth"+bytes([R])+struct.pack("<QQQ",S,O,P),
 *     hashlib.sha256).hexdigest())'
 * the second also with openssl dgst -sha256 -mac HMAC -macopt hexkey:... */
static void test_vectors(void)
{
	static const struct {
		struct hpauth_input in;
		const char *mac;
	} v[] = {
		{{1, UINT64_C(0x0123456789abcdef), UINT64_C(0x0123456789abcdf0),
		  UINT64_C(0x0123456789abcdef)},
		 "c35913ad684d009c05db5d93be0a2efd117a09543ee41b699cf6d04c48472"
		 "27c"},
		{{0, 1, 2, 3},
		 "a218203ad857c162f0ebef38cf85e1d8e3921dfb92c4e608b79c1c344172a"
		 "a95"},
	};
	uint8_t mac[HPAUTH_MAC_LEN];
	char got[2 * HPAUTH_MAC_LEN + 1];

	for (unsigned i = 0; i < TESTUTIL_N(v); i++) {
		CU_ASSERT_EQUAL_FATAL(hpauth_mac(secret, &v[i].in, mac), 0);
		hex(mac, sizeof(mac), got);
		CU_ASSERT_STRING_EQUAL(got, v[i].mac);
		CU_ASSERT_EQUAL(hpauth_verify(secret, &v[i].in, mac,
					      sizeof(mac)), 0);
	}
}

/* Each field is covered: change one, the MAC changes; a MAC one bit off,
 * short or long, or under another secret is refused. */
static void test_fields_and_verify(void)
{
	struct hpauth_input in = {0, 7, 8, 9}, x;
	uint8_t mac[HPAUTH_MAC_LEN], other[HPAUTH_MAC_LEN + 1];
	uint8_t s2[HPAUTH_SECRET_LEN];

	CU_ASSERT_EQUAL_FATAL(hpauth_mac(secret, &in, mac), 0);
	for (int f = 0; f < 4; f++) {
		x = in;
		if (f == 0)
			x.role = 1;
		else if (f == 1)
			x.session_nonce++;
		else if (f == 2)
			x.own_nonce++;
		else
			x.peer_nonce++;
		CU_ASSERT_EQUAL(hpauth_verify(secret, &x, mac, sizeof(mac)),
				-EACCES);
	}
	/* The two nonces swapped: what the peer's MAC is not. */
	x = in;
	x.own_nonce = in.peer_nonce;
	x.peer_nonce = in.own_nonce;
	CU_ASSERT_EQUAL(hpauth_verify(secret, &x, mac, sizeof(mac)), -EACCES);
	memcpy(other, mac, sizeof(mac));
	other[31] ^= 1;
	CU_ASSERT_EQUAL(hpauth_verify(secret, &in, other, sizeof(mac)),
			-EACCES);
	other[31] ^= 1;
	CU_ASSERT_EQUAL(hpauth_verify(secret, &in, other, sizeof(mac) - 1),
			-EACCES);
	CU_ASSERT_EQUAL(hpauth_verify(secret, &in, other, sizeof(other)),
			-EACCES);
	CU_ASSERT_EQUAL(hpauth_verify(secret, &in, other, 0), -EACCES);
	memcpy(s2, secret, sizeof(s2));
	s2[0] ^= 0x80;
	CU_ASSERT_EQUAL(hpauth_verify(s2, &in, mac, sizeof(mac)), -EACCES);
}

static int write_file(const char *path, size_t n)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	for (size_t i = 0; i < n; i++)
		fputc((int)(i & 0xff), f);
	return fclose(f);
}

static void test_secret_file(void)
{
	char dir[] = "/tmp/punchlab-test-hpauth.XXXXXX", path[64];
	uint8_t got[HPAUTH_SECRET_LEN];

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/secret", dir);
	CU_ASSERT_EQUAL(hpauth_secret_read(path, got), -ENOENT);
	CU_ASSERT_EQUAL_FATAL(write_file(path, 31), 0);
	CU_ASSERT_EQUAL(hpauth_secret_read(path, got), -EMSGSIZE);
	CU_ASSERT_EQUAL_FATAL(write_file(path, 33), 0);
	CU_ASSERT_EQUAL(hpauth_secret_read(path, got), -EMSGSIZE);
	CU_ASSERT_EQUAL_FATAL(write_file(path, 0), 0);
	CU_ASSERT_EQUAL(hpauth_secret_read(path, got), -EMSGSIZE);
	CU_ASSERT_EQUAL_FATAL(write_file(path, 32), 0);
	CU_ASSERT_EQUAL(hpauth_secret_read(path, got), 0);
	CU_ASSERT_EQUAL(memcmp(got, secret, sizeof(got)), 0);
	CU_ASSERT_EQUAL(hpauth_secret_read(dir, got), -EISDIR);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	static const struct testutil_case tests[] = {
		{"fixed vectors", test_vectors},
		{"every field covered, verify refuses", test_fields_and_verify},
		{"secret file of exactly 32 bytes", test_secret_file},
	};
	int fails;

	for (unsigned i = 0; i < sizeof(secret); i++)
		secret[i] = (uint8_t)i;
	fails = testutil_run_suite("hpauth", NULL, NULL, tests,
				   TESTUTIL_N(tests));
	return fails ? 1 : 0;
}
