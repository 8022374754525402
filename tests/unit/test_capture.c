/* test_capture: packet captures and NAT state snapshots. Argument checks
 * run anywhere; the root part (else SKIP, exit 4) builds two namespaces,
 * NATs a's connections to b, captures both ends of the veth and reads the
 * pcap files back through libpcap, and checks both snapshots against the
 * kernel's own views (nft's listing, /proc's conntrack table).
 *
 *   [plh-<pid>-a]                                      [plh-<pid>-b]
 *   plh<pid>a 10.99.0.1/24, 10.99.0.11/32 ---- veth ---- 10.99.0.2/24 plh<pid>b
 *   nft: tcp to 10.99.0.2:18555 snat to 10.99.0.11    listens on 18555
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>

#include <CUnit/Basic.h>
#include <jansson.h>
#include <pcap/pcap.h>

#include "capture.h"
#include "monoclock.h"
#include "ctsnap.h"
#include "nat.h"
#include "netns.h"
#include "topo.h"

#define PORT 18555
#define CPORT 40123 /* the client's source port, kept by the snat */
#define NAT_ADDR "10.99.0.11"
#define OVERHEAD_CONNS 1000
#define OVERHEAD_ROUNDS 5
#define GROUP_IFS 41

static char ns_name_a[32], ns_name_b[32], if_a[16], if_b[16], table[32];
static char dir[64], pcap_a[128], pcap_b[128];
static int host_fd = -1, ns_a = -1, ns_b = -1, lfd = -1;
static int cli = -1, srv = -1; /* the connection kept open */
static int root_skipped;

/* ---- helpers ---- */

static void go_home(void)
{
	if (netns_enter(host_fd) < 0) {
		fprintf(stderr, "FATAL: cannot return to host namespace\n");
		abort();
	}
}

static int socket_in(int ns)
{
	int fd;

	if (netns_enter(ns) < 0)
		return -1;
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	go_home();
	return fd;
}

