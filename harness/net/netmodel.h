/* netmodel: punch-net's data model — the world of one process (its part
 * of the nodes), each node, each connection, each coordinator session
 * and punch attempt, and the records that become --out. Owned by the
 * world: networld_free (netnode.c) frees everything. */
#ifndef PUNCHLAB_NETMODEL_H
#define PUNCHLAB_NETMODEL_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#include "coordmsg.h"
#include "netaddrman.h"
#include "netcfg.h"

#define NET_NS_PER_MS INT64_C(1000000)
/* Timeline offsets from T0 (docs/network.md section 3). */
#define NET_T_OUTBOUND_MS 500
#define NET_T_PUNCH_MS 2000
/* Advertised picks start at the later of this and half of settle_ms: the
 * holders register from NET_T_PUNCH_MS and gossip their hpaddr; picking
 * a fixed second after that measured the gossip's speed, not the mode
 * (at load average ~4 no advertised entry had arrived by then: 0 seeks in
 * 2,400 nodes, against 55 entries a node by the phase's end). */
#define NET_T_PICK_MS 3000
#define NET_BLOCK_GAP_MS 2000
#define NET_TAIL_MS 2000
/* Bounds on every wait. */
#define NET_HANDSHAKE_MS 5000 /* connect + version/verack */
#define NET_MATCH_MS 20000    /* registration to hppunch (the daemon's
				 own pair timeout is 15 s) */
#define NET_PUNCH_MS 5000     /* scheduled start to connected */
#define NET_RETRY_MS 500      /* a failed punch's next request */
#define NET_REDIAL_MS 100     /* a failed outbound's next pick */
#define NET_FORGET_MS 1000    /* failures forgotten when all failed */

enum netfd_type { NETFD_LISTEN, NETFD_CONN };

enum netconn_kind {
	NETCONN_FULL,
	NETCONN_BLOCK, /* block-relay-only */
	NETCONN_PUNCHED,
	NETCONN_LIGHT, /* a holder's connection to its coordinator */
	NETCONN_COORD, /* a rendezvous/handoff/seek session's */
};

enum netconn_state {
	NETCONN_CONNECTING,
	NETCONN_HANDSHAKE,
	NETCONN_OPEN,
	NETCONN_CLOSED,
};

struct netnode;
struct netsession;
struct netattempt;

struct netconn {
	enum netfd_type fdtype; /* first: epoll's data.ptr points here */
	int fd;
	struct netnode *node;
	struct netconn *nnext, *nprev; /* the node's connections */
	struct netconn *gnext, *gprev; /* the world's */
	enum netconn_kind kind;
	int inbound;
	int extra; /* an advertised-phase extra pick */
	enum netconn_state state;
	int peer_id; /* from the peer's version (start_height), -1 unknown */
	int rec;     /* index in the world's connection records, -1 none */
	int am;	     /* addrman entry of an outbound pick, -1 none */
	uint64_t group;
	struct sockaddr_in peer;
	uint8_t *in, *out;
	size_t inlen, incap, outlen, outoff, outcap;
	int epollout;
	uint64_t nonce, check_nonce;
	int check; /* punched: the peer's version nonce must be check_nonce */
	int via;   /* punched: the coordinator's node id; -1 none */
	int relay; /* our version's relay flag */
	int got_version, got_verack, sent_version;
	uint64_t known; /* blocks (bit b) the peer has or was told of */
	int64_t t_start_ns, t_open_ns, deadline_ns;
	struct netsession *sess; /* coordinator connections */
	struct netattempt *att;	 /* punched connections while punching */
};

/* LURE: an eclipse attacker's registration kept open at a lying
 * coordinator (one per coordinator, renewed at each hppunch). */
enum netsession_kind {
	NETSESS_RENDEZVOUS,
	NETSESS_SEEK,
	NETSESS_HOLD,
	NETSESS_LURE,
};

/* One registration at a coordinator. */
struct netsession {
	enum netsession_kind kind;
	struct netnode *node;
	struct netconn *conn;
	int coord_id;
	uint64_t key;
	int am; /* seek: the addrman entry picked */
	uint16_t local_port;
	int64_t t_start_ns, deadline_ns;
	int registered, attempts_live;
	struct netsession *next; /* the world's */
	int done;
};

enum netattempt_outcome {
	NETATT_OK,
	NETATT_TIMEOUT,
	NETATT_REFUSED,
	NETATT_WRONG_PEER,
	NETATT_COORDINATOR,
	NETATT_REJECT,
};

