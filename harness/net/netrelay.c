/* netrelay: block relay as inv -> getdata -> block, one getdata in
 * flight per block (asked again when that peer goes away and another
 * announces it); hpaddr gossip as addr relay: reachable nodes forward a
 * new entry to 2 full-relay peers. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "monoclock.h"
#include "netconn.h"
#include "nethpaddr.h"
#include "netrelay.h"

#define NETRELAY_INV_LEN (1 + 4 + 32) /* one entry */

static int netrelay_carries_blocks(const struct netconn *c)
{
	return c->state == NETCONN_OPEN &&
	       (c->kind == NETCONN_FULL || c->kind == NETCONN_BLOCK ||
		c->kind == NETCONN_PUNCHED);
}

static void netrelay_inv(struct networld *w, struct netconn *c,
			 const char *cmd, int b)
{
	uint8_t p[NETRELAY_INV_LEN];

	if (!strcmp(cmd, "inv")) {
		/* As Core's per-peer known inventory: never announced
		 * twice, nor to a peer that announced it to us. */
		if (c->known & (UINT64_C(1) << b))
			return;
		c->known |= UINT64_C(1) << b;
	}
	p[0] = 1;
	p2p_put_u32le(p + 1, NETRELAY_MSG_BLOCK);
	memcpy(p + 5, w->hash[b], 32);
	netconn_send(w, c, cmd, p, sizeof(p));
}

static void netrelay_have(struct networld *w, struct netnode *n, int b,
			  struct netconn *from)
{
	n->have_ns[b] = mono_ns();
	n->asked[b] = NULL;
	/* The eclipse attacker's nodes take blocks and pass none on. */
	if (from && n->c->attacker)
		return;
	for (struct netconn *c = n->conns; c; c = c->nnext)
		if (c != from && netrelay_carries_blocks(c))
			netrelay_inv(w, c, "inv", b);
}

static int netrelay_block_of(const struct networld *w, const uint8_t *hash)
{
	for (int b = 0; b < w->cfg->blocks; b++)
		if (!memcmp(w->hash[b], hash, 32))
			return b;
	return -1;
}

/* inv and getdata: a CompactSize count (< 0xfd here) of 36-byte
 * entries; unknown entries are skipped. */
static void netrelay_on_inv(struct networld *w, struct netconn *c,
			    const uint8_t *p, uint32_t len, int getdata)
{
	struct netnode *n = c->node;

	if (!len || p[0] >= 0xfd || len != 1 + 36U * p[0])
		return netconn_close(w, c, -EBADMSG);
	for (int k = 0; k < p[0]; k++) {
		const uint8_t *e = p + 1 + 36 * k;
		int b = netrelay_block_of(w, e + 4);

		if (b < 0 || p2p_get_u32le(e) != NETRELAY_MSG_BLOCK)
			continue;
		if (!getdata)
			c->known |= UINT64_C(1) << b;
		if (!getdata && !n->have_ns[b] && !n->asked[b]) {
			n->asked[b] = c;
			netrelay_inv(w, c, "getdata", b);
		} else if (getdata && n->have_ns[b]) {
			uint8_t *blk = calloc(1, (size_t)w->cfg->block_bytes);

			if (!blk)
				return;
			memcpy(blk, w->hash[b], 32);
			netconn_send(w, c, "block", blk,
				     (size_t)w->cfg->block_bytes);
			free(blk);
		}
	}
}

static void netrelay_on_block(struct networld *w, struct netconn *c,
			      const uint8_t *p, uint32_t len)
{
	int b = len >= 32 ? netrelay_block_of(w, p) : -1;

	if (b < 0)
		return;
	c->known |= UINT64_C(1) << b;
	if (c->node->have_ns[b])
		return;
	netrelay_have(w, c->node, b, c);
}

static void netrelay_send_hpaddr(struct networld *w, struct netconn *c,
				 const struct nethpaddr *m)
{
	uint8_t buf[NETHPADDR_LEN];

	if (nethpaddr_encode(buf, sizeof(buf), m) > 0)
		netconn_send(w, c, NETHPADDR_CMD, buf, sizeof(buf));
}

/* Two full-relay peers other than from, drawn with the node's seeded
 * generator. */
static void netrelay_forward(struct networld *w, struct netnode *n,
			     struct netconn *from, const struct nethpaddr *m)
{
	struct netconn *peers[512];
	int k = 0;