static int listen_b(void)
{
	struct sockaddr_in sa = {.sin_family = AF_INET,
				 .sin_port = htons(PORT)};
	int fd = socket_in(ns_b), on = 1;

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(fd, 128) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* A connection from a (source port sport, 0 = any) to b; returns the
 * client fd, the accepted one in *acc. */
static int connect_ab(uint16_t sport, int *acc)
{
	struct sockaddr_in sa = {.sin_family = AF_INET,
				 .sin_port = htons(PORT)};
	struct sockaddr_in me = {.sin_family = AF_INET,
				 .sin_port = htons(sport)};
	struct pollfd p = {.fd = lfd, .events = POLLIN};
	int fd = socket_in(ns_a), on = 1;

	*acc = -1;
	if (fd < 0)
		return -1;
	inet_pton(AF_INET, "10.99.0.2", &sa.sin_addr);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	if ((sport && bind(fd, (struct sockaddr *)&me, sizeof(me)) < 0) ||
	    connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    poll(&p, 1, 3000) != 1) {
		close(fd);
		return -1;
	}
	*acc = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (*acc < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int nsexec(const char *ns, const char *cmd, char *out, size_t cap)
{
	char line[256];
	size_t n;
	FILE *f;

	snprintf(line, sizeof(line), "ip netns exec %s %s", ns, cmd);
	f = popen(line, "r");
	if (!f)
		return -1;
	n = fread(out, 1, cap - 1, f);
	out[n] = '\0';
	return pclose(f) == 0 ? 0 : -1;
}

struct seg {
	uint32_t src, dst;
	uint16_t sport, dport;
	uint8_t flags;
	long long ts_ns;
};

#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_RST 0x04
#define TH_ACK 0x10

/* The TCP segments of port PORT in a pcap file, in file order. Returns
 * how many, or -1 when the file is not a nanosecond Ethernet pcap. */
static int read_segs(const char *path, struct seg *out, int max)
{
	char err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *d;
	pcap_t *p;
	int n = 0;

	p = pcap_open_offline_with_tstamp_precision(
		path, PCAP_TSTAMP_PRECISION_NANO, err);
	if (!p)
		return -1;
	if (pcap_datalink(p) != DLT_EN10MB) {
		pcap_close(p);
		return -1;
	}
	while (n < max && pcap_next_ex(p, &h, &d) == 1) {
		unsigned int ihl;
		struct seg *s = &out[n];

		if (h->caplen < 14 + 20 || d[12] != 0x08 || d[13] != 0x00)
			continue; /* ARP and the rest */
		ihl = (d[14] & 0x0f) * 4u;
		if (d[14 + 9] != IPPROTO_TCP || h->caplen < 14 + ihl + 20)
			continue;
		memcpy(&s->src, d + 14 + 12, 4);
		memcpy(&s->dst, d + 14 + 16, 4);
		s->sport = (uint16_t)(d[14 + ihl] << 8 | d[14 + ihl + 1]);
		s->dport = (uint16_t)(d[14 + ihl + 2] << 8 | d[14 + ihl + 3]);
		s->flags = d[14 + ihl + 13];
		s->ts_ns =
			(long long)h->ts.tv_sec * 1000000000LL + h->ts.tv_usec;
		if (s->sport == PORT || s->dport == PORT)
			n++;
	}
	pcap_close(p);
	return n;
}

static uint32_t ip(const char *s)
{
	uint32_t a = 0;

	inet_pton(AF_INET, s, &a);
	return a;
}

static long long now_real_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* The handshake a's connection from CPORT made, as the wire carried it
 * (after a's snat): SYN, SYN-ACK, ACK, in that order. */
static void check_handshake(const struct seg *s, int n, const char *where)
{
	uint32_t nat = ip(NAT_ADDR), b = ip("10.99.0.2");
	long long now = now_real_ns();

	CU_ASSERT_FATAL(n >= 3);
	CU_ASSERT(s[0].flags == TH_SYN && s[0].src == nat && s[0].dst == b &&
		  s[0].sport == CPORT && s[0].dport == PORT);
	CU_ASSERT(s[1].flags == (TH_SYN | TH_ACK) && s[1].src == b &&
		  s[1].dst == nat && s[1].sport == PORT && s[1].dport == CPORT);
	CU_ASSERT(s[2].flags == TH_ACK && s[2].src == nat && s[2].dst == b &&
		  s[2].sport == CPORT && s[2].dport == PORT);
	CU_ASSERT(s[0].ts_ns < s[1].ts_ns && s[1].ts_ns < s[2].ts_ns);
	/* Kernel wall-clock stamps of moments ago, not zeros. */
	CU_ASSERT(s[0].ts_ns > now - 60 * 1000000000LL && s[2].ts_ns <= now);
	if (s[0].flags != TH_SYN || s[1].flags != (TH_SYN | TH_ACK))
		printf("\n  %s: flags %#x %#x %#x\n", where, s[0].flags,
		       s[1].flags, s[2].flags);
}

/* ---- tests without root ---- */

static void test_bad_args(void)
{
	struct capture *c = capture_new(0);

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(capture_pid(c), 0);
	CU_ASSERT_EQUAL(capture_add(c, -1, "eth0", "/tmp/x.pcap"), -EINVAL);
	CU_ASSERT_EQUAL(capture_add(c, 0, "", "/tmp/x.pcap"), -EINVAL);
	CU_ASSERT_EQUAL(capture_add(c, 0, "abcdefghijklmnopq", "/tmp/x.pcap"),
			-EINVAL);
	CU_ASSERT_EQUAL(capture_add(c, 0, "eth0", ""), -EINVAL);
	CU_ASSERT_EQUAL(capture_run(c), -EINVAL); /* nothing added */
	CU_ASSERT_EQUAL(capture_stop(c), 0);
	CU_ASSERT_EQUAL(capture_stop(NULL), 0);
	CU_ASSERT_EQUAL(capture_pid(NULL), 0);
	CU_ASSERT_EQUAL(ctsnap_ruleset(0, "bad name", stdout), -EINVAL);
	CU_ASSERT_EQUAL(ctsnap_ruleset(0, "", stdout), -EINVAL);
	CU_ASSERT_EQUAL(ctsnap_ruleset(0, "t;flush ruleset", stdout), -EINVAL);
	CU_ASSERT_EQUAL(ctsnap_write(-1, stdout), -EBADF);
	CU_ASSERT_EQUAL(ctsnap_write(0, NULL), -EINVAL);
	CU_ASSERT_EQUAL(ctsnap_files(0, NULL, "/tmp", "a/b"), -EINVAL);
}

/* ---- root part ---- */

static int root_init(void)
{
	char rules[1024], err[512];
	int pid = (int)getpid();

	/* The "host" is a scratch namespace, as in test_topo. */
	if (unshare(CLONE_NEWNET) < 0)
		return -1;
	host_fd = netns_self();
	snprintf(ns_name_a, sizeof(ns_name_a), "plh-%d-a", pid);
	snprintf(ns_name_b, sizeof(ns_name_b), "plh-%d-b", pid);
	snprintf(if_a, sizeof(if_a), "plh%da", pid);
	snprintf(if_b, sizeof(if_b), "plh%db", pid);
	snprintf(table, sizeof(table), "plhtest_%d", pid);
	snprintf(dir, sizeof(dir), "/tmp/plh-capture-XXXXXX");
	if (host_fd < 0 || !mkdtemp(dir))
		return -1;
	snprintf(pcap_a, sizeof(pcap_a), "%s/a.pcap", dir);
	snprintf(pcap_b, sizeof(pcap_b), "%s/b.pcap", dir);
	if (netns_add(ns_name_a) < 0 || netns_add(ns_name_b) < 0)
		return -1;
	ns_a = netns_open(ns_name_a);
	ns_b = netns_open(ns_name_b);
	if (ns_a < 0 || ns_b < 0 || topo_veth(ns_a, if_a, ns_b, if_b) < 0 ||
	    topo_addr(ns_a, if_a, "10.99.0.1/24") < 0 ||
	    topo_addr(ns_a, if_a, NAT_ADDR "/32") < 0 ||
	    topo_addr(ns_b, if_b, "10.99.0.2/24") < 0 ||
	    topo_link_up(ns_a, if_a) < 0 || topo_link_up(ns_b, if_b) < 0 ||
	    topo_link_up(ns_a, "lo") < 0 || topo_link_up(ns_b, "lo") < 0)
		return -1;
	/* A nat chain also makes the kernel track a's connections (it
	 * does so per namespace only once something needs it). */
	snprintf(rules, sizeof(rules),
		 "table ip %s {\n"
		 "\tcounter syn_out {\n\t}\n\n"
		 "\tchain postrouting {\n"
		 "\t\ttype nat hook postrouting priority srcnat; policy "
		 "accept;\n"
		 "\t\toifname \"%s\" ip daddr 10.99.0.2 tcp dport %d snat "
		 "to " NAT_ADDR "\n"
		 "\t}\n\n"
		 "\tchain output {\n"
		 "\t\ttype filter hook output priority filter; policy "
		 "accept;\n"
		 "\t\ttcp flags syn counter name \"syn_out\"\n"
		 "\t}\n"
		 "}\n",
		 table, if_a, PORT);
	if (nat_apply(ns_a, rules, err, sizeof(err)) < 0) {
		fprintf(stderr, "nat_apply: %s\n", err);
		return -1;
	}
	lfd = listen_b();
	return lfd < 0 ? -1 : 0;
}

static void rm_dir(void)
{
	char cmd[128];

	if (dir[0] && strncmp(dir, "/tmp/plh-capture-", 17) == 0) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", dir);
	}
}

/* Runs even when tests failed half-way: nothing of ours may outlive us. */
static int root_cleanup(void)
{
	if (host_fd >= 0)
		netns_enter(host_fd);
	if (cli >= 0)
		close(cli);
	if (srv >= 0)
		close(srv);
	if (lfd >= 0)
		close(lfd);
	if (ns_a >= 0)
		close(ns_a);
	if (ns_b >= 0)
		close(ns_b);
	netns_del(ns_name_a);
	netns_del(ns_name_b);
	if (host_fd >= 0)
		close(host_fd);
	rm_dir();
	return 0;
}

static void test_capture_errors(void)
{
	struct capture *c = capture_new(0);
	char path[160];

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	snprintf(path, sizeof(path), "%s/x.pcap", dir);
	/* The interface is b's: a does not have it. */
	CU_ASSERT_EQUAL(capture_add(c, ns_a, if_b, path), -ENODEV);
	CU_ASSERT_EQUAL(capture_add(c, ns_a, if_a, "/nonexistent/dir/x.pcap"),
			-ENOENT);
	CU_ASSERT_EQUAL(capture_stop(c), 0);
	CU_ASSERT_PTR_NULL(capture_start(ns_b, "plhnosuch0", path, 0));
	CU_ASSERT_EQUAL(errno, ENODEV);
}

static void test_ruleset(void)
{
	char *text = NULL, nft[8192], cmd[128];
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_EQUAL(ctsnap_ruleset(ns_a, table, f), 0);
	fclose(f);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "snat to " NAT_ADDR));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "counter syn_out"));
	/* Byte for byte what the nft command lists. */
	snprintf(cmd, sizeof(cmd), "nft list table ip %s", table);
	CU_ASSERT_EQUAL_FATAL(nsexec(ns_name_a, cmd, nft, sizeof(nft)), 0);
	CU_ASSERT_STRING_EQUAL(text, nft);
	free(text);

	f = open_memstream(&text, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	/* b has no such table; nothing is written. */
	CU_ASSERT_EQUAL(ctsnap_ruleset(ns_b, table, f), -ENOENT);
	fclose(f);
	CU_ASSERT_EQUAL(len, 0);
	free(text);
}

