/* test_coordmsg: hpregister/hppunch/hpreject payloads byte for byte, round
 * trips, and every malformed length or field refused with -EBADMSG. */
#include <errno.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "coordmsg.h"
#include "lib/testutil.h"

static void test_register_bytes(void)
{
	const struct coord_register m = {.proto = COORD_PROTO,
					 .key = UINT64_C(0x1122334455667788)};
	const uint8_t want[COORD_REGISTER_LEN] = {
		0x01, 0x00, 0x00, 0x00, 0x88, 0x77,
		0x66, 0x55, 0x44, 0x33, 0x22, 0x11,
	};
	uint8_t buf[64];
	struct coord_register back;

	CU_ASSERT_EQUAL(coord_register_encode(buf, sizeof(buf), &m), 12);
	CU_ASSERT_EQUAL(memcmp(buf, want, 12), 0);
	CU_ASSERT_EQUAL(coord_register_decode(buf, 12, &back), 0);
	CU_ASSERT_EQUAL(back.proto, COORD_PROTO);
	CU_ASSERT_EQUAL(back.key, m.key);
	CU_ASSERT_EQUAL(back.flags, 0);
	CU_ASSERT_EQUAL(coord_register_encode(buf, 11, &m), -ENOSPC);
	CU_ASSERT_EQUAL(coord_register_decode(buf, 11, &back), -EBADMSG);
	CU_ASSERT_EQUAL(coord_register_decode(buf, 14, &back), -EBADMSG);
	CU_ASSERT_EQUAL(coord_register_decode(buf, 0, &back), -EBADMSG);
}

/* The optional trailing flags byte: sent only when a flag is set, read
 * from either length, unknown bits kept for the coordinator to ignore. */
static void test_register_flags(void)
{
	struct coord_register m = {
		.proto = COORD_PROTO, .key = 7, .flags = COORD_REG_UNREACHABLE};
	const uint8_t want[COORD_REGISTER_FLAGS_LEN] = {
		0x01, 0x00, 0x00, 0x00, 0x07, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
	};
	uint8_t buf[64];
	struct coord_register back;

	CU_ASSERT_EQUAL(COORD_REG_UNREACHABLE, 1);
	memset(buf, 0xee, sizeof(buf));
	CU_ASSERT_EQUAL_FATAL(coord_register_encode(buf, sizeof(buf), &m), 13);
	CU_ASSERT_EQUAL(memcmp(buf, want, 13), 0);
	CU_ASSERT_EQUAL(buf[13], 0xee);
	memset(&back, 0xaa, sizeof(back));
	CU_ASSERT_EQUAL(coord_register_decode(buf, 13, &back), 0);
	CU_ASSERT_EQUAL(back.proto, COORD_PROTO);
	CU_ASSERT_EQUAL(back.key, 7);
	CU_ASSERT_EQUAL(back.flags, COORD_REG_UNREACHABLE);
	/* The same bytes without the flags byte: a plain registration. */
	CU_ASSERT_EQUAL(coord_register_decode(buf, 12, &back), 0);
	CU_ASSERT_EQUAL(back.key, 7);
	CU_ASSERT_EQUAL(back.flags, 0);
	/* A flags byte needs the 13th byte of room. */
	CU_ASSERT_EQUAL(coord_register_encode(buf, 12, &m), -ENOSPC);
	buf[12] = 0x81;
	CU_ASSERT_EQUAL(coord_register_decode(buf, 13, &back), 0);
	CU_ASSERT_EQUAL(back.flags, 0x81);
	/* An explicit zero flags byte is accepted too. */
	buf[12] = 0;
	CU_ASSERT_EQUAL(coord_register_decode(buf, 13, &back), 0);
	CU_ASSERT_EQUAL(back.flags, 0);
}

