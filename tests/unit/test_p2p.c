/* test_p2p: the P2P codec against bytes real implementations put on the
 * wire (Bitcoin wiki example, a Bitcoin Core 23.0 reply, bitcoinj regtest
 * captures), plus the framing edge cases the coordinator relies on. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/un.h>

#include <CUnit/Basic.h>

#include "p2p.h"
#include "lib/testutil.h"

/* Mainnet verack: magic f9beb4d9, "verack", length 0, checksum of "". */
static const uint8_t verack_main[] = {
	0xf9, 0xbe, 0xb4, 0xd9, 0x76, 0x65, 0x72, 0x61, 0x63, 0x6b, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x5d, 0xf6, 0xe0, 0xe2,
};

/* The version hexdump of the Bitcoin wiki "Protocol documentation" page
 * (protocol 60002, /Satoshi:0.7.2/, height 212672, no relay field). */
static const uint8_t version_wiki[] = {
	0xf9, 0xbe, 0xb4, 0xd9, 0x76, 0x65, 0x72, 0x73, 0x69, 0x6f, 0x6e, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x64, 0x00, 0x00, 0x00, 0x35, 0x8d, 0x49, 0x32,
	0x62, 0xea, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x11, 0xb2, 0xd0, 0x50, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x3b, 0x2e, 0xb3, 0x5d, 0x8c, 0xe6, 0x17, 0x65, 0x0f, 0x2f, 0x53, 0x61,
	0x74, 0x6f, 0x73, 0x68, 0x69, 0x3a, 0x30, 0x2e, 0x37, 0x2e, 0x32, 0x2f,
	0xc0, 0x3e, 0x03, 0x00,
};

/* A mainnet Bitcoin Core 23.0.0 answering a version (published on
 * stacker.news item 83748): protocol 70016, services 0x40d, relay 1. */
static const uint8_t version_core23[] = {
	0xf9, 0xbe, 0xb4, 0xd9, 0x76, 0x65, 0x72, 0x73, 0x69, 0x6f, 0x6e, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x66, 0x00, 0x00, 0x00, 0xbd, 0xca, 0xd4, 0x98,
	0x80, 0x11, 0x01, 0x00, 0x0d, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x50, 0x83, 0x50, 0x63, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0d, 0x04,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0xff, 0x0a, 0xe9, 0x12, 0x84, 0xbd, 0xd3, 0xe2, 0x10, 0x2f, 0x53, 0x61,
	0x74, 0x6f, 0x73, 0x68, 0x69, 0x3a, 0x32, 0x33, 0x2e, 0x30, 0x2e, 0x30,
	0x2f, 0x8e, 0x96, 0x0b, 0x00, 0x01,
};

/* Regtest version from bitcoinj 0.14.5 (a BitcoinFrameTest fixture):
 * protocol 70001, both addresses 127.0.0.1:19000, relay 1. */
static const uint8_t version_bitcoinj[] = {
	0xfa, 0xbf, 0xb5, 0xda, 0x76, 0x65, 0x72, 0x73, 0x69, 0x6f, 0x6e, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x73, 0x00, 0x00, 0x00, 0x07, 0x84, 0x54, 0xdc,
	0x71, 0x11, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0xdd, 0xf3, 0xed, 0x59, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0xff, 0xff, 0x7f, 0x00, 0x00, 0x01, 0x4a, 0x38, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0x7f, 0x00, 0x00, 0x01, 0x4a, 0x38,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x1d, 0x2f, 0x62, 0x69,
	0x74, 0x63, 0x6f, 0x69, 0x6e, 0x6a, 0x3a, 0x30, 0x2e, 0x31, 0x34, 0x2e,
	0x35, 0x2f, 0x55, 0x4e, 0x49, 0x51, 0x55, 0x49, 0x44, 0x3a, 0x30, 0x2e,
	0x31, 0x2f, 0x00, 0x00, 0x00, 0x00, 0x01,
};