/* Capture both ends of the veth in one group, make one connection. */
static void test_capture_handshake(void)
{
	struct seg s[32];
	struct capture *c = capture_new(0);
	long long n;
	int na, nb;

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL_FATAL(capture_add(c, ns_a, if_a, pcap_a), 0);
	CU_ASSERT_EQUAL_FATAL(capture_add(c, ns_b, if_b, pcap_b), 0);
	CU_ASSERT_EQUAL_FATAL(capture_run(c), 0);
	CU_ASSERT(capture_pid(c) > 0);
	CU_ASSERT_EQUAL(capture_add(c, ns_a, if_a, pcap_a), -EBUSY);
	CU_ASSERT_EQUAL(capture_run(c), -EBUSY);
	/* Right away: every packet after capture_run is in the files. */
	cli = connect_ab(CPORT, &srv);
	CU_ASSERT_FATAL(cli >= 0 && srv >= 0);
	CU_ASSERT_EQUAL(write(cli, "hello", 5), 5);
	n = capture_stop(c);
	/* SYN, SYN-ACK, ACK, data, its ACK, and ARP, on both ends */
	CU_ASSERT(n >= 10);

	na = read_segs(pcap_a, s, 32);
	CU_ASSERT(na >= 5);
	if (na >= 3)
		check_handshake(s, na, "a");
	nb = read_segs(pcap_b, s + 16, 16);
	CU_ASSERT(nb >= 5);
	if (nb >= 3)
		check_handshake(s + 16, nb, "b");
	/* One clock for every namespace, each packet stamped as the
	 * kernel hands it to the capture: it is seen leaving one end before
	 * it is seen arriving at the other, within a millisecond. */
	if (na >= 3 && nb >= 3) {
		CU_ASSERT(s[0].ts_ns <= s[16].ts_ns &&
			  s[16].ts_ns - s[0].ts_ns < 1000000);
		CU_ASSERT(s[17].ts_ns <= s[1].ts_ns &&
			  s[1].ts_ns - s[17].ts_ns < 1000000);
		CU_ASSERT(s[2].ts_ns <= s[18].ts_ns &&
			  s[18].ts_ns - s[2].ts_ns < 1000000);
	}
	/* Data: one segment a -> b with PSH, five payload bytes. */
	CU_ASSERT(na >= 4 && (s[3].flags & TH_ACK) && s[3].sport == CPORT);
}

