/* advcoord: a coordinator that speaks the protocol faithfully up to the
 * registration, so that nothing a node checks before hppunch tells it
 * apart from the honest one (coordinator/dispatch.c is the model: same
 * service bit, same user agent, addr_recv as seen). */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "advcoord.h"
#include "log.h"
#include "monoclock.h"
#include "optparse.h"
#include "peerplay.h"

#define ADVCOORD_TICK_MS 100

uint64_t advcoord_random64(void)
{
	static uint64_t fallback = 0x9e3779b97f4a7c15ULL;
	uint64_t v;

	if (getrandom(&v, sizeof(v), 0) == (ssize_t)sizeof(v))
		return v;
	return fallback += 0x9e3779b97f4a7c15ULL;
}

int advcoord_addr_opt(const char *opt, const char *value,
		      struct sockaddr_storage *ss)
{
	socklen_t len;

	if (optparse_sockaddr(value, OPTPARSE_V4 | OPTPARSE_V6, ss, &len)) {
		fprintf(stderr, "punch-adversary: --%s: want IP:PORT, "
				"got '%s'\n", opt, value);
		return 2;
	}
	return 0;
}

static void advcoord_drop(struct advcoord *s, struct advcoord_agent *a)
{
	if (a->io.fd < 0)
		return;
	if (s->ops->on_close)
		s->ops->on_close(s, a);
	advio_close(&a->io);
}

static int advcoord_version(struct advcoord_agent *a,
			    const struct p2p_hdr *h, const uint8_t *pl)
{
	struct p2p_version theirs, ours;
	uint8_t buf[256];
	int n;

	if (p2p_version_decode(pl, h->length, &theirs))
		return -EBADMSG;
	coord_version_init(&ours, &a->observed, theirs.services,
			   advcoord_random64());
	n = p2p_version_encode(buf, sizeof(buf), &ours);
	if (n < 0 || advio_send(&a->io, "version", buf, (size_t)n) < 0 ||
	    advio_send(&a->io, "verack", NULL, 0) < 0)
		return -ENOBUFS;
	a->state = ADVCOORD_READY;
	return 0;
}

/* The earliest other registration of a's key still waiting. */
static struct advcoord_agent *advcoord_partner(struct advcoord *s,
					       const struct advcoord_agent *a)
{
	struct advcoord_agent *best = NULL;

	for (size_t i = 0; i < s->n; i++) {
		struct advcoord_agent *o = s->agents[i];

		if (o == a || o->io.fd < 0 || o->state != ADVCOORD_REGISTERED ||
		    o->reg.key != a->reg.key)
			continue;
		if (!best || o->seq < best->seq)
			best = o;
	}
	return best;
}

static int advcoord_register(struct advcoord *s, struct advcoord_agent *a,
			     const struct p2p_hdr *h, const uint8_t *pl)
{
	struct advcoord_agent *p;

	if (a->state != ADVCOORD_READY ||
	    coord_register_decode(pl, h->length, &a->reg))
		return -EPROTO;
	a->state = ADVCOORD_REGISTERED;
	a->seq = s->next_seq++;
	a->t_register_ns = mono_ns();
	if (s->ops->on_register)
		s->ops->on_register(s, a);
	if (!s->ops->pair || a->state != ADVCOORD_REGISTERED ||
	    !(p = advcoord_partner(s, a)))
		return 0;
	p->state = a->state = ADVCOORD_PAIRED;
	s->ops->on_pair(s, p, a);
	return 0;
}

static int advcoord_message(struct advcoord *s, struct advcoord_agent *a,
			    const struct p2p_hdr *h, const uint8_t *pl)
{
	if (a->state == ADVCOORD_HELLO)
		return strcmp(h->command, "version")
			       ? -EPROTO
			       : advcoord_version(a, h, pl);
	if (!strcmp(h->command, "ping") && h->length == 8)
		return advio_send(&a->io, "pong", pl, 8) < 0 ? -ENOBUFS : 0;
	if (!strcmp(h->command, COORD_CMD_REGISTER))
		return advcoord_register(s, a, h, pl);
	return 0; /* verack, pong, anything else: nothing to say */
}

static void advcoord_input(struct advcoord *s, struct advcoord_agent *a)
{
	const uint8_t *pl;
	struct p2p_hdr h;
	int n = advio_fill(&a->io);

	if (n == 0 || (n < 0 && n != -EAGAIN)) {
		advcoord_drop(s, a);
		return;
	}
	while (a->io.fd >= 0 && (n = advio_next(&a->io, &h, &pl)) != 0) {
		if (n < 0 || a->state == ADVCOORD_CLOSING ||
		    advcoord_message(s, a, &h, pl)) {
			if (a->state == ADVCOORD_CLOSING && n > 0) {
				advio_consume(&a->io, (size_t)n);
				continue;
			}
			advcoord_drop(s, a);
			return;
		}
		advio_consume(&a->io, (size_t)n);
	}
}

static void advcoord_output(struct advcoord *s, struct advcoord_agent *a)
{
	if (a->io.fd < 0)
		return;
	if (advio_flush(&a->io)) {
		advcoord_drop(s, a);
		return;
	}
	/* FIN once hppunch is out; the node's own close ends it. */
	if (a->state == ADVCOORD_CLOSING && !advio_pending(&a->io))
		shutdown(a->io.fd, SHUT_WR);
}