/* Regtest ping and its pong from the same bitcoinj fixture set. */
static const uint8_t ping_regtest[] = {
	0xfa, 0xbf, 0xb5, 0xda, 0x70, 0x69, 0x6e, 0x67, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00, 0x7f, 0xf7,
	0xde, 0x19, 0x02, 0x24, 0x64, 0x33, 0xaf, 0x0f, 0xeb, 0x3c,
};
static const uint8_t pong_regtest[] = {
	0xfa, 0xbf, 0xb5, 0xda, 0x70, 0x6f, 0x6e, 0x67, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00, 0x7f, 0xf7,
	0xde, 0x19, 0x02, 0x24, 0x64, 0x33, 0xaf, 0x0f, 0xeb, 0x3c,
};
#define PING_NONCE UINT64_C(4389619506958574594)

static const uint8_t v4mapped_prefix[12] = {0, 0, 0, 0, 0,    0,
					    0, 0, 0, 0, 0xff, 0xff};

static void test_checksum_empty(void)
{
	uint8_t sum[4];
	const uint8_t want[4] = {0x5d, 0xf6, 0xe0, 0xe2};

	p2p_checksum("", 0, sum);
	CU_ASSERT_EQUAL(memcmp(sum, want, 4), 0);
	p2p_checksum(NULL, 0, sum);
	CU_ASSERT_EQUAL(memcmp(sum, want, 4), 0);
}

static void test_verack_mainnet(void)
{
	uint8_t out[64];
	struct p2p_hdr h;
	const uint8_t *pl = NULL;

	CU_ASSERT_EQUAL(p2p_msg_encode(out, sizeof(out), P2P_MAGIC_MAINNET,
				       "verack", NULL, 0),
			24);
	CU_ASSERT_EQUAL(memcmp(out, verack_main, 24), 0);
	CU_ASSERT_EQUAL(
		p2p_frame(verack_main, 24, P2P_MAGIC_MAINNET, 1024, &h, &pl),
		24);
	CU_ASSERT_EQUAL(h.magic, P2P_MAGIC_MAINNET);
	CU_ASSERT_STRING_EQUAL(h.command, "verack");
	CU_ASSERT_EQUAL(h.length, 0);
	CU_ASSERT_PTR_EQUAL(pl, verack_main + 24);
}

/* Frames msg, decodes its version payload, re-encodes it and compares. */
static void check_version_roundtrip(const uint8_t *msg, size_t len,
				    uint32_t magic, struct p2p_version *v)
{
	struct p2p_hdr h;
	const uint8_t *pl = NULL;
	uint8_t out[512];
	int n;

	CU_ASSERT_EQUAL_FATAL(p2p_frame(msg, len, magic, 1024, &h, &pl),
			      (int)len);
	CU_ASSERT_STRING_EQUAL(h.command, "version");
	CU_ASSERT_EQUAL(h.length, len - 24);
	CU_ASSERT_EQUAL_FATAL(p2p_version_decode(pl, h.length, v), 0);
	n = p2p_version_encode(out, sizeof(out), v);
	CU_ASSERT_EQUAL_FATAL(n, (int)h.length);
	CU_ASSERT_EQUAL(memcmp(out, pl, n), 0);
	n = p2p_msg_encode(out, sizeof(out), magic, "version", pl, h.length);
	CU_ASSERT_EQUAL_FATAL(n, (int)len);
	CU_ASSERT_EQUAL(memcmp(out, msg, len), 0);
}