/* One punch: from hppunch to a handshaken connection or a give-up. */
struct netattempt {
	struct netnode *node;
	struct netsession *sess;
	struct coord_punch punch;
	struct sockaddr_in peer;
	int peer_id;
	uint16_t local_port;
	int64_t t_rec_ns; /* the attempt's start in the record */
	int64_t start_ns, next_wave_ns, deadline_ns;
	int last_err;
	struct netconn *conn;
	struct netattempt *next; /* the world's */
	int done;
};

struct netrec_conn {
	int a, b, via;
	enum netconn_kind kind;
	double t_ms;
	double t_closed_ms; /* when it closed before the phase's end; < 0 open */
	int open_at_end;
};

struct netrec_punch {
	int node, coordinator, peer;
	enum netattempt_outcome outcome;
	double t_ms, ttc_ms; /* ttc < 0: none */
};

struct netrec_evict {
	int node, evicted;
	double t_ms;
};

struct netnode {
	enum netfd_type fdtype; /* NETFD_LISTEN: epoll on the listener */
	const struct netcfg_node *c;
	int ns_fd, listen_fd;
	struct netaddrman am;
	struct netconn *conns;
	int n_in, inbound_limit;
	/* Outbound picks open or opening: kept as counts because every
	 * tick asks and a reachable node has ~125 connections to walk. */
	int n_full, n_block, n_extra;
	uint64_t nonce, rng;
	int64_t next_dial_ns, next_punch_ns, next_pick_ns, next_forget_ns;
	struct netsession *hold, *seek; /* at most one of each at a time */
	struct netsession **lure; /* attacker: per w->coords index, or NULL */
	int announced;
	int64_t *have_ns; /* per block: first receipt (0: not yet) */
	struct netconn **asked; /* per block: the peer a getdata went to */
};

/* What netconn reports upward (set by netnode: the lower floor calls
 * the upper through these, so no include goes up). */
struct networld;
struct p2p_hdr;
struct netconn_ops {
	void (*open)(struct networld *w, struct netconn *c);
	void (*closed)(struct networld *w, struct netconn *c, int err);
	void (*msg)(struct networld *w, struct netconn *c,
		    const struct p2p_hdr *h, const uint8_t *p);
};

struct networld {
	const struct netcfg *cfg;
	const struct netconn_ops *ops;
	const struct netcfg_phase *phase;
	int phase_index, part, parts;
	int64_t t0_ns;
	int epfd, home_ns_fd;
	struct netnode *nodes; /* this part's, in nodes-file order */
	int nlocal;
	int *local_of; /* node id -> index in nodes, -1: another part's */
	int *cfg_of;   /* node id -> index in cfg->nodes */
	int *coords;   /* cfg indexes of the coordinator nodes */
	int ncoords;
	struct netconn *conns, *dead;
	struct netsession *sessions;
	struct netattempt *attempts;
	struct netrec_conn *rc;
	int nrc, caprc;
	struct netrec_punch *rp;
	int nrp, caprp;
	struct netrec_evict *re;
	int nre, capre;
	int *miner; /* per block: node id */
	uint8_t (*hash)[32];
	size_t max_payload;
	/* figures for the log */
	long sockets, open_fds, peak_fds, setns_calls, lost;
};

static inline const struct netcfg_node *net_node_cfg(const struct networld *w,
						     int id)
{
	if (id < 0 || id > w->cfg->max_id || w->cfg_of[id] < 0)
		return NULL;
	return &w->cfg->nodes[w->cfg_of[id]];
}

/* The coordinator (its cfg node) listening at a:port, or NULL. */
static inline const struct netcfg_node *
net_coord_at(const struct networld *w, struct in_addr a, uint16_t port)
{
	for (int k = 0; k < w->ncoords; k++) {
		const struct netcfg_node *c = &w->cfg->nodes[w->coords[k]];

		if (c->coord_addr.s_addr == a.s_addr && c->coord_port == port)
			return c;
	}
	return NULL;
}

/* Counts c among its node's outbound picks (n_full, n_block, n_extra). */
static inline void net_count(struct netnode *n, const struct netconn *c,
			     int delta)
{
	if (c->extra)
		n->n_extra += delta;
	else if (c->kind == NETCONN_BLOCK)
		n->n_block += delta;
	else
		n->n_full += delta;
}

static inline double net_ms(const struct networld *w, int64_t ns)
{
	return (double)(ns - w->t0_ns) / 1e6;
}

static inline int64_t net_at(const struct networld *w, int64_t ms)
{
	return w->t0_ns + ms * NET_NS_PER_MS;
}

#endif
