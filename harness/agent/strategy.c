/* strategy: one function per strategy that needs more than a flag.
 *
 * predict: the coordinator saw each side's punch port twice (a probe,
 * then the registration) and sends the port deltas and the peer's next
 * port. A side whose peer moves (delta != 0) aims each wave at a window
 * of K ports from that prediction; a side whose own NAT moves knows that
 * each of its SYNs takes the next port, so the peer's window moves on by
 * the SYNs a wave sends (port_step). An EIM peer (delta 0) is aimed at
 * as today.
 *
 * birthday: the side whose mapping varies (its own delta != 0) opens N
 * sockets to the peer's endpoint, N fresh mappings; the other side sends
 * M SYNs from its punch port to distinct random ports of the opener's
 * address. Both varying (or neither known): the initiator opens. One
 * wave each, shorter than the first SYN retransmission (1 s), so the
 * SYNs sent are exactly the connect() calls and the budget is a hard
 * cap; the sprayer starts BIRTHDAY_LAG after the opener so that its SYNs
 * find the opener's mappings already made. */
#include <string.h>

#include "cellcond.h"
#include "log.h"
#include "loop.h"
#include "strategy.h"

#define STRATEGY_BIRTHDAY_LAG_NS (200 * LOOP_NS_PER_MS)
#define STRATEGY_OPEN_WAVE_NS (950 * LOOP_NS_PER_MS)
#define STRATEGY_SPRAY_WAVE_NS (700 * LOOP_NS_PER_MS)
/* The sprayed range: the symmetric profiles' port_range. */
#define STRATEGY_SPRAY_LO 1024
#define STRATEGY_SPRAY_HI 65535

static unsigned strategy_n(unsigned v, unsigned dflt)
{
	if (!v)
		v = dflt;
	return v > PUNCH_MAX_PORTS ? PUNCH_MAX_PORTS : v;
}

static uint64_t strategy_splitmix(uint64_t *x)
{
	uint64_t z = (*x += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

void strategy_spray_ports(uint64_t seed, unsigned m, uint16_t lo,
			  uint16_t hi, uint16_t *out)
{
	static uint8_t seen[65536 / 8];
	unsigned span = (unsigned)hi - lo + 1, n = 0;

	memset(seen, 0, sizeof(seen));
	while (n < m && n < span) {
		uint16_t port = (uint16_t)(lo + strategy_splitmix(&seed) % span);

		if (seen[port / 8] & (1u << (port % 8)))
			continue;
		seen[port / 8] |= (uint8_t)(1u << (port % 8));
		out[n++] = port;
	}
}

static void strategy_predict(const struct strategy_opts *so,
			     const struct coord_punch *pu,
			     struct punch_params *pp)
{
	unsigned k = strategy_n(so->predict_window, STRATEGY_PREDICT_WINDOW);

	if (!pu->predict || !pu->peer_next) {
		log_warnx("no port prediction from the coordinator: "
			  "predict punches with connect waves");
		return;
	}
	if (!pu->peer_delta)
		return; /* an EIM peer: its announced port */
	for (unsigned i = 0; i < k; i++)
		pp->ports[i] = (uint16_t)(pu->peer_next + i * pu->peer_delta);
	pp->nports = k;
	/* The peer sends one SYN per port of its window on us: k when our
	 * NAT moves too, else one; each takes the peer's next port. */
	pp->port_step = pu->peer_delta * (int)(pu->self_delta ? k : 1);
}

enum strategy_birthday_role strategy_birthday_role(const struct coord_punch *pu)
{
	int self_varies = pu->predict && pu->self_delta;
	int peer_varies = pu->predict && pu->peer_delta;

	if (self_varies != peer_varies)
		return self_varies ? STRATEGY_BIRTHDAY_OPEN
				   : STRATEGY_BIRTHDAY_SPRAY;
	return pu->role == COORD_ROLE_INITIATOR ? STRATEGY_BIRTHDAY_OPEN
						: STRATEGY_BIRTHDAY_SPRAY;
}

static void strategy_birthday(const struct strategy_opts *so,
			      const struct coord_punch *pu,
			      struct punch_params *pp, struct strategy_choice *ch)
{
	ch->birthday = strategy_birthday_role(pu);
	pp->max_waves = 1;
	if (ch->birthday == STRATEGY_BIRTHDAY_OPEN) {
		pp->sockets = strategy_n(so->birthday_sockets,
					 STRATEGY_BIRTHDAY_N);
		pp->wave_ns = STRATEGY_OPEN_WAVE_NS;
		return;
	}
	pp->nports = strategy_n(so->birthday_ports, STRATEGY_BIRTHDAY_N);
	strategy_spray_ports(pu->nonce, pp->nports, STRATEGY_SPRAY_LO,
			     STRATEGY_SPRAY_HI, pp->ports);
	pp->t_start_ns += STRATEGY_BIRTHDAY_LAG_NS;
	pp->wave_ns = STRATEGY_SPRAY_WAVE_NS;
}

void strategy_params(const struct strategy_opts *so,
		     const struct coord_punch *pu, struct punch_params *pp,
		     struct strategy_choice *ch)
{
	memset(ch, 0, sizeof(*ch));
	pp->initiator = pu->role == COORD_ROLE_INITIATOR;
	pp->syn_budget = so->syn_budget;
	switch (so->strategy) {
	case CELLCOND_LOW_TTL:
		/* The hops to the coordinator: the first SYN crosses our
		 * own NAT(s) and dies at the core router past them. */
		pp->ttl = ch->ttl = pu->hops;
		if (!pp->ttl)
			log_warnx("no hop count from the coordinator: "
				  "low-ttl punches without its first SYN");
		/* No listener: its SYN-ACK would carry another ISN than
		 * the one our NAT tracks (see punch.c). */
		break;
	case CELLCOND_LISTEN_CONNECT:
		pp->listen = 1;
		break;
	case CELLCOND_PREDICT:
		strategy_predict(so, pu, pp);
		break;
	case CELLCOND_BIRTHDAY:
		strategy_birthday(so, pu, pp, ch);
		break;
	default:
		break;
	}
}
