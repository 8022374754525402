/* conn: one client connection of the coordinator: its state, the endpoint
 * the coordinator observed, and bounded input/output buffers. No policy
 * here; dispatch.c and coordd.c decide what the bytes mean. */
#ifndef PUNCHLAB_COORD_CONN_H
#define PUNCHLAB_COORD_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "coordmsg.h"
#include "p2p.h"
#include "p2pbuf.h"

#define CONN_NAME_LEN 64

enum conn_state {
	CONN_HELLO,   /* waiting for the client's version */
	CONN_READY,   /* versions exchanged, not registered */
	CONN_PINGED,  /* registered, RTT ping in flight */
	CONN_WAITING, /* registered with a known RTT, waiting for a peer
		       * (handoff mode: held as an inbound peer; advertised:
		       * a holder's light connection) */
	CONN_CLOSING, /* last message queued; FIN once it is flushed */
	CONN_LINGER,  /* FIN sent; waiting for the client's FIN */
};

struct conn {
	int fd;
	enum conn_state state;
	struct p2p_netaddr observed; /* the NAT's translated endpoint */
	char name[CONN_NAME_LEN];    /* observed, as "ip:port" */
	uint64_t their_services;
	uint64_t key;
	uint8_t flags; /* hpregister flags (COORD_REG_*) */
	uint8_t hops;  /* routers its SYN crossed, 0 unknown */
	bool have_probe;     /* COORD_REG_PREDICT: its probe was seen */
	uint16_t probe_port; /* the probe's public port */
	uint64_t seq;  /* registration order, for the initiator role */
	uint64_t ping_nonce;
	int64_t ping_sent_us;
	int64_t rtt_us;
	int64_t deadline_us; /* when the current state times out (an
			      * advertised holder: its next keepalive) */
	bool ping_due;	     /* advertised holder: keepalive unanswered */
	unsigned punches;    /* advertised holder: hppunch sent so far */
	bool dead;	     /* close at the end of this round */
	bool owns_key;	     /* its registration was accepted (keyowner.h) */
	/* Its bucket in the owners' index (keyindex.h); key_pprev is NULL
	 * while it is not in it. */
	struct conn *key_next, **key_pprev;
	bool counted;	     /* counted in the per-address limit */
	/* Input holds at most one whole message (P2P_HDR_LEN +
	 * COORD_MAX_PAYLOAD) plus the start of the next. */
	struct p2pbuf buf;
};

/* Takes ownership of fd (closed by conn_free); on failure (NULL, errno
 * set) the fd stays the caller's. */
struct conn *conn_new(int fd, const struct sockaddr *peer);
void conn_free(struct conn *c);

/* One read() into the free input space. Returns bytes read (> 0), 0 on
 * EOF, -EAGAIN when nothing was there, or -errno. */
int conn_fill(struct conn *c);
/* Removes n bytes from the front of the input. */
void conn_consume(struct conn *c, size_t n);

/* Frames and queues one message. -ENOBUFS when the client is not reading
 * fast enough to keep the output bounded. */
int conn_send(struct conn *c, uint32_t magic, const char *command,
	      const void *payload, size_t len);
/* Writes as much queued output as the socket takes. 0 or -errno. */
int conn_flush(struct conn *c);
bool conn_has_output(const struct conn *c);

#endif
