/* clients: the client table and the actions on one client that message
 * handlers share. Closing is always deferred to the end of the poll
 * round (c->dead), so a handler never frees a client another is using. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>

#include "clients.h"
#include "monoclock.h"
#include "evlog.h"
#include "log.h"

int clients_init(struct clients *cl, const struct opts *o)
{
	memset(cl, 0, sizeof(*cl));
	cl->opt = *o;
	keyindex_init(&cl->keys, clients_random64());
	return addrlimit_init(&cl->addrs, (unsigned)o->per_addr_limit);
}

/* Room for one more, doubling up to --max-clients. 0, -ENOSPC, -ENOMEM. */
static int clients_grow(struct clients *cl)
{
	size_t max = (size_t)cl->opt.max_clients, cap;
	struct conn **p;

	if (cl->n < cl->cap)
		return 0;
	if (cl->n >= max)
		return -ENOSPC;
	cap = cl->cap ? 2 * cl->cap : CLIENTS_CAP0;
	if (cap > max)
		cap = max;
	p = realloc(cl->conns, cap * sizeof(*p));
	if (!p)
		return -ENOMEM;
	cl->conns = p;
	cl->cap = cap;
	return 0;
}

int clients_add(struct clients *cl, struct conn *c)
{
	int err = clients_grow(cl);

	if (err)
		return err;
	err = addrlimit_take(&cl->addrs, c->observed.ip);
	if (err == -EBUSY)
		return err;
	c->counted = !err && cl->addrs.limit;
	cl->conns[cl->n++] = c;
	return 0;
}

static void clients_free_one(struct clients *cl, struct conn *c)
{
	if (c->counted)
		addrlimit_put(&cl->addrs, c->observed.ip);
	keyindex_del(&cl->keys, c);
	conn_free(c);
}

void clients_reap(struct clients *cl)
{
	for (size_t i = 0; i < cl->n;) {
		if (cl->conns[i]->dead) {
			clients_free_one(cl, cl->conns[i]);
			cl->conns[i] = cl->conns[--cl->n];
		} else {
			i++;
		}
	}
}

void clients_free_all(struct clients *cl)
{
	for (size_t i = 0; i < cl->n; i++)
		clients_free_one(cl, cl->conns[i]);
	cl->n = cl->cap = 0;
	free(cl->conns);
	cl->conns = NULL;
	addrlimit_free(&cl->addrs);
	keyindex_free(&cl->keys);
}

int clients_send(struct clients *cl, struct conn *c, const char *command,
		 const void *payload, size_t len)
{
	return conn_send(c, cl->opt.magic, command, payload, len);
}

void clients_drop(struct conn *c, const char *reason)
{
	if (c->dead)
		return;
	c->dead = true;
	log_info("drop %s: %s", c->name, reason);
	evlog_drop(c->name, reason);
}

void clients_finish(struct conn *c)
{
	c->state = CONN_CLOSING;
	c->deadline_us = mono_us() + (int64_t)CLIENTS_FLUSH_MS * 1000;
	c->buf.in_len = 0;
}

void clients_reject(struct clients *cl, struct conn *c, unsigned code,
		    const char *text, const char *reason)
{
	struct coord_reject rj = {.code = (uint8_t)code};
	uint8_t buf[1 + 3 + sizeof(rj.reason)];
	int n;

	snprintf(rj.reason, sizeof(rj.reason), "%s", text);
	n = coord_reject_encode(buf, sizeof(buf), &rj);
	if (n < 0 || clients_send(cl, c, COORD_CMD_REJECT, buf, (size_t)n)) {
		clients_drop(c, reason);
		return;
	}
	log_info("reject %s (key %llu): %s", c->name,
		 (unsigned long long)c->key, text);
	evlog_reject(c->name, c->key, code, text);
	evlog_drop(c->name, reason);
	clients_finish(c);
}

void clients_flush(struct conn *c)
{
	int err;

	if (c->dead)
		return;
	err = conn_flush(c);
	if (err) {
		errno = -err;
		log_debug("write %s: %s", c->name, strerror(errno));
		clients_drop(c, err == -ECONNRESET ? "reset" : "io");
		return;
	}
	if (c->state == CONN_CLOSING && !conn_has_output(c)) {
		/* FIN rather than close(): close() with unread input would
		 * send RST, which can destroy the hppunch in flight. */
		shutdown(c->fd, SHUT_WR);
		c->state = CONN_LINGER;
		c->deadline_us =
			mono_us() + (int64_t)CLIENTS_LINGER_MS * 1000;
	}
}

uint64_t clients_random64(void)
{
	static uint64_t fallback = 0x9e3779b97f4a7c15ULL;
	uint64_t v;
	ssize_t n;

	do
		n = getrandom(&v, sizeof(v), 0);
	while (n < 0 && errno == EINTR);
	if (n == (ssize_t)sizeof(v))
		return v;
	/* Nonces only have to be unpredictable enough to tell sessions
	 * apart in a testbed; never stop the daemon for them. */
	log_warn("getrandom");
	fallback ^= (uint64_t)mono_us();
	fallback *= 0xbf58476d1ce4e5b9ULL;
	return fallback ^ (fallback >> 31);
}
