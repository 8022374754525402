/* evidence: NAT counters, pcaps and conntrack snapshots of a world. */
#ifndef PUNCHLAB_EVIDENCE_H
#define PUNCHLAB_EVIDENCE_H

#include "results.h"
#include "world.h"

struct capture;

/* Each side's syn_dropped and rst_sent, router plus carrier. */
void evidence_counters(struct world *w, struct nat_counts (*nc)[2]);
/* Starts capturing every router's and carrier's WAN and LAN (only_cell's,
 * when >= 0) and charlie's WAN into <dir>/captures/<ns>-<if>.pcap, by
 * one process registered for cleanup. NULL with errno on failure. */
struct capture *evidence_capture(struct world *w, const char *dir,
				 int only_cell);
/* Stops it and prints how many packets it wrote. */
void evidence_capture_end(struct world *w, struct capture *c,
			  const char *dir);
/* Conntrack tables and rulesets of every NAT (only_cell's, when >= 0)
 * into <dir>/snapshots/. */
void evidence_snapshots(struct world *w, const char *dir, int only_cell);

#endif
