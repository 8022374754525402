/* opts: option parsing for punch-agent. Messages name the option and say
 * what it wants; usage goes to the stream main() chooses. */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cellcond.h"
#include "optparse.h"
#include "opts.h"
#include "p2p.h"
#include "sock.h"

static const char *const opts_node_names[] = {
	[OPTS_NODE_EMBEDDED] = "embedded",
	[OPTS_NODE_BITCOIND] = "bitcoind",
	[OPTS_NODE_IMPORT] = "bitcoind-import",
};

const char *opts_node_name(enum opts_node node)
{
	if ((unsigned)node >=
	    sizeof(opts_node_names) / sizeof(opts_node_names[0]))
		return "embedded";
	return opts_node_names[node];
}


static int opts_parse_i64(const char *opt, const char *s, int64_t min,
			  int64_t max, int64_t *out)
{
	long long v = 0;

	if (optparse_ll(s, min, max, &v) < 0) {
		fprintf(stderr,
			"punch-agent: %s '%s': want an integer from %" PRId64
			" to %" PRId64 "\n",
			opt, s, min, max);
		return -EINVAL;
	}
	*out = v;
	return 0;
}

static int opts_parse_u64(const char *opt, const char *s, uint64_t *out)
{
	if (optparse_u64(s, 0, UINT64_MAX, out) < 0) {
		fprintf(stderr,
			"punch-agent: %s '%s': want an unsigned 64-bit "
			"number\n",
			opt, s);
		return -EINVAL;
	}
	return 0;
}

static int opts_parse_node(const char *s, enum opts_node *node)
{
	for (unsigned i = 0;
	     i < sizeof(opts_node_names) / sizeof(opts_node_names[0]); i++) {
		if (!strcmp(s, opts_node_names[i])) {
			*node = (enum opts_node)i;
			return 0;
		}
	}
	fprintf(stderr,
		"punch-agent: --node '%s': want embedded, bitcoind or "
		"bitcoind-import\n",
		s);
	return -EINVAL;
}

/* --strategy NAME and its numbers, ranged as the scenario's keys are
 * (cellcond.c). */
static int opts_parse_strategy(int c, const char *s, struct opts *o)
{
	static const struct {
		int opt, param;
		const char *name;
	} nums[] = {
		{'W', CELLCOND_PREDICT_WINDOW, "--predict-window"},
		{'O', CELLCOND_BIRTHDAY_SOCKETS, "--birthday-sockets"},
		{'T', CELLCOND_BIRTHDAY_PORTS, "--birthday-ports"},
		{'U', CELLCOND_SYN_BUDGET, "--syn-budget"},
	};
	unsigned *const out[] = {&o->predict_window, &o->birthday_sockets,
				 &o->birthday_ports, &o->syn_budget};
	int64_t v;

	if (c == 'G') {
		for (unsigned i = 0; i < CELLCOND_NSTRATEGIES; i++)
			if (!strcmp(s, cellcond_strategies[i])) {
				o->strategy = i;
				return 0;
			}
		fprintf(stderr, "punch-agent: --strategy '%s': want connect, "
				"listen-connect, low-ttl, predict or "
				"birthday\n", s);
		return -EINVAL;
	}
	for (unsigned i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
		if (nums[i].opt != c)
			continue;
		if (opts_parse_i64(nums[i].name, s, 1,
				   (int64_t)cellcond_params[nums[i].param].max,
				   &v))
			return -EINVAL;
		*out[i] = (unsigned)v;
	}
	return 0;
}

