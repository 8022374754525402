/* netnode: nodes in their namespaces. A socket keeps the namespace it
 * was created in, so the process enters a node's namespace only to
 * create one (setns on the fd opened once from /run/netns) and goes back
 * at once; accepted sockets inherit the listener's. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "monoclock.h"
#include "netconn.h"
#include "netevict.h"
#include "netnode.h"
#include "netpick.h"
#include "netpunch.h"
#include "netrecord.h"
#include "netrelay.h"

uint64_t networld_group_of(struct in_addr a)
{
	uint32_t h = ntohl(a.s_addr);

	if ((h & 0xfff00000U) == 0xac100000U) /* 172.16.0.0/12 */
		return ((h >> 8) & 0xfffU);
	return (UINT64_C(1) << 39) | (h >> 8);
}

/* Sockets per node: its namespace, its outbound picks and, in a
 * punching phase, a coordinator connection and a punched one per punch
 * (with a holder's light connection and a spare). A reachable node's inbound is bounded by its slots
 * and, in practice, by its share of everyone's outbound: 5/4 of the
 * average plus 16 (churn, evicted peers still closing). The bound is
 * what this part needs with the world's outbound spread as seeded
 * picks spread it, not the sum of every slot. */
long networld_fd_need(const struct netcfg *cfg, enum netcfg_mode mode,
		      int part, int parts)
{
	long need = 64; /* epoll, stdio, the out file, jansson */
	long per = cfg->outbound_full + cfg->outbound_block +
		   cfg->punch_target;
	long reach = 0, in;

	for (int i = 0; i < cfg->nnodes; i++)
		reach += cfg->nodes[i].kind == NETCFG_REACHABLE;
	in = (long)cfg->nnodes * per / (reach ? reach : 1) + 1;
	in = in * 5 / 4 + 16;
	if (in > cfg->inbound_slots)
		in = cfg->inbound_slots;
	for (int i = 0; i < cfg->nnodes; i++) {
		const struct netcfg_node *c = &cfg->nodes[i];

		if (c->id % parts != part)
			continue;
		need += 1 + cfg->outbound_full + cfg->outbound_block;
		if (mode != NETCFG_OFF)
			need += 2 * cfg->punch_target + 3;
		if (c->kind == NETCFG_REACHABLE)
			need += 1 + in;
	}
	return need;
}

static void netnode_conn_open(struct networld *w, struct netconn *c);
static void netnode_conn_closed(struct networld *w, struct netconn *c,
				int err);

/* Coordinator connections speak the coordinator's messages; every
 * other one a peer's. */
static void netnode_conn_msg(struct networld *w, struct netconn *c,
			     const struct p2p_hdr *h, const uint8_t *p)
{
	if (c->kind == NETCONN_COORD || c->kind == NETCONN_LIGHT)
		netpunch_msg(w, c, h, p);
	else
		netrelay_msg(w, c, h, p);
}

static const struct netconn_ops netnode_ops = {
	.open = netnode_conn_open,
	.closed = netnode_conn_closed,
	.msg = netnode_conn_msg,
};

static int networld_maps(struct networld *w)
{
	const struct netcfg *cfg = w->cfg;

	w->local_of = malloc(((size_t)cfg->max_id + 1) * sizeof(int));
	w->cfg_of = malloc(((size_t)cfg->max_id + 1) * sizeof(int));
	w->coords = calloc((size_t)cfg->nnodes, sizeof(int));
	w->nodes = calloc((size_t)cfg->nnodes, sizeof(*w->nodes));
	w->miner = calloc((size_t)cfg->blocks + 1, sizeof(int));
	w->hash = calloc((size_t)cfg->blocks + 1, sizeof(*w->hash));
	if (!w->local_of || !w->cfg_of || !w->coords || !w->nodes ||
	    !w->miner || !w->hash)
		return -ENOMEM;
	for (int id = 0; id <= cfg->max_id; id++)
		w->local_of[id] = w->cfg_of[id] = -1;
	for (int i = 0; i < cfg->nnodes; i++) {
		w->cfg_of[cfg->nodes[i].id] = i;
		if (cfg->nodes[i].coordinator)
			w->coords[w->ncoords++] = i;
	}
	return 0;
}

/* Block b: mined by a seeded node; its hash names run, phase and b. */
static void networld_blocks(struct networld *w)
{
	const struct netcfg *cfg = w->cfg;

	for (int b = 0; b < cfg->blocks; b++) {
		uint64_t r = netaddrman_mix(cfg->seed ^
					    netaddrman_mix((uint64_t)w->phase_index + 1) ^
					    netaddrman_mix(UINT64_C(1000) + (uint64_t)b));

		w->miner[b] = cfg->nodes[r % (uint64_t)cfg->nnodes].id;
		memcpy(w->hash[b], "punchnet", 8);
		p2p_put_u64le(w->hash[b] + 8, cfg->seed);
		p2p_put_u32le(w->hash[b] + 16, (uint32_t)w->phase_index);
		p2p_put_u32le(w->hash[b] + 20, (uint32_t)b);
	}
}

