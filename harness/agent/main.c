/* punch-agent: one side of a hole-punch trial (Alice or Bob) with an
 * embedded minimal Bitcoin node or in front of a real bitcoind, or
 * (--connect) a handshake check against any node. Prints one JSON report
 * line on stdout (bitcoind modes: "punched" and "spliced" event lines
 * first); logs go to stderr. */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bridge.h"
#include "fdpass.h"
#include "log.h"
#include "loop.h"
#include "nodecheck.h"
#include "report.h"
#include "sock.h"
#include "trial.h"

#define AGENT_EXIT_OK 0
#define AGENT_EXIT_FAIL 1
#define AGENT_EXIT_USAGE 2

/* How long bitcoind may take to close the import connection (its
 * acknowledgement) before we leave anyway: the fd is sent already. */
#define AGENT_IMPORT_ACK_MS 2000

enum agent_node {
	AGENT_NODE_EMBEDDED,
	AGENT_NODE_BITCOIND,
	AGENT_NODE_IMPORT,
};

static const char *const agent_node_names[] = {
	[AGENT_NODE_EMBEDDED] = "embedded",
	[AGENT_NODE_BITCOIND] = "bitcoind",
	[AGENT_NODE_IMPORT] = "bitcoind-import",
};

struct agent_opts {
	const char *coordinator; /* trial mode */
	const char *connect;	 /* --connect mode */
	const char *name;
	long local_port; /* 0 = not given */
	uint64_t key;
	uint32_t magic;
	int64_t timeout_ms;
	int64_t wave_ms;
	int64_t skew_ms;
	int64_t match_ms;
	int verbose;
	enum agent_node node;
	const char *socks;	   /* bitcoind: our SOCKS5 listener */
	const char *bitcoind_p2p;  /* bitcoind: its P2P address */
	const char *import_socket; /* bitcoind-import: its unix socket */
	int64_t hold_ms;
	enum relay_mode relay;
};

/* clang-format off */
static void agent_usage(FILE *f)
{
	fprintf(f,
		"usage: punch-agent --coordinator IP:PORT --local-port P [--key K]\n"
		"                   [--name NAME] [--timeout-ms N] [--wave-ms N]\n"
		"                   [--skew-ms N] [--match-timeout-ms N]\n"
		"                   [--magic regtest|mainnet] [-v]\n"
		"                   [--node embedded|bitcoind|bitcoind-import]\n"
		"                   [--socks IP:PORT] [--bitcoind-p2p IP:PORT]\n"
		"                   [--import-socket PATH] [--hold-ms N]\n"
		"                   [--relay splice|copy]\n"
		"       punch-agent --connect HOST:PORT [--magic regtest|mainnet]\n"
		"                   [--timeout-ms N] [-v]\n"
		"       punch-agent --help\n"
		"\n"
		"Trial mode: register at the coordinator from local port P, punch\n"
		"to the announced peer from the same port at the start time, prove\n"
		"the peer with a Bitcoin version/verack handshake, and print one\n"
		"JSON line with the outcome and CLOCK_MONOTONIC timestamps.\n"
		"\n"
		"  --key K              pair with the peer registering the same key\n"
		"                       (0, the default: any waiting peer)\n"
		"  --timeout-ms N       trial deadline after the start time; also\n"
		"                       bounds reaching the coordinator (5000)\n"
		"  --wave-ms N          restart the connect after N ms without an\n"
		"                       answer (1500)\n"
		"  --skew-ms N          start N ms later (negative: earlier) than\n"
		"                       the coordinator said (0)\n"
		"  --match-timeout-ms N give up waiting for a peer after N ms (60000)\n"
		"  --magic NET          network magic (regtest)\n"
		"\n"
		"Node modes (--node): embedded (default) shakes hands itself.\n"
		"bitcoind: no handshake; once punched, print {\"event\":\"punched\"}\n"
		"(with \"addnode\": what to give the initiator's bitcoind) and\n"
		"connect the socket to a local bitcoind (then {\"event\":\"spliced\"}\n"
		"with \"node_addr\", the connection's getpeerinfo addr), relaying:\n"
		"the initiator serves SOCKS5 on --socks (bitcoind -proxy; CONNECT\n"
		"to the announced peer only), the responder dials --bitcoind-p2p.\n"
		"Both options are needed, as the role comes from the coordinator.\n"
		"The relay ends when a side closes, on SIGTERM, or --hold-ms after\n"
		"the punch (60000). --relay copy uses read/write instead of splice.\n"
		"bitcoind-import: send the punched socket to a bitcoind with\n"
		"-importpeersocket at --import-socket PATH (SCM_RIGHTS) and exit.\n"
		"\n"
		"--connect: dial HOST:PORT (literal or name) and complete the\n"
		"handshake as an outbound peer; prints the peer's version.\n"
		"\n"
		"Exit: 0 success, 1 failure (the JSON says why), 2 usage.\n");
}
/* clang-format on */

