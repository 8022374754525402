/* test_pcp: the PCP (RFC 6887) and NAT-PMP (RFC 6886) codec byte for byte
 * against the RFCs' figures, every reply check (truncated, garbage, the
 * wrong request), and the agent's client (harness/agent/pcpmap.c) against
 * a scripted server on loopback: retransmission, the NAT-PMP fallback, a
 * refusal, a timeout. No root. */
#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CUnit/Basic.h>

#include "pcp.h"
#include "../../harness/agent/loop.c"
#include "../../harness/agent/pcpmap.c"
#include "../../harness/agent/sock.c"
#include "lib/testutil.h"

static const uint8_t nonce[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};

/* MAP request of 10.0.2.2 for TCP 20000 -> 20000, any address, 3600 s
 * (RFC 6887 figures 2 and 9). */
static const uint8_t map_req[PCP_MAP_LEN] = {
	2,    1,    0,	  0,	0, 0, 0x0e, 0x10, /* version, opcode MAP,
						     lifetime */
	0,    0,    0,	  0,	0, 0, 0,    0,	  0, 0,	 0xff, 0xff,
	10,   0,    2,	  2,					   /* client */
	1,    2,    3,	  4,	5, 6, 7,    8,	  9, 10, 11,   12, /* nonce */
	6,    0,    0,	  0,	/* TCP, reserved */
	0x4e, 0x20, 0x4e, 0x20, /* ports */
	0,    0,    0,	  0,	0, 0, 0,    0,	  0, 0,	 0xff, 0xff,
	0,    0,    0,	  0, /* ::ffff:0.0.0.0 */
};

static struct pcp_map_req the_req(void)
{
	struct pcp_map_req r = {
		.internal_port = 20000,
		.external_port = 20000,
		.lifetime = 3600,
	};

	inet_pton(AF_INET, "10.0.2.2", &r.client);
	memcpy(r.nonce, nonce, sizeof(nonce));
	return r;
}

/* The server's success answer to map_req (RFC 6887 figures 3 and 10):
 * 203.0.113.1:20001 for 7200 s, epoch 77. */
static void map_resp(uint8_t *b)
{
	memcpy(b, map_req, PCP_MAP_LEN);
	memset(b + 2, 0, 22);
	b[1] = 0x81;
	b[6] = 0x1c, b[7] = 0x20; /* 7200 */
	b[11] = 77;
	b[42] = 0x4e, b[43] = 0x21; /* external port 20001 */
	b[56] = 203, b[57] = 0, b[58] = 113, b[59] = 1;
}

static void test_encode(void)
{
	struct pcp_map_req r = the_req();
	uint8_t buf[PCP_MAP_LEN + 8];
	static const uint8_t nat_map[] = {0,	2,    0, 0, 0x4e, 0x20,
					  0x4e, 0x20, 0, 0, 0x0e, 0x10};

	memset(buf, 0xaa, sizeof(buf));
	CU_ASSERT_EQUAL(pcp_map_encode(buf, sizeof(buf), &r), PCP_MAP_LEN);
	CU_ASSERT_EQUAL(memcmp(buf, map_req, PCP_MAP_LEN), 0);
	CU_ASSERT_EQUAL(pcp_map_encode(buf, PCP_MAP_LEN - 1, &r), -ENOSPC);
	CU_ASSERT_EQUAL(natpmp_external_encode(buf, sizeof(buf)), 2);
	CU_ASSERT(buf[0] == 0 && buf[1] == 0);
	CU_ASSERT_EQUAL(natpmp_external_encode(buf, 1), -ENOSPC);
	memset(buf, 0xaa, sizeof(buf));
	CU_ASSERT_EQUAL(natpmp_map_encode(buf, sizeof(buf), 20000, 20000, 3600),
			12);
	CU_ASSERT_EQUAL(memcmp(buf, nat_map, sizeof(nat_map)), 0);
	CU_ASSERT_EQUAL(natpmp_map_encode(buf, 11, 1, 1, 1), -ENOSPC);
}