static int netnode_init(struct networld *w, struct netnode *n,
			const struct netcfg_node *c, char *err, size_t errlen)
{
	const struct netcfg *cfg = w->cfg;
	char path[128];
	uint64_t seed = netaddrman_mix(cfg->seed ^
				       netaddrman_mix(((uint64_t)c->id << 8) |
						      (uint64_t)w->phase_index));

	n->fdtype = NETFD_LISTEN;
	n->c = c;
	n->listen_fd = n->ns_fd = -1;
	n->rng = netaddrman_mix(seed + 1);
	n->nonce = netaddrman_mix(seed + 2) | 1;
	n->inbound_limit = cfg->inbound_slots - cfg->outbound_full -
			   cfg->outbound_block;
	n->have_ns = calloc((size_t)cfg->blocks + 1, sizeof(*n->have_ns));
	n->asked = calloc((size_t)cfg->blocks + 1, sizeof(*n->asked));
	if (!n->have_ns || !n->asked)
		return -ENOMEM;
	netaddrman_init(&n->am, c->id, seed, w->phase->sybil_mitigation);
	for (int i = 0; i < cfg->nnodes; i++) {
		const struct netcfg_node *r = &cfg->nodes[i];
		struct netaddrman_entry e = {
			.node_id = r->id,
			.addr = r->addr,
			.port = r->port,
			.group = (uint64_t)r->netgroup,
			.coord_id = -1,
		};

		if (r->kind == NETCFG_REACHABLE &&
		    netaddrman_add(&n->am, &e) == -ENOMEM)
			return -ENOMEM;
	}
	snprintf(path, sizeof(path), "/run/netns/%s", c->netns);
	n->ns_fd = open(path, O_RDONLY | O_CLOEXEC);
	if (n->ns_fd < 0) {
		int e = -errno;

		snprintf(err, errlen, "node %d: open %s: %s", c->id, path,
			 strerror(-e));
		return e;
	}
	return 0;
}

int networld_init(struct networld *w, const struct netcfg *cfg,
		  int phase_index, int part, int parts, int64_t t0_ns,
		  char *err, size_t errlen)
{
	int r;

	memset(w, 0, sizeof(*w));
	w->cfg = cfg;
	w->ops = &netnode_ops;
	w->phase_index = phase_index;
	w->phase = &cfg->phases[phase_index];
	w->part = part;
	w->parts = parts;
	w->t0_ns = t0_ns;
	w->home_ns_fd = -1;
	w->max_payload = (size_t)cfg->block_bytes + 1024;
	snprintf(err, errlen, "out of memory");
	if ((r = networld_maps(w)))
		return r;
	networld_blocks(w);
	w->home_ns_fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	w->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (w->home_ns_fd < 0 || w->epfd < 0) {
		r = -errno;
		snprintf(err, errlen, "own namespace or epoll: %s",
			 strerror(-r));
		return r;
	}
	for (int i = 0; i < cfg->nnodes; i++) {
		struct netnode *n = &w->nodes[w->nlocal];

		if (cfg->nodes[i].id % parts != part)
			continue;
		w->local_of[cfg->nodes[i].id] = w->nlocal++;
		if ((r = netnode_init(w, n, &cfg->nodes[i], err, errlen)))
			return r;
	}
	w->open_fds = w->nlocal + 2;
	return 0;
}

void networld_free(struct networld *w)
{
	while (w->conns)
		netconn_close(w, w->conns, 0);
	netconn_reap(w);
	netpunch_free(w);
	for (int i = 0; i < w->nlocal; i++) {
		struct netnode *n = &w->nodes[i];

		if (n->ns_fd >= 0)
			close(n->ns_fd);
		if (n->listen_fd >= 0)
			close(n->listen_fd);
		netaddrman_free(&n->am);
		free(n->have_ns);
		free(n->asked);
		free(n->lure);
	}
	if (w->home_ns_fd >= 0)
		close(w->home_ns_fd);
	if (w->epfd > 0)
		close(w->epfd);
	free(w->nodes);
	free(w->local_of);
	free(w->cfg_of);
	free(w->coords);
	free(w->miner);
	free(w->hash);
	free(w->rc);
	free(w->rp);
	free(w->re);
}