/* Each node mode's options, and only those. */
static int opts_check_node(const struct opts *o)
{
	const char *mode = opts_node_names[o->node];
	int bitcoind = o->node == OPTS_NODE_BITCOIND;

	if (o->node != OPTS_NODE_EMBEDDED && !o->coordinator) {
		fprintf(stderr, "punch-agent: --node %s needs --coordinator\n",
			mode);
		return -EINVAL;
	}
	if (bitcoind && (!o->socks || !o->bitcoind_p2p)) {
		fprintf(stderr, "punch-agent: --node bitcoind needs --socks "
				"and --bitcoind-p2p\n");
		return -EINVAL;
	}
	if (o->node == OPTS_NODE_IMPORT && !o->import_socket) {
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
	if (o->node != OPTS_NODE_IMPORT && o->import_socket) {
		fprintf(stderr, "punch-agent: --import-socket is for --node "
				"bitcoind-import\n");
		return -EINVAL;
	}
	return 0;
}

/* The options of the out-of-band mode, of handoff and of the advertised
 * roles, and only those. */
static int opts_check_oob(const struct opts *o)
{
	if (o->handoff && !o->coordinator) {
		fprintf(stderr, "punch-agent: --handoff needs --coordinator\n");
		return -EINVAL;
	}
	if ((o->hold || o->seek) && !o->coordinator) {
		fprintf(stderr, "punch-agent: --hold and --seek need "
				"--coordinator\n");
		return -EINVAL;
	}
	if (o->handoff + o->hold + o->seek > 1) {
		fprintf(stderr, "punch-agent: give at most one of --handoff, "
				"--hold and --seek\n");
		return -EINVAL;
	}
	if (!!o->probe != o->oob) {
		fprintf(stderr, "punch-agent: --oob and --probe go together\n");
		return -EINVAL;
	}
	if (!o->oob)
		return 0;
	if (!o->local_port) {
		fprintf(stderr, "punch-agent: --oob needs --local-port\n");
		return -EINVAL;
	}
	if (o->key_given) {
		fprintf(stderr, "punch-agent: --key is for --coordinator\n");
		return -EINVAL;
	}
	return 0;
}

/* Out of band nobody measures hops or ports; bitcoind takes the first
 * connection as it is. */
static int opts_check_strategy(const struct opts *o)
{
	const char *name = cellcond_strategies[o->strategy];

	if (o->oob && o->strategy != CELLCOND_CONNECT &&
	    o->strategy != CELLCOND_LISTEN_CONNECT) {
		fprintf(stderr, "punch-agent: --strategy %s needs "
				"--coordinator\n", name);
		return -EINVAL;
	}
	if (o->node != OPTS_NODE_EMBEDDED && o->strategy != CELLCOND_CONNECT) {
		fprintf(stderr, "punch-agent: --strategy %s is for --node "
				"embedded\n", name);
		return -EINVAL;
	}
	return 0;
}

/* 1..16 hex digits, as {nonce} spells it. */
static int opts_hex64(const char *s, uint64_t *out)
{
	char *end;

	if (!*s || strlen(s) > 16 || strspn(s, "0123456789abcdefABCDEF") !=
	    strlen(s))
		return -EINVAL;
	*out = strtoull(s, &end, 16);
	return 0;
}

/* The outside-puncher options (256 and up). */
static int opts_parse_puncher(int c, const char *v, struct opts *o)
{
	switch (c) {
	case 256:
		o->exec = v;
		return 0;
	case 257:
		if (strcmp(v, "token") && strcmp(v, "conntrack")) {
			fprintf(stderr, "punch-agent: --verify '%s': want "
					"token or conntrack\n", v);
			return -EINVAL;
		}
		o->conntrack = !strcmp(v, "conntrack");
		return 0;
	case 258:
		o->token = v;
		return 0;
	case 259:
		o->peer_token = v;
		return 0;
	case 260:
		o->exec_stderr = v;
		return 0;
	case 261:
		o->puncher = v;
		return 0;
	case 262:
		if (strcmp(v, "initiator") && strcmp(v, "responder")) {
			fprintf(stderr, "punch-agent: --role '%s': want "
					"initiator or responder\n", v);
			return -EINVAL;
		}
		o->role_responder = !strcmp(v, "responder");
		return 0;
	case 263:
		if (opts_hex64(v, &o->nonce) < 0) {
			fprintf(stderr, "punch-agent: --nonce '%s': want 1 to "
					"16 hex digits\n", v);
			return -EINVAL;
		}
		return 0;
	default:
		return opts_parse_i64("--start-mono-ns", v, 0, INT64_MAX,
				      &o->start_mono_ns);
	}
}

/* --exec's options and only with it; --connect's punch options. */
static int opts_check_exec(const struct opts *o)
{
	if (!o->exec && (o->conntrack || o->token || o->peer_token ||
			 o->exec_stderr || o->puncher)) {
		fprintf(stderr, "punch-agent: --verify, --token, --peer-token, "
				"--exec-stderr and --puncher are for --exec\n");
		return -EINVAL;
	}
	if (o->exec && (o->connect || o->node != OPTS_NODE_EMBEDDED)) {
		fprintf(stderr, "punch-agent: --exec is for --coordinator or "
				"--oob with --node embedded\n");
		return -EINVAL;
	}
	if (o->exec && !o->conntrack && (!o->token || !o->peer_token ||
					 strlen(o->token) > 64 ||
					 strlen(o->peer_token) > 64 ||
					 !*o->peer_token)) {
		fprintf(stderr, "punch-agent: --verify token needs --token and "
				"--peer-token (1..64 characters)\n");
		return -EINVAL;
	}
	if ((o->role_responder || o->nonce || o->start_mono_ns) &&
	    !(o->connect && o->local_port)) {
		fprintf(stderr, "punch-agent: --role, --nonce and "
				"--start-mono-ns are for --connect with "
				"--local-port\n");
		return -EINVAL;
	}
	return 0;
}

/* Defaults, then the command line. */
int opts_parse(int argc, char **argv, struct opts *o)
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
		{"handoff", no_argument, NULL, 'F'},
		{"oob", no_argument, NULL, 'B'},
		{"probe", required_argument, NULL, 'Q'},
		{"strategy", required_argument, NULL, 'G'},
		{"predict-window", required_argument, NULL, 'W'},
		{"birthday-sockets", required_argument, NULL, 'O'},
		{"birthday-ports", required_argument, NULL, 'T'},
		{"syn-budget", required_argument, NULL, 'U'},
		{"exec", required_argument, NULL, 256},
		{"verify", required_argument, NULL, 257},
		{"token", required_argument, NULL, 258},
		{"peer-token", required_argument, NULL, 259},
		{"exec-stderr", required_argument, NULL, 260},
		{"puncher", required_argument, NULL, 261},
		{"role", required_argument, NULL, 262},
		{"nonce", required_argument, NULL, 263},
		{"start-mono-ns", required_argument, NULL, 264},
		{"realtime", no_argument, NULL, 265},
		{"hold", no_argument, NULL, 266},
		{"seek", no_argument, NULL, 267},
		{"target-policy", no_argument, NULL, OPTS_TARGET_POLICY},
		{"wan-allow", required_argument, NULL, OPTS_WAN_ALLOW},
		{"max-syns", required_argument, NULL, OPTS_MAX_SYNS},
		{"max-punch-ms", required_argument, NULL, OPTS_MAX_PUNCH_MS},
		{"max-delay-ms", required_argument, NULL, OPTS_MAX_DELAY_MS},
		{"auth-secret", required_argument, NULL, OPTS_AUTH_SECRET},
		{"start-jitter-ms", required_argument, NULL, OPTS_START_JITTER_MS},
		{"serve", no_argument, NULL, OPTS_SERVE},
		{"pcp", required_argument, NULL, OPTS_PCP},
		{"pcp-proto", required_argument, NULL, OPTS_PCP_PROTO},
		{"pcp-lifetime", required_argument, NULL, OPTS_PCP_LIFETIME},
		{"verbose", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int64_t v = 0;
	int c, r = 0;

	*o = (struct opts){
		.magic = P2P_MAGIC_REGTEST,
		.timeout_ms = 5000,
		.wave_ms = 1500,
		.match_ms = -1, /* opts_check_defence: 60000, or 20000 */
		.max_syns = -1,
		.max_punch_ms = -1,
		.max_delay_ms = -1,
		.start_jitter_ms = -1,
		.pcp_lifetime = OPTS_PCP_LIFETIME_DEFAULT,
	};
	while ((c = getopt_long(argc, argv, "vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			o->coordinator = optarg;
			break;
		case 'C':
			o->connect = optarg;
			break;
		case 'p':
			r = opts_parse_i64("--local-port", optarg, 1, 65535,
					   &v);
			o->local_port = (long)v;
			break;
		case 'k':
			r = opts_parse_u64("--key", optarg, &o->key);
			o->key_given = 1;
			break;
		case 'F':
			o->handoff = 1;
			break;
		case 265:
			o->realtime = 1;
			break;
		case 266:
			o->hold = 1;
			break;
		case 267:
			o->seek = 1;
			break;
		case 'B':
			o->oob = 1;
			break;
		case 'Q':
			o->probe = optarg;
			break;
		case 'n':
			o->name = optarg;
			break;
		case 't':
			r = opts_parse_i64("--timeout-ms", optarg, 1, 86400000,
					   &o->timeout_ms);
			break;
		case 'w':
			r = opts_parse_i64("--wave-ms", optarg, 1, 86400000,
					   &o->wave_ms);
			break;
		case 's':
			r = opts_parse_i64("--skew-ms", optarg, -86400000,
					   86400000, &o->skew_ms);
			break;
		case 'm':
			r = opts_parse_i64("--match-timeout-ms", optarg, 1,
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
			r = opts_parse_node(optarg, &o->node);
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
			r = opts_parse_i64("--hold-ms", optarg, 1, 86400000,
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
		case 'G':
		case 'W':
		case 'O':
		case 'T':
		case 'U':
			r = opts_parse_strategy(c, optarg, o);
			break;
		case 'v':
			o->verbose = 1;
			break;
		case 256:
		case 257:
		case 258:
		case 259:
		case 260:
		case 261:
		case 262:
		case 263:
		case 264:
			r = opts_parse_puncher(c, optarg, o);
			break;
		case OPTS_TARGET_POLICY:
		case OPTS_WAN_ALLOW:
		case OPTS_MAX_SYNS:
		case OPTS_MAX_PUNCH_MS:
		case OPTS_MAX_DELAY_MS:
		case OPTS_AUTH_SECRET:
		case OPTS_START_JITTER_MS:
			r = opts_parse_defence(c, optarg, o);
			break;
		case OPTS_SERVE:
		case OPTS_PCP:
		case OPTS_PCP_PROTO:
		case OPTS_PCP_LIFETIME:
			r = opts_parse_pcp(c, optarg, o);
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
	if (!!o->coordinator + !!o->connect + !!o->oob + o->serve != 1) {
		fprintf(stderr, "punch-agent: give exactly one of "
				"--coordinator, --oob, --connect and --serve\n");
		return -EINVAL;
	}
	if (o->coordinator && !o->local_port) {
		fprintf(stderr, "punch-agent: --coordinator needs "
				"--local-port\n");
		return -EINVAL;
	}
	if (opts_check_oob(o) || opts_check_node(o) || opts_check_strategy(o) ||
	    opts_check_exec(o) || opts_check_defence(o) || opts_check_pcp(o) ||
	    opts_check_family(o))
		return -EINVAL;
	/* After the checks: an explicit --hold-ms is for bitcoind only. */
	if (!o->hold_ms)
		o->hold_ms = OPTS_HOLD_MS;
	return 0;
}

/* The coordinator (or probe server) must be an IPv4 literal: the punch
 * port is bound on 0.0.0.0, and the same socket talks to it. */
int opts_ipv4_addr(const char *opt, const char *s, struct sockaddr_in *sin)
{
	struct sockaddr_storage ss;
	socklen_t len;

	if (optparse_sockaddr(s, OPTPARSE_V4, &ss, &len) < 0) {
		fprintf(stderr,
			"punch-agent: %s '%s': want IPv4-ADDRESS:PORT\n", opt,
			s);
		return -EINVAL;
	}
	memcpy(sin, &ss, sizeof(*sin));
	return 0;
}

/* --bitcoind-p2p: IPv4:PORT or [IPv6]:PORT literal. */
int opts_p2p_addr(const char *s, struct sockaddr_storage *ss, socklen_t *len)
{
	if (optparse_sockaddr(s, OPTPARSE_V4 | OPTPARSE_V6, ss, len) == 0)
		return 0;
	fprintf(stderr,
		"punch-agent: --bitcoind-p2p '%s': want IPv4:PORT or "
		"[IPv6]:PORT\n",
		s);
	return -EINVAL;
}
