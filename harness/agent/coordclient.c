/* coordclient: rendezvous through the coordinator. The socket is bound to
 * the punch port first, so the endpoint the coordinator sees is the NAT
 * mapping the punch will reuse. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "monoclock.h"
#include "coordclient.h"
#include "coordprobe.h"
#include "log.h"
#include "loop.h"
#include "msgio.h"
#include "node.h"
#include "sock.h"

static int coordclient_connect(const struct coordclient_params *p,
			       struct coordclient *c, struct outcome *o)
{
	char where[64];
	int r;

	c->fd = sock_bound_af(p->coord.sa.sa_family, p->local_port);
	if (c->fd < 0) {
		r = c->fd;
		c->fd = -1;
		return outcome_set(o, OUTCOME_BIND, "bind %s:%u: %s",
				   addr6_any_str(p->coord.sa.sa_family),
				   p->local_port, outcome_errstr(r));
	}
	sock_str(&p->coord.sa, where, sizeof(where));
	r = sock_connect(c->fd, &p->coord.sa, addr6_len(&p->coord));
	if (r == -EINPROGRESS)
		r = sock_wait_connect(c->fd, p->setup_deadline_ns);
	if (r) {
		/* Another socket already using this 4-tuple is a port reuse
		 * failure, not the coordinator's. */
		if (r == -EADDRNOTAVAIL || r == -EADDRINUSE)
			return outcome_set(o, OUTCOME_BIND, "connect %s: %s",
					   where, outcome_errstr(r));
		return outcome_errno(o, OUTCOME_COORDINATOR, r, "connect");
	}
	log_debug("connected to coordinator %s from port %u", where,
		  p->local_port);
	return 0;
}

static int coordclient_register(struct msgio *m,
				const struct coordclient_params *p,
				struct coordclient *c, struct outcome *o)
{
	struct coord_register reg = {
		.proto = COORD_PROTO,
		.key = p->key,
		.flags = (p->handoff ? COORD_REG_UNREACHABLE : 0) |
			 (p->ext ? COORD_REG_EXT : 0) |
			 (p->predict ? COORD_REG_PREDICT : 0) |
			 (p->hold ? COORD_REG_HOLD : 0) |
			 (p->seek ? COORD_REG_SEEK : 0),
	};
	uint8_t buf[COORD_REGISTER_FLAGS_LEN];
	int len, r;

	len = coord_register_encode(buf, sizeof(buf), &reg);
	if (len < 0)
		return outcome_errno(o, OUTCOME_SETUP, len, "hpregister");
	c->t_register_ns = mono_ns();
	r = msgio_send(m, COORD_CMD_REGISTER, buf, (size_t)len,
		       p->setup_deadline_ns);
	if (r)
		return outcome_errno(o, OUTCOME_COORDINATOR, r, "hpregister");
	log_debug("registered with key %" PRIu64 "%s", p->key,
		  p->handoff ? " as unreachable"
		  : p->hold  ? " as its holder"
		  : p->seek  ? " as a seeker"
			     : "");
	return 0;
}

/* hpreject: the coordinator's reason, except for the handoff outcomes the
 * harness counts by their exact text. */
static int coordclient_rejected(const struct coordclient_params *p,
				const struct coord_reject *rej,
				struct outcome *o)
{
	if (p->handoff && rej->code == COORD_REJECT_INBOUND_FULL) {
		log_info("coordinator: %s", rej->reason);
		return outcome_set(o, OUTCOME_COORDINATOR,
				   "inbound slots full");
	}
	if (p->handoff && rej->code == COORD_REJECT_NO_PEER) {
		log_info("coordinator let us go: %s", rej->reason);
		return outcome_set(o, OUTCOME_COORDINATOR,
				   "stayed an inbound peer");
	}
	if (p->hold && rej->code == COORD_REJECT_KEY_BUSY) {
		log_info("coordinator: %s", rej->reason);
		return outcome_set(o, OUTCOME_COORDINATOR, "key already held");
	}
	if (p->seek && rej->code == COORD_REJECT_NO_PEER) {
		log_info("coordinator: %s", rej->reason);
		return outcome_set(o, OUTCOME_COORDINATOR,
				   "nobody holds the key");
	}
	return outcome_set(o, OUTCOME_COORDINATOR, "rejected (code %u): %s",
			   rej->code, rej->reason);
}