static void test_pcp_decode(void)
{
	struct pcp_map_req r = the_req();
	struct pcp_map_resp out;
	uint8_t b[PCP_MAP_LEN + 12];
	uint16_t nr = 99;

	map_resp(b);
	CU_ASSERT_EQUAL(pcp_map_decode(b, PCP_MAP_LEN, &r, &out, &nr), 0);
	CU_ASSERT(out.has_map && out.result == PCP_SUCCESS);
	CU_ASSERT_EQUAL(out.lifetime, 7200);
	CU_ASSERT_EQUAL(out.epoch, 77);
	CU_ASSERT_EQUAL(out.external_port, 20001);
	CU_ASSERT_EQUAL(ntohl(out.external.s_addr), 0xcb007101);
	/* an option that fits (PREFER_FAILURE-like, code 2, no data) */
	memcpy(b + PCP_MAP_LEN, (uint8_t[]){2, 0, 0, 0}, 4);
	CU_ASSERT_EQUAL(pcp_map_decode(b, PCP_MAP_LEN + 4, &r, &out, &nr), 0);
	/* ... and one whose length runs past the end */
	memcpy(b + PCP_MAP_LEN, (uint8_t[]){0x80, 0, 0, 9}, 4);
	CU_ASSERT_EQUAL(pcp_map_decode(b, PCP_MAP_LEN + 12, &r, &out, &nr),
			-EBADMSG);
	/* another request's answer */
	map_resp(b), b[PCP_HEADER_LEN + 11] ^= 1;
	CU_ASSERT_EQUAL(pcp_map_decode(b, PCP_MAP_LEN, &r, &out, &nr), -ESRCH);
	map_resp(b), b[PCP_HEADER_LEN + 12] = 17; /* UDP */
	CU_ASSERT_EQUAL(pcp_map_decode(b, PCP_MAP_LEN, &r, &out, &nr), -ESRCH);
	map_resp(b), b[PCP_HEADER_LEN + 17] ^= 1; /* internal port */
	CU_ASSERT_EQUAL(pcp_map_decode(b, PCP_MAP_LEN, &r, &out, &nr), -ESRCH);
	/* a SUCCESS with an IPv6 external address: we asked for IPv4 */
	map_resp(b), b[PCP_HEADER_LEN + 30] = 0;
	CU_ASSERT_EQUAL(pcp_map_decode(b, PCP_MAP_LEN, &r, &out, &nr),
			-EBADMSG);
	/* error with the request's MAP data copied: the result, no address */
	map_resp(b), b[3] = 2;
	CU_ASSERT_EQUAL(pcp_map_decode(b, PCP_MAP_LEN, &r, &out, &nr), 0);
	CU_ASSERT_EQUAL(out.result, 2);
	CU_ASSERT_STRING_EQUAL(pcp_result_name(out.result), "NOT_AUTHORIZED");
	/* header-only: an error may, a SUCCESS may not */
	CU_ASSERT_EQUAL(pcp_map_decode(b, PCP_HEADER_LEN, &r, &out, &nr), 0);
	CU_ASSERT(!out.has_map && out.result == 2);
	b[3] = 0;
	CU_ASSERT_EQUAL(pcp_map_decode(b, PCP_HEADER_LEN, &r, &out, &nr),
			-EBADMSG);
	/* not a response, other opcode, versions 1 and 3 */
	map_resp(b), b[1] = 0x01;
	CU_ASSERT_EQUAL(pcp_map_decode(b, PCP_MAP_LEN, &r, &out, &nr),
			-EBADMSG);
	map_resp(b), b[1] = 0x82;
	CU_ASSERT_EQUAL(pcp_map_decode(b, PCP_MAP_LEN, &r, &out, &nr),
			-EBADMSG);
	map_resp(b), b[0] = 1;
	CU_ASSERT_EQUAL(pcp_map_decode(b, PCP_MAP_LEN, &r, &out, &nr),
			-EBADMSG);
	map_resp(b), b[0] = 3;
	CU_ASSERT_EQUAL(pcp_map_decode(b, PCP_MAP_LEN, &r, &out, &nr),
			-EBADMSG);
}

