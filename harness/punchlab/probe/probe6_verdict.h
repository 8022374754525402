/* probe6_verdict: what the probe's IPv6 tests saw (probe6.c fills it)
 * and the two rows it makes, "IPv6 filtering" and "IPv6 unsolicited
 * SYN". Pure. */
#ifndef PUNCHLAB_PROBE6_VERDICT_H
#define PUNCHLAB_PROBE6_VERDICT_H

#include "probe.h"

#define PROBE6_H1 "2001:db8:1::2"

/* What the IPv6 tests saw: H1 sent from one port to T1, then T1 (from
 * another port) and T2 dialled that port, and T1 a port H1 never used. */
struct probe6_obs {
	int on;	 /* the home has IPv6: rows are written */
	int err; /* -errno when the tests could not run */
	char why[256];
	struct probe_attempt same_addr, other_addr, unused;
	enum profile6_filter filtering; /* declared */
	enum nat_syn syn;
};

/* The two rows (none when o->on is 0). */
void probe6_verdict(const struct probe6_obs *o, struct probe_report *r);

#endif