static void test_version_wiki(void)
{
	struct p2p_version v;

	check_version_roundtrip(version_wiki, sizeof(version_wiki),
				P2P_MAGIC_MAINNET, &v);
	CU_ASSERT_EQUAL(v.version, 60002);
	CU_ASSERT_EQUAL(v.services, 1);
	CU_ASSERT_EQUAL(v.timestamp, 0x50d0b211);
	CU_ASSERT_EQUAL(v.recv.services, 1);
	CU_ASSERT_EQUAL(memcmp(v.recv.ip, v4mapped_prefix, 12), 0);
	CU_ASSERT_EQUAL(v.recv.ip[12] | v.recv.ip[13] | v.recv.ip[14] |
				v.recv.ip[15],
			0);
	CU_ASSERT_EQUAL(v.recv.port, 0);
	CU_ASSERT_EQUAL(v.from.services, 0);
	CU_ASSERT_EQUAL(memcmp(v.from.ip, v4mapped_prefix, 12), 0);
	CU_ASSERT_EQUAL(v.from.port, 0);
	CU_ASSERT_EQUAL(v.nonce, UINT64_C(0x6517e68c5db32e3b));
	CU_ASSERT_STRING_EQUAL(v.user_agent, "/Satoshi:0.7.2/");
	CU_ASSERT_EQUAL(v.start_height, 212672);
	CU_ASSERT_EQUAL(v.relay, 0);
}

static void test_version_core23(void)
{
	struct p2p_version v;
	static const uint8_t zero[16];

	check_version_roundtrip(version_core23, sizeof(version_core23),
				P2P_MAGIC_MAINNET, &v);
	CU_ASSERT_EQUAL(v.version, 70016);
	CU_ASSERT_EQUAL(v.services, 0x40d);
	CU_ASSERT_EQUAL(v.timestamp, 0x63508350);
	CU_ASSERT_EQUAL(v.recv.services, 0);
	CU_ASSERT_EQUAL(memcmp(v.recv.ip, zero, 16), 0);
	CU_ASSERT_EQUAL(v.recv.port, 0);
	CU_ASSERT_EQUAL(v.from.services, 0x40d);
	CU_ASSERT_EQUAL(memcmp(v.from.ip, zero, 16), 0);
	CU_ASSERT_EQUAL(v.from.port, 0);
	CU_ASSERT_EQUAL(v.nonce, UINT64_C(0xe2d3bd8412e90aff));
	CU_ASSERT_STRING_EQUAL(v.user_agent, "/Satoshi:23.0.0/");
	CU_ASSERT_EQUAL(v.start_height, 759438);
	CU_ASSERT_EQUAL(v.relay, 1);
}

static void test_version_bitcoinj_regtest(void)
{
	struct p2p_version v;
	struct sockaddr_storage ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	char buf[64];

	check_version_roundtrip(version_bitcoinj, sizeof(version_bitcoinj),
				P2P_MAGIC_REGTEST, &v);
	CU_ASSERT_EQUAL(v.version, 70001);
	CU_ASSERT_EQUAL(v.services, 0);
	CU_ASSERT_EQUAL(v.timestamp, 1508766685);
	CU_ASSERT_EQUAL(v.nonce, 0);
	CU_ASSERT_STRING_EQUAL(v.user_agent, "/bitcoinj:0.14.5/UNIQUID:0.1/");
	CU_ASSERT_EQUAL(v.start_height, 0);
	CU_ASSERT_EQUAL(v.relay, 1);
	CU_ASSERT_EQUAL(v.recv.port, 19000);
	CU_ASSERT_EQUAL(v.from.port, 19000);
	CU_ASSERT_STRING_EQUAL(p2p_netaddr_str(&v.recv, buf, sizeof(buf)),
			       "127.0.0.1:19000");
	CU_ASSERT_EQUAL(p2p_netaddr_to_sockaddr(&v.from, &ss),
			sizeof(struct sockaddr_in));
	CU_ASSERT_EQUAL(s4->sin_family, AF_INET);
	CU_ASSERT_EQUAL(s4->sin_addr.s_addr, htonl(INADDR_LOOPBACK));
	CU_ASSERT_EQUAL(s4->sin_port, htons(19000));
}

