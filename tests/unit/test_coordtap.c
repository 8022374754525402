/* test_coordtap: the tap's "pair" line byte for byte, malformed lines
 * refused; and the injector's spoofed segments (spoof.c): both
 * checksums verify over the bytes as built, the fields where the wire
 * puts them. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "coordtap.h"
#include "lib/testutil.h"
#include "../../harness/adversary/spoof.c"

static void test_line(void)
{
	struct coordtap_pair p = {.key = 1000001, .a = "198.51.100.1:20001",
				  .b = "203.0.113.1:20002",
				  .start_ns = 37555726910254};
	struct coordtap_pair q;
	char buf[COORDTAP_LINE_MAX];
	int n = coordtap_format(buf, sizeof(buf), &p);

	CU_ASSERT_STRING_EQUAL(buf, "pair 1000001 198.51.100.1:20001 "
				    "203.0.113.1:20002 37555726910254\n");
	CU_ASSERT_EQUAL(n, (int)strlen(buf));
	CU_ASSERT_EQUAL(coordtap_parse(buf, (size_t)n - 1, &q), 0);
	CU_ASSERT_EQUAL(q.key, p.key);
	CU_ASSERT_STRING_EQUAL(q.a, p.a);
	CU_ASSERT_STRING_EQUAL(q.b, p.b);
	CU_ASSERT_EQUAL(q.start_ns, p.start_ns);
	CU_ASSERT_EQUAL(coordtap_format(buf, 20, &p), -ENOSPC);
	strcpy(p.a, "1.2.3.4 :5");
	CU_ASSERT_EQUAL(coordtap_format(buf, sizeof(buf), &p), -EINVAL);
}

static void test_bad(void)
{
	static const char *const bad[] = {
		"", "pair", "pair 1 a:1 b:2", "pair 1 a:1 b:2 3 4",
		"held 1 a:1 b:2 3", "pair x a:1 b:2 3", "pair 1 a:1 b:2 -3",
		"pair 1  b:2 3", "pair 1 a:1 b:2 3 ",
		"pair 1 a:1 "
		"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
		"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb:2 3",
	};
	struct coordtap_pair q;

	for (size_t i = 0; i < TESTUTIL_N(bad); i++)
		CU_ASSERT_EQUAL(coordtap_parse(bad[i], strlen(bad[i]), &q),
				-EBADMSG);
}

/* A checksum over data that includes its own checksum field folds to 0. */
static void test_spoof(void)
{
	struct spoof_seg s = {.flags = SPOOF_SYN, .seq = 0x01020304,
			      .window = 64240, .mss = 1460};
	uint8_t buf[64], all[12 + 24];
	int n;

	s.src.sin_family = s.dst.sin_family = AF_INET;
	inet_pton(AF_INET, "203.0.113.1", &s.src.sin_addr);
	inet_pton(AF_INET, "198.51.100.1", &s.dst.sin_addr);
	s.src.sin_port = htons(20002);
	s.dst.sin_port = htons(20001);
	n = spoof_build(buf, sizeof(buf), &s);
	CU_ASSERT_EQUAL_FATAL(n, 44);
	CU_ASSERT_EQUAL(buf[0], 0x45);
	CU_ASSERT_EQUAL(buf[9], IPPROTO_TCP);
	CU_ASSERT_EQUAL(spoof_csum(buf, 20, 0), 0);
	CU_ASSERT(!memcmp(buf + 12, &s.src.sin_addr, 4));
	CU_ASSERT(!memcmp(buf + 22, &s.dst.sin_port, 2));
	CU_ASSERT_EQUAL(buf[24], 1); /* seq, network order */
	CU_ASSERT_EQUAL(buf[32] >> 4, 6);
	CU_ASSERT_EQUAL(buf[33], SPOOF_SYN);
	/* the pseudo-header (addresses, 0, protocol, TCP length), then TCP */
	memcpy(all, buf + 12, 8);
	all[8] = 0;
	all[9] = IPPROTO_TCP;
	all[10] = 0;
	all[11] = 24;
	memcpy(all + 12, buf + 20, 24);
	CU_ASSERT_EQUAL(spoof_csum(all, sizeof(all), 0), 0);
	s.flags = SPOOF_RST;
	s.mss = 0;
	CU_ASSERT_EQUAL(spoof_build(buf, sizeof(buf), &s), 40);
	CU_ASSERT_EQUAL(spoof_build(buf, 39, &s), -ENOSPC);
}

int main(void)
{
	static const struct testutil_case tests[] = {
		{"pair line: format and parse", test_line},
		{"malformed lines refused", test_bad},
		{"spoofed segment: fields and checksums", test_spoof},
	};

	return testutil_run_suite("coordtap", NULL, NULL, tests,
				  TESTUTIL_N(tests)) ? 1 : 0;
}
