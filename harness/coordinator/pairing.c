/* pairing: the rendezvous rule. The earlier registration becomes the
 * initiator; each side learns the other's endpoint exactly as the
 * coordinator saw it, which is what its NAT will show the peer too
 * (when the NAT's mapping is endpoint-independent). */
#include <stdint.h>

#include "addr6.h"
#include "eclipse.h"
#include "evlog.h"
#include "log.h"
#include "pairing.h"
#include "predict.h"
#include "tap.h"

uint32_t pairing_delay_ms(int64_t rtt_self_us, int64_t rtt_other_us,
			  int margin_ms)
{
	int64_t rmax = rtt_self_us > rtt_other_us ? rtt_self_us : rtt_other_us;
	int64_t d_us = rmax / 2 + (int64_t)margin_ms * 1000;
	int64_t delay_us = d_us - rtt_self_us / 2;

	if (delay_us <= 0)
		return 0;
	if (delay_us / 1000 >= UINT32_MAX)
		return UINT32_MAX;
	return (uint32_t)((delay_us + 500) / 1000);
}

static struct conn *pairing_find(struct clients *cl, const struct conn *c)
{
	struct conn *best = NULL;

	for (size_t i = 0; i < cl->n; i++) {
		struct conn *o = cl->conns[i];

		/* Only one family: an IPv4 punch socket cannot reach an
		 * IPv6 endpoint, nor the reverse. */
		if (o == c || o->dead || o->state != CONN_WAITING ||
		    o->key != c->key ||
		    !addr6_same_family(&o->observed, &c->observed))
			continue;
		if (!best || o->seq < best->seq)
			best = o;
	}
	return best;
}

int pairing_send(struct clients *cl, struct conn *self,
		 const struct conn *peer, uint8_t role, uint64_t nonce,
		 uint32_t delay_ms)
{
	struct coord_punch m = {
		.peer = peer->observed,
		.self = self->observed,
		.role = role,
		.nonce = nonce,
		.delay_ms = delay_ms,
		.rtt_us = self->rtt_us > UINT32_MAX ? UINT32_MAX
						    : (uint32_t)self->rtt_us,
		/* Only to an agent that reads it: the older 35 bytes
		 * otherwise. */
		.ext = !!(self->flags & COORD_REG_EXT),
		.hops = self->hops,
	};
	uint8_t buf[COORD_PUNCH_PREDICT_LEN];
	int n;

	predict_fill(&m, self, peer);
	m.peer.services = peer->their_services;
	m.self.services = self->their_services;
	n = coord_punch_encode(buf, sizeof(buf), &m);
	if (n < 0)
		return n;
	return clients_send(cl, self, COORD_CMD_PUNCH, buf, (size_t)n);
}

void pairing_flush_both(struct conn *a, struct conn *b, uint64_t nonce,
			uint32_t delay_a_ms)
{
	if (nonce & 1) {
		clients_flush(b);
		clients_flush(a);
	} else {
		clients_flush(a);
		clients_flush(b);
	}
	tap_pair(a, b, delay_a_ms);
}

void pairing_punch(struct clients *cl, struct conn *ini, struct conn *rsp,
		   uint64_t nonce, uint32_t delay_ini_ms, uint32_t delay_rsp_ms)
{
	/* Sent back to back so the schedule starts from one instant. */
	if (pairing_send(cl, ini, rsp, COORD_ROLE_INITIATOR, nonce,
			 delay_ini_ms))
		clients_drop(ini, "output-overflow");
	else
		clients_finish(ini);
	if (pairing_send(cl, rsp, ini, COORD_ROLE_RESPONDER, nonce,
			 delay_rsp_ms))
		clients_drop(rsp, "output-overflow");
	else
		clients_finish(rsp);
	pairing_flush_both(ini, rsp, nonce, delay_ini_ms);
}

void pairing_try(struct clients *cl, struct conn *c)
{
	struct conn *p = cl->opt.eclipse ? eclipse_find(cl, c)
					 : pairing_find(cl, c),
		    *ini, *rsp;
	uint32_t di, dr;
	uint64_t nonce;

	if (!p)
		return;
	ini = p->seq < c->seq ? p : c;
	rsp = ini == p ? c : p;
	nonce = clients_random64();
	di = pairing_delay_ms(ini->rtt_us, rsp->rtt_us, cl->opt.margin_ms);
	dr = pairing_delay_ms(rsp->rtt_us, ini->rtt_us, cl->opt.margin_ms);

	log_info("match key %llu: %s (initiator, %u ms) <-> %s (%u ms)",
		 (unsigned long long)c->key, ini->name, di, rsp->name, dr);
	evlog_match(c->key, ini->name, rsp->name, nonce, di, dr);
	pairing_punch(cl, ini, rsp, nonce, di, dr);
}