/* The entry of the open connection, and the kernel's own line for it. */
static void test_conntrack(void)
{
	char *text = NULL, proc[8192], *line, *save;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	int n, found = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	n = ctsnap_write(ns_a, f);
	fclose(f);
	CU_ASSERT(n >= 1);
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		json_t *o = json_loads(line, 0, NULL), * or, *re, *st;
		const char *state;

		CU_ASSERT_PTR_NOT_NULL(o);
		if (!o)
			continue;
		or = json_object_get(o, "orig");
		re = json_object_get(o, "reply");
		st = json_object_get(o, "status");
		state = json_string_value(json_object_get(o, "state"));
		n--;
		if (json_integer_value(json_object_get(or, "sport")) == CPORT &&
		    json_integer_value(json_object_get(or, "dport")) == PORT) {
			found++;
			CU_ASSERT_STRING_EQUAL(
				json_string_value(json_object_get(o, "proto")),
				"tcp");
			CU_ASSERT_STRING_EQUAL(
				json_string_value(json_object_get(or, "src")),
				"10.99.0.1");
			CU_ASSERT_STRING_EQUAL(
				json_string_value(json_object_get(or, "dst")),
				"10.99.0.2");
			/* The reply comes back to the snat address. */
			CU_ASSERT_STRING_EQUAL(
				json_string_value(json_object_get(re, "src")),
				"10.99.0.2");
			CU_ASSERT_STRING_EQUAL(
				json_string_value(json_object_get(re, "dst")),
				NAT_ADDR);
			CU_ASSERT_EQUAL(json_integer_value(
						json_object_get(re, "dport")),
					CPORT);
			CU_ASSERT(state && (!strcmp(state, "ESTABLISHED") ||
					    !strcmp(state, "TIME_WAIT")));
			CU_ASSERT(json_integer_value(
					  json_object_get(o, "timeout")) > 0);
			CU_ASSERT(json_is_array(st) &&
				  strstr(line, "\"SRC_NAT\"") &&
				  strstr(line, "\"ASSURED\""));
		}
		json_decref(o);
	}
	CU_ASSERT_EQUAL(n, 0); /* every line counted is one entry */
	CU_ASSERT_EQUAL(found, 1);
	free(text);

	/* The kernel's own table says the same. */
	CU_ASSERT_EQUAL_FATAL(nsexec(ns_name_a, "cat /proc/net/nf_conntrack",
				     proc, sizeof(proc)),
			      0);
	CU_ASSERT_PTR_NOT_NULL(strstr(proc, "ESTABLISHED src=10.99.0.1 "
					    "dst=10.99.0.2 sport=40123 "
					    "dport=18555"));
	CU_ASSERT_PTR_NOT_NULL(strstr(proc, "src=10.99.0.2 dst=" NAT_ADDR
					    " sport=18555 dport=40123"));

	/* b translates nothing: a dump from the wrong namespace would. */
	text = NULL;
	f = open_memstream(&text, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT(ctsnap_write(ns_b, f) >= 0);
	fclose(f);
	CU_ASSERT_PTR_NULL(strstr(text, "SRC_NAT"));
	free(text);
}

