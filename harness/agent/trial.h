/* trial: one hole-punch trial from one side — meet the peer (at the
 * coordinator, or out of band), wait for the start time, punch, then prove
 * the peer with the Bitcoin handshake. Collects everything the JSON line
 * reports. */
#ifndef PUNCHLAB_AGENT_TRIAL_H
#define PUNCHLAB_AGENT_TRIAL_H

#include <netinet/in.h>
#include <stdint.h>

#include "addr6.h"
#include "coordclient.h"
#include "coordmsg.h"
#include "outcome.h"
#include "p2p.h"
#include "peerauth.h"
#include "punch.h"
#include "rt.h"
#include "sidechan.h"
#include "targetpolicy.h"

/* How the two sides learn each other's endpoint. */
enum trial_mode {
	TRIAL_RENDEZVOUS, /* the coordinator pairs two registrations */
	TRIAL_HANDOFF,	  /* the coordinator hands us off from its slots */
	TRIAL_OOB,	  /* no coordinator: probe server + side channel */
	TRIAL_GIVEN,	  /* peer, role, nonce, start given (--connect) */
	TRIAL_HOLD,	  /* advertised: keep a light connection, be punched
			   * to by a seeker of our key */
	TRIAL_SEEK,	  /* advertised: be punched to the holder of a key */
};

struct trial_params {
	enum trial_mode mode;
	union addr6 coord;	  /* rendezvous, handoff, advertised */
	struct sockaddr_in probe; /* out-of-band */
	int side_fd;		  /* out-of-band: the side channel (stdin) */
	/* out-of-band: called with our public endpoint once the probe
	 * server has told it, before the side channel is read. */
	void (*on_endpoint)(void *arg, const struct p2p_netaddr *pub,
			    int64_t t_ns);
	void *arg;
	uint16_t local_port;
	uint64_t key;
	uint32_t magic;
	int64_t timeout_ms; /* from the start time to handshake done */
	int64_t wave_ms;
	int64_t skew_ms; /* added to the coordinator's start time; may be < 0 */
	int64_t match_ms; /* from the start of the run to hppunch (or the
			   * side channel's line) */
	/* bitcoind modes: no embedded handshake (bitcoind does its own);
	 * the punched socket is left open in r->pr.fd for the caller. */
	int keep_fd;
	/* The punch strategy (cellcond.h) and its parameters, 0: default */
	unsigned strategy;
	unsigned predict_window, birthday_sockets, birthday_ports;
	unsigned syn_budget;
	/* The punch's family (AF_INET, AF_INET6): the coordinator's, or
	 * with TRIAL_GIVEN the peer's; 0 is AF_INET. */
	int family;
	/* TRIAL_GIVEN: peer, role and nonce; the start (0: now) */
	struct coord_punch given;
	int64_t given_start_ns;
	/* SCHED_FIFO from the meeting to the connection (rt.h), and a busy
	 * wait over the last LOOP_SPIN_NS before the start. */
	int realtime;
	/* The defences (docs/adversaries.md section 4): the target policy
	 * (NULL: none), applied to the endpoint the meeting names; the caps
	 * (-1 / 0: none): a larger delay is refused, the punch given up
	 * max_punch_ms after the meeting, at most max_syns SYNs; the shared
	 * secret of the hpauth exchange after verack (NULL: off). */
	const struct targetpolicy *policy;
	int64_t max_delay_ms, max_punch_ms;
	unsigned max_syns;
	const uint8_t *auth_secret;
	/* --start-jitter-ms: the bound J of the secret delay added to the
	 * meeting's start (startjitter.h); 0: none (needs auth_secret) */
	int64_t start_jitter_ms;
};

struct trial_result {
	enum trial_mode mode;
	struct outcome o;
	int matched;	 /* punch, t_match_ns valid */
	int have_public; /* punch.self valid (out-of-band: before a match) */
	/* Out-of-band: peer, self, role and nonce as a coordinator would
	 * have sent them; delay_ms and rtt_us 0. */
	struct coord_punch punch;
	int64_t t_register_ns; /* 0 = not reached; out-of-band: the probe
				* request */
	int64_t t_match_ns;
	int64_t t_start_ns;
	int64_t t_handshake_ns;
	struct punch_result pr; /* attempts, syn_ns, t_established_ns, ... */
	int ttl; /* low-ttl: the first SYN's TTL, 0 none */
	int birthday;	   /* enum strategy_birthday_role */
	uint16_t peer_port; /* the kept connection's peer port, 0 none */
	enum rt_state rt;   /* what realtime got (RT_OFF: not asked) */
	int have_peer_ua;
	char peer_ua[P2P_UA_MAX + 1];
	enum peerauth_state auth;
	/* the secret delay added to the start, ms (-1: none computed) */
	int64_t start_jitter_ms;
};

/* The connection a meeting leaves open (it holds the punch port's NAT
 * mapping): the coordinator's or the probe server's. */
struct trial_meeting {
	struct coordclient cc;
	struct sidechan sc;
};

/* "rendezvous", "handoff", "out-of-band", "given" or (hold, seek)
 * "advertised". */
const char *trial_mode_name(enum trial_mode m);

/* Runs the trial; 0 when it succeeded, -1 with r->o saying why not. r is
 * filled as far as the trial got either way. With keep_fd, success means
 * the punched socket reached the announced endpoint, and r->pr.fd is the
 * caller's to close; otherwise r->pr.fd is always -1 on return. */
int trial_run(const struct trial_params *p, struct trial_result *r);

/* The steps before the punch, for callers that punch otherwise (exec.h):
 * a fresh r, then the meeting — 0 with r->punch and r->t_start_ns set, or
 * -1 with r->o saying why. m's connection is left open either way;
 * trial_meeting_close closes it. */
void trial_result_init(struct trial_result *r, enum trial_mode m);
int trial_meet(const struct trial_params *p, struct trial_meeting *m,
	       struct trial_result *r);
void trial_meeting_close(struct trial_meeting *m);

#endif
