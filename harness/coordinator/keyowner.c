/* keyowner: the binding is a flag on the connection (owns_key, set when
 * its registration was accepted) and, for the owners --key-owner counts,
 * a place in the owners' index (keyindex.h) that clients.c gives up when
 * the connection is reaped; so it ends with the connection and a check
 * reads only the owners of its own key. Without --key-owner the modes'
 * own checks stand: rendezvous refuses a third registration only while
 * two are still unpaired, advertised a HOLD only while the holder is
 * registered. */
#include "keyowner.h"

static int keyowner_unpaired(const struct conn *o)
{
	return o->state == CONN_PINGED || o->state == CONN_WAITING;
}

/* 1 when c's registration binds its key (and is looked for by the next
 * one): never in handoff mode nor for key 0; in advertised mode only a
 * holder's, seekers sharing the holder's key by design. */
static int keyowner_binds(const struct clients *cl, const struct conn *c)
{
	if (!cl->opt.key_owner || cl->opt.mode == OPTS_HANDOFF || !c->key)
		return 0;
	return cl->opt.mode != OPTS_ADVERTISED || (c->flags & COORD_REG_HOLD);
}

const char *keyowner_busy(const struct clients *cl, const struct conn *c)
{
	unsigned owners = 0, unpaired = 0;

	if (!keyowner_binds(cl, c))
		return NULL;
	for (const struct conn *o = keyindex_chain(&cl->keys, c->key); o;
	     o = o->key_next) {
		if (o == c || o->dead || o->key != c->key)
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

int keyowner_bind(struct clients *cl, struct conn *c)
{
	c->owns_key = true;
	return keyowner_binds(cl, c) ? keyindex_add(&cl->keys, c) : 0;
}
