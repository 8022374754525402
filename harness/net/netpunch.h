/* netpunch: the coordinator client and the punches, non-blocking for
 * many nodes at once — rendezvous/handoff registrations (key 0,
 * UNREACHABLE), advertised holders (HOLD, a light connection kept all
 * phase) and seekers (SEEK for a picked key), and for each hppunch a
 * simultaneous open from the registration's local port at the
 * coordinator's delay, checked by the version nonce. */
#ifndef PUNCHLAB_NETPUNCH_H
#define PUNCHLAB_NETPUNCH_H

#include "netmodel.h"

/* The sessions due for n at now: rendezvous/handoff requests, the
 * advertised holder (the advertised picks are netpick's). */
void netpunch_tick(struct networld *w, struct netnode *n, int64_t now);
/* Waves and deadlines of every attempt and session. */
void netpunch_sweep(struct networld *w, int64_t now);
/* A seeker session toward addrman entry i (advertised). 0 or -1. */
int netpunch_seek(struct networld *w, struct netnode *n, int i, int64_t now);
/* From netconn/netnode. */
void netpunch_msg(struct networld *w, struct netconn *c,
		  const struct p2p_hdr *h, const uint8_t *p);
void netpunch_coord_open(struct networld *w, struct netconn *c);
void netpunch_coord_closed(struct networld *w, struct netconn *c, int err);
void netpunch_conn_open(struct networld *w, struct netconn *c);
void netpunch_conn_closed(struct networld *w, struct netconn *c, int err);
void netpunch_free(struct networld *w);

#endif
