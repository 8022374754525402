/* advertised: holders and seekers. The seeker is the initiator: the
 * punched connection is its outbound, picked from its address manager,
 * and the holder answers as for any inbound. A holder never times out
 * while it answers keepalive pings (a light connection is meant to last);
 * only its silence ends it. */
#include "addr6.h"
#include "advertised.h"
#include "control.h"
#include "eclipse.h"
#include "evlog.h"
#include "log.h"
#include "monoclock.h"
#include "pairing.h"

static int64_t advertised_interval_us(const struct clients *cl)
{
	return (int64_t)cl->opt.hold_timeout_ms * 1000 / 2;
}

bool advertised_is_holder(const struct clients *cl, const struct conn *c)
{
	return cl->opt.mode == OPTS_ADVERTISED && (c->flags & COORD_REG_HOLD);
}

/* The registered holder of key other than c (RTT known or not), or NULL.
 * A liar (--eclipse) names the attacker's holder to every honest seeker. */
static struct conn *advertised_holder(const struct clients *cl, uint64_t key,
				      const struct conn *c)
{
	if (cl->opt.eclipse && (c->flags & COORD_REG_SEEK) &&
	    !(c->flags & COORD_REG_ATTACKER))
		return eclipse_holder(cl, c);
	for (size_t i = 0; i < cl->n; i++) {
		struct conn *o = cl->conns[i];

		if (o != c && !o->dead && o->key == key &&
		    addr6_same_family(&o->observed, &c->observed) &&
		    advertised_is_holder(cl, o) &&
		    (o->state == CONN_PINGED || o->state == CONN_WAITING))
			return o;
	}
	return NULL;
}

bool advertised_refuse(struct clients *cl, struct conn *c)
{
	unsigned role = c->flags & (COORD_REG_HOLD | COORD_REG_SEEK);

	if (role != COORD_REG_HOLD && role != COORD_REG_SEEK)
		clients_reject(cl, c, COORD_REJECT_NO_PEER,
			       "advertised mode: register to hold or to seek",
			       "no-role");
	else if (role == COORD_REG_HOLD && advertised_holder(cl, c->key, c))
		clients_reject(cl, c, COORD_REJECT_KEY_BUSY, "key already held",
			       "key-held");
	else if (role == COORD_REG_SEEK && !advertised_holder(cl, c->key, c))
		clients_reject(cl, c, COORD_REJECT_NO_PEER,
			       "nobody holds the key", "no-holder");
	else
		return false;
	return true;
}

/* Seeker s (initiator) and holder h (responder), back to back as in
 * pairing_punch; only the seeker's session ends. */
static void advertised_punch(struct clients *cl, struct conn *s, struct conn *h)
{
	uint64_t nonce = clients_random64();
	uint32_t ds = pairing_delay_ms(s->rtt_us, h->rtt_us, cl->opt.margin_ms);
	uint32_t dh = pairing_delay_ms(h->rtt_us, s->rtt_us, cl->opt.margin_ms);

	h->punches++;
	log_info("seek key %llu: %s (initiator, %u ms) <-> holder %s (%u ms, "
		 "punch %u)",
		 (unsigned long long)h->key, s->name, ds, h->name, dh,
		 h->punches);
	evlog_seek(h->key, s->name, h->name, nonce, ds, dh, h->punches);
	if (pairing_send(cl, s, h, COORD_ROLE_INITIATOR, nonce, ds))
		clients_drop(s, "output-overflow");
	else
		clients_finish(s);
	if (pairing_send(cl, h, s, COORD_ROLE_RESPONDER, nonce, dh))
		clients_drop(h, "output-overflow");
	pairing_flush_both(s, h, nonce, ds);
}

static void advertised_hold(struct clients *cl, struct conn *h)
{
	h->deadline_us = mono_us() + advertised_interval_us(cl);
	log_info("hold %s key %llu", h->name, (unsigned long long)h->key);
	evlog_hold(h->name, h->key, h->rtt_us);
	control_held(h->key);
	/* Seekers that came while its ping was out. */
	for (size_t i = 0; i < cl->n && !h->dead; i++) {
		struct conn *o = cl->conns[i];

		if (o != h && !o->dead && o->state == CONN_WAITING &&
		    !advertised_is_holder(cl, o) &&
		    (cl->opt.eclipse ? advertised_holder(cl, o->key, o) == h
				     : o->key == h->key))
			advertised_punch(cl, o, h);
	}
}

void advertised_ready(struct clients *cl, struct conn *c)
{
	struct conn *h;

	if (advertised_is_holder(cl, c)) {
		advertised_hold(cl, c);
		return;
	}
	h = advertised_holder(cl, c->key, c);
	if (!h) {
		clients_reject(cl, c, COORD_REJECT_NO_PEER,
			       "the holder has gone", "no-holder");
		clients_flush(c);
		return;
	}
	/* Its RTT ping is out: advertised_hold serves c at its pong. */
	if (h->state == CONN_WAITING)
		advertised_punch(cl, c, h);
}

void advertised_pong(struct clients *cl, struct conn *c, uint64_t nonce,
		     int64_t now_us)
{
	if (!advertised_is_holder(cl, c) || !c->ping_due ||
	    nonce != c->ping_nonce)
		return;
	c->ping_due = false;
	c->rtt_us = now_us - c->ping_sent_us;
	c->deadline_us = c->ping_sent_us + advertised_interval_us(cl);
	log_debug("%s: keepalive rtt %lld us", c->name, (long long)c->rtt_us);
}

void advertised_keepalive(struct clients *cl, struct conn *c, int64_t now_us)
{
	uint8_t nonce[8];

	if (c->ping_due) {
		log_info("holder %s key %llu silent: dropped", c->name,
			 (unsigned long long)c->key);
		clients_drop(c, "hold-timeout");
		return;
	}
	c->ping_nonce = clients_random64();
	p2p_put_u64le(nonce, c->ping_nonce);
	if (clients_send(cl, c, "ping", nonce, sizeof(nonce))) {
		clients_drop(c, "output-overflow");
		return;
	}
	c->ping_due = true;
	c->ping_sent_us = now_us;
	c->deadline_us = now_us + advertised_interval_us(cl);
	clients_flush(c);
}
