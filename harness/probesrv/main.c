/* punch-probe-server: tells each TCP client the address and port it came
 * from, so `punchlab probe` can see the mappings a NAT makes. Options,
 * signals and exit codes live here; the loop is server.c. */
#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

#include "log.h"
#include "optparse.h"
#include "server.h"

static volatile sig_atomic_t probesrv_stop;

static void probesrv_on_signal(int sig)
{
	(void)sig;
	probesrv_stop = 1;
}

static void probesrv_usage(FILE *f)
{
	fprintf(f,
		"usage: punch-probe-server [-v] [--stay] [--timeout-ms N] "
		"IP:PORT...\n\n"
		"Listens on every IP:PORT (up to %d) and answers an HTTP/1.0 "
		"GET (any\npath) with {\"observed_ip\": ..., "
		"\"observed_port\": "
		"..., \"server_port\": ...}:\nthe client's address and port as "
		"seen here, then closes.\n\n"
		"  --timeout-ms N  close a client that has not sent a whole "
		"request\n                  head after N ms (default 5000)\n"
		"  --stay          keep running when the process that started "
		"it exits\n                  (punchlab probe --keep)\n"
		"  -v              log every answer\n\n"
		"Prints \"ready\" on stdout once it listens. Exit: 0 stopped "
		"by SIGINT/SIGTERM,\n1 runtime failure, 2 usage error.\n",
		SERVER_MAX_LISTEN);
}

/* "a.b.c.d:port", port 1..65535. 0 or -EINVAL. */
static int probesrv_parse_addr(const char *s, struct sockaddr_in *a)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int e = optparse_sockaddr(s, OPTPARSE_V4, &ss, &len);

	if (e == 0)
		memcpy(a, &ss, sizeof(*a));
	return e < 0 ? -EINVAL : 0;
}

int main(int argc, char **argv)
{
	struct sockaddr_in addrs[SERVER_MAX_LISTEN];
	struct sigaction sa = {.sa_handler = probesrv_on_signal};
	struct server *s;
	int n = 0, verbose = 0, stay = 0, e;
	int timeout_ms = 5000;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			probesrv_usage(stdout);
			return 0;
		} else if (!strcmp(argv[i], "-v")) {
			verbose = 1;
		} else if (!strcmp(argv[i], "--stay")) {
			stay = 1;
		} else if (!strcmp(argv[i], "--timeout-ms") && i + 1 < argc) {
			if (optparse_int(argv[++i], 1, 600000, &timeout_ms) <
			    0) {
				fprintf(stderr,
					"punch-probe-server: "
					"--timeout-ms takes 1..600000\n");
				return 2;
			}
		} else if (argv[i][0] != '-' && n < SERVER_MAX_LISTEN &&
			   probesrv_parse_addr(argv[i], &addrs[n]) == 0) {
			n++;
		} else {
			fprintf(stderr,
				"punch-probe-server: bad argument '%s'\n",
				argv[i]);
			probesrv_usage(stderr);
			return 2;
		}
	}
	if (!n) {
		probesrv_usage(stderr);
		return 2;
	}
	log_init("probesrv", verbose);
	/* The harness starts us with a parent-death signal; a probe left up
	 * on purpose must outlive it (its pid is recorded for `down`). */
	if (stay && prctl(PR_SET_PDEATHSIG, 0) < 0)
		log_warn("clearing the parent-death signal");
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGHUP, stay ? SIG_IGN : SIG_DFL);

	s = server_open(addrs, n, timeout_ms);
	if (!s)
		return 1;
	printf("ready\n");
	fflush(stdout);
	e = server_loop(s, &probesrv_stop);
	server_free(s);
	if (e < 0) {
		errno = -e;
		log_warn("poll");
		return 1;
	}
	return 0;
}