/* RFC 6887 appendix A / RFC 6886 3.5: a NAT-PMP server answers a PCP
 * request with version 0, result 1 (UNSUPP_VERSION), 8 bytes. */
static void test_pcp_natpmp_shaped(void)
{
	static const uint8_t unsupp[] = {0, 0x81, 0, 1, 0, 0, 0x01, 0x00};
	struct pcp_map_req r = the_req();
	struct pcp_map_resp out;
	uint16_t nr = 99;

	CU_ASSERT_EQUAL(pcp_map_decode(unsupp, sizeof(unsupp), &r, &out, &nr),
			-EPROTONOSUPPORT);
	CU_ASSERT_EQUAL(nr, PCP_UNSUPP_VERSION);
	CU_ASSERT_EQUAL(pcp_map_decode(unsupp, 7, &r, &out, &nr), -EBADMSG);
	CU_ASSERT_EQUAL(pcp_map_decode(unsupp, sizeof(unsupp), &r, &out, NULL),
			-EPROTONOSUPPORT);
}

/* Every prefix of a good answer, too long, not a multiple of 4. */
static void test_pcp_truncated(void)
{
	struct pcp_map_req r = the_req();
	struct pcp_map_resp out;
	uint8_t b[PCP_MAX_LEN + 8];
	uint16_t nr;

	memset(b, 0, sizeof(b));
	map_resp(b);
	for (size_t n = 0; n < PCP_MAP_LEN; n++)
		CU_ASSERT_EQUAL(pcp_map_decode(b, n, &r, &out, &nr), -EBADMSG);
	CU_ASSERT_EQUAL(pcp_map_decode(b, PCP_MAP_LEN + 1, &r, &out, &nr),
			-EBADMSG);
	/* zero options padding up to 1100 are fine, 1104 is too long */
	CU_ASSERT_EQUAL(pcp_map_decode(b, PCP_MAX_LEN, &r, &out, &nr), 0);
	CU_ASSERT_EQUAL(pcp_map_decode(b, PCP_MAX_LEN + 4, &r, &out, &nr),
			-EBADMSG);
}

static void test_natpmp_decode(void)
{
	uint8_t ext[] = {0, 0x80, 0, 0, 0, 0, 0, 9, 203, 0, 113, 1};
	uint8_t map[] = {0,    0x82, 0,	   0,	 0, 0, 0,    9,
			 0x4e, 0x20, 0x4e, 0x21, 0, 0, 0x0e, 0x10};
	uint8_t err[] = {0, 0x82, 0, 2, 0, 0, 0, 9};
	struct natpmp_resp out;

	CU_ASSERT_EQUAL(natpmp_decode(ext, sizeof(ext), 0, 20000, &out), 0);
	CU_ASSERT_EQUAL(ntohl(out.external.s_addr), 0xcb007101);
	CU_ASSERT_EQUAL(out.epoch, 9);
	CU_ASSERT_EQUAL(natpmp_decode(map, sizeof(map), 2, 20000, &out), 0);
	CU_ASSERT(out.external_port == 20001 && out.lifetime == 3600);
	/* another port's, another opcode's answer */
	CU_ASSERT_EQUAL(natpmp_decode(map, sizeof(map), 2, 20002, &out),
			-ESRCH);
	CU_ASSERT_EQUAL(natpmp_decode(ext, sizeof(ext), 2, 20000, &out),
			-ESRCH);
	/* an error stops after the epoch */
	CU_ASSERT_EQUAL(natpmp_decode(err, sizeof(err), 2, 20000, &out), 0);
	CU_ASSERT_EQUAL(out.result, 2);
	CU_ASSERT_STRING_EQUAL(natpmp_result_name(out.result),
			       "NOT_AUTHORIZED");
	/* a SUCCESS must be whole; a request is not an answer */
	for (size_t n = 0; n < sizeof(map); n++)
		CU_ASSERT_EQUAL(natpmp_decode(map, n, 2, 20000, &out),
				-EBADMSG);
	for (size_t n = 0; n < sizeof(ext); n++)
		CU_ASSERT_EQUAL(natpmp_decode(ext, n, 0, 20000, &out),
				-EBADMSG);
	map[1] = 2;
	CU_ASSERT_EQUAL(natpmp_decode(map, sizeof(map), 2, 20000, &out),
			-EBADMSG);
	map[1] = 0x82, map[0] = 2;
	CU_ASSERT_EQUAL(natpmp_decode(map, sizeof(map), 2, 20000, &out),
			-EPROTONOSUPPORT);
}

