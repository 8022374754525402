/* pcpd: a PCP/NAT-PMP server (Debian's miniupnpd 2.3.1, nftables
 * backend) in every router whose profile says [pcp] server != off: its
 * config, pid and lease files in the run's state folder, its own nft
 * table inet punchlab_<rid>_pcp, started through the proc module and
 * stopped by pid with the run (docs/alternatives.md section 4). */
#ifndef PUNCHLAB_PCPD_H
#define PUNCHLAB_PCPD_H

#include "world.h"

/* The port PCP and NAT-PMP share on the router's LAN address. */
#define PCPD_PORT 5351

/* Starts one miniupnpd per PCP router of w, each registered for cleanup,
 * and waits until each answers a NAT-PMP external-address request (the
 * times go to <dir>/pcpd.jsonl, its messages to
 * <dir>/miniupnpd-<tag>.log). keep: they outlive punchlab (punchlab up).
 * How many started (0: no router asks for one), or -errno with the
 * reason on stderr. */
int pcpd_start(struct world *w, const char *dir, int keep);

#endif
