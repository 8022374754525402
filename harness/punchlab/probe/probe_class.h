/* probe_class: what a NAT profile (or a home router behind a carrier NAT)
 * should look like from outside, and the RFC 4787 / 5382 class that raw
 * observations show. Pure functions: no sockets, no namespaces. */
#ifndef PUNCHLAB_PROBE_CLASS_H
#define PUNCHLAB_PROBE_CLASS_H

#include <stddef.h>

#include "probe.h"

/* The profile as the probe loads it: an established timeout the probe
 * cannot wait for (kernel default, over PROBE_LIFE_MAX_S, or under 2 s)
 * becomes PROBE_LIFE_S. Returns 1 when it changed p. */
int probe_class_shorten(struct nat_profile *p);
/* The same for the SYN_SENT timeout, when the probe measures it. */
int probe_class_shorten_syn(struct nat_profile *p);
/* Expected behaviour of home alone (carrier NULL) or of home behind
 * carrier, from the profiles as shortened; orig_* are the profiles as
 * declared (for the lifetime the report quotes). */
void probe_class_decl(const struct nat_profile *home,
		      const struct nat_profile *carrier,
		      const struct nat_profile *orig_home,
		      const struct nat_profile *orig_carrier,
		      struct probe_decl *d);

/* First of the local ports the probe uses (it needs the 48 above it):
 * spread by seed over 20000-59999, or inside the declared block when the
 * NAT preserves ports only within it. */
uint16_t probe_class_base(const struct probe_decl *d, unsigned long seed);

/* Mapping from one local endpoint seen by S:a:p1, S:a:p2, S:b:p1.
 * enum nat_mapping, or -EPROTO when the three do not fit any class. */
int probe_class_mapping(const struct probe_ep *local,
			const struct probe_ep seen[3]);
/* Port assignment of n >= 2 new mappings made in order from local[i]:
 * preserve (seen == local), sequential (each one after the previous,
 * wrapping from max to min), else random. -EINVAL when n < 2. */
int probe_class_ports(const uint16_t *local, const uint16_t *seen, int n,
		      uint16_t min, uint16_t max);
/* 1 when every seen port lies in [min, max]. */
int probe_class_in_range(const uint16_t *seen, int n, uint16_t min,
			 uint16_t max);
/* Filtering from inbound attempts to a mapping held toward S:a:p: from
 * another host, and from S's address but another port. enum nat_filter,
 * or -EPROTO when another host got in but S's own address did not. */
int probe_class_filtering(const struct probe_attempt *from_host,
			  const struct probe_attempt *from_addr);
/* The answer to an unsolicited SYN: enum nat_syn, or -EPROTO (accepted,
 * an ICMP error other than port unreachable, a local error). */
int probe_class_syn(const struct probe_attempt *a);
/* UDP filtering from datagrams to a mapping made toward S:a:p1: from
 * S:a:p1 itself (the reply), S:a:p2 and S:b:p1, each arrived or not.
 * enum nat_filter, or -EPROTO when the reply did not arrive or S:b got
 * in where S:a:p2 did not. */
int probe_class_udp_filtering(const struct probe_attempt *reply,
			      const struct probe_attempt *from_port,
			      const struct probe_attempt *from_addr);
/* The answer to an unsolicited datagram: enum nat_udp (no answer: drop,
 * ICMP port unreachable: icmp), or -EPROTO for anything else. */
int probe_class_udp_unsolicited(const struct probe_attempt *a);
/* Lifetime from connections idle ms[i] (ascending) that were alive[i]
 * (nonzero) or not: the longest idle still alive (-1: none) and the
 * shortest gone (-1: none). -EPROTO when a longer idle lived after a
 * shorter one died. */
int probe_class_lifetime(const int *ms, const int *alive, int n,
			 int *last_alive_ms, int *first_dead_ms);

/* Simultaneous open from how H1's connect ended once T's SYN came back:
 * pass (handshake), drop (no answer), or -EPROTO. */
int probe_class_simopen(const struct probe_attempt *h1);
/* Refresh direction from datagrams sent ms[i] (ascending) after the last
 * outbound one, in[i] arrived or not: both when all arrived, outbound
 * when the early ones did and the rest not (first lost and last in into
 * the pointers, -1 for none), -EPROTO otherwise. */
int probe_class_refresh(const int *ms, const int *in, int n, int *last_in_ms,
			int *first_lost_ms);
/* "a.b.c.d:port" into buf (at least 22 bytes); returns buf. */
char *probe_ep_str(const struct probe_ep *ep, char *buf, size_t cap);
int probe_ep_eq(const struct probe_ep *a, const struct probe_ep *b);

#endif
