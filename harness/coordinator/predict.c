/* predict: port deltas from a probe and a registration of one punch port.
 * The probe comes first (the agent waits for its close before it
 * registers), so the registration's port is the later mapping and
 * registration + delta is the mapping of the punch's first SYN, as long
 * as nothing else behind that NAT opens a connection in between. */
#include <errno.h>
#include <string.h>

#include "conn.h"
#include "log.h"
#include "predict.h"

void predict_note_probe(struct predict_table *t, const struct conn *c,
			uint64_t key, int64_t now_us)
{
	struct predict_probe *p = &t->p[t->next];

	t->next = (t->next + 1) % PREDICT_PROBES;
	p->key = key;
	memcpy(p->ip, c->observed.ip, sizeof(p->ip));
	p->port = c->observed.port;
	p->t_us = now_us ? now_us : 1;
	log_debug("%s: probe for key %llu", c->name, (unsigned long long)key);
}

int predict_take_probe(struct predict_table *t, struct conn *c,
		       int64_t now_us, int64_t max_age_us)
{
	struct predict_probe *best = NULL;

	for (unsigned i = 0; i < PREDICT_PROBES; i++) {
		struct predict_probe *p = &t->p[i];

		if (!p->t_us || p->key != c->key ||
		    memcmp(p->ip, c->observed.ip, sizeof(p->ip)) ||
		    now_us - p->t_us > max_age_us)
			continue;
		if (!best || p->t_us > best->t_us)
			best = p;
	}
	if (!best)
		return -ENOENT;
	c->have_probe = true;
	c->probe_port = best->port;
	best->t_us = 0;
	log_info("%s: probe port %u, delta %d", c->name, c->probe_port,
		 (int)coord_port_delta(c->probe_port, c->observed.port));
	return 0;
}

static int16_t predict_delta(const struct conn *c)
{
	return c->have_probe ? coord_port_delta(c->probe_port, c->observed.port)
			     : 0;
}

void predict_fill(struct coord_punch *m, const struct conn *self,
		  const struct conn *peer)
{
	if (!(self->flags & COORD_REG_PREDICT))
		return;
	m->predict = 1;
	m->self_delta = predict_delta(self);
	m->peer_delta = predict_delta(peer);
	m->peer_next = peer->have_probe
			       ? coord_port_next(peer->observed.port,
						 m->peer_delta)
			       : 0;
}
