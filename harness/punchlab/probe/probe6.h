/* probe6: `punchlab probe`'s IPv6 part for a profile with [ipv6] on: the
 * probe topology made dual-stack, the router's IPv6 filter loaded, and
 * two rows measured with real TCP connections — "IPv6 filtering" and
 * "IPv6 unsolicited SYN" — against the declaration.
 *
 *   [h1 2001:db8:1::2]--[router 2001:db8:1::1 | WAN 2001:db8:ffa::1]--[inet]--[t 2001:db8::20, ::21]
 *   with a carrier: router WAN 2001:db8:ffc::2 behind [cgn 2001:db8:ffc::1]
 */
#ifndef PUNCHLAB_PROBE6_H
#define PUNCHLAB_PROBE6_H

#include <stddef.h>
#include <stdint.h>

#include "probe.h"
#include "probe6_verdict.h"
#include "probe_net.h"

#define PROBE6_H2 "2001:db8:1::3"
#define PROBE6_T1 "2001:db8::20"
#define PROBE6_T2 "2001:db8::21"
#define PROBE6_T_PORT 4000

/* Whether the probe measures IPv6 for home (behind carrier, may be NULL). */
int probe6_wanted(const struct nat_profile *home,
		  const struct nat_profile *carrier);
/* Adds IPv6 to n's topology and loads home's IPv6 filter into the
 * router. 0 or -errno with err filled. */
int probe6_net(struct probe_net *n, char *err, size_t cap);
/* The tests, from local ports base+50..; 0, or -EINTR on punchlab_stop. */
int probe6_measure(struct probe_net *n, uint16_t base, struct probe6_obs *o);

#endif
