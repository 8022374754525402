/* test_probe_http: the HTTP/1.0 exchange between punchlab probe and
 * punch-probe-server — the server's request checks and answers, parsed
 * back by the probe, and every way an answer can be refused. Both sides'
 * pure modules are compiled in (a test links libtestbed only). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "../../harness/probesrv/answer.c"
#include "../../harness/punchlab/probe/probe_class.c"
#include "../../harness/punchlab/probe/probe_http.c"

static uint32_t ip(const char *s)
{
	struct in_addr a = {0};

	inet_pton(AF_INET, s, &a);
	return a.s_addr;
}

static void test_http_roundtrip(void)
{
	struct sockaddr_in peer = {.sin_family = AF_INET,
				   .sin_port = htons(40000)};
	struct probe_http_answer ans;
	char buf[ANSWER_MAX];
	int n;

	peer.sin_addr.s_addr = ip("198.51.100.1");
	n = answer_format(buf, sizeof(buf), ANSWER_OK, &peer, 3479);
	CU_ASSERT_TRUE_FATAL(n > 0);
	CU_ASSERT_EQUAL(probe_http_parse(buf, (size_t)n, &ans, NULL, 0), 0);
	CU_ASSERT_EQUAL(ans.observed.ip, ip("198.51.100.1"));
	CU_ASSERT_EQUAL(ans.observed.port, 40000);
	CU_ASSERT_EQUAL(ans.server_port, 3479);
	/* the refusals are not answers */
	n = answer_format(buf, sizeof(buf), ANSWER_NOT_GET, &peer, 3479);
	CU_ASSERT_TRUE(n > 0 && !strncmp(buf, "HTTP/1.0 400 ", 13));
	CU_ASSERT_EQUAL(probe_http_parse(buf, (size_t)n, &ans, NULL, 0),
			-EPROTO);
	n = answer_format(buf, sizeof(buf), ANSWER_TOO_LARGE, &peer, 3479);
	CU_ASSERT_TRUE(n > 0 && !strncmp(buf, "HTTP/1.0 431 ", 13));
	CU_ASSERT_EQUAL(answer_format(buf, 40, ANSWER_OK, &peer, 3479),
			-ENOSPC);
}

static void test_http_request(void)
{
	struct probe_ep s = {ip("192.0.2.10"), 3478};
	/* volatile: a constant would make gcc warn of the very truncation
	 * checked below */
	volatile size_t small = 10;
	char buf[256];
	int n = probe_http_request(buf, sizeof(buf), &s);

	CU_ASSERT_TRUE_FATAL(n > 0);
	CU_ASSERT_TRUE(answer_head_done(buf, (size_t)n));
	CU_ASSERT_TRUE(answer_is_get(buf, (size_t)n));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "Host: 192.0.2.10:3478\r\n"));
	CU_ASSERT_EQUAL(probe_http_request(buf, small, &s), -ENOSPC);
}

static void test_http_server_side(void)
{
	const char *whole = "GET / HTTP/1.0\r\n\r\n",
		   *lf = "GET /x HTTP/1.1\n\n";

	CU_ASSERT_TRUE(answer_head_done(whole, strlen(whole)));
	CU_ASSERT_TRUE(answer_head_done(lf, strlen(lf)));
	CU_ASSERT_FALSE(answer_head_done(whole, strlen(whole) - 1));
	CU_ASSERT_FALSE(answer_head_done("GET / HTTP/1.0\r\n", 16));
	CU_ASSERT_TRUE(answer_is_get(whole, strlen(whole)));
	CU_ASSERT_TRUE(answer_is_get(lf, strlen(lf)));
	CU_ASSERT_FALSE(answer_is_get("POST / HTTP/1.0\r\n\r\n", 19));
	CU_ASSERT_FALSE(answer_is_get("GET  HTTP/1.0\r\n\r\n", 17));
	CU_ASSERT_FALSE(answer_is_get("GET / HTTP/2.0\r\n\r\n", 18));
	CU_ASSERT_FALSE(answer_is_get("GET / HTTP/1.0 x\r\n\r\n", 20));
	CU_ASSERT_FALSE(answer_is_get("GET / HTTP/1.0", 14)); /* no line end */
}

