/* probe_class: classification of observations and the expected behaviour
 * of one NAT or two in a row (NAT444), in the terms of RFC 4787 / 5382. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "probe_class.h"

/* A timeout the probe can wait for stays; any other becomes
 * PROBE_LIFE_S. 1 when it changed. */
static int probe_shorten(unsigned int *v)
{
	if (*v >= 2 && *v <= PROBE_LIFE_MAX_S)
		return 0;
	*v = PROBE_LIFE_S;
	return 1;
}

int probe_class_shorten(struct nat_profile *p)
{
	return probe_shorten(&p->timeout_established);
}

/* EIM < ADM < APDM by how much of the destination a mapping depends on;
 * "none" translates nothing and so leaves the other layer's class. */
static enum nat_mapping probe_map_chain(enum nat_mapping home,
					enum nat_mapping carrier)
{
	if (home == NAT_MAP_NONE)
		return carrier;
	if (carrier == NAT_MAP_NONE)
		return home;
	return home > carrier ? home : carrier;
}

/* EIF < ADF < APDF by how much of the sender a filter checks. */
static enum nat_filter probe_filter_chain(enum nat_filter home,
					  enum nat_filter carrier)
{
	return home > carrier ? home : carrier;
}

/* The ports a profile's new mappings of H1 (subscriber 0: H1 alone, the
 * home router's WAN behind a carrier) may get. */
static void probe_ports_of(const struct nat_profile *p, struct probe_decl *d)
{
	d->ports = p->ports;
	d->port_min = p->port_min;
	d->port_max = p->port_max;
	d->block = p->port_block != 0;
	if (d->block)
		d->port_max = (uint16_t)(p->port_min + p->port_block - 1);
}

static unsigned int probe_life_min(unsigned int a, unsigned int b)
{
	return a < b ? a : b;
}

int probe_class_shorten_syn(struct nat_profile *p)
{
	return probe_shorten(&p->timeout_syn_sent);
}

/* The shorter of two declared timeouts, 0 (kernel default) counting as
 * the longest. */
static unsigned int probe_timeout_min(unsigned int a, unsigned int b)
{
	if (!a || !b)
		return a ? a : b;
	return a < b ? a : b;
}

/* The keys of issue 11 through one or two layers. */
static void probe_keys_decl(const struct nat_profile *home,
			    const struct nat_profile *carrier,
			    const struct nat_profile *orig_home,
			    const struct nat_profile *orig_carrier,
			    struct probe_decl *d)
{
	d->overloading = profile_port_overloading(home);
	d->simopen = home->simultaneous_open;
	d->refresh = home->refresh;
	d->syn_s = home->timeout_syn_sent;
	d->syn_profile_s = orig_home->timeout_syn_sent;
	if (!carrier)
		return;
	/* Two hosts sharing the home router's port are one inside endpoint
	 * to the carrier: it keeps them together only if it translates
	 * nothing or maps endpoint-independently. */
	if (home->mapping == NAT_MAP_NONE)
		d->overloading = profile_port_overloading(carrier);
	else if (carrier->mapping != NAT_MAP_NONE &&
		 carrier->mapping != NAT_MAP_EIM)
		d->overloading = 0;
	/* A SYN or a silence the carrier drops never reaches the home
	 * router: the stricter layer decides. */
	if (carrier->simultaneous_open == NAT_SIMOPEN_DROP)
		d->simopen = NAT_SIMOPEN_DROP;
	if (carrier->refresh == NAT_REFRESH_OUTBOUND)
		d->refresh = NAT_REFRESH_OUTBOUND;
	d->syn_s = probe_timeout_min(home->timeout_syn_sent,
				     carrier->timeout_syn_sent);
	d->syn_profile_s = probe_timeout_min(orig_home->timeout_syn_sent,
					     orig_carrier->timeout_syn_sent);
}

void probe_class_decl(const struct nat_profile *home,
		      const struct nat_profile *carrier,
		      const struct nat_profile *orig_home,
		      const struct nat_profile *orig_carrier,
		      struct probe_decl *d)
{
	const struct nat_profile *ports_from = home;