static void advcoord_accept(struct advcoord *s)
{
	struct sockaddr_storage ss;
	struct advcoord_agent *a;
	socklen_t len;
	int fd;

	for (;;) {
		len = sizeof(ss);
		fd = accept4(s->lfd, (struct sockaddr *)&ss, &len,
			     SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;
		if (s->n >= ADVCOORD_MAX_AGENTS || !(a = calloc(1, sizeof(*a)))) {
			close(fd);
			continue;
		}
		advio_init(&a->io, fd, s->ctx->magic);
		p2p_netaddr_from_sockaddr(&a->observed, (struct sockaddr *)&ss);
		p2p_netaddr_str(&a->observed, a->name, sizeof(a->name));
		a->t_accept_ns = mono_ns();
		s->agents[s->n++] = a;
		log_debug("%s: accepted", a->name);
	}
}

static void advcoord_reap(struct advcoord *s)
{
	size_t i = 0;

	while (i < s->n) {
		if (s->agents[i]->io.fd >= 0) {
			i++;
			continue;
		}
		free(s->agents[i]);
		s->agents[i] = s->agents[--s->n];
	}
}

static void advcoord_round(struct advcoord *s)
{
	static struct pollfd pfd[ADVCOORD_MAX_AGENTS + 1];
	size_t n = s->n, i;

	pfd[0] = (struct pollfd){.fd = s->lfd, .events = POLLIN};
	for (i = 0; i < n; i++) {
		struct advcoord_agent *a = s->agents[i];

		pfd[i + 1] = (struct pollfd){.fd = a->io.fd, .events = POLLIN};
		if (advio_pending(&a->io))
			pfd[i + 1].events |= POLLOUT;
	}
	if (poll(pfd, n + 1, adv_wait_ms(s->ctx, ADVCOORD_TICK_MS)) < 0)
		return;
	for (i = 0; i < n; i++) {
		if (pfd[i + 1].revents & (POLLIN | POLLHUP | POLLERR))
			advcoord_input(s, s->agents[i]);
		advcoord_output(s, s->agents[i]);
	}
	if (pfd[0].revents & POLLIN)
		advcoord_accept(s);
	if (s->ops->on_tick)
		s->ops->on_tick(s);
	advcoord_reap(s);
}

int advcoord_punch(struct advcoord *s, struct advcoord_agent *a,
		   const struct p2p_netaddr *peer, uint8_t role,
		   uint64_t nonce, uint32_t delay_ms)
{
	struct coord_punch m = {
		.peer = *peer,
		.self = a->observed,
		.role = role,
		.nonce = nonce,
		.delay_ms = delay_ms,
		.ext = !!(a->reg.flags & COORD_REG_EXT),
	};
	uint8_t buf[COORD_PUNCH_PREDICT_LEN];
	char to[64], named[64];
	int n;

	n = coord_punch_encode(buf, sizeof(buf), &m);
	if (n < 0)
		return n;
	n = advio_send(&a->io, COORD_CMD_PUNCH, buf, (size_t)n);
	if (n < 0)
		return n;
	a->state = ADVCOORD_CLOSING;
	advcoord_output(s, a);
	adv_event(s->ctx, "punch",
		  json_pack("{s:I,s:s,s:s,s:i,s:I}", "key",
			    (json_int_t)a->reg.key, "to",
			    p2p_netaddr_str(&a->observed, to, sizeof(to)),
			    "named", p2p_netaddr_str(peer, named, sizeof(named)),
			    "bytes", n, "delay_ms", (json_int_t)delay_ms));
	return 0;
}

int advcoord_run(struct adv_ctx *c, const struct sockaddr_storage *listen,
		 const struct advcoord_ops *ops)
{
	struct advcoord *s = calloc(1, sizeof(*s));
	struct p2p_netaddr na;
	char name[64];

	if (!s)
		return 1;
	s->ctx = c;
	s->ops = ops;
	s->listen = *listen;
	s->lfd = advio_bound(listen, 128);
	p2p_netaddr_from_sockaddr(&na, (const struct sockaddr *)listen);
	p2p_netaddr_str(&na, name, sizeof(name));
	if (s->lfd < 0) {
		errno = -s->lfd;
		log_warn("listen %s", name);
		free(s);
		return 1;
	}
	log_info("lying coordinator (%s) on %s", c->role, name);
	adv_event(c, "ready", json_pack("{s:s}", "listen", name));
	while (!adv_done(c))
		advcoord_round(s);
	for (size_t i = 0; i < s->n; i++) {
		advio_close(&s->agents[i]->io);
		free(s->agents[i]);
	}
	close(s->lfd);
	free(s);
	return 0;
}

int advcoord_main(struct adv_ctx *c, int argc, char **argv,
		  const struct advcoord_ops *ops,
		  const struct advcoord_extra *extra)
{
	struct option lo[] = {{"listen", 1, NULL, 'l'},
			      {extra ? extra->name : "listen", 1, NULL, 'x'},
			      {NULL, 0, NULL, 0}};
	struct sockaddr_storage listen;
	int have_l = 0, have_x = 0, opt, rc;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		if (opt == 'l' && !advcoord_addr_opt("listen", optarg, &listen))
			have_l = 1;
		else if (opt == 'x' && !extra->set(optarg))
			have_x = 1;
		else
			return 2;
	}
	if (!have_l || optind != argc ||
	    (extra && extra->required && !have_x)) {
		fprintf(stderr, "punch-adversary: %s wants --listen IP:PORT%s%s"
				"\n", c->role, extra ? " --" : "",
			extra ? extra->name : "");
		return 2;
	}
	rc = advcoord_run(c, &listen, ops);
	peerplay_stop_all();
	advio_stop_event(c);
	return rc;
}
