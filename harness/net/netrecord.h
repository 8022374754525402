/* netrecord: the records --out is made of — connections (by the side
 * that initiated), punch attempts, evictions — appended to the world's
 * arrays. A record that cannot be stored (out of memory) is dropped and
 * counted in w->lost. */
#ifndef PUNCHLAB_NETRECORD_H
#define PUNCHLAB_NETRECORD_H

#include "netmodel.h"

/* c's connection from its node to b (via: the coordinator of a punched
 * one, else -1), open from now; c->rec is set. */
void netrecord_conn(struct networld *w, struct netconn *c, int b, int via);
/* ttc_ns < 0: none. */
void netrecord_punch(struct networld *w, const struct netnode *n, int coord,
		     int peer, enum netattempt_outcome o, int64_t t_ns,
		     int64_t ttc_ns);
void netrecord_evict(struct networld *w, const struct netnode *n,
		     int evicted);
const char *netrecord_outcome_name(enum netattempt_outcome o);

#endif
