/* advcoord: the lying coordinator's side of the conversation, as far as a
 * node can check it — accept, version/verack with the coordinator's
 * service bit, pong, hpregister decoded — and, for roles that want it,
 * two registrations of one key paired. What it then tells the nodes is
 * the role's (callbacks). */
#ifndef PUNCHLAB_ADV_ADVCOORD_H
#define PUNCHLAB_ADV_ADVCOORD_H

#include <stdint.h>
#include <sys/socket.h>

#include "adv.h"
#include "advio.h"
#include "coordmsg.h"

#define ADVCOORD_MAX_AGENTS 1000 /* under the usual 1024 open files */

enum advcoord_state {
	ADVCOORD_HELLO,	     /* waiting for the node's version */
	ADVCOORD_READY,	     /* handshake done, not registered */
	ADVCOORD_REGISTERED, /* hpregister in, nothing told yet */
	ADVCOORD_PAIRED,     /* handed to the role with its pair */
	ADVCOORD_CLOSING,    /* FIN once the output is out */
};

struct advcoord_agent {
	struct advio io;
	enum advcoord_state state;
	struct p2p_netaddr observed; /* the node's public endpoint */
	char name[64];
	struct coord_register reg;
	uint64_t seq; /* registration order: the earlier is the initiator */
	int64_t t_accept_ns, t_register_ns;
};

struct advcoord;

struct advcoord_ops {
	int pair; /* hand registrations to on_pair two by two, by key */
	/* A registration came in (called for every role). */
	void (*on_register)(struct advcoord *s, struct advcoord_agent *a);
	/* Two registrations of one key: ini registered first. */
	void (*on_pair)(struct advcoord *s, struct advcoord_agent *ini,
			struct advcoord_agent *rsp);
	/* A node closed its connection (held or not). */
	void (*on_close)(struct advcoord *s, struct advcoord_agent *a);
	/* Every round of the loop (at least every 100 ms). */
	void (*on_tick)(struct advcoord *s);
	void *arg;
};

struct advcoord {
	struct adv_ctx *ctx;
	const struct advcoord_ops *ops;
	int lfd;
	struct sockaddr_storage listen; /* as bound */
	struct advcoord_agent *agents[ADVCOORD_MAX_AGENTS];
	size_t n;
	uint64_t next_seq;
};

/* An IP:PORT option value into ss. 0, or 2 after printing why. */
int advcoord_addr_opt(const char *opt, const char *value,
		      struct sockaddr_storage *ss);

/* A role's one option besides --listen (NULL: none). set returns 0 or 2
 * after printing why. */
struct advcoord_extra {
	const char *name; /* without the dashes */
	int required;
	int (*set)(const char *value);
};

/* A lying coordinator role's whole run: --listen IP:PORT (and extra),
 * advcoord_run, then the plays stopped and the stop event. Exit code. */
int advcoord_main(struct adv_ctx *c, int argc, char **argv,
		  const struct advcoord_ops *ops,
		  const struct advcoord_extra *extra);

/* Listens, writes the ready event, runs until the stop flag or the
 * deadline, closes every socket and writes the stop event. Exit code:
 * 0, or 1 when the listener could not be opened. */
int advcoord_run(struct adv_ctx *c, const struct sockaddr_storage *listen,
		 const struct advcoord_ops *ops);

/* Queues and flushes a lying hppunch to a (peer: the endpoint it names)
 * and writes the punch event; the session ends (FIN) once it is out.
 * 0 or -errno. */
int advcoord_punch(struct advcoord *s, struct advcoord_agent *a,
		   const struct p2p_netaddr *peer, uint8_t role,
		   uint64_t nonce, uint32_t delay_ms);

/* A fresh 64-bit nonce (getrandom). */
uint64_t advcoord_random64(void);

#endif
