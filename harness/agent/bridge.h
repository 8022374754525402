/* bridge: the bitcoind node mode after the punch — connect the punched
 * socket to the local bitcoind and relay until the connection ends. The
 * initiator's bitcoind reaches the peer through our SOCKS5 listener
 * (-proxy); the responder's bitcoind gets the connection as an inbound on
 * its P2P port. */
#ifndef PUNCHLAB_AGENT_BRIDGE_H
#define PUNCHLAB_AGENT_BRIDGE_H

#include <netinet/in.h>
#include <stdint.h>
#include <sys/socket.h>

#include "outcome.h"
#include "relay.h"

struct bridge_params {
	int initiator;		 /* the coordinator's P2P role */
	struct sockaddr_in peer; /* announced endpoint: the one SOCKS target */
	int socks_fd; /* listening SOCKS socket or -1; bridge_run closes it */
	struct sockaddr_storage p2p; /* bitcoind's P2P address (responder) */
	socklen_t p2p_len;
	enum relay_mode mode;
	int64_t dial_deadline_ns; /* responder: reaching bitcoind */
	int64_t hold_deadline_ns; /* the end of everything */
};

struct bridge_result {
	struct outcome o;     /* ok once the relay started */
	int64_t t_spliced_ns; /* 0 unless the relay started */
	char local[64];	      /* bitcoind's end: SOCKS client or P2P */
	/* This connection's "addr" in the local bitcoind's getpeerinfo: the
	 * name:port it asked the proxy for, or our source address. */
	char node_addr[300];
	unsigned socks_refused; /* SOCKS clients turned away */
	struct relay_result rr;
};

/* Listening TCP socket for SOCKS5 clients at `at` (bound now, so a taken
 * port fails before the punch). fd or -errno. */
int bridge_listen(const struct sockaddr_in *at);

/* Reaches the local bitcoind from the established punched socket
 * (non-blocking; stays the caller's): returns bitcoind's socket once
 * connected (t_spliced_ns, local and node_addr set), or -1 with r->o
 * saying why not: setup (bitcoind unreachable, the peer hung up before
 * bitcoind connected), timeout (no SOCKS client before the hold deadline,
 * or "terminated"). Closes p->socks_fd either way. */
int bridge_connect(const struct bridge_params *p, int punched_fd,
		   struct bridge_result *r);

/* Relays until the connection ends, then closes local_fd. 0 (outcome
 * ok), or -1 when the relay could not start (setup). */
int bridge_relay(const struct bridge_params *p, int punched_fd, int local_fd,
		 struct bridge_result *r);

#endif
