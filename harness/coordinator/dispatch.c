/* dispatch: the coordinator's side of the conversation. Like a Bitcoin
 * node it ignores commands it does not know; unlike one it drops a client
 * at the first message that breaks the coordinator protocol, since a
 * well-behaved agent never sends one. */
#include <string.h>
#include <time.h>

#include "addr6.h"
#include "advertised.h"
#include "dispatch.h"
#include "monoclock.h"
#include "evlog.h"
#include "handoff.h"
#include "keyowner.h"
#include "log.h"
#include "pairing.h"
#include "predict.h"

static const char *dispatch_version(struct clients *cl, struct conn *c,
				    const struct p2p_hdr *h,
				    const uint8_t *payload)
{
	struct p2p_version theirs, ours;
	uint8_t buf[256];
	int n;

	if (p2p_version_decode(payload, h->length, &theirs))
		return "bad-payload";
	c->their_services = theirs.services;
	log_debug("%s: version %d %s services 0x%llx", c->name,
		  (int)theirs.version, theirs.user_agent,
		  (unsigned long long)theirs.services);

	/* addr_recv tells the client how it looks from here, as Core does. */
	coord_version_init(&ours, &c->observed, theirs.services,
			   clients_random64());
	n = p2p_version_encode(buf, sizeof(buf), &ours);
	if (n < 0)
		return "internal";
	if (clients_send(cl, c, "version", buf, (size_t)n) ||
	    clients_send(cl, c, "verack", NULL, 0))
		return "output-overflow";
	c->state = CONN_READY;
	return NULL;
}

/* Two registrants of c's family under the key: each family pairs on its
 * own (an IPv4 and an IPv6 pair may share a key). */
static int dispatch_key_busy(const struct clients *cl, const struct conn *c,
			     uint64_t key)
{
	int n = 0;

	if (key == 0)
		return 0;
	for (size_t i = 0; i < cl->n; i++) {
		const struct conn *o = cl->conns[i];

		if (!o->dead && o->key == key &&
		    addr6_same_family(&o->observed, &c->observed) &&
		    (o->state == CONN_PINGED || o->state == CONN_WAITING))
			n++;
	}
	return n >= 2;
}

static const char *dispatch_register(struct clients *cl, struct conn *c,
				     const struct p2p_hdr *h,
				     const uint8_t *payload)
{
	struct coord_register reg;
	uint8_t nonce[8];

	if (c->state != CONN_READY)
		return "duplicate-register";
	if (coord_register_decode(payload, h->length, &reg))
		return "bad-payload";
	c->key = reg.key;
	c->flags = reg.flags;
	if (reg.proto != COORD_PROTO) {
		clients_reject(cl, c, COORD_REJECT_PROTO,
			       "unsupported coordinator protocol", "proto");
		return NULL;
	}
	/* A probe only shows its port; it never pairs. Its close tells the
	 * agent the port is noted (predict.h). */
	if (reg.flags & COORD_REG_PROBE) {
		predict_note_probe(&cl->probes, c, reg.key, mono_us());
		clients_finish(c);
		clients_flush(c);
		return NULL;
	}
	if ((reg.flags & COORD_REG_PREDICT) &&
	    predict_take_probe(&cl->probes, c, mono_us(),
			       (int64_t)cl->opt.pair_timeout_ms * 1000))
		log_info("%s: predict without a probe: no delta", c->name);
	if (keyowner_busy(cl, c)) {
		clients_reject(cl, c, COORD_REJECT_KEY_BUSY,
			       "key bound to another connection", "key-owned");
		return NULL;
	}
	if (cl->opt.mode == OPTS_ADVERTISED && advertised_refuse(cl, c))
		return NULL;
	/* In handoff mode a key is only a preference, shared by any number
	 * of held peers. */
	if (cl->opt.mode == OPTS_RENDEZVOUS && dispatch_key_busy(cl, c, reg.key)) {
		clients_reject(cl, c, COORD_REJECT_KEY_BUSY,
			       "key already has two peers", "key-full");
		return NULL;
	}
	c->seq = cl->next_seq++;
	c->deadline_us =
		mono_us() + (int64_t)cl->opt.pair_timeout_ms * 1000;

	/* RTT from a Bitcoin ping the client must answer anyway. */
	c->ping_nonce = clients_random64();
	p2p_put_u64le(nonce, c->ping_nonce);
	if (clients_send(cl, c, "ping", nonce, sizeof(nonce)))
		return "output-overflow";
	c->state = CONN_PINGED;
	if (keyowner_bind(cl, c))
		return "out-of-memory";
	c->ping_sent_us = mono_us();
	clients_flush(c);
	log_debug("%s: registered key %llu flags 0x%02x", c->name,
		  (unsigned long long)reg.key, reg.flags);
	return NULL;
}

static const char *dispatch_pong(struct clients *cl, struct conn *c,
				 const struct p2p_hdr *h,
				 const uint8_t *payload)
{
	int64_t now = mono_us();

	if (h->length != 8)
		return "bad-payload";
	/* A holder's keepalive (advertised.h). */
	if (c->state == CONN_WAITING) {
		advertised_pong(cl, c, p2p_get_u64le(payload), now);
		return NULL;
	}
	/* A pong for someone else's ping is ignored, as Core does. */
	if (c->state != CONN_PINGED || p2p_get_u64le(payload) != c->ping_nonce)
		return NULL;
	c->rtt_us = now - c->ping_sent_us;
	c->state = CONN_WAITING;
	log_info("register %s key %llu rtt %lld us", c->name,
		 (unsigned long long)c->key, (long long)c->rtt_us);
	evlog_register(c->key, c->name, c->rtt_us,
		       !!(c->flags & COORD_REG_UNREACHABLE));
	if (cl->opt.mode == OPTS_HANDOFF)
		handoff_admit(cl, c);
	else if (cl->opt.mode == OPTS_ADVERTISED)
		advertised_ready(cl, c);
	else
		pairing_try(cl, c);
	return NULL;
}

static const char *dispatch_one(struct clients *cl, struct conn *c,
				const struct p2p_hdr *h, const uint8_t *payload)
{
	const char *cmd = h->command;

	if (c->state == CONN_HELLO) {
		if (strcmp(cmd, "version"))
			return "protocol";
		return dispatch_version(cl, c, h, payload);
	}
	if (!strcmp(cmd, "version"))
		return "protocol";
	if (!strcmp(cmd, "ping")) {
		if (h->length != 8)
			return "bad-payload";
		if (clients_send(cl, c, "pong", payload, 8))
			return "output-overflow";
		return NULL;
	}
	if (!strcmp(cmd, "pong"))
		return dispatch_pong(cl, c, h, payload);
	if (!strcmp(cmd, COORD_CMD_REGISTER))
		return dispatch_register(cl, c, h, payload);
	/* Our own commands never travel towards the coordinator. */
	if (!strcmp(cmd, COORD_CMD_PUNCH) || !strcmp(cmd, COORD_CMD_REJECT))
		return "protocol";
	log_debug("%s: ignoring %s", c->name, cmd);
	return NULL;
}

const char *dispatch_message(struct clients *cl, struct conn *c,
			     const struct p2p_hdr *h, const uint8_t *payload)
{
	const char *reason = dispatch_one(cl, c, h, payload);

	if (reason)
		log_info("%s: refusing %s (%u bytes) in state %d", c->name,
			 h->command, (unsigned)h->length, (int)c->state);
	return reason;
}
