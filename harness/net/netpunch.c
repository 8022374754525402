/* netpunch: sessions and attempts. A session is one registration; an
 * attempt is one hppunch's punch (a holder's session has many). Every
 * wait has a deadline: the connection's handshake, the session's match
 * (NET_MATCH_MS, past the daemon's own pair timeout) and the attempt's
 * window (NET_PUNCH_MS from its scheduled start). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "monoclock.h"
#include "netconn.h"
#include "netpunch.h"
#include "netrecord.h"
#include "netrelay.h"

static int64_t netpunch_settle(const struct networld *w)
{
	return net_at(w, w->cfg->settle_ms);
}

/* A lure's slot is free for the next registration once the daemon has
 * answered it (or it ended): the attacker keeps one waiting at each
 * lying coordinator. */
static void netpunch_lure_release(const struct networld *w,
				  struct netsession *s)
{
	struct netnode *n = s->node;

	if (s->kind != NETSESS_LURE || !n->lure)
		return;
	for (int k = 0; k < w->ncoords; k++)
		if (n->lure[k] == s)
			n->lure[k] = NULL;
}

/* Ends a session: its coordinator connection closed (a holder's too),
 * the node free to start another after `pause_ms`. */
static void netpunch_session_end(struct networld *w, struct netsession *s,
				 int pause_ms)
{
	struct netnode *n = s->node;
	int64_t next = mono_ns() + (int64_t)pause_ms * NET_NS_PER_MS;

	if (s->done)
		return;
	s->done = 1;
	netpunch_lure_release(w, s);
	if (s->conn) {
		struct netconn *c = s->conn;

		s->conn = NULL;
		c->sess = NULL;
		netconn_close(w, c, 0);
	}
	if (n->seek == s) {
		n->seek = NULL;
		n->next_punch_ns = n->next_pick_ns = next;
		if (s->am >= 0)
			n->am.e[s->am].in_use = 0;
	}
	if (n->hold == s) {
		n->hold = NULL;
		n->next_punch_ns = next;
	}
}

/* A session's failure before any punch: recorded (holders excepted:
 * keeping a light connection is no punch). */
static void netpunch_session_fail(struct networld *w, struct netsession *s,
				  enum netattempt_outcome o)
{
	int peer = s->kind == NETSESS_SEEK ? (int)s->key : -1;

	/* Holders keep a light connection, lures wait for victims: no
	 * punch was asked for. */
	if (s->kind != NETSESS_HOLD && s->kind != NETSESS_LURE &&
	    !s->node->c->attacker)
		netrecord_punch(w, s->node, s->coord_id, peer, o,
				s->t_start_ns, -1);
	if (s->kind == NETSESS_SEEK && s->am >= 0)
		s->node->am.e[s->am].failed = 1;
	netpunch_session_end(w, s, NET_RETRY_MS);
}

static struct netsession *netpunch_session_new(struct networld *w,
					       struct netnode *n,
					       enum netsession_kind kind,
					       const struct netcfg_node *coord,
					       uint64_t key, int am,
					       int64_t now)
{
	struct sockaddr_in to = {
		.sin_family = AF_INET,
		.sin_addr = coord->coord_addr,
		.sin_port = htons(coord->coord_port),
	};
	struct netsession *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->kind = kind;
	s->node = n;
	s->coord_id = coord->id;
	s->key = key;
	s->am = am;
	s->t_start_ns = now;
	s->deadline_ns = now + NET_MATCH_MS * NET_NS_PER_MS;
	s->next = w->sessions;
	w->sessions = s;
	if (kind == NETSESS_HOLD)
		n->hold = s;
	else if (kind != NETSESS_LURE)
		n->seek = s;
	s->conn = netconn_dial(w, n,
			       kind == NETSESS_HOLD ? NETCONN_LIGHT
						    : NETCONN_COORD,
			       &to, 1, 0);
	if (!s->conn) {
		netpunch_session_fail(w, s, NETATT_COORDINATOR);
		return s;
	}
	s->conn->sess = s;
	s->local_port = netconn_local_port(s->conn);
	return s;
}

/* 1 when n has a punched connection (open or punching) through coord. */
static int netpunch_through(const struct netnode *n, int coord)
{
	for (const struct netconn *c = n->conns; c; c = c->nnext)
		if (c->kind == NETCONN_PUNCHED && c->via == coord)
			return 1;
	return 0;
}

/* The node's coordinator for this session: a seeded pick among the C.
 * With the sybil mitigation in a rendezvous or handoff phase every peer one
 * coordinator introduces counts as one address, so a coordinator that
 * already gave n a punched peer is not asked again (an eclipse run's
 * measurement; honest rendezvous and handoff phases run without it). */
