/* race: the connections of one punch side by side — the connect sockets in
 * flight, the listener on the punch port, the established candidates — and
 * which one is kept. With a listener two connections can complete (one
 * per 4-tuple, e.g. a symmetric NAT's other port), so both sides need one
 * rule: the initiator (or a side without a listener) keeps the first that
 * is established; the responder keeps the one on which the initiator's
 * version arrives, the initiator speaking first. */
#ifndef PUNCHLAB_AGENT_RACE_H
#define PUNCHLAB_AGENT_RACE_H

#include <netinet/in.h>
#include <stdint.h>

#include "addr6.h"

#define RACE_MAX 1010 /* sockets in flight plus candidates */

enum race_state {
	RACE_CONNECTING, /* connect() in flight: poll for POLLOUT */
	RACE_CANDIDATE,	 /* established, waiting for the first byte */
};

struct race_conn {
	int fd;
	enum race_state state;
	int accepted; /* came through the listener */
	int probe;    /* the low-TTL SYN: its ICMP is expected */
};

struct race {
	int lfd;	/* listener, -1 without */
	int keep_first; /* the first established wins (initiator, no lfd) */
	struct race_conn c[RACE_MAX];
	unsigned n;
	/* Set by race_wait when it returns 1; the caller owns fd. */
	int winner_fd;
	int winner_accepted;
	/* What came back, over the whole punch. */
	unsigned syns;	 /* connect() calls plus the kernel's retransmits */
	unsigned rsts;	 /* ECONNREFUSED without an ICMP behind it */
	unsigned icmps;	 /* ICMP errors read from the error queue */
	unsigned accepts;
	/* The last ICMP: who sent it, type and code (time exceeded: 11/0). */
	union addr6 icmp_from;
	uint8_t icmp_type, icmp_code;
};

/* lfd -1 for no listener. keep_first: see the rule above (a side with
 * one socket in flight and no listener can only get one connection). */
void race_init(struct race *r, int lfd, int keep_first);
/* Closes every socket, the listener included (not the winner). */
void race_close(struct race *r);
/* Takes fd, whose connect() was just started (-EINPROGRESS). 0, or
 * -ENOSPC (fd closed) when full. */
int race_add(struct race *r, int fd, int probe);
/* Closes the connect sockets in flight (a wave ran out); candidates and
 * the listener stay. */
void race_stop_connects(struct race *r);
/* Connect sockets still in flight. */
unsigned race_connecting(const struct race *r);

/* Waits until a connection is kept (1, winner_fd set), the deadline (0),
 * termination (-EINTR), or the last connect socket in flight failed (its
 * -errno; candidates and the listener stay). A failed low-TTL probe
 * returns -EHOSTUNREACH like any ICMP. */
int race_wait(struct race *r, int64_t deadline_ns);

#endif