static void test_names(void)
{
	CU_ASSERT_STRING_EQUAL(pcp_result_name(0), "SUCCESS");
	CU_ASSERT_STRING_EQUAL(pcp_result_name(8), "NO_RESOURCES");
	CU_ASSERT_STRING_EQUAL(pcp_result_name(13), "EXCESSIVE_REMOTE_PEERS");
	CU_ASSERT_PTR_NULL(pcp_result_name(14));
	CU_ASSERT_STRING_EQUAL(natpmp_result_name(5), "UNSUPP_OPCODE");
	CU_ASSERT_PTR_NULL(natpmp_result_name(6));
}

/* Garbage: whatever decodes is an answer to our request. */
static void test_garbage(void)
{
	struct pcp_map_req r = the_req();
	struct pcp_map_resp out;
	struct natpmp_resp nout;
	uint8_t b[128];
	uint32_t x = 12345;
	uint16_t nr;

	for (int i = 0; i < 200000; i++) {
		size_t n = (x >> 8) % sizeof(b);

		for (size_t k = 0; k < n; k++) {
			x = x * 1103515245u + 12345u;
			b[k] = (uint8_t)(x >> 16);
		}
		if (i & 1) { /* often enough a near miss */
			map_resp(b);
			b[x % PCP_MAP_LEN] ^= (uint8_t)(1u << (x >> 5 & 7));
			n = PCP_MAP_LEN;
		}
		if (pcp_map_decode(b, n, &r, &out, &nr) == 0 && out.has_map)
			CU_ASSERT_EQUAL(memcmp(b + 24, nonce, 12), 0);
		if (natpmp_decode(b, n, 2, 20000, &nout) == 0 &&
		    nout.result == 0)
			CU_ASSERT_EQUAL(nout.internal_port, 20000);
	}
}

/* --- the client against a scripted server ------------------------------ */

/* SCRIPT_NONCE: answers only requests with the first request's nonce. */
enum script { SCRIPT_RETRY, SCRIPT_FALLBACK, SCRIPT_REFUSE, SCRIPT_NONCE };

static uint8_t script_nonce[12];

/* The server's answer to request b (n bytes) under the script, into out:
 * its length, 0 to stay silent. seen counts the requests so far. */
static size_t script_answer(enum script s, int seen, const uint8_t *b, size_t n,
			    uint8_t *out)
{
	static const uint8_t unsupp[] = {0, 0x81, 0, 1, 0, 0, 0, 5};

	if (b[0] == PCP_VERSION && n == PCP_MAP_LEN) {
		if (s == SCRIPT_FALLBACK) {
			memcpy(out, unsupp, sizeof(unsupp));
			return sizeof(unsupp);
		}
		if (s == SCRIPT_RETRY && seen <= 2)
			return 0;
		/* a delete must carry the nonce of the
		 * first request (a map), else no answer */
		if (s == SCRIPT_NONCE && seen == 1)
			memcpy(script_nonce, b + 24, 12);
		if (s == SCRIPT_NONCE && memcmp(script_nonce, b + 24, 12))
			return 0;
		/* ... and lifetime 0: a "release" that renewed the mapping
		 * would get no answer */
		if (s == SCRIPT_NONCE && seen >= 2 && (b[4] | b[5] | b[6] | b[7]))
			return 0;
		memcpy(out, b, n);
		memset(out + 2, 0, 22);
		out[1] = 0x81;
		out[3] = s == SCRIPT_REFUSE ? 2 : 0;
		out[6] = 0x1c, out[7] = 0x20;
		out[42] = 0x4e, out[43] = 0x21;
		memcpy(out + 56, (uint8_t[]){203, 0, 113, 1}, 4);
		return n;
	}
	memset(out, 0, 16);
	out[1] = (uint8_t)(0x80 | b[1]);
	out[7] = 5;
	if (b[1] == 0 && n == 2) {
		memcpy(out + 8, (uint8_t[]){203, 0, 113, 1}, 4);
		return 12;
	}
	if (b[1] == 2 && n == 12) {
		memcpy(out + 8, b + 4, 2);
		memcpy(out + 10, b + 4, 2); /* the port asked for */
		memcpy(out + 12, b + 8, 4);
		return 16;
	}
	return 0;
}