static const struct netcfg_node *netpunch_pick_coord(struct networld *w,
						     struct netnode *n)
{
	uint64_t nc = 0, r;

	if (!w->ncoords)
		return NULL;
	if (!w->phase->sybil_mitigation ||
	    w->phase->mode == NETCFG_ADVERTISED)
		return &w->cfg->nodes[w->coords[netaddrman_next(&n->rng) %
						 (uint64_t)w->ncoords]];
	for (int k = 0; k < w->ncoords; k++)
		nc += !netpunch_through(n, w->cfg->nodes[w->coords[k]].id);
	if (!nc)
		return NULL;
	r = netaddrman_next(&n->rng) % nc;
	for (int k = 0; k < w->ncoords; k++)
		if (!netpunch_through(n, w->cfg->nodes[w->coords[k]].id) &&
		    r-- == 0)
			return &w->cfg->nodes[w->coords[k]];
	return NULL;
}

/* The eclipse attacker's node: one registration (flag
 * COORD_REG_ATTACKER) waiting at each lying coordinator all through the
 * punching window. */
static void netpunch_lure(struct networld *w, struct netnode *n, int64_t now)
{
	if (!n->lure && !(n->lure = calloc((size_t)w->ncoords + 1,
					   sizeof(*n->lure))))
		return;
	for (int k = 0; k < w->ncoords; k++) {
		const struct netcfg_node *co = &w->cfg->nodes[w->coords[k]];
		struct netsession *s;

		if (!co->lies || n->lure[k])
			continue;
		s = netpunch_session_new(w, n, NETSESS_LURE, co, 0, -1, now);
		/* one that failed at once is retried at the next tick */
		n->lure[k] = s && !s->done ? s : NULL;
	}
}

int netpunch_seek(struct networld *w, struct netnode *n, int i, int64_t now)
{
	struct netaddrman_entry *e = &n->am.e[i];
	const struct netcfg_node *coord;

	if (n->seek)
		return -1;
	coord = net_coord_at(w, e->addr, e->port);
	if (!coord) {
		e->failed = 1;
		return -1;
	}
	e->in_use = 1;
	netpunch_session_new(w, n, NETSESS_SEEK, coord, e->key, i, now);
	return 0;
}

/* Advertised: the liar an attacker's node holds at (the liars in turn
 * by node id), whose every seeker it is punched to; NULL without one. */
static const struct netcfg_node *netpunch_liar(struct networld *w,
					       const struct netnode *n)
{
	int nl = 0, k;

	for (k = 0; k < w->ncoords; k++)
		nl += w->cfg->nodes[w->coords[k]].lies;
	if (!nl)
		return NULL;
	nl = n->c->id % nl;
	for (k = 0; k < w->ncoords; k++)
		if (w->cfg->nodes[w->coords[k]].lies && nl-- == 0)
			break;
	return &w->cfg->nodes[w->coords[k]];
}

/* Punched connections of n, open or being punched. */
static int netpunch_count(const struct netnode *n)
{
	int k = 0;

	for (const struct netconn *c = n->conns; c; c = c->nnext)
		k += c->kind == NETCONN_PUNCHED;
	return k;
}

void netpunch_tick(struct networld *w, struct netnode *n, int64_t now)
{
	int home = n->c->kind == NETCFG_HOME;
	const struct netcfg_node *coord;

	if (now < net_at(w, NET_T_PUNCH_MS) || now >= netpunch_settle(w))
		return;
	if (n->c->attacker && (w->phase->mode == NETCFG_RENDEZVOUS ||
				w->phase->mode == NETCFG_HANDOFF))
		return netpunch_lure(w, n, now);
	if (w->phase->mode != NETCFG_ADVERTISED) {
		if (!home || n->seek || now < n->next_punch_ns ||
		    netpunch_count(n) >= w->cfg->punch_target)
			return;
		if ((coord = netpunch_pick_coord(w, n)))
			netpunch_session_new(w, n, NETSESS_RENDEZVOUS, coord,
					     0, -1, now);
		return;
	}
	if (n->c->attacker && !n->hold && now >= n->next_punch_ns &&
	    (coord = netpunch_liar(w, n)))
		netpunch_session_new(w, n, NETSESS_HOLD, coord,
				     (uint64_t)n->c->id, -1, now);
	if (home && !n->hold && now >= n->next_punch_ns &&
	    (coord = netpunch_pick_coord(w, n)))
		netpunch_session_new(w, n, NETSESS_HOLD, coord,
				     (uint64_t)n->c->id, -1, now);
}

