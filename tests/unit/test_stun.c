/* test_stun: the STUN Binding codec (RFC 8489, with the RFC 5769 sample
 * response), the run's hosts file, and (as root) a spawned process that
 * resolves the run's names through it while the host's /etc/hosts does
 * not change. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CUnit/Basic.h>

#include "hostsfile.h"
#include "proc.h"
#include "stun.h"
#include "lib/testutil.h"

static const uint8_t txid[12] = {0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34,
				 0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae};

/* RFC 5769 2.2 (IPv4 response): SOFTWARE, XOR-MAPPED-ADDRESS
 * 192.0.2.1:32853, MESSAGE-INTEGRITY and FINGERPRINT (their values do
 * not matter to the parser and are zero here). */
static const uint8_t sample[] = {
    0x01, 0x01, 0x00, 0x3c, 0x21, 0x12, 0xa4, 0x42, 0xb7, 0xe7, 0xa7, 0x01,
    0xbc, 0x34, 0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae, 0x80, 0x22, 0x00, 0x0b,
    't',  'e',	'S',  't',  ' ',  'v',	'e',  'c',  't',  'o',  'r',  ' ',
    0x00, 0x20, 0x00, 0x08, 0x00, 0x01, 0xa1, 0x47, 0xe1, 0x12, 0xa6, 0x43,
    0x00, 0x08, 0x00, 0x14, 0,	  0,	0,    0,    0,	  0,	0,    0,
    0,	  0,	0,    0,    0,	  0,	0,    0,    0,	  0,	0,    0,
    0x80, 0x28, 0x00, 0x04, 0,	  0,	0,    0,
};

static void test_request(void)
{
	uint8_t buf[32];

	CU_ASSERT_EQUAL(stun_binding_request(buf, 19, txid), -ENOSPC);
	CU_ASSERT_EQUAL_FATAL(stun_binding_request(buf, sizeof(buf), txid), 20);
	CU_ASSERT_EQUAL(memcmp(buf, "\x00\x01\x00\x00\x21\x12\xa4\x42", 8), 0);
	CU_ASSERT_EQUAL(memcmp(buf + 8, txid, 12), 0);
}

static void test_parse(void)
{
	uint8_t m[sizeof(sample)], other[12];
	struct sockaddr_in a;

	CU_ASSERT_EQUAL_FATAL(stun_binding_parse(sample, sizeof(sample), txid,
						 &a),
			      0);
	CU_ASSERT_EQUAL(ntohs(a.sin_port), 32853);
	CU_ASSERT_EQUAL(ntohl(a.sin_addr.s_addr), 0xc0000201);
	/* another transaction, a short or overlong message, no cookie */
	memcpy(other, txid, 12);
	other[0] ^= 1;
	CU_ASSERT_EQUAL(stun_binding_parse(sample, sizeof(sample), other, &a),
			-ESRCH);
	CU_ASSERT_EQUAL(stun_binding_parse(sample, 19, txid, &a), -EBADMSG);
	CU_ASSERT_EQUAL(stun_binding_parse(sample, sizeof(sample) - 4, txid,
					   &a),
			-EBADMSG);
	memcpy(m, sample, sizeof(m));
	m[4] = 0;
	CU_ASSERT_EQUAL(stun_binding_parse(m, sizeof(m), txid, &a), -EBADMSG);
	/* an attribute longer than the message */
	memcpy(m, sample, sizeof(m));
	m[22] = 0x01;
	CU_ASSERT_EQUAL(stun_binding_parse(m, sizeof(m), txid, &a), -EBADMSG);
	/* an error response (0x0111) */
	memcpy(m, sample, sizeof(m));
	m[1] = 0x11;
	CU_ASSERT_EQUAL(stun_binding_parse(m, sizeof(m), txid, &a), -EPROTO);
	/* no mapped address: XOR-MAPPED-ADDRESS renamed to an unknown type */
	memcpy(m, sample, sizeof(m));
	m[37] = 0x99;
	CU_ASSERT_EQUAL(stun_binding_parse(m, sizeof(m), txid, &a), -EPROTO);
	/* a plain MAPPED-ADDRESS (RFC 3489 server) is read unXORed */
	m[37] = 0x01;
	CU_ASSERT_EQUAL_FATAL(stun_binding_parse(m, sizeof(m), txid, &a), 0);
	CU_ASSERT_EQUAL(ntohs(a.sin_port), 0xa147);
}

/* The answer pcpstun gives miniupnpd: a request (with a CHANGE-REQUEST
 * attribute, as miniupnpd sends three of four) read back by our parser. */