static void test_ping_pong_regtest(void)
{
	struct p2p_hdr h;
	const uint8_t *pl = NULL;
	uint8_t nonce[8], out[64];

	CU_ASSERT_EQUAL_FATAL(p2p_frame(ping_regtest, sizeof(ping_regtest),
					P2P_MAGIC_REGTEST, 1024, &h, &pl),
			      32);
	CU_ASSERT_STRING_EQUAL(h.command, "ping");
	CU_ASSERT_EQUAL(h.length, 8);
	CU_ASSERT_EQUAL(p2p_get_u64le(pl), PING_NONCE);

	p2p_put_u64le(nonce, PING_NONCE);
	CU_ASSERT_EQUAL(p2p_msg_encode(out, sizeof(out), P2P_MAGIC_REGTEST,
				       "ping", nonce, 8),
			32);
	CU_ASSERT_EQUAL(memcmp(out, ping_regtest, 32), 0);
	CU_ASSERT_EQUAL(p2p_msg_encode(out, sizeof(out), P2P_MAGIC_REGTEST,
				       "pong", nonce, 8),
			32);
	CU_ASSERT_EQUAL(memcmp(out, pong_regtest, 32), 0);
	/* Regtest bytes are not a mainnet message. */
	CU_ASSERT_EQUAL(p2p_frame(ping_regtest, sizeof(ping_regtest),
				  P2P_MAGIC_MAINNET, 1024, &h, &pl),
			-EBADMSG);
}

static void test_frame_partial(void)
{
	struct p2p_hdr h;
	const uint8_t *pl;

	for (size_t i = 0; i < sizeof(version_wiki); i++)
		CU_ASSERT_EQUAL(p2p_frame(version_wiki, i, P2P_MAGIC_MAINNET,
					  1024, &h, &pl),
				0);
}

static void test_frame_bad_magic(void)
{
	uint8_t buf[32];
	struct p2p_hdr h;
	const uint8_t *pl;

	memcpy(buf, ping_regtest, sizeof(buf));
	buf[0] ^= 1;
	/* Refused from the first wrong byte, not only with a full header. */
	CU_ASSERT_EQUAL(p2p_frame(buf, 1, P2P_MAGIC_REGTEST, 1024, &h, &pl),
			-EBADMSG);
	CU_ASSERT_EQUAL(p2p_frame(buf, 32, P2P_MAGIC_REGTEST, 1024, &h, &pl),
			-EBADMSG);
	memcpy(buf, ping_regtest, sizeof(buf));
	buf[3] ^= 0x80;
	CU_ASSERT_EQUAL(p2p_frame(buf, 3, P2P_MAGIC_REGTEST, 1024, &h, &pl), 0);
	CU_ASSERT_EQUAL(p2p_frame(buf, 4, P2P_MAGIC_REGTEST, 1024, &h, &pl),
			-EBADMSG);
}

static void test_frame_bad_checksum(void)
{
	uint8_t buf[32];
	struct p2p_hdr h;
	const uint8_t *pl;

	memcpy(buf, ping_regtest, sizeof(buf));
	buf[31] ^= 1;
	CU_ASSERT_EQUAL(p2p_frame(buf, 32, P2P_MAGIC_REGTEST, 1024, &h, &pl),
			-EBADMSG);
	memcpy(buf, ping_regtest, sizeof(buf));
	buf[20] ^= 1;
	CU_ASSERT_EQUAL(p2p_frame(buf, 32, P2P_MAGIC_REGTEST, 1024, &h, &pl),
			-EBADMSG);
}

static void test_frame_oversize(void)
{
	uint8_t buf[24];
	struct p2p_hdr h;
	const uint8_t *pl;

	memcpy(buf, ping_regtest, 24);
	p2p_put_u32le(buf + 16, 10 * 1024 * 1024);
	/* Refused on the header alone: no waiting for 10 MB. */
	CU_ASSERT_EQUAL(p2p_frame(buf, 24, P2P_MAGIC_REGTEST, 1024, &h, &pl),
			-EMSGSIZE);
	p2p_put_u32le(buf + 16, 0xffffffffU);
	CU_ASSERT_EQUAL(
		p2p_frame(buf, 24, P2P_MAGIC_REGTEST, SIZE_MAX, &h, &pl),
		-EMSGSIZE);
	/* The limit is inclusive. */
	CU_ASSERT_EQUAL(
		p2p_frame(ping_regtest, 32, P2P_MAGIC_REGTEST, 8, &h, &pl), 32);
	CU_ASSERT_EQUAL(
		p2p_frame(ping_regtest, 32, P2P_MAGIC_REGTEST, 7, &h, &pl),
		-EMSGSIZE);
}

