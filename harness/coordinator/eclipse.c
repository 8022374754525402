/* eclipse: the lie is only in whom a registration is paired with; the
 * hppunch itself is honest (the attacker's real endpoint), so the victim
 * punches and completes a real connection to the attacker's node. */
#include "addr6.h"
#include "eclipse.h"

static int eclipse_is_attacker(const struct conn *c)
{
	return !!(c->flags & COORD_REG_ATTACKER);
}

struct conn *eclipse_find(struct clients *cl, const struct conn *c)
{
	struct conn *best = NULL;

	for (size_t i = 0; i < cl->n; i++) {
		struct conn *o = cl->conns[i];

		/* one family, as pairing.c: the hppunch stays honest, an
		 * endpoint the victim's socket can reach */
		if (o == c || o->dead || o->state != CONN_WAITING ||
		    eclipse_is_attacker(o) == eclipse_is_attacker(c) ||
		    !addr6_same_family(&o->observed, &c->observed))
			continue;
		if (!best || o->seq < best->seq)
			best = o;
	}
	return best;
}

struct conn *eclipse_holder(const struct clients *cl, const struct conn *s)
{
	struct conn *best = NULL;

	if (eclipse_is_attacker(s))
		return NULL;
	for (size_t i = 0; i < cl->n; i++) {
		struct conn *o = cl->conns[i];

		if (o == s || o->dead || !eclipse_is_attacker(o) ||
		    !(o->flags & COORD_REG_HOLD) ||
		    !addr6_same_family(&o->observed, &s->observed) ||
		    (o->state != CONN_PINGED && o->state != CONN_WAITING))
			continue;
		if (!best || o->punches < best->punches)
			best = o;
	}
	return best;
}