/* One message while waiting for the match: 1 when it was hppunch, 0 to go
 * on waiting, -1 with o filled. */
static int coordclient_handle(struct msgio *m, const struct p2p_hdr *h,
			      const uint8_t *payload,
			      const struct coordclient_params *p,
			      struct coordclient *c, struct outcome *o)
{
	int64_t deadline_ns = p->match_deadline_ns;
	struct coord_reject rej;
	int r;

	if (!strcmp(h->command, "ping")) {
		r = node_pong(m, payload, h->length, deadline_ns);
		if (r)
			return outcome_errno(o, OUTCOME_COORDINATOR, r, "ping");
		return 0;
	}
	if (!strcmp(h->command, COORD_CMD_REJECT)) {
		if (coord_reject_decode(payload, h->length, &rej))
			return outcome_set(o, OUTCOME_COORDINATOR,
					   "malformed hpreject (%" PRIu32
					   " bytes)",
					   h->length);
		return coordclient_rejected(p, &rej, o);
	}
	if (strcmp(h->command, COORD_CMD_PUNCH))
		return 0;
	c->t_match_ns = mono_ns();
	if (coord_punch_decode(payload, h->length, &c->punch))
		return outcome_set(o, OUTCOME_COORDINATOR,
				   "malformed hppunch (%" PRIu32 " bytes)",
				   h->length);
	return 1;
}

static int coordclient_wait_match(struct msgio *m,
				  const struct coordclient_params *p,
				  struct coordclient *c, struct outcome *o)
{
	const uint8_t *payload;
	struct p2p_hdr h;
	int r;

	for (;;) {
		r = msgio_recv(m, &h, &payload, p->match_deadline_ns);
		if (r == -ETIMEDOUT)
			return outcome_set(o, OUTCOME_COORDINATOR,
					   p->handoff ? "stayed an inbound peer"
					   : p->hold  ? "nobody sought us"
						      : "no match before the "
							"deadline");
		if (r)
			return outcome_errno(o, OUTCOME_COORDINATOR, r,
					     "waiting for hppunch");
		r = coordclient_handle(m, &h, payload, p, c, o);
		if (r)
			return r > 0 ? 0 : r;
	}
}

int coordclient_run(const struct coordclient_params *p, struct coordclient *c,
		    struct outcome *o)
{
	struct node_params np = {
		.role = NODE_OUTBOUND,
		.want_services = COORD_SERVICE_BIT,
	};
	struct node_peer peer;
	struct msgio *m;
	char why[160], what[200];
	int r;

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	/* Before the registration: the coordinator must see the probe's
	 * mapping first (the earlier port). Its failure costs the delta
	 * only. */
	if (p->predict)
		coordprobe_run(&p->coord, p->local_port, p->magic, p->key,
			       p->setup_deadline_ns);
	if (coordclient_connect(p, c, o))
		return -1;
	m = msgio_new(c->fd, p->magic, NODE_MAX_PAYLOAD);
	if (!m)
		return outcome_errno(o, OUTCOME_SETUP, -errno, "msgio");

	r = node_random_u64(&np.nonce);
	if (r) {
		outcome_errno(o, OUTCOME_SETUP, r, "getrandom");
		goto out;
	}
	p2p_netaddr_from_sockaddr(&np.peer, &p->coord.sa);
	r = node_handshake(m, &np, &peer, p->setup_deadline_ns, why,
			   sizeof(why));
	if (r) {
		snprintf(what, sizeof(what), "handshake: %s", why);
		if (r == -EPROTO)
			outcome_set(o, OUTCOME_COORDINATOR, "%s", what);
		else
			outcome_errno(o, OUTCOME_COORDINATOR, r, what);
		goto out;
	}
	log_debug("coordinator '%s' ready", peer.version.user_agent);
	r = coordclient_register(m, p, c, o);
	if (!r)
		r = coordclient_wait_match(m, p, c, o);
out:
	msgio_free(m);
	return r ? -1 : 0;
}

void coordclient_close(struct coordclient *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}