static struct coord_punch sample_punch(void)
{
	struct coord_punch m = {
		.peer = {.services = 0, .port = 40001},
		.self = {.services = 0, .port = 40002},
		.role = COORD_ROLE_RESPONDER,
		.nonce = UINT64_C(0xdeadbeefcafef00d),
		.delay_ms = 45,
		.rtt_us = 1234567,
	};
	const uint8_t peer[16] = {[10] = 0xff, [11] = 0xff, 198, 51, 100, 7};
	const uint8_t self[16] = {[10] = 0xff, [11] = 0xff, 203, 0, 113, 9};

	memcpy(m.peer.ip, peer, 16);
	memcpy(m.self.ip, self, 16);
	return m;
}

static void test_punch_bytes(void)
{
	struct coord_punch m = sample_punch(), back;
	uint8_t buf[128];

	CU_ASSERT_EQUAL_FATAL(coord_punch_encode(buf, sizeof(buf), &m),
			      COORD_PUNCH_LEN);
	CU_ASSERT_EQUAL(COORD_PUNCH_LEN, 69);
	/* peer netaddr: port big-endian at 24..25 */
	CU_ASSERT_EQUAL(buf[8 + 12], 198);
	CU_ASSERT_EQUAL(buf[24], 40001 >> 8);
	CU_ASSERT_EQUAL(buf[25], 40001 & 0xff);
	CU_ASSERT_EQUAL(buf[26 + 8 + 12], 203);
	CU_ASSERT_EQUAL(buf[52], COORD_ROLE_RESPONDER);
	CU_ASSERT_EQUAL(p2p_get_u64le(buf + 53), m.nonce);
	CU_ASSERT_EQUAL(p2p_get_u32le(buf + 61), 45);
	CU_ASSERT_EQUAL(p2p_get_u32le(buf + 65), 1234567);

	memset(&back, 0xaa, sizeof(back));
	CU_ASSERT_EQUAL_FATAL(coord_punch_decode(buf, COORD_PUNCH_LEN, &back),
			      0);
	CU_ASSERT_EQUAL(memcmp(back.peer.ip, m.peer.ip, 16), 0);
	CU_ASSERT_EQUAL(back.peer.port, 40001);
	CU_ASSERT_EQUAL(memcmp(back.self.ip, m.self.ip, 16), 0);
	CU_ASSERT_EQUAL(back.self.port, 40002);
	CU_ASSERT_EQUAL(back.role, COORD_ROLE_RESPONDER);
	CU_ASSERT_EQUAL(back.nonce, m.nonce);
	CU_ASSERT_EQUAL(back.delay_ms, 45);
	CU_ASSERT_EQUAL(back.rtt_us, 1234567);
}

static void test_punch_malformed(void)
{
	struct coord_punch m = sample_punch(), back;
	uint8_t buf[128];

	CU_ASSERT_EQUAL(coord_punch_encode(buf, COORD_PUNCH_LEN - 1, &m),
			-ENOSPC);
	coord_punch_encode(buf, sizeof(buf), &m);
	CU_ASSERT_EQUAL(coord_punch_decode(buf, COORD_PUNCH_LEN - 1, &back),
			-EBADMSG);
	CU_ASSERT_EQUAL(coord_punch_decode(buf, COORD_PUNCH_EXT_LEN + 1, &back),
			-EBADMSG);
	CU_ASSERT_EQUAL(coord_punch_decode(buf, 0, &back), -EBADMSG);
	buf[52] = 2;
	CU_ASSERT_EQUAL(coord_punch_decode(buf, COORD_PUNCH_LEN, &back),
			-EBADMSG);
	buf[52] = 0xff;
	CU_ASSERT_EQUAL(coord_punch_decode(buf, COORD_PUNCH_LEN, &back),
			-EBADMSG);
	buf[52] = COORD_ROLE_INITIATOR;
	CU_ASSERT_EQUAL(coord_punch_decode(buf, COORD_PUNCH_LEN, &back), 0);
	CU_ASSERT_EQUAL(back.role, COORD_ROLE_INITIATOR);
	m.role = 7;
	CU_ASSERT_EQUAL(coord_punch_encode(buf, sizeof(buf), &m), -EINVAL);
}