static void test_answer(void)
{
	uint8_t req[28], resp[64], small[31];
	struct sockaddr_in from = { .sin_family = AF_INET,
				    .sin_port = htons(51417) }, got;

	from.sin_addr.s_addr = htonl(0xc6336401); /* 198.51.100.1 */
	CU_ASSERT_EQUAL_FATAL(stun_binding_request(req, sizeof(req), txid),
			      20);
	req[3] = 8; /* CHANGE-REQUEST (0x0003), change IP and port */
	memcpy(req + 20, "\x00\x03\x00\x04\x00\x00\x00\x06", 8);
	CU_ASSERT_EQUAL_FATAL(stun_binding_answer(req, sizeof(req), &from,
						  resp, sizeof(resp)),
			      32);
	CU_ASSERT_EQUAL_FATAL(stun_binding_parse(resp, 32, txid, &got), 0);
	CU_ASSERT_EQUAL(got.sin_addr.s_addr, from.sin_addr.s_addr);
	CU_ASSERT_EQUAL(got.sin_port, from.sin_port);
	CU_ASSERT_EQUAL(stun_binding_answer(req, sizeof(req), &from, small,
					    sizeof(small)),
			-ENOSPC);
	/* a length that does not match, a response, no cookie */
	CU_ASSERT_EQUAL(stun_binding_answer(req, 20, &from, resp, sizeof(resp)),
			-EBADMSG);
	CU_ASSERT_EQUAL(stun_binding_answer(resp, 32, &from, resp + 32, 32),
			-EBADMSG);
	req[4] = 0;
	CU_ASSERT_EQUAL(stun_binding_answer(req, sizeof(req), &from, resp,
					    sizeof(resp)),
			-EBADMSG);
}

static void test_hosts_render(void)
{
	const struct hostsfile_entry e[] = {
	    {"192.0.2.1", "stun.punchlab.test"},
	    {"192.0.2.1", "coordinator.punchlab.test"},
	};
	const struct hostsfile_entry bad_addr[] = {{"192.0.2", "x.test"}};
	const struct hostsfile_entry bad_name[] = {{"192.0.2.1", "a b"}};
	char buf[512];
	int n;

	n = hostsfile_render("abc123", e, 2, buf, sizeof(buf));
	CU_ASSERT_FATAL(n > 0);
	CU_ASSERT_EQUAL((size_t)n, strlen(buf));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "# punchlab run abc123"));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "\n127.0.0.1\tlocalhost\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "\n192.0.2.1\tstun.punchlab.test\n"
					   "192.0.2.1\tcoordinator.punchlab."
					   "test\n"));
	CU_ASSERT_EQUAL(hostsfile_render("abc123", bad_addr, 1, buf,
					 sizeof(buf)),
			-EINVAL);
	CU_ASSERT_EQUAL(hostsfile_render("abc123", bad_name, 1, buf,
					 sizeof(buf)),
			-EINVAL);
	CU_ASSERT_EQUAL(hostsfile_render("abc123", e, 2, buf, 60), -ENOSPC);
}

/* As root: getent in a child spawned into our own network namespace
 * resolves the name from the file, and the host's /etc/hosts does not. */
static void test_hosts_spawn(void)
{
	const struct hostsfile_entry e[] = {{"192.0.2.77", "stun.punchlab.test"}};
	char path[] = "/tmp/pl-hosts-XXXXXX", out[256] = "";
	char *argv[] = {"/usr/bin/getent", "hosts", "stun.punchlab.test", NULL};
	int ns, pfd[2], fd, st = -1;
	ssize_t n;
	pid_t pid;

	if (geteuid() != 0) {
		printf("SKIP (not root) ");
		return;
	}
	fd = mkstemp(path);
	CU_ASSERT_FATAL(fd >= 0);
	close(fd);
	CU_ASSERT_EQUAL_FATAL(hostsfile_write(path, "abc123", e, 1), 0);
	CU_ASSERT_EQUAL_FATAL(proc_set_hosts(path), 0);
	ns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	CU_ASSERT_FATAL(ns >= 0 && pipe2(pfd, O_CLOEXEC) == 0);
	pid = proc_spawn(ns, argv, pfd[1], -1);
	close(pfd[1]);
	CU_ASSERT_FATAL(pid > 0);
	n = read(pfd[0], out, sizeof(out) - 1);
	out[n > 0 ? n : 0] = '\0';
	close(pfd[0]);
	/* getent exits 0 only when it found the name */
	CU_ASSERT_EQUAL(waitpid(pid, &st, 0), pid);
	CU_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "192.0.2.77"));
	/* the host's own resolver never saw it */
	CU_ASSERT_PTR_NULL(gethostbyname("stun.punchlab.test"));
	proc_set_hosts(NULL);
	close(ns);
	unlink(path);
}

int main(void)
{
	static const struct testutil_case tests[] = {
	    {"Binding request", test_request},
	    {"Binding response (RFC 5769 sample), malformed ones", test_parse},
	    {"Binding answer (pcpstun)", test_answer},
	    {"hosts file text", test_hosts_render},
	    {"spawned process resolves the run's names (root)",
	     test_hosts_spawn},
	};

	return testutil_run_suite("stun", NULL, NULL, tests,
				  TESTUTIL_N(tests))
		       ? 1
		       : 0;
}
