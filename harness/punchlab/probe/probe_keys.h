/* probe_keys: the tests of issue 11's keys that take no waiting — port
 * overloading across the two LAN hosts and simultaneous open. */
#ifndef PUNCHLAB_PROBE_KEYS_H
#define PUNCHLAB_PROBE_KEYS_H

#include <stdint.h>

#include "probe.h"
#include "probe_net.h"

/* H1 and H2 bind the same local port base+25 and GET S:a:p1 and S:b:p1
 * (different destinations: toward one destination the kernel must pick
 * another port anyway); both connections stay open until both answered.
 * 0 (result or why in o), -EINTR on stop. */
int probe_measure_overloading(struct probe_net *n, uint16_t base,
			      struct probe_obs *o);
/* The same with UDP from base+28 to S:a and S:b port PROBE_OVL_PORT
 * (sockets the probe holds in srv): one datagram each, H1's first. */
int probe_measure_udp_overloading(struct probe_net *n, uint16_t base,
				  struct probe_obs *o);
#define PROBE_OVL_PORT 3482

/* H1 connects from base+26 to T's first trap port; once T saw the SYN
 * (and swallowed it), T connects back from that port to the public
 * endpoint the SYN came from: a bare SYN in the mapping's reply
 * direction while it is in SYN_SENT. How both connects ended within
 * PROBE_WINDOW_MS. pfd from probe_trap_new. */
int probe_measure_simopen(struct probe_net *n, int pfd, uint16_t base,
			  struct probe_obs *o);

#endif
