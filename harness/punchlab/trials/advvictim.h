/* advvictim: the redirect victim of docs/adversaries.md section 2 — the
 * endpoint the lying coordinator names, the namespace that counts what
 * reaches it (nft table punchlab_<rid>_adv, counters victim_syn and
 * victim_bytes), and for wan-listen a listener that reads and discards. */
#ifndef PUNCHLAB_ADVVICTIM_H
#define PUNCHLAB_ADVVICTIM_H

#include <stddef.h>
#include <sys/types.h>

#include "world.h"

#define ADVVICTIM_PORT 8333	/* wan, wan-listen: Bitcoin's P2P port */
#define ADVVICTIM_ADMIN_PORT 80 /* lan: the router's admin page */
#define ADVVICTIM_RPC_PORT 18443 /* loopback, coordinator: regtest RPC */

/* The endpoint cell's redirect names ("IP:PORT" into buf), and the plan
 * namespace that counts it (its index). -EINVAL for a cell that is not a
 * redirect. */
int advvictim_endpoint(const struct world *w, const struct scenario *s,
		       int cell, char *buf, size_t cap);
/* Loads the counting table into namespace ns (once per namespace;
 * *loaded tracks it per plan namespace) for the endpoint "IP:PORT". 0 or
 * -errno with nft's words on stderr. */
int advvictim_table(struct world *w, int ns, const char *endpoint,
		    unsigned char *loaded);
/* The counters in namespace ns: SYNs and bytes. 0 or -errno. */
int advvictim_read(const struct world *w, int ns, unsigned long long *syns,
		   unsigned long long *bytes);
/* A child of ours in the victim namespace listening on
 * PLAN_VICTIM_ADDR:ADVVICTIM_PORT, accepting and discarding whatever
 * arrives; registered for cleanup, dies with us. pid once it listens, or
 * -errno. Stop it with proc_stop. */
pid_t advvictim_listener(struct world *w);

#endif
