/* flood: the `flood` role's shared state (docs/adversaries.md, section
 * 3): many connections from mallory's one address to the honest
 * coordinator. slowloris holds them idle and takes back every one the
 * coordinator closes; pairs registers fresh random keys two by two and
 * counts the hppunch it gets. flood.c runs the loop and writes the
 * events; floodconn.c is one connection's life. */
#ifndef PUNCHLAB_ADV_FLOOD_H
#define PUNCHLAB_ADV_FLOOD_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "adv.h"

enum flood_kind { FLOOD_SLOWLORIS, FLOOD_PAIRS };

enum fconn_state {
	FC_IDLE,       /* closed; (re)opened at next_ns (slowloris) */
	FC_CONNECTING, /* non-blocking connect in flight */
	FC_OPEN,       /* established */
	FC_DONE,       /* pairs: this side's session is over */
};

struct fconn {
	int fd;
	enum fconn_state state;
	bool punched;	/* pairs: got hppunch */
	bool tried;	/* has been up or refused once */
	int64_t opened_ns;  /* when it was established */
	int64_t next_ns;    /* FC_IDLE: reopen then; FC_OPEN: hold until */
	int64_t backoff_ns; /* slowloris: the wait before the next reopen */
	size_t in_len;
	uint8_t in[1536];
};

/* pairs: one pair in flight, on conns[2i] and conns[2i+1]. */
struct fpair {
	uint64_t key;
	unsigned regs; /* registrations written, 0..2 */
	bool active;
	bool matched;
	int64_t deadline_ns;
};

struct flood {
	struct adv_ctx *c;
	struct sockaddr_storage target;
	socklen_t target_len;
	enum flood_kind kind;
	int count;     /* connections (slowloris) or pairs (pairs) */
	int hold_ms;   /* slowloris: close and reopen after; pairs: wait */
	int in_flight; /* pairs at once */
	bool handshake; /* slowloris: send version+verack after connect */
	bool repeat;	/* pairs: a new round of COUNT when one ends */
	uint64_t rounds; /* pairs: rounds finished */
	struct fconn *conns;
	size_t nconns;
	struct fpair *pairs; /* nconns / 2 (pairs mode) */
	/* What the events report. */
	uint64_t open, refused, pairs_sent, pairs_matched, pairs_started;
	uint64_t pairs_done;
	size_t tried;	/* connections up or refused at least once */
	bool ready;	/* the ready event is out */
	int64_t start_ns; /* when the flood began */
	uint64_t bytes_sent;
};

/* Starts connecting conns[i] (FC_IDLE -> FC_CONNECTING or FC_OPEN);
 * a failure counts as refused and leaves it FC_IDLE for a later try. */
void floodconn_open(struct flood *f, size_t i, int64_t now);
/* conns[i]'s poll events (revents) at now. */
void floodconn_event(struct flood *f, size_t i, short revents, int64_t now);
/* Closes conns[i] (ours or theirs) and sets when it is reopened. */
void floodconn_close(struct flood *f, size_t i, int64_t now, bool by_peer);

#endif