static void test_frame_back_to_back(void)
{
	uint8_t buf[sizeof(verack_main) + sizeof(version_wiki)];
	struct p2p_hdr h;
	const uint8_t *pl;
	int n;

	memcpy(buf, verack_main, sizeof(verack_main));
	memcpy(buf + sizeof(verack_main), version_wiki, sizeof(version_wiki));
	n = p2p_frame(buf, sizeof(buf), P2P_MAGIC_MAINNET, 1024, &h, &pl);
	CU_ASSERT_EQUAL_FATAL(n, 24);
	CU_ASSERT_STRING_EQUAL(h.command, "verack");
	n = p2p_frame(buf + n, sizeof(buf) - n, P2P_MAGIC_MAINNET, 1024, &h,
		      &pl);
	CU_ASSERT_EQUAL(n, (int)sizeof(version_wiki));
	CU_ASSERT_STRING_EQUAL(h.command, "version");
	CU_ASSERT_PTR_EQUAL(pl, buf + 24 + 24);
}

static void test_command_padding(void)
{
	uint8_t hdr[24], cmd[12] = "ping";
	struct p2p_hdr h;
	const uint8_t *pl;

	CU_ASSERT_EQUAL(p2p_hdr_encode(hdr, P2P_MAGIC_REGTEST, "ping", NULL, 0),
			0);
	CU_ASSERT_EQUAL(memcmp(hdr + 4, cmd, 12), 0);
	CU_ASSERT_EQUAL(
		p2p_hdr_encode(hdr, P2P_MAGIC_REGTEST, "abcdefghijkl", NULL, 0),
		0);
	CU_ASSERT_EQUAL(memcmp(hdr + 4, "abcdefghijkl", 12), 0);
	CU_ASSERT_EQUAL(p2p_hdr_decode(hdr, &h), 0);
	CU_ASSERT_STRING_EQUAL(h.command, "abcdefghijkl");
	CU_ASSERT_EQUAL(p2p_hdr_encode(hdr, P2P_MAGIC_REGTEST, "abcdefghijklm",
				       NULL, 0),
			-EINVAL);
	CU_ASSERT_EQUAL(p2p_hdr_encode(hdr, P2P_MAGIC_REGTEST, "", NULL, 0),
			-EINVAL);
	CU_ASSERT_EQUAL(p2p_hdr_encode(hdr, P2P_MAGIC_REGTEST, "a\tb", NULL, 0),
			-EINVAL);

	/* Bytes after the first NUL must be NUL too. */
	memcpy(hdr, verack_main, 24);
	hdr[4 + 7] = 'x';
	CU_ASSERT_EQUAL(p2p_hdr_decode(hdr, &h), -EBADMSG);
	CU_ASSERT_EQUAL(p2p_frame(hdr, 24, P2P_MAGIC_MAINNET, 1024, &h, &pl),
			-EBADMSG);
	memcpy(hdr, verack_main, 24);
	hdr[4] = 0x80;
	CU_ASSERT_EQUAL(p2p_hdr_decode(hdr, &h), -EBADMSG);
	memcpy(hdr, verack_main, 24);
	hdr[4 + 11] = 0x01;
	CU_ASSERT_EQUAL(p2p_hdr_decode(hdr, &h), -EBADMSG);
}

static void test_msg_encode_space(void)
{
	uint8_t out[32];

	CU_ASSERT_EQUAL(p2p_msg_encode(out, 31, P2P_MAGIC_REGTEST, "ping",
				       "12345678", 8),
			-ENOSPC);
	CU_ASSERT_EQUAL(p2p_msg_encode(out, 32, P2P_MAGIC_REGTEST, "ping",
				       "12345678", 8),
			32);
}

