/* impersonate: the man in the middle a coordinator can always be. It
 * pairs by key as the honest one does, but names itself as each node's
 * peer (its own address, one port per side), then plays that peer with
 * the session nonce it picked: the nodes' only check passes. */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <unistd.h>

#include "advcoord.h"
#include "log.h"
#include "monoclock.h"
#include "peerplay.h"
#include "roles.h"

/* Long enough for both hppunch to arrive before the start. */
#define IMPERSONATE_DELAY_MS 100

static void impersonate_port(struct sockaddr_storage *ss, uint16_t port)
{
	if (ss->ss_family == AF_INET6)
		((struct sockaddr_in6 *)ss)->sin6_port = htons(port);
	else
		((struct sockaddr_in *)ss)->sin_port = htons(port);
}

/* Mallory's side for node a: a listener on a fresh port of the listen
 * address, a play from it, then a's hppunch naming it. */
static void impersonate_side(struct advcoord *s, struct advcoord_agent *a,
			     uint8_t role, uint64_t nonce, int64_t t_start_ns)
{
	struct peerplay_params pp = {
		.key = a->reg.key,
		.t_start_ns = t_start_ns,
		.initiator = role == COORD_ROLE_RESPONDER,
		.nonce = nonce,
	};
	struct p2p_netaddr named;
	int err;

	pp.local = s->listen;
	impersonate_port(&pp.local, 0);
	pp.listen_fd = advio_bound(&pp.local, 16);
	if (pp.listen_fd < 0) {
		errno = -pp.listen_fd;
		log_warn("listener for key %llu", (unsigned long long)a->reg.key);
		return;
	}
	impersonate_port(&pp.local, advio_local_port(pp.listen_fd));
	p2p_netaddr_to_sockaddr(&a->observed, &pp.peer);
	p2p_netaddr_from_sockaddr(&named, (struct sockaddr *)&pp.local);
	err = peerplay_spawn(s->ctx, &pp);
	close(pp.listen_fd);
	if (err) {
		errno = -err;
		log_warn("play for key %llu", (unsigned long long)a->reg.key);
		return;
	}
	advcoord_punch(s, a, &named, role, nonce, IMPERSONATE_DELAY_MS);
}

static void impersonate_pair(struct advcoord *s, struct advcoord_agent *ini,
			     struct advcoord_agent *rsp)
{
	uint64_t nonce = advcoord_random64();
	int64_t t_start_ns = mono_ns() + IMPERSONATE_DELAY_MS * INT64_C(1000000);

	impersonate_side(s, ini, COORD_ROLE_INITIATOR, nonce, t_start_ns);
	impersonate_side(s, rsp, COORD_ROLE_RESPONDER, nonce, t_start_ns);
}

static void impersonate_tick(struct advcoord *s)
{
	(void)s;
	peerplay_reap();
}

int adv_impersonate_run(struct adv_ctx *c, int argc, char **argv)
{
	static const struct advcoord_ops ops = {
		.pair = 1,
		.on_pair = impersonate_pair,
		.on_tick = impersonate_tick,
	};

	return advcoord_main(c, argc, argv, &ops, NULL);
}