void netpunch_coord_open(struct networld *w, struct netconn *c)
{
	struct netsession *s = c->sess;
	struct coord_register reg = {.proto = COORD_PROTO, .key = s->key};
	uint8_t buf[COORD_REGISTER_FLAGS_LEN];
	int len;

	switch (s->kind) {
	case NETSESS_RENDEZVOUS:
		reg.flags = COORD_REG_UNREACHABLE;
		break;
	case NETSESS_SEEK:
		reg.flags = COORD_REG_SEEK;
		break;
	case NETSESS_HOLD:
		reg.flags = COORD_REG_HOLD;
		break;
	case NETSESS_LURE:
		break;
	}
	/* The liar serves the attacker's own requests honestly. */
	if (s->node->c->attacker)
		reg.flags |= COORD_REG_ATTACKER;
	len = coord_register_encode(buf, sizeof(buf), &reg);
	if (len < 0 ||
	    netconn_send(w, c, COORD_CMD_REGISTER, buf, (size_t)len))
		return netpunch_session_fail(w, s, NETATT_COORDINATOR);
	s->registered = 1;
	if (s->kind == NETSESS_HOLD) {
		netrecord_conn(w, c, s->coord_id, -1);
		netrelay_announce(w, s->node);
	}
}

static struct netattempt *netpunch_attempt_new(struct networld *w,
					       struct netsession *s,
					       const struct coord_punch *pu)
{
	struct netattempt *a = calloc(1, sizeof(*a));
	struct sockaddr_storage ss;
	int64_t now = mono_ns();

	if (!a)
		return NULL;
	a->node = s->node;
	a->sess = s;
	a->punch = *pu;
	a->peer_id = s->kind == NETSESS_SEEK ? (int)s->key : -1;
	a->local_port = s->local_port;
	/* Rendezvous and seek: the attempt began with the request. */
	a->t_rec_ns = s->kind == NETSESS_HOLD ? now : s->t_start_ns;
	a->start_ns = a->next_wave_ns = now + (int64_t)pu->delay_ms * NET_NS_PER_MS;
	a->deadline_ns = a->start_ns + NET_PUNCH_MS * NET_NS_PER_MS;
	a->last_err = -ETIMEDOUT;
	if (p2p_netaddr_to_sockaddr(&pu->peer, &ss) != sizeof(a->peer)) {
		free(a);
		return NULL;
	}
	memcpy(&a->peer, &ss, sizeof(a->peer));
	a->next = w->attempts;
	w->attempts = a;
	s->attempts_live++;
	return a;
}

static void netpunch_attempt_end(struct networld *w, struct netattempt *a,
				 enum netattempt_outcome o, int peer)
{
	struct netsession *s = a->sess;
	int64_t now = mono_ns();

	a->done = 1;
	/* punch_attempts are the honest nodes' requests; the attacker's
	 * punches show as its punched connections. */
	if (s->kind != NETSESS_LURE && !a->node->c->attacker)
		netrecord_punch(w, a->node, s->coord_id, peer, o, a->t_rec_ns,
				o == NETATT_OK ? now - a->start_ns : -1);
	if (a->conn) {
		struct netconn *c = a->conn;

		a->conn = NULL;
		c->att = NULL;
		if (o != NETATT_OK)
			netconn_close(w, c, 0);
	}
	s->attempts_live--;
	if (s->kind == NETSESS_SEEK && o != NETATT_OK && s->am >= 0)
		a->node->am.e[s->am].failed = 1;
	if (s->kind != NETSESS_HOLD)
		netpunch_session_end(w, s, o == NETATT_OK ? 0 : NET_RETRY_MS);
}

static void netpunch_on_punch(struct networld *w, struct netsession *s,
			      const uint8_t *p, uint32_t len)
{
	struct coord_punch pu;

	if (coord_punch_decode(p, len, &pu) ||
	    !netpunch_attempt_new(w, s, &pu)) {
		if (s->kind != NETSESS_HOLD)
			netpunch_session_fail(w, s, NETATT_COORDINATOR);
		return;
	}
	netpunch_lure_release(w, s);
}

void netpunch_msg(struct networld *w, struct netconn *c,
		  const struct p2p_hdr *h, const uint8_t *p)
{
	struct netsession *s = c->sess;
	struct coord_reject rej;

	if (!s || s->done)
		return;
	if (!strcmp(h->command, COORD_CMD_PUNCH)) {
		netpunch_on_punch(w, s, p, h->length);
	} else if (!strcmp(h->command, COORD_CMD_REJECT)) {
		if (coord_reject_decode(p, h->length, &rej))
			return netpunch_session_fail(w, s, NETATT_COORDINATOR);
		log_debug("node %d: coordinator %d rejected (%u): %s",
			  s->node->c->id, s->coord_id, rej.code, rej.reason);
		if (!s->attempts_live)
			netpunch_session_fail(w, s, NETATT_REJECT);
	}
}