static void test_snapshot_files(void)
{
	char path[192];
	struct stat st;

	CU_ASSERT_EQUAL(ctsnap_files(ns_a, table, dir, "router"), 0);
	snprintf(path, sizeof(path), "%s/router.conntrack.jsonl", dir);
	CU_ASSERT(stat(path, &st) == 0 && st.st_size > 0);
	snprintf(path, sizeof(path), "%s/router.nft", dir);
	CU_ASSERT(stat(path, &st) == 0 && st.st_size > 0);
	/* No table: the nft file is not left behind half-written. */
	CU_ASSERT_EQUAL(ctsnap_files(ns_b, table, dir, "other"), -ENOENT);
	snprintf(path, sizeof(path), "%s/other.nft", dir);
	CU_ASSERT(stat(path, &st) < 0 && errno == ENOENT);
	snprintf(path, sizeof(path), "%s/other.conntrack.jsonl", dir);
	CU_ASSERT(stat(path, &st) == 0);
}

/* Files are flushed as packets come: readable while the capture runs and
 * after its process was killed. SIGINT (a Ctrl-C to the process group)
 * leaves it running: the harness decides when it stops. */
static void test_flush_and_kill(void)
{
	char path[160];
	struct seg s[8];
	struct capture *c;
	int fd, acc, n = 0, st;
	pid_t pid;

	snprintf(path, sizeof(path), "%s/kill.pcap", dir);
	c = capture_start(ns_b, if_b, path, 128);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	pid = capture_pid(c);
	CU_ASSERT_EQUAL(kill(pid, SIGINT), 0);
	fd = connect_ab(0, &acc);
	CU_ASSERT(fd >= 0 && acc >= 0);
	for (int i = 0; i < 200 && n < 3; i++) {
		struct timespec ts = {0, 10 * 1000 * 1000};

		nanosleep(&ts, NULL);
		n = read_segs(path, s, 8);
	}
	CU_ASSERT(n >= 3);
	CU_ASSERT_EQUAL(waitpid(pid, &st, WNOHANG), 0); /* still running */
	CU_ASSERT_EQUAL(kill(pid, SIGKILL), 0);
	/* It could not report its count; what it wrote stays. */
	CU_ASSERT_EQUAL(capture_stop(c), -EIO);
	CU_ASSERT(read_segs(path, s, 8) >= 3);
	if (fd >= 0)
		close(fd);
	if (acc >= 0)
		close(acc);
}

