/* netrecord: growing arrays, one per record kind. */
#include <errno.h>
#include <stdlib.h>

#include "monoclock.h"
#include "outcomes.h"
#include "netrecord.h"

/* The agent's vocabulary (outcomes.c), and one word of the network
 * scenario's own: the coordinator answered hpreject (no holder, key busy,
 * stayed an inbound peer), which a trial folds into "coordinator" but
 * the network analysis counts apart. */
static const enum outcome_code netrecord_outcomes[] = {
	[NETATT_OK] = OUTCOME_OK,
	[NETATT_TIMEOUT] = OUTCOME_TIMEOUT,
	[NETATT_REFUSED] = OUTCOME_REFUSED,
	[NETATT_WRONG_PEER] = OUTCOME_WRONG_PEER,
	[NETATT_COORDINATOR] = OUTCOME_COORDINATOR,
};

const char *netrecord_outcome_name(enum netattempt_outcome o)
{
	if (o == NETATT_REJECT)
		return "reject";
	return outcome_name(netrecord_outcomes[o]);
}

/* Room for one more element in *arr (n used of *cap); 0 or -ENOMEM. */
static int netrecord_room(void **arr, int n, int *cap, size_t size)
{
	void *a;
	int c;

	if (n < *cap)
		return 0;
	c = *cap ? 2 * *cap : 1024;
	a = realloc(*arr, (size_t)c * size);
	if (!a)
		return -ENOMEM;
	*arr = a;
	*cap = c;
	return 0;
}

void netrecord_conn(struct networld *w, struct netconn *c, int b, int via)
{
	if (netrecord_room((void **)&w->rc, w->nrc, &w->caprc,
			   sizeof(*w->rc))) {
		w->lost++;
		return;
	}
	w->rc[w->nrc] = (struct netrec_conn){
		.a = c->node->c->id,
		.b = b,
		.via = via,
		.kind = c->kind,
		.t_ms = net_ms(w, mono_ns()),
		.t_closed_ms = -1,
		.open_at_end = 1,
	};
	c->rec = w->nrc++;
}

void netrecord_punch(struct networld *w, const struct netnode *n, int coord,
		     int peer, enum netattempt_outcome o, int64_t t_ns,
		     int64_t ttc_ns)
{
	if (netrecord_room((void **)&w->rp, w->nrp, &w->caprp,
			   sizeof(*w->rp))) {
		w->lost++;
		return;
	}
	w->rp[w->nrp++] = (struct netrec_punch){
		.node = n->c->id,
		.coordinator = coord,
		.peer = peer,
		.outcome = o,
		.t_ms = net_ms(w, t_ns),
		.ttc_ms = ttc_ns < 0 ? -1 : (double)ttc_ns / 1e6,
	};
}

void netrecord_evict(struct networld *w, const struct netnode *n,
		     int evicted)
{
	if (netrecord_room((void **)&w->re, w->nre, &w->capre,
			   sizeof(*w->re))) {
		w->lost++;
		return;
	}
	w->re[w->nre++] = (struct netrec_evict){
		.node = n->c->id,
		.evicted = evicted,
		.t_ms = net_ms(w, mono_ns()),
	};
}
