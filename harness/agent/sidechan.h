/* sidechan: the out-of-band rendezvous, standing in for endpoints that
 * travel over Tor: no coordinator. Learn our public endpoint from a probe
 * server, hand it to whoever relays it (the caller prints it), then read
 * the peer's endpoint, our role, the session nonce and an agreed start time
 * as one JSON line from the side channel (stdin). */
#ifndef PUNCHLAB_AGENT_SIDECHAN_H
#define PUNCHLAB_AGENT_SIDECHAN_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#include "coordmsg.h"
#include "outcome.h"

#define SIDECHAN_LINE_MAX 512
/* A start time further away than this is a harness bug, not a plan. */
#define SIDECHAN_START_MAX_NS (INT64_C(600) * 1000000000)

struct sidechan_params {
	struct sockaddr_in probe;
	uint16_t local_port;
	int in_fd;		   /* the side channel; stays the caller's */
	int64_t setup_deadline_ns; /* the probe exchange */
	int64_t match_deadline_ns; /* the peer's line */
	/* Called once our public endpoint is known, before the line is
	 * read: the caller announces it (the side channel's other half). */
	void (*on_endpoint)(void *arg, const struct p2p_netaddr *pub,
			    int64_t t_ns);
	void *arg;
};

/* What the side channel says, in the coordinator's terms: punch.peer,
 * role and nonce from the line, punch.self from the probe; delay_ms and
 * rtt_us stay 0 (start_ns replaces them). */
struct sidechan {
	int fd;		       /* the probe connection, -1 when not open */
	int have_public;       /* punch.self valid */
	int64_t t_register_ns; /* probe request sent; 0 = not reached */
	int64_t t_endpoint_ns; /* probe answer parsed */
	int64_t t_match_ns;    /* the line was read */
	int64_t start_ns;      /* agreed start, CLOCK_MONOTONIC */
	struct coord_punch punch;
};

/* Runs the probe exchange, the callback and the line read. c->fd is left
 * open either way (it keeps the NAT mapping of the punch port alive, as
 * the coordinator connection does in the other modes); close it with
 * sidechan_close. 0, or -1 with o filled: bind, coordinator (probe failed,
 * side channel closed, late or malformed), timeout "terminated". */
int sidechan_run(const struct sidechan_params *p, struct sidechan *c,
		 struct outcome *o);
void sidechan_close(struct sidechan *c);

/* The line (len bytes, without its newline): a JSON object with "peer"
 * ("IPv4:port"), "role" ("initiator" or "responder"), "nonce" (16 hex
 * digits) and "start_ns" (> 0); other keys are ignored. Fills c->punch's
 * peer, role and nonce and c->start_ns. 0, or -EPROTO with why filled. */
int sidechan_parse_line(const char *line, size_t len, struct sidechan *c,
			char *why, size_t why_cap);

#endif