	for (struct netconn *c = n->conns; c && k < 512; c = c->nnext)
		if (c != from && c->state == NETCONN_OPEN &&
		    c->kind == NETCONN_FULL)
			peers[k++] = c;
	for (int sent = 0; sent < 2 && k > 0; sent++) {
		int i = (int)(netaddrman_next(&n->rng) % (uint64_t)k);

		netrelay_send_hpaddr(w, peers[i], m);
		peers[i] = peers[--k];
	}
}

static void netrelay_on_hpaddr(struct networld *w, struct netconn *c,
			       const uint8_t *p, uint32_t len)
{
	struct netnode *n = c->node;
	const struct netcfg_node *coord;
	struct sockaddr_storage ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct nethpaddr m;
	struct netaddrman_entry e = {.advertised = 1};
	int before = n->am.n;

	/* Block-relay-only connections carry no addresses. */
	if (c->kind != NETCONN_FULL)
		return;
	if (nethpaddr_decode(p, len, &m))
		return netconn_close(w, c, -EBADMSG);
	if (p2p_netaddr_to_sockaddr(&m.coord, &ss) != sizeof(*sin))
		return;
	coord = net_coord_at(w, sin->sin_addr, ntohs(sin->sin_port));
	if (!coord || m.key == (uint64_t)n->c->id)
		return;
	e.node_id = (int)m.node;
	e.key = m.key;
	e.coord_id = coord->id;
	e.addr = sin->sin_addr;
	e.port = ntohs(sin->sin_port);
	if (netaddrman_add(&n->am, &e) >= 0 && n->am.n > before &&
	    n->c->kind == NETCFG_REACHABLE)
		netrelay_forward(w, n, c, &m);
}

void netrelay_msg(struct networld *w, struct netconn *c,
		  const struct p2p_hdr *h, const uint8_t *p)
{
	if (!strcmp(h->command, "inv"))
		netrelay_on_inv(w, c, p, h->length, 0);
	else if (!strcmp(h->command, "getdata"))
		netrelay_on_inv(w, c, p, h->length, 1);
	else if (!strcmp(h->command, "block"))
		netrelay_on_block(w, c, p, h->length);
	else if (!strcmp(h->command, NETHPADDR_CMD))
		netrelay_on_hpaddr(w, c, p, h->length);
}

static void netrelay_own_hpaddr(const struct networld *w,
				const struct netnode *n, struct nethpaddr *m)
{
	const struct netcfg_node *coord =
		net_node_cfg(w, n->hold->coord_id);
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_addr = coord->coord_addr,
		.sin_port = htons(coord->coord_port),
	};

	memset(m, 0, sizeof(*m));
	m->key = (uint64_t)n->c->id;
	m->node = (uint32_t)n->c->id;
	p2p_netaddr_from_sockaddr(&m->coord, (struct sockaddr *)&sin);
}

void netrelay_announce(struct networld *w, struct netnode *n)
{
	struct nethpaddr m;

	if (!n->hold)
		return;
	netrelay_own_hpaddr(w, n, &m);
	n->announced = 1;
	for (struct netconn *c = n->conns; c; c = c->nnext)
		if (!c->inbound && c->state == NETCONN_OPEN &&
		    c->kind == NETCONN_FULL)
			netrelay_send_hpaddr(w, c, &m);
}

void netrelay_conn_open(struct networld *w, struct netconn *c)
{
	struct netnode *n = c->node;
	struct nethpaddr m;

	if (!netrelay_carries_blocks(c))
		return;
	for (int b = 0; b < w->cfg->blocks; b++)
		if (n->have_ns[b] &&
		    (!n->c->attacker || w->miner[b] == n->c->id))
			netrelay_inv(w, c, "inv", b);
	if (n->announced && n->hold && !c->inbound &&
	    c->kind == NETCONN_FULL) {
		netrelay_own_hpaddr(w, n, &m);
		netrelay_send_hpaddr(w, c, &m);
	}
}

void netrelay_conn_closed(struct networld *w, struct netconn *c)
{
	struct netnode *n = c->node;

	for (int b = 0; b < w->cfg->blocks; b++)
		if (n->asked[b] == c)
			n->asked[b] = NULL;
}

void netrelay_mine(struct networld *w, int b)
{
	int id = w->miner[b];
	struct netnode *n;

	if (w->local_of[id] < 0)
		return;
	n = &w->nodes[w->local_of[id]];
	netrelay_have(w, n, b, NULL);
}
