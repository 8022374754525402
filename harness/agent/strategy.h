/* strategy: what a punch strategy (cellcond.h) makes of the punch
 * parameters — the listener, the low TTL, predict's window of the peer's
 * next ports, birthday's sockets or spray — from the trial's options and
 * the coordinator's hppunch. */
#ifndef PUNCHLAB_AGENT_STRATEGY_H
#define PUNCHLAB_AGENT_STRATEGY_H

#include "coordmsg.h"
#include "punch.h"

#define STRATEGY_PREDICT_WINDOW 8 /* predict_window 0 */
#define STRATEGY_BIRTHDAY_N 64	  /* birthday_sockets / _ports 0 */

/* birthday: which side does what. */
enum strategy_birthday_role {
	STRATEGY_BIRTHDAY_NONE,
	STRATEGY_BIRTHDAY_OPEN,	 /* N sockets, each a fresh mapping */
	STRATEGY_BIRTHDAY_SPRAY, /* M SYNs from the punch port */
};

/* From hppunch's deltas (see strategy.c). */
enum strategy_birthday_role strategy_birthday_role(const struct coord_punch *pu);

/* The strategy (cellcond.h) and its parameters, 0: defaults. */
struct strategy_opts {
	unsigned strategy;
	unsigned predict_window, birthday_sockets, birthday_ports;
	unsigned syn_budget;
};

/* What was chosen, for the report. */
struct strategy_choice {
	int ttl;      /* low-ttl: the first SYN's TTL, 0 none */
	int birthday; /* enum strategy_birthday_role */
};

/* Fills the strategy's part of pp from the coordinator's hppunch pu. */
void strategy_params(const struct strategy_opts *so,
		     const struct coord_punch *pu, struct punch_params *pp,
		     struct strategy_choice *ch);

/* M distinct ports in [lo, hi] drawn from seed (the session nonce, which
 * both sides know: a trial can be replayed). m <= hi - lo + 1. */
void strategy_spray_ports(uint64_t seed, unsigned m, uint16_t lo,
			  uint16_t hi, uint16_t *out);

#endif