	memset(d, 0, sizeof(*d));
	d->layers = carrier ? 2 : 1;
	d->mapping = home->mapping;
	d->filtering = home->filtering;
	d->syn = home->unsolicited_syn;
	d->udp_filtering = profile_udp_filtering(home);
	d->udp_unsolicited = profile_udp_unsolicited(home);
	d->hairpin = home->hairpin;
	d->life_s = home->timeout_established;
	d->life_profile_s = orig_home->timeout_established;
	if (carrier) {
		d->mapping = probe_map_chain(home->mapping, carrier->mapping);
		/* An inbound packet passes the carrier's filter, then the
		 * home router's: the stricter one decides. */
		d->filtering =
			probe_filter_chain(home->filtering, carrier->filtering);
		d->udp_filtering =
			probe_filter_chain(profile_udp_filtering(home),
					   profile_udp_filtering(carrier));
		/* The outside reaches the carrier's address first. */
		d->syn = carrier->unsolicited_syn;
		d->udp_unsolicited = profile_udp_unsolicited(carrier);
		/* H2's packet to the shared public address turns at the
		 * carrier and comes back to the home router's WAN from the
		 * carrier's address, which only endpoint-independent
		 * filtering there lets in. A carrier that translates
		 * nothing leaves the home router's address public: the
		 * packet turns there. */
		if (carrier->mapping == NAT_MAP_NONE)
			d->hairpin = home->hairpin;
		else
			d->hairpin = carrier->hairpin &&
				     home->filtering == NAT_FILTER_EIF;
		d->life_s = probe_life_min(home->timeout_established,
					   carrier->timeout_established);
		d->life_profile_s = probe_life_min(
			orig_home->timeout_established
				? orig_home->timeout_established
				: ~0u,
			orig_carrier->timeout_established
				? orig_carrier->timeout_established
				: ~0u);
		if (d->life_profile_s == ~0u)
			d->life_profile_s = 0;
		/* A carrier that picks its own ports hides the home
		 * router's choice; one that preserves passes it on (within
		 * its subscriber block, if it has blocks). */
		if (carrier->mapping != NAT_MAP_NONE &&
		    (carrier->ports != NAT_PORTS_PRESERVE ||
		     carrier->port_block))
			ports_from = carrier;
	}
	d->life_override = d->life_s != d->life_profile_s;
	probe_keys_decl(home, carrier, orig_home, orig_carrier, d);
	probe_ports_of(ports_from, d);
	if (d->mapping == NAT_MAP_NONE) {
		d->ports = NAT_PORTS_PRESERVE;
		d->block = 0;
	}
}

uint16_t probe_class_base(const struct probe_decl *d, unsigned long seed)
{
	unsigned int span = (unsigned int)d->port_max - d->port_min + 1;

	if (d->block && d->ports == NAT_PORTS_PRESERVE && span >= 64)
		return (uint16_t)(d->port_min + seed % (span - 48));
	return (uint16_t)(20000 + seed % 40000);
}

int probe_ep_eq(const struct probe_ep *a, const struct probe_ep *b)
{
	return a->ip == b->ip && a->port == b->port;
}

char *probe_ep_str(const struct probe_ep *ep, char *buf, size_t cap)
{
	char ip[INET_ADDRSTRLEN];
	struct in_addr a = {.s_addr = ep->ip};

	if (!inet_ntop(AF_INET, &a, ip, sizeof(ip)))
		snprintf(ip, sizeof(ip), "?");
	snprintf(buf, cap, "%s:%u", ip, ep->port);
	return buf;
}

int probe_class_mapping(const struct probe_ep *local,
			const struct probe_ep seen[3])
{
	const struct probe_ep *a1p1 = &seen[0], *a1p2 = &seen[1],
			      *a2p1 = &seen[2];

	if (probe_ep_eq(a1p1, local) && probe_ep_eq(a1p2, local) &&
	    probe_ep_eq(a2p1, local))
		return NAT_MAP_NONE;
	/* One external address for all (REQ-2 paired pooling) and never
	 * the inside one: anything else is not a class of RFC 4787. */
	if (a1p1->ip == local->ip || a1p1->ip != a1p2->ip ||
	    a1p1->ip != a2p1->ip)
		return -EPROTO;
	if (a1p1->port == a1p2->port)
		return a1p1->port == a2p1->port ? NAT_MAP_EIM : NAT_MAP_ADM;
	/* A new port per destination port: the port toward the other
	 * address must be new as well. */
	if (a2p1->port == a1p1->port || a2p1->port == a1p2->port)
		return -EPROTO;
	return NAT_MAP_APDM;
}