/* The optional hops byte: 36 bytes only when ext is set, the first 35
 * unchanged, and a 35-byte hppunch still reads (hops 0). */
static void test_punch_hops(void)
{
	struct coord_punch m = sample_punch(), back;
	uint8_t plain[128], ext[128];

	CU_ASSERT_EQUAL_FATAL(coord_punch_encode(plain, sizeof(plain), &m),
			      COORD_PUNCH_LEN);
	m.ext = 1;
	m.hops = 3;
	CU_ASSERT_EQUAL(coord_punch_encode(ext, COORD_PUNCH_LEN, &m), -ENOSPC);
	CU_ASSERT_EQUAL_FATAL(coord_punch_encode(ext, sizeof(ext), &m),
			      COORD_PUNCH_EXT_LEN);
	CU_ASSERT_EQUAL(memcmp(plain, ext, COORD_PUNCH_LEN), 0);
	CU_ASSERT_EQUAL(ext[COORD_PUNCH_LEN], 3);
	CU_ASSERT_EQUAL_FATAL(coord_punch_decode(ext, COORD_PUNCH_EXT_LEN,
						 &back), 0);
	CU_ASSERT_EQUAL(back.hops, 3);
	CU_ASSERT_EQUAL(back.ext, 1);
	CU_ASSERT_EQUAL_FATAL(coord_punch_decode(ext, COORD_PUNCH_LEN, &back),
			      0);
	CU_ASSERT_EQUAL(back.hops, 0);
	CU_ASSERT_EQUAL(back.ext, 0);
}

/* The prediction: 76 bytes, hops and the first 35 bytes unchanged, each
 * field little-endian at its place, negative deltas kept; the shorter
 * forms still read (no prediction), a length between them does not. */
static void test_punch_predict(void)
{
	struct coord_punch m = sample_punch(), back;
	uint8_t plain[128], pr[128];

	m.ext = 1;
	m.hops = 2;
	CU_ASSERT_EQUAL_FATAL(coord_punch_encode(plain, sizeof(plain), &m),
			      COORD_PUNCH_EXT_LEN);
	m.predict = 1;
	m.peer_next = 40007;
	m.peer_delta = 1;
	m.self_delta = -3;
	CU_ASSERT_EQUAL(coord_punch_encode(pr, COORD_PUNCH_EXT_LEN, &m),
			-ENOSPC);
	CU_ASSERT_EQUAL_FATAL(coord_punch_encode(pr, sizeof(pr), &m),
			      COORD_PUNCH_PREDICT_LEN);
	CU_ASSERT_EQUAL(COORD_PUNCH_PREDICT_LEN, 76);
	CU_ASSERT_EQUAL(memcmp(plain, pr, COORD_PUNCH_EXT_LEN), 0);
	CU_ASSERT_EQUAL(pr[70], 40007 & 0xff);
	CU_ASSERT_EQUAL(pr[71], 40007 >> 8);
	CU_ASSERT_EQUAL(pr[72], 1);
	CU_ASSERT_EQUAL(pr[73], 0);
	CU_ASSERT_EQUAL(pr[74], 0xfd);
	CU_ASSERT_EQUAL(pr[75], 0xff);
	CU_ASSERT_EQUAL_FATAL(coord_punch_decode(pr, COORD_PUNCH_PREDICT_LEN,
						 &back), 0);
	CU_ASSERT_EQUAL(back.predict, 1);
	CU_ASSERT_EQUAL(back.ext, 1);
	CU_ASSERT_EQUAL(back.hops, 2);
	CU_ASSERT_EQUAL(back.peer_next, 40007);
	CU_ASSERT_EQUAL(back.peer_delta, 1);
	CU_ASSERT_EQUAL(back.self_delta, -3);
	CU_ASSERT_EQUAL_FATAL(coord_punch_decode(pr, COORD_PUNCH_EXT_LEN,
						 &back), 0);
	CU_ASSERT_EQUAL(back.predict, 0);
	CU_ASSERT_EQUAL(back.peer_next, 0);
	CU_ASSERT_EQUAL(back.hops, 2);
	for (size_t len = COORD_PUNCH_EXT_LEN + 1;
	     len < COORD_PUNCH_PREDICT_LEN; len++)
		CU_ASSERT_EQUAL(coord_punch_decode(pr, len, &back), -EBADMSG);
	CU_ASSERT_EQUAL(coord_punch_decode(pr, COORD_PUNCH_PREDICT_LEN + 1,
					   &back), -EBADMSG);
}