static double conn_rate(int conns)
{
	int64_t t0 = mono_ns();
	int fd, acc;

	for (int i = 0; i < conns; i++) {
		fd = connect_ab(0, &acc);
		if (fd < 0)
			return -1;
		close(fd);
		close(acc);
	}
	return conns / ((double)(mono_ns() - t0) / 1e9);
}

static double cmp_double(double a, double b)
{
	return a < b ? -1 : a > b;
}

static int cmp_d(const void *a, const void *b)
{
	return (int)cmp_double(*(const double *)a, *(const double *)b);
}

static double children_cpu_us(void)
{
	struct rusage ru;

	getrusage(RUSAGE_CHILDREN, &ru);
	return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e6 +
	       ru.ru_utime.tv_usec + ru.ru_stime.tv_usec;
}

/* Start and stop of a group as large as a 10-cell run's (41 interfaces;
 * here both veth ends, again and again). */
static void group_timing(void)
{
	struct capture *c = capture_new(0);
	double t0, t1, t2;
	char path[160];
	int ok = 1;

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	t0 = (double)mono_ns() / 1e6;
	for (int i = 0; i < GROUP_IFS && ok; i++) {
		snprintf(path, sizeof(path), "%s/group-%d.pcap", dir, i);
		ok = capture_add(c, i % 2 ? ns_b : ns_a, i % 2 ? if_b : if_a,
				 path) == 0;
	}
	CU_ASSERT(ok);
	CU_ASSERT_EQUAL(capture_run(c), 0);
	t1 = (double)mono_ns() / 1e6;
	CU_ASSERT(capture_stop(c) >= 0);
	t2 = (double)mono_ns() / 1e6;
	printf("\n  a group of %d interfaces: %.0f ms to start, %.0f ms to "
	       "stop",
	       GROUP_IFS, t1 - t0, t2 - t1);
}

/* Not asserted (no timings in tests): printed for the record. Rounds
 * alternate bare and captured; medians. */