int probe_class_ports(const uint16_t *local, const uint16_t *seen, int n,
		      uint16_t min, uint16_t max)
{
	int preserved = 1, seq = 1;

	if (n < 2)
		return -EINVAL;
	for (int i = 0; i < n; i++) {
		if (seen[i] != local[i])
			preserved = 0;
		if (i && seen[i] != (uint16_t)(seen[i - 1] + 1) &&
		    !(seen[i - 1] == max && seen[i] == min))
			seq = 0;
	}
	if (preserved)
		return NAT_PORTS_PRESERVE;
	return seq ? NAT_PORTS_SEQUENTIAL : NAT_PORTS_RANDOM;
}

int probe_class_in_range(const uint16_t *seen, int n, uint16_t min,
			 uint16_t max)
{
	for (int i = 0; i < n; i++)
		if (seen[i] < min || seen[i] > max)
			return 0;
	return 1;
}

int probe_class_filtering(const struct probe_attempt *from_host,
			  const struct probe_attempt *from_addr)
{
	if (from_host->arrived)
		return from_addr->arrived ? NAT_FILTER_EIF : -EPROTO;
	return from_addr->arrived ? NAT_FILTER_ADF : NAT_FILTER_APDF;
}

int probe_class_syn(const struct probe_attempt *a)
{
	switch (a->ans) {
	case PROBE_ANS_NONE:
		return NAT_SYN_DROP;
	case PROBE_ANS_RST:
		return NAT_SYN_RST;
	case PROBE_ANS_ICMP:
		/* destination unreachable / port unreachable */
		return a->icmp_type == 3 && a->icmp_code == 3 ? NAT_SYN_ICMP
							      : -EPROTO;
	default:
		return -EPROTO;
	}
}

int probe_class_udp_filtering(const struct probe_attempt *reply,
			      const struct probe_attempt *from_port,
			      const struct probe_attempt *from_addr)
{
	/* Without the reply the mapping itself did not work: what the
	 * others did says nothing about filtering. */
	if (!reply->arrived)
		return -EPROTO;
	return probe_class_filtering(from_addr, from_port);
}

int probe_class_udp_unsolicited(const struct probe_attempt *a)
{
	if (a->ans == PROBE_ANS_NONE)
		return NAT_UDP_DROP;
	if (a->ans == PROBE_ANS_ICMP && a->icmp_type == 3 && a->icmp_code == 3)
		return NAT_UDP_ICMP;
	return -EPROTO;
}

int probe_class_lifetime(const int *ms, const int *alive, int n,
			 int *last_alive_ms, int *first_dead_ms)
{
	*last_alive_ms = -1;
	*first_dead_ms = -1;
	for (int i = 0; i < n; i++) {
		if (alive[i]) {
			if (*first_dead_ms >= 0)
				return -EPROTO;
			*last_alive_ms = ms[i];
		} else if (*first_dead_ms < 0) {
			*first_dead_ms = ms[i];
		}
	}
	return 0;
}

int probe_class_simopen(const struct probe_attempt *h1)
{
	if (h1->ans == PROBE_ANS_ACCEPTED)
		return NAT_SIMOPEN_PASS;
	return h1->ans == PROBE_ANS_NONE ? NAT_SIMOPEN_DROP : -EPROTO;
}

int probe_class_refresh(const int *ms, const int *in, int n, int *last_in_ms,
			int *first_lost_ms)
{
	if (probe_class_lifetime(ms, in, n, last_in_ms, first_lost_ms) < 0 ||
	    *last_in_ms < 0)
		return -EPROTO;
	return *first_lost_ms < 0 ? NAT_REFRESH_BOTH : NAT_REFRESH_OUTBOUND;
}