static int agent_parse_i64(const char *opt, const char *s, int64_t min,
			   int64_t max, int64_t *out)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max) {
		fprintf(stderr,
			"punch-agent: %s '%s': want an integer from %" PRId64
			" to %" PRId64 "\n",
			opt, s, min, max);
		return -EINVAL;
	}
	*out = v;
	return 0;
}

static int agent_parse_u64(const char *opt, const char *s, uint64_t *out)
{
	char *end;

	errno = 0;
	*out = strtoull(s, &end, 0);
	if (errno || end == s || *end || strchr(s, '-')) {
		fprintf(stderr,
			"punch-agent: %s '%s': want an unsigned 64-bit "
			"number\n",
			opt, s);
		return -EINVAL;
	}
	return 0;
}

static int agent_parse_node(const char *s, enum agent_node *node)
{
	for (unsigned i = 0;
	     i < sizeof(agent_node_names) / sizeof(agent_node_names[0]); i++) {
		if (!strcmp(s, agent_node_names[i])) {
			*node = (enum agent_node)i;
			return 0;
		}
	}
	fprintf(stderr,
		"punch-agent: --node '%s': want embedded, bitcoind or "
		"bitcoind-import\n",
		s);
	return -EINVAL;
}

/* Each node mode's options, and only those. */
static int agent_check_node(const struct agent_opts *o)
{
	const char *mode = agent_node_names[o->node];
	int bitcoind = o->node == AGENT_NODE_BITCOIND;

	if (o->node != AGENT_NODE_EMBEDDED && !o->coordinator) {
		fprintf(stderr, "punch-agent: --node %s needs --coordinator\n",
			mode);
		return -EINVAL;
	}
	if (bitcoind && (!o->socks || !o->bitcoind_p2p)) {
		fprintf(stderr, "punch-agent: --node bitcoind needs --socks "
				"and --bitcoind-p2p\n");
		return -EINVAL;
	}
	if (o->node == AGENT_NODE_IMPORT && !o->import_socket) {
		fprintf(stderr, "punch-agent: --node bitcoind-import needs "
				"--import-socket\n");
		return -EINVAL;
	}
	if (!bitcoind && (o->socks || o->bitcoind_p2p || o->hold_ms ||
			  o->relay != RELAY_SPLICE)) {
		fprintf(stderr, "punch-agent: --socks, --bitcoind-p2p, "
				"--hold-ms and --relay are for --node "
				"bitcoind\n");
		return -EINVAL;
	}
	if (o->node != AGENT_NODE_IMPORT && o->import_socket) {
		fprintf(stderr, "punch-agent: --import-socket is for --node "
				"bitcoind-import\n");
		return -EINVAL;
	}
	return 0;
}

