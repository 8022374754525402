/* netpick: picks follow Bitcoin Core's outbound rule (one per netgroup,
 * counting the ones still opening and the one being sought); a failed or
 * closed pick is not picked again until every address has failed. */
#include <errno.h>
#include <netinet/in.h>

#include "netconn.h"
#include "netpick.h"
#include "netpunch.h"

/* Groups of the outbound picks (open, opening or being sought). */
static int netpick_used(const struct netnode *n, uint64_t *used, int cap)
{
	int k = 0;

	for (const struct netconn *c = n->conns; c && k < cap; c = c->nnext)
		if (!c->inbound && c->am >= 0)
			used[k++] = c->group;
	if (n->seek && n->seek->am >= 0 && k < cap)
		used[k++] = n->am.e[n->seek->am].group;
	return k;
}

static int netpick_one(struct networld *w, struct netnode *n,
			enum netconn_kind kind, int extra, int64_t now)
{
	uint64_t used[256];
	int nused = netpick_used(n, used, 256);
	int i = netaddrman_pick(&n->am, used, nused, !extra);
	struct netaddrman_entry *e;
	struct sockaddr_in to = {.sin_family = AF_INET};
	struct netconn *c;

	if (i == -ENOENT && now >= n->next_forget_ns) {
		/* Every address failed (refused, evicted): like Core's
		 * retries, try them again, at most once a second. */
		n->next_forget_ns = now + NET_FORGET_MS * NET_NS_PER_MS;
		for (int k = 0; k < n->am.n; k++)
			n->am.e[k].failed = 0;
		i = netaddrman_pick(&n->am, used, nused, !extra);
	}
	if (i < 0)
		return -1;
	e = &n->am.e[i];
	if (e->advertised)
		return netpunch_seek(w, n, i, now);
	to.sin_addr = e->addr;
	to.sin_port = htons(e->port);
	c = netconn_dial(w, n, kind, &to, 0, 0);
	if (!c) {
		e->failed = 1;
		n->next_dial_ns = now + NET_REDIAL_MS * NET_NS_PER_MS;
		return -1;
	}
	c->am = i;
	c->group = e->group;
	c->extra = extra;
	c->peer_id = e->node_id;
	e->in_use = 1;
	net_count(n, c, 1);
	return 0;
}

void netpick_outbound(struct networld *w, struct netnode *n, int64_t now)
{
	const struct netcfg *cfg = w->cfg;

	if (now < net_at(w, NET_T_OUTBOUND_MS) || now < n->next_dial_ns)
		return;
	while (n->n_full < cfg->outbound_full ||
	       n->n_block < cfg->outbound_block) {
		int full = n->n_full < cfg->outbound_full;

		if (netpick_one(w, n, full ? NETCONN_FULL : NETCONN_BLOCK, 0,
				 now))
			return;
	}
}


void netpick_extra(struct networld *w, struct netnode *n, int64_t now)
{
	int64_t start_ms = w->cfg->settle_ms / 2 > NET_T_PICK_MS
				   ? w->cfg->settle_ms / 2
				   : NET_T_PICK_MS;

	if (now < net_at(w, start_ms) ||
	    now >= net_at(w, w->cfg->settle_ms) || n->seek ||
	    now < n->next_pick_ns || n->n_extra >= w->cfg->punch_target)
		return;
	if (netpick_one(w, n, NETCONN_FULL, 1, now))
		n->next_pick_ns = now + NET_RETRY_MS * NET_NS_PER_MS;
}