void netpunch_coord_closed(struct networld *w, struct netconn *c, int err)
{
	struct netsession *s = c->sess;

	(void)err;
	c->sess = NULL;
	s->conn = NULL;
	if (s->done)
		return;
	/* After its hppunch the daemon may hang up: the punch goes on. */
	if (s->attempts_live && s->kind != NETSESS_HOLD)
		return;
	netpunch_session_fail(w, s, NETATT_COORDINATOR);
}

/* The next wave's pause: 50..150 ms, seeded per node (see the agent's
 * punch.c: a fixed pause kept both sides in lockstep). */
static int64_t netpunch_pause(struct netnode *n)
{
	return (50 + (int64_t)(netaddrman_next(&n->rng) % 100)) *
	       NET_NS_PER_MS;
}

void netpunch_conn_closed(struct networld *w, struct netconn *c, int err)
{
	struct netattempt *a = c->att;
	int64_t now = mono_ns();

	c->att = NULL;
	a->conn = NULL;
	if (err == -EPROTO)
		return netpunch_attempt_end(w, a, NETATT_WRONG_PEER, -1);
	a->last_err = err;
	a->next_wave_ns = now + netpunch_pause(a->node);
}

void netpunch_conn_open(struct networld *w, struct netconn *c)
{
	struct netattempt *a = c->att;
	struct netsession *s = a->sess;

	if (s->kind == NETSESS_SEEK) {
		c->extra = 1;
		c->am = s->am;
		c->group = s->node->am.e[s->am].group;
		s->am = -1; /* the connection holds the entry now */
		net_count(s->node, c, 1);
	}
	if (a->punch.role == COORD_ROLE_INITIATOR)
		netrecord_conn(w, c, c->peer_id, s->coord_id);
	netpunch_attempt_end(w, a, NETATT_OK, c->peer_id);
}

static void netpunch_wave(struct networld *w, struct netattempt *a,
			  int64_t now)
{
	int initiator = a->punch.role == COORD_ROLE_INITIATOR;
	struct netconn *c;

	if (now >= a->deadline_ns)
		return netpunch_attempt_end(w, a,
					    a->last_err == -ECONNREFUSED
						    ? NETATT_REFUSED
						    : NETATT_TIMEOUT,
					    a->peer_id);
	c = netconn_dial(w, a->node, NETCONN_PUNCHED, &a->peer, 1,
			 a->local_port);
	if (!c) {
		a->last_err = -errno;
		a->next_wave_ns = now + netpunch_pause(a->node);
		return;
	}
	/* The responder answers with nonce + 1 (as the agent does), so
	 * each side knows it reached the announced peer. */
	c->att = a;
	c->via = a->sess->coord_id;
	c->check = 1;
	c->nonce = initiator ? a->punch.nonce : a->punch.nonce + 1;
	c->check_nonce = initiator ? a->punch.nonce + 1 : a->punch.nonce;
	c->deadline_ns = a->deadline_ns;
	a->conn = c;
}

void netpunch_sweep(struct networld *w, int64_t now)
{
	struct netattempt **pa = &w->attempts;
	struct netsession **ps = &w->sessions;

	while (*pa) {
		struct netattempt *a = *pa;

		if (!a->done && !a->conn && now >= a->next_wave_ns)
			netpunch_wave(w, a, now);
		if (a->done) {
			*pa = a->next;
			free(a);
		} else {
			pa = &a->next;
		}
	}
	while (*ps) {
		struct netsession *s = *ps;

		if (!s->done && s->kind != NETSESS_HOLD && !s->attempts_live) {
			/* At settle an unmatched wait just stops: no punch
			 * was tried. */
			if (now >= netpunch_settle(w))
				netpunch_session_end(w, s, 0);
			else if (now > s->deadline_ns)
				netpunch_session_fail(w, s,
						      NETATT_COORDINATOR);
		}
		if (s->done && !s->attempts_live) {
			*ps = s->next;
			free(s);
		} else {
			ps = &s->next;
		}
	}
}

void netpunch_free(struct networld *w)
{
	while (w->attempts) {
		struct netattempt *a = w->attempts;

		w->attempts = a->next;
		free(a);
	}
	while (w->sessions) {
		struct netsession *s = w->sessions;

		w->sessions = s->next;
		free(s);
	}
}