/* Deltas wrap at 2^16 both ways: a NAT that counts down, or wraps. */
static void test_port_delta(void)
{
	CU_ASSERT_EQUAL(coord_port_delta(40000, 40001), 1);
	CU_ASSERT_EQUAL(coord_port_delta(40001, 40001), 0);
	CU_ASSERT_EQUAL(coord_port_delta(40005, 40001), -4);
	CU_ASSERT_EQUAL(coord_port_delta(65535, 1), 2);
	CU_ASSERT_EQUAL(coord_port_next(40001, 1), 40002);
	CU_ASSERT_EQUAL(coord_port_next(40001, -4), 39997);
	CU_ASSERT_EQUAL(coord_port_next(65535, 2), 1);
	CU_ASSERT_EQUAL(coord_port_next(40001, 0), 40001);
}

static void test_hops_from_ttl(void)
{
	CU_ASSERT_EQUAL(coord_hops_from_ttl(64), 0);
	CU_ASSERT_EQUAL(coord_hops_from_ttl(62), 2);
	CU_ASSERT_EQUAL(coord_hops_from_ttl(1), 63);
	CU_ASSERT_EQUAL(coord_hops_from_ttl(65), 63);	/* from 128 */
	CU_ASSERT_EQUAL(coord_hops_from_ttl(125), 3);
	CU_ASSERT_EQUAL(coord_hops_from_ttl(250), 5);	/* from 255 */
	CU_ASSERT_EQUAL(coord_hops_from_ttl(255), 0);
	CU_ASSERT_EQUAL(coord_hops_from_ttl(0), 0);	/* unknown */
}

static void test_reject_bytes(void)
{
	struct coord_reject m = {.code = 1}, back;
	const uint8_t want[] = {0x01, 0x07, 'n', 'o', ' ', 'p', 'e', 'e', 'r'};
	uint8_t buf[300];

	strcpy(m.reason, "no peer");
	CU_ASSERT_EQUAL_FATAL(coord_reject_encode(buf, sizeof(buf), &m), 9);
	CU_ASSERT_EQUAL(memcmp(buf, want, 9), 0);
	CU_ASSERT_EQUAL(coord_reject_decode(buf, 9, &back), 0);
	CU_ASSERT_EQUAL(back.code, 1);
	CU_ASSERT_STRING_EQUAL(back.reason, "no peer");
	CU_ASSERT_EQUAL(coord_reject_encode(buf, 8, &m), -ENOSPC);

	/* Empty reason: two bytes. */
	m.reason[0] = '\0';
	CU_ASSERT_EQUAL(coord_reject_encode(buf, sizeof(buf), &m), 2);
	CU_ASSERT_EQUAL(coord_reject_decode(buf, 2, &back), 0);
	CU_ASSERT_STRING_EQUAL(back.reason, "");
}

