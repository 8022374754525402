/* netnode: the world of one punch-net process and its nodes — namespace
 * handles, listening and accepting with eviction, each node's timeline,
 * and what its connections' opening and closing mean. */
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
/* The netgroup of an address: docs/network.md's /24 groups for
 * 172.16.0.0/12, else a group per /24 outside that range. */
uint64_t networld_group_of(struct in_addr a);

/* Reachable nodes: listen on their port (backlog 1024). 0 or -errno. */
int netnode_listen(struct networld *w, struct netnode *n);
void netnode_accept(struct networld *w, struct netnode *n);
/* Timeline work due at now: outbound picks, punching, advertised
 * picks. */
void netnode_tick(struct networld *w, struct netnode *n, int64_t now);
#endif
