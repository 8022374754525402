/* clients: the coordinator's client table and everything a message
 * handler (dispatch, pairing, handoff) may do to a client: send to it,
 * end its session, reject or drop it. coordd.c's poll loop owns the
 * table's life and calls the handlers; the handlers see only this. */
#ifndef PUNCHLAB_COORD_CLIENTS_H
#define PUNCHLAB_COORD_CLIENTS_H

#include <stddef.h>
#include <stdint.h>

#include "addrlimit.h"
#include "conn.h"
#include "keyindex.h"
#include "opts.h"
#include "predict.h"

#define CLIENTS_CAP0 64 /* the table's first size; it doubles up to
			 * --max-clients */
#define CLIENTS_FLUSH_MS 5000  /* a closing client must read its last message  \
				*/
#define CLIENTS_LINGER_MS 2000 /* wait for the client's FIN after ours */

struct clients {
	struct opts opt;
	uint64_t next_seq; /* registration order */
	size_t n, cap;
	struct conn **conns;	 /* cap slots, n used */
	struct addrlimit addrs;	 /* --per-addr-limit */
	struct keyindex keys;	 /* --key-owner: the owners by key */
	struct predict_table probes; /* probes not yet registered for */
};

/* An empty table with a copy of o. 0 or -ENOMEM. */
int clients_init(struct clients *cl, const struct opts *o);
/* c belongs to the table from now on. -EBUSY when its address has
 * --per-addr-limit connections open already, -ENOSPC when the table has
 * --max-clients, -ENOMEM when it could not grow (c stays the caller's). */
int clients_add(struct clients *cl, struct conn *c);
/* Frees the clients marked dead; the order of the others may change. */
void clients_reap(struct clients *cl);
/* Frees every client and the table. */
void clients_free_all(struct clients *cl);

/* Frames and queues one message to c with the coordinator's magic.
 * 0, -ENOBUFS (c is not reading), or -errno. */
int clients_send(struct clients *cl, struct conn *c, const char *command,
		 const void *payload, size_t len);
/* Writes what the socket takes now (drops c on a write error); sends the
 * FIN of a closing client once its output is out. */
void clients_flush(struct conn *c);
/* Ends c's session after its last message: FIN once output is flushed. */
void clients_finish(struct conn *c);
/* Closes c at the end of this round and reports why. */
void clients_drop(struct conn *c, const char *reason);
/* Sends hpreject (code from coordmsg.h), reports it and the drop, and
 * closes c once the reject has been flushed. */
void clients_reject(struct clients *cl, struct conn *c, unsigned code,
		    const char *text, const char *reason);

/* A session or ping nonce; never fails. */
uint64_t clients_random64(void);

#endif