/* A child answering on fd until killed. */
static pid_t script_start(int fd, enum script s)
{
	struct sockaddr_in from;
	uint8_t b[1200], out[1200];
	socklen_t fl;
	ssize_t n;
	size_t len;
	int seen = 0;
	pid_t pid = fork();

	if (pid != 0)
		return pid;
	for (;;) {
		fl = sizeof(from);
		n = recvfrom(fd, b, sizeof(b), 0, (struct sockaddr *)&from,
			     &fl);
		if (n < 2)
			continue;
		len = script_answer(s, ++seen, b, (size_t)n, out);
		if (len)
			sendto(fd, out, len, 0, (struct sockaddr *)&from, fl);
	}
}

/* A UDP socket on 127.0.0.1 and its address. */
static int script_socket(struct sockaddr_in *sin)
{
	socklen_t len = sizeof(*sin);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	*sin = (struct sockaddr_in){.sin_family = AF_INET};
	sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_FATAL(bind(fd, (struct sockaddr *)sin, sizeof(*sin)) == 0);
	CU_ASSERT_FATAL(getsockname(fd, (struct sockaddr *)sin, &len) == 0);
	return fd;
}

/* Runs the client against script s (or, s < 0, a closed port); with
 * release, then deletes the mapping it got. */
static int script_run_rel(int s, enum pcpmap_proto proto, int64_t ms,
			  struct pcpmap_result *r, int release)
{
	struct pcpmap_params p = {
		.proto = proto,
		.internal_port = 20000,
		.lifetime = 3600,
	};
	pid_t pid = -1;
	int fd, err;

	CU_ASSERT_FATAL(loop_init() == 0);
	fd = script_socket(&p.gateway);
	if (s < 0)
		close(fd); /* the port answers ICMP port unreachable */
	else
		pid = script_start(fd, (enum script)s);
	CU_ASSERT_FATAL(pid != 0);
	p.deadline_ns = mono_ns() + ms * LOOP_NS_PER_MS;
	err = pcpmap_run(&p, r);
	if (release) {
		p.deadline_ns = mono_ns() + 1000 * LOOP_NS_PER_MS;
		CU_ASSERT_EQUAL(pcpmap_release(&p, r), 0);
	}
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		close(fd);
	}
	return err;
}

static int script_run(int s, enum pcpmap_proto proto, int64_t ms,
		      struct pcpmap_result *r)
{
	return script_run_rel(s, proto, ms, r, 0);
}

static void test_client_pcp_retry(void)
{
	struct pcpmap_result r;

	CU_ASSERT_EQUAL(script_run(SCRIPT_RETRY, PCPMAP_AUTO, 5000, &r), 0);
	CU_ASSERT(r.ok);
	CU_ASSERT_STRING_EQUAL(r.proto, "pcp");
	CU_ASSERT_EQUAL(r.requests, 3);
	CU_ASSERT_STRING_EQUAL(r.result, "SUCCESS");
	CU_ASSERT_EQUAL(ntohs(r.external.sin_port), 20001);
	CU_ASSERT_EQUAL(ntohl(r.external.sin_addr.s_addr), 0xcb007101);
	CU_ASSERT_EQUAL(r.lifetime, 7200);
	CU_ASSERT(!r.port_honoured);
	CU_ASSERT_EQUAL(ntohl(r.internal.sin_addr.s_addr), INADDR_LOOPBACK);
}

/* The release: lifetime 0, the mapping's nonce (the script echoes it:
 * another nonce's answer would not be taken), for either protocol. */
