/* coordd: the punch coordinator daemon: the listening socket, the client
 * table and the one poll() loop that drives them (OpenBSD ntpd style:
 * signals only set a flag, every wait has an explicit timeout). */
#ifndef PUNCHLAB_COORD_COORDD_H
#define PUNCHLAB_COORD_COORDD_H

#include <signal.h>
#include <stdint.h>
#include <sys/socket.h>

#include "conn.h"

#define COORDD_MAX_CONNS 1024
#define COORDD_FLUSH_MS 5000  /* a closing client must read its last message */
#define COORDD_LINGER_MS 2000 /* wait for the client's FIN after ours */

/* hpreject codes (coordmsg.h). */
#define COORDD_REJECT_NO_PEER COORD_REJECT_NO_PEER
#define COORDD_REJECT_PROTO COORD_REJECT_PROTO
#define COORDD_REJECT_KEY_BUSY COORD_REJECT_KEY_BUSY
#define COORDD_REJECT_INBOUND_FULL COORD_REJECT_INBOUND_FULL

#define COORDD_INBOUND_MAX COORDD_MAX_CONNS
#define COORDD_INBOUND_DEFAULT 8

/* The two coordinator modes of the proposal (see handoff.h). */
enum coordd_mode {
	COORDD_RENDEZVOUS, /* pair two registrations with the same key */
	COORDD_HANDOFF,	   /* hold inbound peers; when full, hand off */
};

struct coordd_opts {
	struct sockaddr_storage listen;
	socklen_t listen_len;
	uint32_t magic;
	int pair_timeout_ms;
	int margin_ms;
	enum coordd_mode mode;
	int inbound_limit; /* handoff: registered peers held at most */
};

struct coordd {
	struct coordd_opts opt;
	int lfd;
	int64_t accept_paused_until_us; /* after EMFILE/ENFILE */
	uint64_t next_seq;
	size_t nconns;
	struct conn *conns[COORDD_MAX_CONNS];
};

/* Binds and listens, then emits the "listening" event with the bound
 * address (so port 0 works). 0 or -errno. */
int coordd_open(struct coordd *d, const struct coordd_opts *o);
/* Runs until *stop is set. Signals that set *stop must be blocked by the
 * caller; waitmask is the mask to wait with (ppoll), so a signal can
 * never slip in between the check and the wait. 0 or -errno. */
int coordd_run(struct coordd *d, volatile sig_atomic_t *stop,
	       const sigset_t *waitmask);
/* Closes every client and the listener. Safe on a zeroed coordd with
 * lfd = -1. */
void coordd_close(struct coordd *d);

/* Closes c at the end of this round and reports why. */
void coordd_drop(struct coordd *d, struct conn *c, const char *reason);
/* Sends hpreject, reports it and the drop, and closes c once the reject
 * has been flushed. */
void coordd_reject(struct coordd *d, struct conn *c, unsigned code,
		   const char *text, const char *reason);
/* Writes what the socket takes now (drops c on a write error); sends the
 * FIN of a closing client once its output is out. */
void coordd_flush(struct coordd *d, struct conn *c);
/* Ends c's session after its last message: FIN once output is flushed. */
void coordd_finish(struct conn *c);

int64_t coordd_now_us(void);
uint64_t coordd_random64(void);

#endif