/* 0, 1 for --help, -EINVAL after printing what is wrong. */
static int agent_parse(int argc, char **argv, struct agent_opts *o)
{
	static const struct option longopts[] = {
		{"coordinator", required_argument, NULL, 'c'},
		{"connect", required_argument, NULL, 'C'},
		{"local-port", required_argument, NULL, 'p'},
		{"key", required_argument, NULL, 'k'},
		{"name", required_argument, NULL, 'n'},
		{"timeout-ms", required_argument, NULL, 't'},
		{"wave-ms", required_argument, NULL, 'w'},
		{"skew-ms", required_argument, NULL, 's'},
		{"match-timeout-ms", required_argument, NULL, 'm'},
		{"magic", required_argument, NULL, 'M'},
		{"node", required_argument, NULL, 'N'},
		{"socks", required_argument, NULL, 'S'},
		{"bitcoind-p2p", required_argument, NULL, 'P'},
		{"import-socket", required_argument, NULL, 'I'},
		{"hold-ms", required_argument, NULL, 'H'},
		{"relay", required_argument, NULL, 'R'},
		{"verbose", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int64_t v;
	int c, r = 0;

	while ((c = getopt_long(argc, argv, "vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			o->coordinator = optarg;
			break;
		case 'C':
			o->connect = optarg;
			break;
		case 'p':
			r = agent_parse_i64("--local-port", optarg, 1, 65535,
					    &v);
			o->local_port = (long)v;
			break;
		case 'k':
			r = agent_parse_u64("--key", optarg, &o->key);
			break;
		case 'n':
			o->name = optarg;
			break;
		case 't':
			r = agent_parse_i64("--timeout-ms", optarg, 1, 86400000,
					    &o->timeout_ms);
			break;
		case 'w':
			r = agent_parse_i64("--wave-ms", optarg, 1, 86400000,
					    &o->wave_ms);
			break;
		case 's':
			r = agent_parse_i64("--skew-ms", optarg, -86400000,
					    86400000, &o->skew_ms);
			break;
		case 'm':
			r = agent_parse_i64("--match-timeout-ms", optarg, 1,
					    86400000, &o->match_ms);
			break;
		case 'M':
			if (!strcmp(optarg, "regtest")) {
				o->magic = P2P_MAGIC_REGTEST;
			} else if (!strcmp(optarg, "mainnet")) {
				o->magic = P2P_MAGIC_MAINNET;
			} else {
				fprintf(stderr,
					"punch-agent: --magic '%s': "
					"want regtest or mainnet\n",
					optarg);
				r = -EINVAL;
			}
			break;
		case 'N':
			r = agent_parse_node(optarg, &o->node);
			break;
		case 'S':
			o->socks = optarg;
			break;
		case 'P':
			o->bitcoind_p2p = optarg;
			break;
		case 'I':
			o->import_socket = optarg;
			break;
		case 'H':
			r = agent_parse_i64("--hold-ms", optarg, 1, 86400000,
					    &o->hold_ms);
			break;
		case 'R':
			if (!strcmp(optarg, "splice")) {
				o->relay = RELAY_SPLICE;
			} else if (!strcmp(optarg, "copy")) {
				o->relay = RELAY_COPY;
			} else {
				fprintf(stderr,
					"punch-agent: --relay '%s': want "
					"splice or copy\n",
					optarg);
				r = -EINVAL;
			}
			break;
		case 'v':
			o->verbose = 1;
			break;
		case 'h':
			return 1;
		default:
			return -EINVAL;
		}
		if (r)
			return r;
	}
	if (optind < argc) {
		fprintf(stderr, "punch-agent: unexpected argument '%s'\n",
			argv[optind]);
		return -EINVAL;
	}
	if (!!o->coordinator == !!o->connect) {
		fprintf(stderr, "punch-agent: give exactly one of "
				"--coordinator and --connect\n");
		return -EINVAL;
	}
	if (o->coordinator && !o->local_port) {
		fprintf(stderr, "punch-agent: --coordinator needs "
				"--local-port\n");
		return -EINVAL;
	}
	return agent_check_node(o);
}

/* The coordinator must be an IPv4 literal: the punch port is bound on
 * 0.0.0.0, and the same socket talks to it. */
static int agent_coord_addr(const char *s, struct sockaddr_in *sin)
{
	char host[64];
	uint16_t port;

	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	if (sock_split_hostport(s, host, sizeof(host), &port) ||
	    inet_pton(AF_INET, host, &sin->sin_addr) != 1) {
		fprintf(stderr,
			"punch-agent: --coordinator '%s': want "
			"IPv4-ADDRESS:PORT\n",
			s);
		return -EINVAL;
	}
	sin->sin_port = htons(port);
	return 0;
}

/* --socks: bitcoind's -proxy takes an IPv4 literal here. */
static int agent_socks_addr(const char *s, struct sockaddr_in *sin)
{
	char host[64];
	uint16_t port;

	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	if (sock_split_hostport(s, host, sizeof(host), &port) ||
	    inet_pton(AF_INET, host, &sin->sin_addr) != 1) {
		fprintf(stderr,
			"punch-agent: --socks '%s': want IPv4-ADDRESS:PORT\n",
			s);
		return -EINVAL;
	}
	sin->sin_port = htons(port);
	return 0;
}

/* --bitcoind-p2p: IPv4:PORT or [IPv6]:PORT literal. */
static int agent_p2p_addr(const char *s, struct sockaddr_storage *ss,
			  socklen_t *len)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
	char host[64];
	uint16_t port;

	memset(ss, 0, sizeof(*ss));
	if (sock_split_hostport(s, host, sizeof(host), &port))
		goto bad;
	if (inet_pton(AF_INET, host, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		*len = sizeof(*s4);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		*len = sizeof(*s6);
		return 0;
	}
bad:
	fprintf(stderr,
		"punch-agent: --bitcoind-p2p '%s': want IPv4:PORT or "
		"[IPv6]:PORT\n",
		s);
	return -EINVAL;
}

/* bitcoind mode after the punch: relay until the connection ends. */
static void agent_bridge(const struct agent_opts *o, struct trial_result *r,
			 int socks_fd, const struct sockaddr_storage *p2p,
			 socklen_t p2p_len, struct bridge_result *br)
{
	struct bridge_params bp = {
		.initiator = r->punch.role == COORD_ROLE_INITIATOR,
		.socks_fd = socks_fd,
		.p2p = *p2p,
		.p2p_len = p2p_len,
		.mode = o->relay,
		.dial_deadline_ns =
			loop_now_ns() + o->timeout_ms * LOOP_NS_PER_MS,
		.hold_deadline_ns =
			r->pr.t_established_ns + o->hold_ms * LOOP_NS_PER_MS,
	};
	struct sockaddr_storage ss;
	int local;

	p2p_netaddr_to_sockaddr(&r->punch.peer, &ss);
	memcpy(&bp.peer, &ss, sizeof(bp.peer));
	local = bridge_connect(&bp, r->pr.fd, br);
	if (local < 0) {
		r->o = br->o;
		return;
	}
	if (report_print(report_spliced(o->name, r, br)))
		log_warnx("cannot write the spliced event");
	if (bridge_relay(&bp, r->pr.fd, local, br))
		r->o = br->o;
}

/* bitcoind-import mode after the punch: hand the socket over. */
static void agent_import(const struct agent_opts *o, struct trial_result *r,
			 int64_t *t_sent_ns, enum fdpass_ack *ack)
{
	int64_t now = loop_now_ns();
	char what[300];
	int err;

	err = fdpass_send(
		o->import_socket, r->pr.fd,
		r->punch.role == COORD_ROLE_INITIATOR ? FDPASS_ROLE_INITIATOR
						      : FDPASS_ROLE_RESPONDER,
		now + o->timeout_ms * LOOP_NS_PER_MS,
		now + AGENT_IMPORT_ACK_MS * LOOP_NS_PER_MS, ack, t_sent_ns);
	if (err) {
		snprintf(what, sizeof(what), "import socket %s",
			 o->import_socket);
		outcome_errno(&r->o, OUTCOME_SETUP, err, what);
	}
}

static int agent_trial(const struct agent_opts *o)
{
	struct trial_params p = {
		.local_port = (uint16_t)o->local_port,
		.key = o->key,
		.magic = o->magic,
		.timeout_ms = o->timeout_ms,
		.wave_ms = o->wave_ms,
		.skew_ms = o->skew_ms,
		.match_ms = o->match_ms,
		.keep_fd = o->node != AGENT_NODE_EMBEDDED,
	};
	static struct trial_result r; /* syn_ns makes it large */
	struct bridge_result br;
	struct sockaddr_storage p2p;
	struct sockaddr_in socks;
	socklen_t p2p_len = 0;
	enum fdpass_ack ack = FDPASS_ACK_NONE;
	int64_t t_imported = 0;
	int err, socks_fd = -1;
	json_t *j;

	if (agent_coord_addr(o->coordinator, &p.coord))
		return AGENT_EXIT_USAGE;
	if (o->node == AGENT_NODE_BITCOIND &&
	    (agent_socks_addr(o->socks, &socks) ||
	     agent_p2p_addr(o->bitcoind_p2p, &p2p, &p2p_len)))
		return AGENT_EXIT_USAGE;
	memset(&br, 0, sizeof(br));
	memset(&r, 0, sizeof(r));
	r.pr.fd = -1;
	r.pr.syn_retrans = -1;
	err = loop_init();
	if (err) {
		outcome_errno(&r.o, OUTCOME_SETUP, err, "loop_init");
		goto report;
	}
	/* The proxy port is taken before the punch: bitcoind is told it
	 * before the agent starts, and a conflict is a setup error. */
	if (o->node == AGENT_NODE_BITCOIND) {
		socks_fd = bridge_listen(&socks);
		if (socks_fd < 0) {
			outcome_errno(&r.o, OUTCOME_SETUP, socks_fd,
				      "SOCKS5 listener");
			goto report;
		}
	}
	if (trial_run(&p, &r) || o->node == AGENT_NODE_EMBEDDED)
		goto report;
	if (report_print(report_punched(o->name, &r)))
		log_warnx("cannot write the punched event");
	if (o->node == AGENT_NODE_BITCOIND) {
		agent_bridge(o, &r, socks_fd, &p2p, p2p_len, &br);
		socks_fd = -1; /* closed by the bridge */
	} else {
		agent_import(o, &r, &t_imported, &ack);
	}
report:
	if (socks_fd >= 0)
		close(socks_fd);
	if (r.pr.fd >= 0)
		close(r.pr.fd);
	j = report_trial(o->name, o->local_port, agent_node_names[o->node], &r);
	if (j && o->node == AGENT_NODE_BITCOIND)
		report_add_bridge(j, &br);
	if (j && o->node == AGENT_NODE_IMPORT)
		report_add_import(j, o->import_socket, t_imported, ack);
	if (report_print(j))
		return AGENT_EXIT_FAIL;
	return r.o.code == OUTCOME_OK ? AGENT_EXIT_OK : AGENT_EXIT_FAIL;
}

static int agent_connect(const struct agent_opts *o)
{
	struct nodecheck_result r;
	char host[256];
	uint16_t port;
	int err;

	if (sock_split_hostport(o->connect, host, sizeof(host), &port)) {
		fprintf(stderr,
			"punch-agent: --connect '%s': want HOST:PORT "
			"or [IPv6]:PORT\n",
			o->connect);
		return AGENT_EXIT_USAGE;
	}
	err = loop_init();
	if (err) {
		memset(&r, 0, sizeof(r));
		outcome_errno(&r.o, OUTCOME_SETUP, err, "loop_init");
	} else {
		nodecheck_run(host, port, o->magic, o->timeout_ms, &r);
	}
	if (report_print(report_check(&r)))
		return AGENT_EXIT_FAIL;
	return r.o.code == OUTCOME_OK ? AGENT_EXIT_OK : AGENT_EXIT_FAIL;
}

int main(int argc, char **argv)
{
	struct agent_opts o = {
		.magic = P2P_MAGIC_REGTEST,
		.timeout_ms = 5000,
		.wave_ms = 1500,
		.match_ms = 60000,
	};
	char tag[96];
	int r;

	r = agent_parse(argc, argv, &o);
	if (r > 0) {
		agent_usage(stdout);
		return AGENT_EXIT_OK;
	}
	if (r < 0) {
		agent_usage(stderr);
		return AGENT_EXIT_USAGE;
	}
	if (!o.hold_ms)
		o.hold_ms = 60000;
	snprintf(tag, sizeof(tag), "agent %s", o.name ? o.name : "");
	log_init(o.name ? tag : "agent", o.verbose);
	if (o.connect)
		return agent_connect(&o);
	return agent_trial(&o);
}