static int parse(const char *s)
{
	struct probe_http_answer ans;

	return probe_http_parse(s, strlen(s), &ans, NULL, 0);
}

static void test_http_parse_checks(void)
{
	char big[PROBE_HTTP_MAX + 2];
	char why[128] = "";
	struct probe_http_answer ans;

	CU_ASSERT_EQUAL(
		parse("HTTP/1.0 200 OK\n\n{\"observed_ip\": \"1.2.3.4\", "
		      "\"observed_port\": 1, \"server_port\": 65535}"),
		0);
	CU_ASSERT_EQUAL(parse("HTTP/1.0 404 Not Found\r\n\r\n{}"), -EPROTO);
	CU_ASSERT_EQUAL(parse("HTTP/1.0 2000 OK\r\n\r\n{}"), -EPROTO);
	CU_ASSERT_EQUAL(parse("HTTP/1.0 200 OK\r\nX: y\r\n"), -EPROTO);
	CU_ASSERT_EQUAL(parse("HTTP/1.0 200 OK\r\n\r\nnot json"), -EPROTO);
	CU_ASSERT_EQUAL(parse("HTTP/1.0 200 OK\r\n\r\n[1, 2]"), -EPROTO);
	CU_ASSERT_EQUAL(parse("HTTP/1.0 200 OK\r\n\r\n{\"observed_ip\": "
			      "\"::1\", \"observed_port\": 1, "
			      "\"server_port\": 2}"),
			-EPROTO);
	CU_ASSERT_EQUAL(parse("HTTP/1.0 200 OK\r\n\r\n{\"observed_ip\": "
			      "\"1.2.3.4\", \"observed_port\": 0, "
			      "\"server_port\": 2}"),
			-EPROTO);
	CU_ASSERT_EQUAL(parse("HTTP/1.0 200 OK\r\n\r\n{\"observed_ip\": "
			      "\"1.2.3.4\", \"observed_port\": 65536, "
			      "\"server_port\": 2}"),
			-EPROTO);
	CU_ASSERT_EQUAL(parse("HTTP/1.0 200 OK\r\n\r\n{\"observed_ip\": "
			      "\"1.2.3.4\", \"observed_port\": \"80\", "
			      "\"server_port\": 2}"),
			-EPROTO);
	CU_ASSERT_EQUAL(parse("HTTP/1.0 200 OK\r\n\r\n{\"observed_ip\": "
			      "\"1.2.3.4\", \"observed_port\": 80}"),
			-EPROTO);
	/* a second value for a key is not taken on trust */
	CU_ASSERT_EQUAL(parse("HTTP/1.0 200 OK\r\n\r\n{\"observed_ip\": "
			      "\"1.2.3.4\", \"observed_port\": 80, "
			      "\"observed_port\": 81, \"server_port\": 2}"),
			-EPROTO);
	/* trailing bytes after the object */
	CU_ASSERT_EQUAL(parse("HTTP/1.0 200 OK\r\n\r\n{\"observed_ip\": "
			      "\"1.2.3.4\", \"observed_port\": 80, "
			      "\"server_port\": 2} x"),
			-EPROTO);
	memset(big, 'a', sizeof(big));
	CU_ASSERT_EQUAL(
		probe_http_parse(big, sizeof(big), &ans, why, sizeof(why)),
		-EMSGSIZE);
	CU_ASSERT_STRING_EQUAL(why, "answer too long");
}

int main(void)
{
	CU_pSuite s;
	int failed;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	s = CU_add_suite("probe_http", NULL, NULL);
	CU_add_test(s, "server answer parsed back", test_http_roundtrip);
	CU_add_test(s, "request", test_http_request);
	CU_add_test(s, "server request checks", test_http_server_side);
	CU_add_test(s, "answer checks", test_http_parse_checks);
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failed = (int)CU_get_number_of_failures();
	CU_cleanup_registry();
	return failed ? 1 : 0;
}
