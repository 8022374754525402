/* netnode: the world of one punch-net process and its nodes — namespace
 * entry, listening and accepting with eviction, outbound connections
 * from the address manager, and the connection records. */
#ifndef PUNCHLAB_NETNODE_H
#define PUNCHLAB_NETNODE_H

#include <stddef.h>

#include "netmodel.h"

/* Opens every local node's namespace. 0, or -errno with err saying
 * which namespace and why. networld_free undoes it (also after a
 * failure). */
int networld_init(struct networld *w, const struct netcfg *cfg,
		  int phase_index, int part, int parts, int64_t t0_ns,
		  char *err, size_t errlen);
void networld_free(struct networld *w);
/* File descriptors this part needs (sockets and namespaces), with the
 * inbound of reachable nodes bounded as netnode.c explains. */
long networld_fd_need(const struct netcfg *cfg, enum netcfg_mode mode,
		      int part, int parts);
const struct netcfg_node *networld_node_cfg(const struct networld *w, int id);
/* The netgroup of an address: docs/network.md's /24 groups for
 * 172.16.0.0/12, else a group per /24 outside that range. */
uint64_t networld_group_of(struct in_addr a);

/* Into n's namespace and back to the process's own. */
int netnode_enter(struct networld *w, struct netnode *n);
void netnode_leave(struct networld *w);
/* Reachable nodes: listen on their port (backlog 1024). 0 or -errno. */
int netnode_listen(struct networld *w, struct netnode *n);
void netnode_accept(struct networld *w, struct netnode *n);
/* Timeline work due at now: outbound picks, then punching. */
void netnode_tick(struct networld *w, struct netnode *n, int64_t now);
/* Picks from the address manager and connects (or seeks, for an
 * advertised entry). 0, or -1 when nothing could be started. */
int netnode_pick(struct networld *w, struct netnode *n,
		 enum netconn_kind kind, int extra, int64_t now);
/* Counts c among n's outbound picks (n_full, n_block or n_extra). */
void netnode_count(struct netnode *n, const struct netconn *c, int delta);

/* From netconn. */
void netnode_conn_open(struct networld *w, struct netconn *c);
void netnode_conn_closed(struct networld *w, struct netconn *c, int err);

/* A connection record (a = c's node); its index or -1. */
int netnode_record(struct networld *w, struct netconn *c, int b, int via);

#endif