static void test_client_release(void)
{
	struct pcpmap_result r;

	CU_ASSERT_EQUAL(script_run_rel(SCRIPT_NONCE, PCPMAP_PCP, 5000, &r, 1),
			0);
	CU_ASSERT(r.release_tried && r.released);
	CU_ASSERT_EQUAL(r.requests, 1); /* the release's are its own */
	CU_ASSERT_EQUAL(
		script_run_rel(SCRIPT_FALLBACK, PCPMAP_NATPMP, 5000, &r, 1), 0);
	CU_ASSERT(r.release_tried && r.released);
}

static void test_client_fallback(void)
{
	struct pcpmap_result r;

	CU_ASSERT_EQUAL(script_run(SCRIPT_FALLBACK, PCPMAP_AUTO, 5000, &r), 0);
	CU_ASSERT(r.ok);
	CU_ASSERT_STRING_EQUAL(r.proto, "natpmp");
	CU_ASSERT_EQUAL(r.requests, 3); /* PCP, external address, map */
	CU_ASSERT(r.port_honoured);
	CU_ASSERT_EQUAL(ntohl(r.external.sin_addr.s_addr), 0xcb007101);
	CU_ASSERT_EQUAL(r.lifetime, 3600);
	/* asked for PCP only, the same answer is a failure */
	CU_ASSERT_EQUAL(script_run(SCRIPT_FALLBACK, PCPMAP_PCP, 5000, &r),
			-EPROTONOSUPPORT);
	CU_ASSERT(!r.ok);
	CU_ASSERT_STRING_EQUAL(r.result, "UNSUPP_VERSION");
	/* NAT-PMP only never sends PCP */
	CU_ASSERT_EQUAL(script_run(SCRIPT_FALLBACK, PCPMAP_NATPMP, 5000, &r),
			0);
	CU_ASSERT_EQUAL(r.requests, 2);
}

static void test_client_refused(void)
{
	struct pcpmap_result r;

	CU_ASSERT_EQUAL(script_run(SCRIPT_REFUSE, PCPMAP_AUTO, 5000, &r),
			-EPROTO);
	CU_ASSERT(!r.ok);
	CU_ASSERT_STRING_EQUAL(r.result, "NOT_AUTHORIZED");
	CU_ASSERT_EQUAL(r.requests, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.why, "NOT_AUTHORIZED"));
}

static void test_client_timeout(void)
{
	struct pcpmap_result r;

	CU_ASSERT_EQUAL(script_run(-1, PCPMAP_AUTO, 900, &r), -ETIMEDOUT);
	CU_ASSERT(!r.ok);
	CU_ASSERT_STRING_EQUAL(r.result, "timeout");
	CU_ASSERT(r.requests >= 2);
	CU_ASSERT(r.refused >= 1); /* ICMP port unreachable, waited past */
	CU_ASSERT_PTR_NOT_NULL(strstr(r.why, "timeout"));
}

int main(void)
{
	static const struct testutil_case tests[] = {
		{"requests byte for byte (RFC 6887 fig. 2/9, RFC 6886 3.2/3.3)",
		 test_encode},
		{"PCP MAP answers: good, errors, another request's",
		 test_pcp_decode},
		{"PCP request answered NAT-PMP-shaped (UNSUPP_VERSION)",
		 test_pcp_natpmp_shaped},
		{"PCP answers truncated, too long, unaligned",
		 test_pcp_truncated},
		{"NAT-PMP answers", test_natpmp_decode},
		{"result code names", test_names},
		{"garbage and near misses", test_garbage},
		{"client: PCP after two lost requests", test_client_pcp_retry},
		{"client: auto falls back to NAT-PMP", test_client_fallback},
		{"client: releases the mapping (lifetime 0)",
		 test_client_release},
		{"client: a refusal is a result, not a timeout",
		 test_client_refused},
		{"client: nobody answers: timeout by the deadline",
		 test_client_timeout},
	};

	return testutil_run_suite("pcp", NULL, NULL, tests, TESTUTIL_N(tests))
		       ? 1
		       : 0;
}
