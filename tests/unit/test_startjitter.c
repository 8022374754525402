/* test_startjitter: the secret start jitter (startjitter.h) against
 * vectors computed outside the project, both sides equal (the function
 * of the secret and the nonce alone), other nonces and secrets give
 * other delays, every delay within 0..J, and J past 5000 refused. */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "lib/testutil.h"
#include "startjitter.h"

static uint8_t secret[HPAUTH_SECRET_LEN];

/* key = 00 01 .. 1f:
 *   python3 -c 'import hmac,hashlib,struct; m=hmac.new(bytes(range(32)),
 *     b"punchlab-start-jitter"+struct.pack("<Q",N), hashlib.sha256)
 *     .digest(); print(struct.unpack("<Q",m[:8])[0] % (J+1))' */
static void test_vectors(void)
{
	static const struct {
		uint64_t nonce;
		uint32_t max, want;
	} v[] = {
		{UINT64_C(0x0123456789abcdef), 1000, 577},
		{1, 5000, 4788},
		{0, 0, 0},
		{UINT64_MAX, 1, 1},
	};
	uint32_t ms;

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		ms = 99999;
		CU_ASSERT_EQUAL(
			startjitter_ms(secret, v[i].nonce, v[i].max, &ms), 0);
		CU_ASSERT_EQUAL(ms, v[i].want);
	}
}

/* Alice and bob each derive it from their own copy of the secret and
 * the nonce hppunch gave both: equal. */
static void test_both_sides(void)
{
	uint8_t copy[HPAUTH_SECRET_LEN];
	uint32_t a, b;

	memcpy(copy, secret, sizeof(copy));
	for (uint64_t n = 0; n < 200; n++) {
		CU_ASSERT_EQUAL(startjitter_ms(secret, n * 7919, 5000, &a), 0);
		CU_ASSERT_EQUAL(startjitter_ms(copy, n * 7919, 5000, &b), 0);
		CU_ASSERT_EQUAL(a, b);
	}
}

/* Another nonce or another secret: another delay (over 200 pairs at J
 * = 5000 a few may collide by chance, 200/5001 expected; not most). */
static void test_differ(void)
{
	uint8_t other[HPAUTH_SECRET_LEN];
	uint32_t a, b;
	int same_nonce = 0, same_secret = 0;

	memcpy(other, secret, sizeof(other));
	other[31] ^= 1;
	for (uint64_t n = 1; n <= 200; n++) {
		startjitter_ms(secret, n, 5000, &a);
		startjitter_ms(secret, n + 1, 5000, &b);
		same_nonce += a == b;
		startjitter_ms(other, n, 5000, &b);
		same_secret += a == b;
	}
	CU_ASSERT(same_nonce <= 5);
	CU_ASSERT(same_secret <= 5);
}

/* Within 0..J for every J tried, and spread over it: at J = 9 every
 * value shows up in 1,000 nonces. */
static void test_bounded(void)
{
	static const uint32_t js[] = {0, 1, 9, 50, 1000, 5000};
	int seen[10] = {0};
	uint32_t ms;

	for (size_t j = 0; j < sizeof(js) / sizeof(js[0]); j++)
		for (uint64_t n = 0; n < 1000; n++) {
			CU_ASSERT_EQUAL_FATAL(
				startjitter_ms(secret, n, js[j], &ms), 0);
			CU_ASSERT(ms <= js[j]);
			if (js[j] == 9)
				seen[ms]++;
		}
	for (int i = 0; i < 10; i++)
		CU_ASSERT(seen[i] > 0);
	CU_ASSERT_EQUAL(startjitter_ms(secret, 1, STARTJITTER_MAX_MS + 1, &ms),
			-EINVAL);
}

int main(void)
{
	static const struct testutil_case tests[] = {
		{"vectors", test_vectors},
		{"both sides derive the same delay", test_both_sides},
		{"other nonces and secrets differ", test_differ},
		{"bounded by J", test_bounded},
	};

	for (int i = 0; i < HPAUTH_SECRET_LEN; i++)
		secret[i] = (uint8_t)i;
	return testutil_run_suite("startjitter", NULL, NULL, tests,
				  TESTUTIL_N(tests))
		       ? 1
		       : 0;
}