/* CompactSize switches to 0xfd + u16le at 253; 255 is the longest. */
static void test_reject_long_reasons(void)
{
	struct coord_reject m = {.code = 9}, back;
	uint8_t buf[300];
	size_t n;

	for (n = 250; n <= 255; n++) {
		int want = (int)(n < 0xfd ? 1 + 1 + n : 1 + 3 + n);

		memset(m.reason, 'r', n);
		m.reason[n] = '\0';
		CU_ASSERT_EQUAL_FATAL(coord_reject_encode(buf, sizeof(buf), &m),
				      want);
		if (n >= 0xfd) {
			CU_ASSERT_EQUAL(buf[1], 0xfd);
			CU_ASSERT_EQUAL(p2p_get_u16le(buf + 2), n);
		} else {
			CU_ASSERT_EQUAL(buf[1], n);
		}
		CU_ASSERT_EQUAL(coord_reject_decode(buf, want, &back), 0);
		CU_ASSERT_EQUAL(strlen(back.reason), n);
		CU_ASSERT_EQUAL(back.code, 9);
	}
	/* 256 does not fit the struct's NUL: refused both ways. */
	memset(m.reason, 'r', sizeof(m.reason));
	CU_ASSERT_EQUAL(coord_reject_encode(buf, sizeof(buf), &m), -EINVAL);
	buf[0] = 1;
	buf[1] = 0xfd;
	p2p_put_u16le(buf + 2, 256);
	memset(buf + 4, 'r', 256);
	CU_ASSERT_EQUAL(coord_reject_decode(buf, 260, &back), -EBADMSG);
}

static void test_reject_malformed(void)
{
	struct coord_reject back;
	uint8_t buf[300] = {1, 3, 'a', 'b', 'c'};

	CU_ASSERT_EQUAL(coord_reject_decode(buf, 0, &back), -EBADMSG);
	CU_ASSERT_EQUAL(coord_reject_decode(buf, 1, &back), -EBADMSG);
	CU_ASSERT_EQUAL(coord_reject_decode(buf, 4, &back), -EBADMSG);
	CU_ASSERT_EQUAL(coord_reject_decode(buf, 6, &back), -EBADMSG);
	CU_ASSERT_EQUAL(coord_reject_decode(buf, 5, &back), 0);
	/* NUL inside the reason */
	buf[3] = '\0';
	CU_ASSERT_EQUAL(coord_reject_decode(buf, 5, &back), -EBADMSG);
	/* non-canonical CompactSize: 0xfd prefix for a size below 253 */
	buf[1] = 0xfd;
	p2p_put_u16le(buf + 2, 3);
	memcpy(buf + 4, "abc", 3);
	CU_ASSERT_EQUAL(coord_reject_decode(buf, 7, &back), -EBADMSG);
	/* truncated 0xfd prefix, and 0xfe/0xff prefixes */
	CU_ASSERT_EQUAL(coord_reject_decode(buf, 3, &back), -EBADMSG);
	buf[1] = 0xfe;
	CU_ASSERT_EQUAL(coord_reject_decode(buf, 7, &back), -EBADMSG);
	buf[1] = 0xff;
	CU_ASSERT_EQUAL(coord_reject_decode(buf, 7, &back), -EBADMSG);
}

int main(void)
{
	static const struct testutil_case tests[] = {
		{"hpregister bytes", test_register_bytes},
		{"hpregister flags byte", test_register_flags},
		{"hppunch bytes", test_punch_bytes},
		{"hppunch malformed", test_punch_malformed},
		{"hppunch optional hops", test_punch_hops},
		{"hppunch optional prediction", test_punch_predict},
		{"port deltas", test_port_delta},
		{"hops from the arrival TTL", test_hops_from_ttl},
		{"hpreject bytes", test_reject_bytes},
		{"hpreject long reasons", test_reject_long_reasons},
		{"hpreject malformed", test_reject_malformed},
	};
	int fails;

	fails = testutil_run_suite("coordmsg", NULL, NULL, tests,
				   TESTUTIL_N(tests));
	return fails ? 1 : 0;
}
