/* opts: punch-agent's command line — its modes (trial at a coordinator,
 * handoff, advertised hold/seek, out of band, --connect), the node modes, and the checks that
 * each mode gets its options and only those. */
#ifndef PUNCHLAB_AGENT_OPTS_H
#define PUNCHLAB_AGENT_OPTS_H

#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>

#include "pcpmap.h"
#include "addr6.h"
#include "relay.h"
#include "targetpolicy.h"

/* What is behind the agent (--node). */
enum opts_node {
	OPTS_NODE_EMBEDDED,
	OPTS_NODE_BITCOIND,
	OPTS_NODE_IMPORT,
};

/* Every option; 0 / NULL when not given, except the defaults that
 * opts_parse fills in. */
struct opts {
	const char *coordinator; /* trial mode */
	const char *connect;	 /* --connect mode */
	int oob;		 /* trial mode without a coordinator */
	const char *probe;	 /* --oob: the probe server */
	int handoff;		 /* --coordinator in handoff mode */
	int hold, seek;		 /* --coordinator in advertised mode */
	const char *name;
	long local_port; /* 0 = not given */
	uint64_t key;
	int key_given;
	uint32_t magic;
	int64_t timeout_ms;
	int64_t wave_ms;
	int64_t skew_ms;
	int64_t match_ms;
	int verbose;
	enum opts_node node;
	const char *socks;	   /* bitcoind: our SOCKS5 listener */
	const char *bitcoind_p2p;  /* bitcoind: its P2P address */
	const char *import_socket; /* bitcoind-import: its unix socket */
	int64_t hold_ms;
	enum relay_mode relay;
	/* --strategy and its parameters (cellcond.h; 0: the default) */
	unsigned strategy;
	unsigned predict_window, birthday_sockets, birthday_ports;
	unsigned syn_budget;
	/* --exec: an outside puncher after the meeting (exec.h) */
	const char *exec;
	int conntrack; /* --verify conntrack (else token) */
	const char *token, *peer_token, *exec_stderr, *puncher;
	/* --connect with --local-port: punch the given peer from that port
	 * (the built-in agent as an outside puncher) */
	int role_responder;
	uint64_t nonce;
	int64_t start_mono_ns;
	int realtime; /* --realtime */
	/* The defences (docs/adversaries.md section 4): --target-policy
	 * with its --wan-allow prefixes in policy.allow; the caps, -1 when
	 * none (the policy gives them defaults); --auth-secret. */
	int target_policy;
	struct targetpolicy policy;
	int64_t max_syns, max_punch_ms, max_delay_ms;
	const char *auth_secret;
	int64_t start_jitter_ms; /* --start-jitter-ms, -1: not given */
	/* --serve and --pcp (opts_pcp.c, docs/alternatives.md section 5) */
	int serve;
	const char *pcp; /* the gateway, an IPv4 literal */
	struct sockaddr_in pcp_gateway;
	enum pcpmap_proto pcp_proto;
	int64_t pcp_lifetime;
};

#define OPTS_HOLD_MS 60000 /* --hold-ms default */
/* The caps' defaults under --target-policy. */
#define OPTS_POLICY_MAX_SYNS 16
#define OPTS_POLICY_MAX_PUNCH_MS 10000
#define OPTS_POLICY_MAX_DELAY_MS 5000
/* The wait for a match: an honest coordinator answers within its pair
 * timeout (15 s); with the policy a withheld registration costs 20 s. */
#define OPTS_MATCH_MS 60000
#define OPTS_POLICY_MATCH_MS 20000

/* The defence options' getopt codes (opts_defence.c). */
enum {
	OPTS_TARGET_POLICY = 300,
	OPTS_WAN_ALLOW,
	OPTS_MAX_SYNS,
	OPTS_MAX_PUNCH_MS,
	OPTS_MAX_DELAY_MS,
	OPTS_AUTH_SECRET,
	OPTS_START_JITTER_MS,
	/* opts_pcp.c */
	OPTS_SERVE = 320,
	OPTS_PCP,
	OPTS_PCP_PROTO,
	OPTS_PCP_LIFETIME,
};

#define OPTS_PCP_LIFETIME_DEFAULT 3600

/* "embedded", "bitcoind" or "bitcoind-import". */
const char *opts_node_name(enum opts_node node);

/* Fills o with the defaults, then from argv. 0, 1 for --help, or -EINVAL
 * after printing what is wrong on stderr. Strings point into argv. */
int opts_parse(int argc, char **argv, struct opts *o);
void opts_usage(FILE *f);
/* For opts_parse: one defence option into o (0 or -EINVAL, printed), and
 * after the command line their checks and the policy's defaults. */
int opts_parse_defence(int c, const char *v, struct opts *o);
int opts_check_defence(struct opts *o);
/* The same for --serve, --pcp, --pcp-proto, --pcp-lifetime. */
int opts_parse_pcp(int c, const char *v, struct opts *o);
int opts_check_pcp(const struct opts *o);

/* opts_family.c: the punch's family (AF_INET6 when the coordinator, or
 * --connect's peer, is [v6]:PORT, else AF_INET); the checks of an IPv6
 * punch (0 or -EINVAL, printed); ADDRESS:PORT of either family into a
 * (opt names the option in the message). */
int opts_family(const struct opts *o);
int opts_check_family(const struct opts *o);
int opts_endpoint(const char *opt, const char *s, union addr6 *a);

/* IPv4-ADDRESS:PORT (the coordinator, the probe server, --socks) into sin;
 * opt names the option in the message printed on failure. 0 or -EINVAL. */
int opts_ipv4_addr(const char *opt, const char *s, struct sockaddr_in *sin);
/* --bitcoind-p2p: IPv4:PORT or [IPv6]:PORT literal. 0 or -EINVAL. */
int opts_p2p_addr(const char *s, struct sockaddr_storage *ss, socklen_t *len);

#endif
