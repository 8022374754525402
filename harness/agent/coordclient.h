/* coordclient: the agent's side of the coordinator protocol (coordmsg.h) —
 * connect from the punch port, version/verack, hpregister, then wait for
 * hppunch while answering the coordinator's RTT pings. */
#ifndef PUNCHLAB_AGENT_COORDCLIENT_H
#define PUNCHLAB_AGENT_COORDCLIENT_H

#include <netinet/in.h>
#include <stdint.h>

#include "addr6.h"
#include "coordmsg.h"
#include "outcome.h"

struct coordclient_params {
	union addr6 coord; /* its family is the punch's */
	uint16_t local_port;
	uint32_t magic;
	uint64_t key;
	/* Handoff mode: register flagged unreachable, and name the two ways
	 * the coordinator can leave us without a peer in its own terms. */
	int handoff;
	/* Advertised mode: keep this connection as our light connection
	 * under key (COORD_REG_HOLD) and wait to be punched to, or ask to
	 * be punched to the holder of key (COORD_REG_SEEK). */
	int hold, seek;
	int ext; /* ask for hppunch's optional fields (COORD_REG_EXT) */
	/* Probe the mapping first (coordprobe.h) and ask for the port
	 * prediction (COORD_REG_PREDICT). */
	int predict;
	int64_t setup_deadline_ns; /* connect + handshake */
	int64_t match_deadline_ns; /* hppunch */
};

struct coordclient {
	int fd;		       /* S1, -1 when not open */
	int64_t t_register_ns; /* 0 until hpregister is sent */
	int64_t t_match_ns;    /* 0 until hppunch arrives */
	struct coord_punch punch;
};

/* Runs the exchange up to hppunch. c->fd is left open either way (on
 * success it keeps the NAT mapping alive during the punch); the caller
 * closes it with coordclient_close. 0, or -1 with o filled (bind,
 * coordinator, timeout "terminated", setup). With handoff, the
 * coordinator outcomes "inbound slots full" (hpreject 4) and "stayed an
 * inbound peer" (never handed off: the match deadline, or hpreject 1) are
 * these exact texts; so are, for hold and seek, "key already held"
 * (hpreject 3), "nobody holds the key" (hpreject 1 to a seeker) and
 * "nobody sought us" (a holder's match deadline). A holder's connection
 * stays open at the coordinator after hppunch: closing c->fd ends it. */
int coordclient_run(const struct coordclient_params *p, struct coordclient *c,
		    struct outcome *o);
void coordclient_close(struct coordclient *c);

#endif