static void test_version_malformed(void)
{
	const uint8_t *pl = version_wiki + 24;
	size_t len = sizeof(version_wiki) - 24;
	uint8_t buf[512];
	struct p2p_version v;
	int n;

	/* Every truncation before the end of start_height is refused. */
	for (size_t i = 0; i < len; i++)
		CU_ASSERT_EQUAL(p2p_version_decode(pl, i, &v), -EBADMSG);
	/* Trailing bytes are tolerated, as in Bitcoin Core. */
	memcpy(buf, pl, len);
	buf[len] = 1;
	buf[len + 1] = 0xee;
	CU_ASSERT_EQUAL(p2p_version_decode(buf, len + 2, &v), 0);
	CU_ASSERT_EQUAL(v.relay, 1);

	/* User agent: 0xfe/0xff prefixes, non-canonical 0xfd, over 256. */
	memcpy(buf, pl, 80);
	buf[80] = 0xfe;
	memset(buf + 81, 'a', 300);
	CU_ASSERT_EQUAL(p2p_version_decode(buf, 381, &v), -EBADMSG);
	buf[80] = 0xfd;
	p2p_put_u16le(buf + 81, 10);
	CU_ASSERT_EQUAL(p2p_version_decode(buf, 381, &v), -EBADMSG);
	p2p_put_u16le(buf + 81, 257);
	CU_ASSERT_EQUAL(p2p_version_decode(buf, 381, &v), -EBADMSG);
	p2p_put_u16le(buf + 81, 256);
	CU_ASSERT_EQUAL(p2p_version_decode(buf, 80 + 3 + 256 + 4, &v), 0);
	CU_ASSERT_EQUAL(strlen(v.user_agent), 256);
	CU_ASSERT_EQUAL(p2p_version_decode(buf, 80 + 3 + 256 + 3, &v),
			-EBADMSG);

	/* A 256-byte agent needs the 0xfd prefix on the way out too. */
	memset(&v, 0, sizeof(v));
	v.version = P2P_PROTOCOL_VERSION;
	memset(v.user_agent, 'u', P2P_UA_MAX);
	n = p2p_version_encode(buf, sizeof(buf), &v);
	CU_ASSERT_EQUAL(n, 80 + 3 + 256 + 4 + 1);
	CU_ASSERT_EQUAL(buf[80], 0xfd);
	CU_ASSERT_EQUAL(p2p_get_u16le(buf + 81), 256);
	CU_ASSERT_EQUAL(p2p_version_encode(buf, (size_t)n - 1, &v), -ENOSPC);
}

static void test_netaddr_ipv4(void)
{
	struct sockaddr_in in = {.sin_family = AF_INET,
				 .sin_port = htons(18444)};
	struct sockaddr_storage ss;
	struct sockaddr_in *out = (struct sockaddr_in *)&ss;
	struct p2p_netaddr na = {.services = 9}, back;
	/* ::ffff:192.0.2.1 port 18444 big-endian, services 9 little-endian */
	const uint8_t wire[26] = {9,	0,    0,   0, 0, 0, 0,	  0,   0,
				  0,	0,    0,   0, 0, 0, 0,	  0,   0,
				  0xff, 0xff, 192, 0, 2, 1, 0x48, 0x0c};
	uint8_t buf[26];
	char s[64];

	inet_pton(AF_INET, "192.0.2.1", &in.sin_addr);
	CU_ASSERT_EQUAL(p2p_netaddr_from_sockaddr(&na, (struct sockaddr *)&in),
			0);
	CU_ASSERT_EQUAL(na.services, 9);
	CU_ASSERT_EQUAL(na.port, 18444);
	p2p_netaddr_encode(buf, &na);
	CU_ASSERT_EQUAL(memcmp(buf, wire, 26), 0);
	p2p_netaddr_decode(wire, &back);
	CU_ASSERT_EQUAL(memcmp(&back.ip, &na.ip, 16), 0);
	CU_ASSERT_EQUAL(back.port, 18444);
	CU_ASSERT_EQUAL(back.services, 9);
	CU_ASSERT_EQUAL(p2p_netaddr_to_sockaddr(&back, &ss), sizeof(in));
	CU_ASSERT_EQUAL(out->sin_family, AF_INET);
	CU_ASSERT_EQUAL(out->sin_addr.s_addr, in.sin_addr.s_addr);
	CU_ASSERT_EQUAL(out->sin_port, in.sin_port);
	CU_ASSERT_STRING_EQUAL(p2p_netaddr_str(&back, s, sizeof(s)),
			       "192.0.2.1:18444");
}

