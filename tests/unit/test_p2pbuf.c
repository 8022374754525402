/* Unit tests for p2pbuf over a socketpair: what is queued arrives framed
 * and whole, a partial write keeps the rest, the caps refuse instead of
 * growing, and EOF / nothing-yet are told apart. */
#include <CUnit/Basic.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "coordmsg.h"
#include "p2p.h"
#include "p2pbuf.h"

#define MAGIC P2P_MAGIC_REGTEST

static struct p2pbuf a, b;

static int pair(int fd[2])
{
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fd))
		return -1;
	p2pbuf_reset(&a);
	p2pbuf_reset(&b);
	return 0;
}

static void test_roundtrip(void)
{
	const uint8_t nonce[8] = {1, 2, 3, 4, 5, 6, 7, 8};
	const uint8_t *pl;
	struct p2p_hdr h;
	int fd[2], n;

	CU_ASSERT_FATAL(pair(fd) == 0);
	CU_ASSERT_EQUAL(p2pbuf_fill(&b, fd[1]), -EAGAIN);
	CU_ASSERT_EQUAL(p2pbuf_queue(&a, MAGIC, "ping", nonce, 8), 32);
	CU_ASSERT_EQUAL(p2pbuf_queue(&a, MAGIC, "verack", NULL, 0), 24);
	CU_ASSERT_TRUE(p2pbuf_has_output(&a));
	CU_ASSERT_EQUAL(p2pbuf_flush(&a, fd[0]), 56);
	CU_ASSERT_FALSE(p2pbuf_has_output(&a));
	CU_ASSERT_EQUAL(p2pbuf_fill(&b, fd[1]), 56);
	n = p2p_frame(b.in, b.in_len, MAGIC, COORD_MAX_PAYLOAD, &h, &pl);
	CU_ASSERT_EQUAL(n, 32);
	CU_ASSERT_STRING_EQUAL(h.command, "ping");
	CU_ASSERT_EQUAL(memcmp(pl, nonce, 8), 0);
	p2pbuf_consume(&b, (size_t)n);
	n = p2p_frame(b.in, b.in_len, MAGIC, COORD_MAX_PAYLOAD, &h, &pl);
	CU_ASSERT_EQUAL(n, 24);
	CU_ASSERT_STRING_EQUAL(h.command, "verack");
	p2pbuf_consume(&b, (size_t)n);
	CU_ASSERT_EQUAL(b.in_len, 0);
	close(fd[0]);
	CU_ASSERT_EQUAL(p2pbuf_fill(&b, fd[1]), 0); /* EOF */
	close(fd[1]);
}

/* A reader that does not read: the socket takes part, the buffer keeps
 * the rest, and the cap refuses more with -ENOBUFS. */
static void test_bounded_output(void)
{
	static uint8_t payload[COORD_MAX_PAYLOAD];
	int fd[2], sndbuf = 4096, queued = 0, sent = 0, n;

	CU_ASSERT_FATAL(pair(fd) == 0);
	setsockopt(fd[0], SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
	for (;;) {
		n = p2pbuf_queue(&a, MAGIC, "junk", payload, sizeof(payload));
		if (n < 0)
			break;
		queued += n;
		n = p2pbuf_flush(&a, fd[0]);
		CU_ASSERT_FATAL(n >= 0);
		sent += n;
		CU_ASSERT_FATAL(queued < 10 * 1024 * 1024);
	}
	CU_ASSERT_EQUAL(n, -ENOBUFS);
	CU_ASSERT_TRUE(p2pbuf_has_output(&a));
	CU_ASSERT_EQUAL((size_t)(queued - sent), a.out_len - a.out_off);
	CU_ASSERT_TRUE(a.out_len <= P2PBUF_OUT_CAP);
	close(fd[0]);
	close(fd[1]);
}

static void test_input_full(void)
{
	static uint8_t junk[P2PBUF_IN_CAP + 100];
	int fd[2];

	CU_ASSERT_FATAL(pair(fd) == 0);
	CU_ASSERT_EQUAL(write(fd[0], junk, sizeof(junk)), (ssize_t)sizeof(junk));
	while (p2pbuf_fill(&b, fd[1]) > 0)
		;
	CU_ASSERT_EQUAL(b.in_len, P2PBUF_IN_CAP);
	CU_ASSERT_EQUAL(p2pbuf_fill(&b, fd[1]), -ENOBUFS);
	p2pbuf_consume(&b, P2PBUF_IN_CAP + 1); /* more than held: empties */
	CU_ASSERT_EQUAL(b.in_len, 0);
	close(fd[0]);
	close(fd[1]);
}

/* The coordinator's version: what the agent checks (service bit) and
 * what it learns (itself as seen). */
static void test_coord_version(void)
{
	struct p2p_netaddr seen = {.port = 20000};
	struct p2p_version v, back;
	uint8_t buf[256];
	int n;

	seen.ip[10] = seen.ip[11] = 0xff;
	seen.ip[12] = 198, seen.ip[13] = 51, seen.ip[14] = 100, seen.ip[15] = 1;
	coord_version_init(&v, &seen, 8, 42);
	n = p2p_version_encode(buf, sizeof(buf), &v);
	CU_ASSERT_FATAL(n > 0);
	CU_ASSERT_EQUAL(p2p_version_decode(buf, (size_t)n, &back), 0);
	CU_ASSERT_EQUAL(back.services, COORD_SERVICE_BIT);
	CU_ASSERT_EQUAL(back.nonce, 42);
	CU_ASSERT_EQUAL(back.recv.port, 20000);
	CU_ASSERT_EQUAL(back.recv.services, 8);
	CU_ASSERT_EQUAL(memcmp(back.recv.ip, seen.ip, 16), 0);
	CU_ASSERT_STRING_EQUAL(back.user_agent, COORD_USER_AGENT);
}

int main(void)
{
	CU_pSuite s;
	unsigned fails;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	s = CU_add_suite("p2pbuf", NULL, NULL);
	CU_add_test(s, "queued messages arrive framed and whole", test_roundtrip);
	CU_add_test(s, "output is bounded; a partial write keeps the rest",
		    test_bounded_output);
	CU_add_test(s, "input is bounded", test_input_full);
	CU_add_test(s, "the coordinator's version", test_coord_version);
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	fails = CU_get_number_of_failures();
	CU_cleanup_registry();
	return fails ? 1 : 0;
}