static void test_overhead(void)
{
	double bare[OVERHEAD_ROUNDS], with[OVERHEAD_ROUNDS], cpu0;
	char pa[160], pb[160];
	struct capture *c;
	long long pkts, drops, all = 0, all_drops = 0;
	struct stat st;
	off_t bytes = 0;
	double cpu = 0;

	snprintf(pa, sizeof(pa), "%s/ovh-a.pcap", dir);
	snprintf(pb, sizeof(pb), "%s/ovh-b.pcap", dir);
	conn_rate(200); /* warm-up */
	for (int r = 0; r < OVERHEAD_ROUNDS; r++) {
		bare[r] = conn_rate(OVERHEAD_CONNS);
		c = capture_new(0);
		CU_ASSERT_PTR_NOT_NULL_FATAL(c);
		CU_ASSERT_EQUAL_FATAL(capture_add(c, ns_a, if_a, pa), 0);
		CU_ASSERT_EQUAL_FATAL(capture_add(c, ns_b, if_b, pb), 0);
		CU_ASSERT_EQUAL_FATAL(capture_run(c), 0);
		with[r] = conn_rate(OVERHEAD_CONNS);
		cpu0 = children_cpu_us();
		pkts = capture_stop_counted(c, &drops);
		cpu += children_cpu_us() - cpu0;
		/* SYN, SYN-ACK, ACK, FIN, FIN-ACK, ACK on each end: each one
		 * written or counted as dropped (a loaded machine can make
		 * the child fall behind the ring; 108 of 60,000 at load 6). */
		CU_ASSERT(pkts >= 0 && drops >= 0);
		CU_ASSERT(pkts + drops >= OVERHEAD_CONNS * 6 * 2);
		all += pkts;
		all_drops += drops;
	}
	if (stat(pa, &st) == 0)
		bytes += st.st_size;
	if (stat(pb, &st) == 0)
		bytes += st.st_size;
	qsort(bare, OVERHEAD_ROUNDS, sizeof(double), cmp_d);
	qsort(with, OVERHEAD_ROUNDS, sizeof(double), cmp_d);
	group_timing();
	printf("\n  overhead: %d x %d connections, median %.0f/s bare, "
	       "%.0f/s captured on both ends (%+.1f%%); capture process "
	       "%.2f us CPU per packet (%lld packets), %.0f bytes of pcap "
	       "per connection, %lld dropped by the kernel\n",
	       OVERHEAD_ROUNDS, OVERHEAD_CONNS, bare[OVERHEAD_ROUNDS / 2],
	       with[OVERHEAD_ROUNDS / 2],
	       (with[OVERHEAD_ROUNDS / 2] - bare[OVERHEAD_ROUNDS / 2]) /
		       bare[OVERHEAD_ROUNDS / 2] * 100,
	       all > 0 ? cpu / all : 0.0, all, (double)bytes / OVERHEAD_CONNS,
	       all_drops);
}

static int root_suite_add(void)
{
	static const struct {
		const char *name;
		CU_TestFunc fn;
	} tests[] = {
		{"capture errors", test_capture_errors},
		{"ruleset snapshot", test_ruleset},
		{"capture of a handshake, both ends", test_capture_handshake},
		{"conntrack snapshot", test_conntrack},
		{"snapshot files", test_snapshot_files},
		{"flushed while running, kept when killed",
		 test_flush_and_kill},
		{"overhead", test_overhead},
	};
	CU_pSuite s;

	if (geteuid() != 0)
		return 0;
	s = CU_add_suite("capture root", root_init, root_cleanup);
	if (!s)
		return -1;
	for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
		if (!CU_add_test(s, tests[i].name, tests[i].fn))
			return -1;
	return 1;
}

int main(void)
{
	unsigned int failures;
	CU_pSuite suite;
	int root;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	suite = CU_add_suite("capture", NULL, NULL);
	if (!suite || !CU_add_test(suite, "bad arguments", test_bad_args))
		goto err;
	root = root_suite_add();
	if (root < 0)
		goto err;
	root_skipped = !root;
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failures =
		CU_get_number_of_failures() + CU_get_number_of_suites_failed();
	CU_cleanup_registry();
	if (failures)
		return 1;
	if (root_skipped) {
		printf("SKIP: test_capture root part needs root\n");
		return 4;
	}
	return 0;

err:
	CU_cleanup_registry();
	return 1;
}