static void test_netaddr_ipv6(void)
{
	struct sockaddr_in6 in6 = {.sin6_family = AF_INET6,
				   .sin6_port = htons(8333)};
	struct sockaddr_un un = {.sun_family = AF_UNIX};
	struct sockaddr_storage ss;
	struct sockaddr_in6 *out = (struct sockaddr_in6 *)&ss;
	struct p2p_netaddr na = {0};
	char s[64];

	inet_pton(AF_INET6, "2001:db8::1", &in6.sin6_addr);
	CU_ASSERT_EQUAL(p2p_netaddr_from_sockaddr(&na, (struct sockaddr *)&in6),
			0);
	CU_ASSERT_EQUAL(p2p_netaddr_to_sockaddr(&na, &ss), sizeof(in6));
	CU_ASSERT_EQUAL(out->sin6_family, AF_INET6);
	CU_ASSERT_EQUAL(memcmp(&out->sin6_addr, &in6.sin6_addr, 16), 0);
	CU_ASSERT_EQUAL(out->sin6_port, htons(8333));
	CU_ASSERT_STRING_EQUAL(p2p_netaddr_str(&na, s, sizeof(s)),
			       "[2001:db8::1]:8333");
	CU_ASSERT_EQUAL(p2p_netaddr_from_sockaddr(&na, (struct sockaddr *)&un),
			-EAFNOSUPPORT);
}

static void test_le_helpers(void)
{
	uint8_t b[8];

	p2p_put_u16le(b, 0x1234);
	CU_ASSERT(b[0] == 0x34 && b[1] == 0x12);
	CU_ASSERT_EQUAL(p2p_get_u16le(b), 0x1234);
	p2p_put_u32le(b, 0xdab5bffaU);
	CU_ASSERT(b[0] == 0xfa && b[1] == 0xbf && b[2] == 0xb5 && b[3] == 0xda);
	CU_ASSERT_EQUAL(p2p_get_u32le(b), 0xdab5bffaU);
	p2p_put_u64le(b, UINT64_C(0x0102030405060708));
	CU_ASSERT(b[0] == 8 && b[7] == 1);
	CU_ASSERT_EQUAL(p2p_get_u64le(b), UINT64_C(0x0102030405060708));
}

int main(void)
{
	static const struct testutil_case tests[] = {
		{"checksum of empty payload", test_checksum_empty},
		{"mainnet verack bytes", test_verack_mainnet},
		{"wiki version 60002", test_version_wiki},
		{"Bitcoin Core 23.0 version", test_version_core23},
		{"bitcoinj regtest version", test_version_bitcoinj_regtest},
		{"regtest ping/pong", test_ping_pong_regtest},
		{"frame: partial input", test_frame_partial},
		{"frame: bad magic", test_frame_bad_magic},
		{"frame: bad checksum", test_frame_bad_checksum},
		{"frame: oversize", test_frame_oversize},
		{"frame: back to back", test_frame_back_to_back},
		{"command padding", test_command_padding},
		{"msg_encode space", test_msg_encode_space},
		{"version malformed", test_version_malformed},
		{"netaddr IPv4-mapped", test_netaddr_ipv4},
		{"netaddr IPv6", test_netaddr_ipv6},
		{"little-endian helpers", test_le_helpers},
	};
	int fails;

	fails = testutil_run_suite("p2p", NULL, NULL, tests, TESTUTIL_N(tests));
	return fails ? 1 : 0;
}
