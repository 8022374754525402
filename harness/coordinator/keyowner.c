/* keyowner: the binding is a flag on the connection (owns_key, set when
 * its registration was accepted), so it ends when the connection is
 * reaped and needs no table of its own. Without --key-owner the modes'
 * own checks stand: rendezvous refuses a third registration only while
 * two are still unpaired, advertised a HOLD only while the holder is
 * registered. */
#include "keyowner.h"

static int keyowner_unpaired(const struct conn *o)
{
	return o->state == CONN_PINGED || o->state == CONN_WAITING;
}

const char *keyowner_busy(const struct clients *cl, const struct conn *c)
{
	unsigned owners = 0, unpaired = 0;

	if (!cl->opt.key_owner || cl->opt.mode == OPTS_HANDOFF || !c->key)
		return NULL;
	if (cl->opt.mode == OPTS_ADVERTISED && !(c->flags & COORD_REG_HOLD))
		return NULL; /* seekers share the holder's key by design */
	for (size_t i = 0; i < cl->n; i++) {
		const struct conn *o = cl->conns[i];

		if (o == c || o->dead || !o->owns_key || o->key != c->key)
			continue;
		if (cl->opt.mode == OPTS_ADVERTISED &&
		    !(o->flags & COORD_REG_HOLD))
			continue;
		owners++;
		unpaired += keyowner_unpaired(o);
	}
	if (cl->opt.mode == OPTS_ADVERTISED)
		return owners ? "key-owned" : NULL;
	/* Rendezvous: only a lone owner still waiting takes a partner. */
	return owners == 0 || (owners == 1 && unpaired == 1) ? NULL
							      : "key-owned";
}
