/* punch-agent: one side of a hole-punch trial (Alice or Bob) with an
 * embedded minimal Bitcoin node, or (--connect) a handshake check against
 * any node. Prints exactly one JSON line on stdout; logs go to stderr. */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "loop.h"
#include "nodecheck.h"
#include "sock.h"
#include "trial.h"

#define AGENT_EXIT_OK 0
#define AGENT_EXIT_FAIL 1
#define AGENT_EXIT_USAGE 2

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
};

/* clang-format off */
static void agent_usage(FILE *f)
{
	fprintf(f,
		"usage: punch-agent --coordinator IP:PORT --local-port P [--key K]\n"
		"                   [--name NAME] [--timeout-ms N] [--wave-ms N]\n"
		"                   [--skew-ms N] [--match-timeout-ms N]\n"
		"                   [--magic regtest|mainnet] [-v]\n"
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
	return 0;
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

static json_t *agent_ns(int64_t ns)
{
	return ns ? json_integer(ns) : json_null();
}

static json_t *agent_str(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *agent_trial_json(const struct agent_opts *o,
				const struct trial_result *r)
{
	const struct coord_punch *pu = &r->punch;
	char buf[64];
	json_t *j, *syn;
	unsigned i;

	j = json_object();
	syn = json_array();
	if (!j || !syn) {
		json_decref(j);
		json_decref(syn);
		return NULL;
	}
	for (i = 0; i < r->pr.n_syn; i++)
		json_array_append_new(syn, json_integer(r->pr.syn_ns[i]));

	json_object_set_new(j, "name", agent_str(o->name));
	json_object_set_new(j, "outcome", json_string(outcome_name(r->o.code)));
	json_object_set_new(j, "error",
			    agent_str(r->o.error[0] ? r->o.error : NULL));
	json_object_set_new(j, "role",
			    agent_str(!r->matched ? NULL
				      : pu->role == COORD_ROLE_INITIATOR
					      ? "initiator"
					      : "responder"));
	json_object_set_new(j, "attempts", json_integer(r->pr.attempts));
	json_object_set_new(j, "local_port", json_integer(o->local_port));
	json_object_set_new(
		j, "public",
		agent_str(r->matched
				  ? p2p_netaddr_str(&pu->self, buf, sizeof(buf))
				  : NULL));
	json_object_set_new(
		j, "peer",
		agent_str(r->matched
				  ? p2p_netaddr_str(&pu->peer, buf, sizeof(buf))
				  : NULL));
	snprintf(buf, sizeof(buf), "%016" PRIx64, pu->nonce);
	json_object_set_new(j, "nonce", agent_str(r->matched ? buf : NULL));
	json_object_set_new(j, "delay_ms",
			    r->matched ? json_integer(pu->delay_ms)
				       : json_null());
	json_object_set_new(j, "rtt_coord_us",
			    r->matched ? json_integer(pu->rtt_us)
				       : json_null());
	json_object_set_new(j, "t_register_ns", agent_ns(r->t_register_ns));
	json_object_set_new(j, "t_match_ns", agent_ns(r->t_match_ns));
	json_object_set_new(j, "t_start_ns", agent_ns(r->t_start_ns));
	json_object_set_new(j, "t_established_ns",
			    agent_ns(r->pr.t_established_ns));
	json_object_set_new(j, "t_handshake_ns", agent_ns(r->t_handshake_ns));
	json_object_set_new(j, "syn_ns", syn);
	json_object_set_new(j, "syn_retrans",
			    r->pr.syn_retrans >= 0
				    ? json_integer(r->pr.syn_retrans)
				    : json_null());
	json_object_set_new(j, "peer_user_agent",
			    agent_str(r->have_peer_ua ? r->peer_ua : NULL));
	return j;
}

static json_t *agent_check_json(const struct nodecheck_result *r)
{
	const struct p2p_version *v = &r->np.version;
	char svc[24];
	json_t *j;

	j = json_object();
	if (!j)
		return NULL;
	snprintf(svc, sizeof(svc), "0x%" PRIx64, v->services);
	json_object_set_new(j, "outcome", json_string(outcome_name(r->o.code)));
	json_object_set_new(j, "error",
			    agent_str(r->o.error[0] ? r->o.error : NULL));
	json_object_set_new(j, "peer", agent_str(r->peer[0] ? r->peer : NULL));
	json_object_set_new(j, "peer_version",
			    r->have_version ? json_integer(v->version)
					    : json_null());
	json_object_set_new(j, "peer_services",
			    agent_str(r->have_version ? svc : NULL));
	json_object_set_new(j, "peer_user_agent",
			    agent_str(r->have_version ? v->user_agent : NULL));
	json_object_set_new(j, "peer_start_height",
			    r->have_version ? json_integer(v->start_height)
					    : json_null());
	json_object_set_new(j, "t_established_ns",
			    agent_ns(r->t_established_ns));
	json_object_set_new(j, "t_handshake_ns",
			    agent_ns(r->np.t_handshake_ns));
	return j;
}

/* The one line on stdout. -EIO when it could not be written. */
static int agent_print(json_t *j)
{
	char *s;
	int r = 0;

	if (!j)
		return -ENOMEM;
	s = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	if (!s)
		return -ENOMEM;
	if (printf("%s\n", s) < 0 || fflush(stdout))
		r = -EIO;
	free(s);
	return r;
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
	};
	static struct trial_result r; /* syn_ns makes it large */
	int err;

	if (agent_coord_addr(o->coordinator, &p.coord))
		return AGENT_EXIT_USAGE;
	err = loop_init();
	if (err) {
		memset(&r, 0, sizeof(r));
		r.pr.syn_retrans = -1;
		outcome_errno(&r.o, OUTCOME_SETUP, err, "loop_init");
	} else {
		trial_run(&p, &r);
	}
	if (agent_print(agent_trial_json(o, &r)))
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
	if (agent_print(agent_check_json(&r)))
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
	snprintf(tag, sizeof(tag), "agent %s", o.name ? o.name : "");
	log_init(o.name ? tag : "agent", o.verbose);
	if (o.connect)
		return agent_connect(&o);
	return agent_trial(&o);
}