int netnode_listen(struct networld *w, struct netnode *n)
{
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_port = htons(n->c->port),
		.sin_addr = n->c->addr,
	};
	struct epoll_event ev = {.events = EPOLLIN, .data.ptr = n};
	int fd, r;

	if ((r = netconn_enter(w, n)))
		return r;
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &(int){1},
				 sizeof(int)) ||
	    netconn_nodelay(fd) ||
	    bind(fd, (struct sockaddr *)&sin, sizeof(sin)) ||
	    listen(fd, 1024) || epoll_ctl(w->epfd, EPOLL_CTL_ADD, fd, &ev))
		r = -errno;
	netconn_leave(w);
	if (r) {
		if (fd >= 0)
			close(fd);
		return r;
	}
	w->sockets++;
	w->open_fds++;
	n->listen_fd = fd;
	return 0;
}

/* A full node makes room: the victim's record is the eviction. Only
 * peers past their version are candidates (Bitcoin Core, too, judges
 * connected peers only). -1 when none is: the newcomer is refused. */
static int netnode_evict(struct networld *w, struct netnode *n)
{
	struct netevict_cand cand[1024];
	struct netconn *who[1024], *c;
	int k = 0, v;

	for (c = n->conns; c && k < 1024; c = c->nnext)
		if (c->inbound && c->got_version) {
			cand[k].group = networld_group_of(c->peer.sin_addr);
			cand[k].t_open_ns = c->t_start_ns;
			who[k++] = c;
		}
	v = netevict_choose(cand, k);
	if (v < 0)
		return -1;
	netrecord_evict(w, n, who[v]->peer_id);
	netconn_close(w, who[v], 0);
	return 0;
}

/* Out of descriptors (the estimate in networld_fd_need was short): the
 * listener stops (a level-triggered listener with a pending connection
 * it cannot accept would spin) and the node takes no more inbound. */
static void netnode_out_of_fds(struct networld *w, struct netnode *n)
{
	log_warnx("node %d: out of file descriptors (%ld open): it accepts "
		  "no more inbound; run more parts",
		  n->c->id, w->open_fds);
	epoll_ctl(w->epfd, EPOLL_CTL_DEL, n->listen_fd, NULL);
}

void netnode_accept(struct networld *w, struct netnode *n)
{
	for (;;) {
		struct sockaddr_in from;
		socklen_t len = sizeof(from);
		int fd = accept4(n->listen_fd, (struct sockaddr *)&from, &len,
				 SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0) {
			if (errno == EMFILE || errno == ENFILE)
				netnode_out_of_fds(w, n);
			else if (errno != EAGAIN && errno != EINTR &&
				 errno != ECONNABORTED)
				log_warn("node %d: accept", n->c->id);
			return;
		}
		w->sockets++;
		if (++w->open_fds > w->peak_fds)
			w->peak_fds = w->open_fds;
		netconn_nodelay(fd); /* inherited; made sure of */
		if ((n->n_in >= n->inbound_limit && netnode_evict(w, n)) ||
		    !netconn_accepted(w, n, fd, &from)) {
			close(fd);
			w->open_fds--;
			continue;
		}
		n->n_in++;
	}
}

void netnode_tick(struct networld *w, struct netnode *n, int64_t now)
{
	netpick_outbound(w, n, now);
	if (w->phase->mode != NETCFG_OFF)
		netpunch_tick(w, n, now);
	if (w->phase->mode == NETCFG_ADVERTISED)
		netpick_extra(w, n, now);
}

static void netnode_conn_open(struct networld *w, struct netconn *c)
{
	if (c->att) {
		netpunch_conn_open(w, c);
	} else if (c->sess) {
		netpunch_coord_open(w, c);
		return;
	} else if (!c->inbound) {
		netrecord_conn(w, c, c->peer_id, -1);
	}
	netrelay_conn_open(w, c);
}

static void netnode_conn_closed(struct networld *w, struct netconn *c,
				int err)
{
	struct netnode *n = c->node;
	int64_t now = mono_ns();

	if (c->rec >= 0) {
		w->rc[c->rec].open_at_end = 0;
		w->rc[c->rec].t_closed_ms = net_ms(w, now);
	}
	if (c->inbound)
		n->n_in--;
	netrelay_conn_closed(w, c);
	if (c->att)
		netpunch_conn_closed(w, c, err);
	if (c->sess)
		netpunch_coord_closed(w, c, err);
	if (c->am >= 0 && c->kind != NETCONN_COORD) {
		struct netaddrman_entry *e = &n->am.e[c->am];

		/* Failed or closed (evicted): this phase the node tries
		 * another address, so evictions cannot cycle. */
		e->in_use = 0;
		e->failed = 1;
		net_count(n, c, -1);
		n->next_dial_ns = now + NET_REDIAL_MS * NET_NS_PER_MS;
	}
}
