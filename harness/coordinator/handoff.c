/* handoff: slot accounting and the choice of whom to hand a newcomer to.
 * The newcomer is the initiator: it is the one that just arrived, so its
 * hppunch is the fresh news, and the held peer has been waiting to answer. */
#include "addr6.h"
#include "control.h"
#include "eclipse.h"
#include "evlog.h"
#include "handoff.h"
#include "log.h"
#include "pairing.h"

static int handoff_is_held(const struct conn *o)
{
	return !o->dead && o->state == CONN_WAITING;
}

unsigned handoff_held(const struct clients *cl)
{
	unsigned n = 0;

	for (size_t i = 0; i < cl->n; i++)
		n += handoff_is_held(cl->conns[i]);
	return n;
}

struct conn *handoff_pick(const struct clients *cl, const struct conn *c)
{
	struct conn *same = NULL, *oldest = NULL;

	for (size_t i = 0; i < cl->n; i++) {
		struct conn *o = cl->conns[i];

		if (o == c || !handoff_is_held(o) ||
		    !(o->flags & COORD_REG_UNREACHABLE) ||
		    !addr6_same_family(&o->observed, &c->observed))
			continue;
		if (!oldest || o->seq < oldest->seq)
			oldest = o;
		if (c->key && o->key == c->key && (!same || o->seq < same->seq))
			same = o;
	}
	return same ? same : oldest;
}

void handoff_admit(struct clients *cl, struct conn *c)
{
	unsigned held = handoff_held(cl); /* c is among them already */
	struct conn *p = cl->opt.eclipse ? eclipse_find(cl, c) : NULL;
	uint32_t di, dr;
	uint64_t nonce;

	/* A liar hands every newcomer to a held peer of the other side at
	 * once, and never one honest peer to another. */
	if (p)
		goto hand;
	if (held <= (unsigned)cl->opt.inbound_limit) {
		log_info("inbound %s key %llu (%u of %d slots)", c->name,
			 (unsigned long long)c->key, held,
			 cl->opt.inbound_limit);
		evlog_inbound(c->name, c->key,
			      !!(c->flags & COORD_REG_UNREACHABLE), held);
		control_held(c->key);
		return;
	}
	/* A newcomer that can take inbound connections itself gains nothing
	 * from a handoff: it meets the full slots as any node does. */
	if (!cl->opt.eclipse && (c->flags & COORD_REG_UNREACHABLE))
		p = handoff_pick(cl, c);
	if (!p) {
		clients_reject(cl, c, COORD_REJECT_INBOUND_FULL,
			       "inbound slots full", "inbound-full");
		clients_flush(c);
		return;
	}
hand:
	nonce = clients_random64();
	di = pairing_delay_ms(c->rtt_us, p->rtt_us, cl->opt.margin_ms);
	dr = pairing_delay_ms(p->rtt_us, c->rtt_us, cl->opt.margin_ms);
	log_info("handoff: %s (key %llu, initiator, %u ms) <-> held %s "
		 "(key %llu, %u ms)",
		 c->name, (unsigned long long)c->key, di, p->name,
		 (unsigned long long)p->key, dr);
	/* Both leave the slots: c never held one, p gives its back. */
	evlog_handoff(c->name, p->name, c->key, p->key, nonce, di, dr,
		      held - 2);
	pairing_punch(cl, c, p, nonce, di, dr);
}
