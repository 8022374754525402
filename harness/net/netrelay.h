/* netrelay: what open peer connections carry — blocks (inv, getdata,
 * block; first receipt timed) and, on full-relay connections only,
 * hpaddr gossip. */
#ifndef PUNCHLAB_NETRELAY_H
#define PUNCHLAB_NETRELAY_H

#include "netmodel.h"

#define NETRELAY_MSG_BLOCK 2 /* inv type */

void netrelay_msg(struct networld *w, struct netconn *c,
		  const struct p2p_hdr *h, const uint8_t *p);
/* A new peer hears of the blocks we have (and of our hpaddr). */
void netrelay_conn_open(struct networld *w, struct netconn *c);
void netrelay_conn_closed(struct networld *w, struct netconn *c);
/* Block b appears at its miner (a local node) now. */
void netrelay_mine(struct networld *w, int b);
/* A holder's hpaddr to its full-relay outbound peers. */
void netrelay_announce(struct networld *w, struct netnode *n);

#endif
