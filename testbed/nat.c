/* nat: a NAT profile rendered as nftables text, one fragment per profile
 * key, written through the builder in nat_build.c after the checks of
 * nat_check.c; nat_load.c loads the text into a router's namespace. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "nat.h"
#include "nat_build.h"
#include "nat_check.h"

/* --- fragments: one per profile key, each adds objects and rules --- */

/* A named counter, read with nat_counter(). */
static void nat_counter_obj(struct nat_build *b, const char *name)
{
	nat_put(&b->obj, "\tcounter %s {\n\t}\n\n", name);
}

/* Read by nat_counter and the harness whatever the profile. */
static int frag_counters(struct nat_build *b)
{
	nat_counter_obj(b, "syn_dropped");
	nat_counter_obj(b, "rst_sent");
	nat_counter_obj(b, "udp_dropped");
	/* Every RST the router itself sends toward the WAN, from its stack
	 * or from a reject rule (both leave through the output hook). */
	nat_rule(b, NAT_CH_OUTPUT,
		 "oifname \"%s\" tcp flags & rst == rst counter name "
		 "\"rst_sent\"",
		 b->ifc->wan);
	return 0;
}

/* The port a new mapping gets, for one source: the inside prefix, or one
 * subscriber and its block [lo, hi] (block set). pre selects the path. */
static int mapping_new(struct nat_build *b, enum nat_chain ch, const char *pre,
		       const char *src, unsigned int lo, unsigned int hi,
		       int block)
{
	const struct nat_profile *p = b->p;
	const char *w = b->ifc->wan_addr;
	char range[16] = "";
	unsigned int i;

	if (block)
		snprintf(range, sizeof(range), ":%u-%u", lo, hi);
	switch (p->ports) {
	case NAT_PORTS_PRESERVE:
		if (!block && !profile_port_overloading(p)) {
			/* The kernel would keep a port another inside
			 * endpoint holds toward other destinations (RFC 4787
			 * REQ-3): such a one draws a port instead. */
			nat_need(b, NAT_OBJ_TAKEN);
			nat_rule(b, ch,
				 "%sip saddr %s " NAT_L4 " meta l4proto . th "
				 "sport @taken snat to %s:%u-%u fully-random",
				 pre, src, w, lo, hi);
		}
		if (p->mapping == NAT_MAP_EIM) {
			/* The kernel keeps a free source port (if inside
			 * the block) and, while the mapping lives, reuses
			 * it for every destination. */
			nat_rule(b, ch, "%sip saddr %s%s snat to %s%s", pre, src,
				 block ? " " NAT_L4 : "", w, range);
			return 0;
		}
		/* An endpoint's first mapping keeps its port; the kernel
		 * would keep it for every destination, so later mappings
		 * draw a random one. */
		nat_need(b, NAT_OBJ_SEEN);
		nat_rule(b, ch,
			 "%sip saddr %s " NAT_L4 " ip saddr . meta l4proto . "
			 "th sport != @seen snat to %s%s",
			 pre, src, w, range);
		/* fall through */
	case NAT_PORTS_RANDOM:
		nat_rule(b, ch,
			 "%sip saddr %s " NAT_L4 " snat to %s:%u-%u fully-random",
			 pre, src, w, lo, hi);
		return 0;
	case NAT_PORTS_SEQUENTIAL:
		if (hi - lo + 1 > PROFILE_SEQ_PORTS_MAX)
			return nat_fail(b, -E2BIG,
					"sequential ports %u-%u: at most %d "
					"can be listed",
					lo, hi, PROFILE_SEQ_PORTS_MAX);
		/* numgen's value used as the port comes out byte-swapped;
		 * through a map whose values are ports it does not. */
		nat_put(&b->chain[ch],
			"\t\t%sip saddr %s " NAT_L4
			" snat to %s : numgen inc mod %u map { ",
			pre, src, w, hi - lo + 1);
		for (i = 0; i <= hi - lo; i++)
			nat_put(&b->chain[ch], "%s%u : %u", i ? ", " : "", i,
				lo + i);
		nat_put(&b->chain[ch], " }\n");
		return 0;
	}
	return nat_fail(b, -ENOTSUP, "port_assignment %d is not implemented",
			(int)p->ports);
}

/* Per-subscriber blocks (RFC 6888 REQ-4): subscriber i owns the i-th run
 * of port_block ports from the bottom of port_range. */
static int mapping_blocks(struct nat_build *b, enum nat_chain ch,
			  const char *pre)
{
	const struct nat_profile *p = b->p;
	const struct nat_ifaces *ifc = b->ifc;
	unsigned long lo, hi;
	size_t i;
	int e;

	if (!ifc->nsubscribers)
		return nat_fail(b, -EINVAL,
				"port_block needs the subscribers' addresses: "
				"it belongs in a carrier profile, used through "
				"behind = %s",
				p->name);
	for (i = 0; i < ifc->nsubscribers; i++) {
		lo = p->port_min + i * (unsigned long)p->port_block;
		hi = lo + p->port_block - 1;
		if (hi > p->port_max)
			return nat_fail(b, -EINVAL,
					"port_range %u-%u holds %u blocks of %u "
					"ports: none left for subscriber %s",
					p->port_min, p->port_max,
					(p->port_max - p->port_min + 1u) /
					    p->port_block,
					p->port_block, ifc->subscribers[i]);
		e = mapping_new(b, ch, pre, ifc->subscribers[i],
				(unsigned int)lo, (unsigned int)hi, 1);
		if (e < 0)
			return e;
	}
	return 0;
}

static int frag_mapping(struct nat_build *b)
{
	const struct nat_profile *p = b->p;
	const struct nat_ifaces *ifc = b->ifc;
	enum nat_chain ch = NAT_CH_POSTROUTING;
	char pre[32];
	int e;

	if (p->mapping == NAT_MAP_NONE)
		return 0;
	snprintf(pre, sizeof(pre), "oifname \"%s\" ", ifc->wan);
	if (p->hairpin) {
		/* A hairpinned connection takes its mapping as if it left
		 * through the WAN (RFC 4787 REQ-9a). */
		nat_rule(b, NAT_CH_POSTROUTING, "oifname \"%s\" jump mapping",
			 ifc->wan);
		nat_rule(b, NAT_CH_POSTROUTING,
			 "oifname \"%s\" ct status dnat jump mapping", ifc->lan);
		ch = NAT_CH_MAPPING;
		pre[0] = '\0';
	}
	/* A mapping that exists is reused; ct original ip daddr is the
	 * remote address even on the hairpin path (after dnat). */
	if (p->mapping == NAT_MAP_EIM &&
	    (p->ports != NAT_PORTS_PRESERVE || p->port_block ||
	     !profile_port_overloading(p))) {
		nat_need(b, NAT_OBJ_EIM);
		nat_rule(b, ch,
			 "%sip saddr %s " NAT_L4 " snat to %s : ip saddr . meta "
			 "l4proto . th sport map @eim_ports",
			 pre, ifc->lan_cidr, ifc->wan_addr);
	} else if (p->mapping == NAT_MAP_ADM) {
		nat_need(b, NAT_OBJ_ADM);
		nat_rule(b, ch,
			 "%sip saddr %s " NAT_L4 " snat to %s : ip saddr . meta "
			 "l4proto . th sport . ct original ip daddr map "
			 "@adm_ports",
			 pre, ifc->lan_cidr, ifc->wan_addr);
	} else if (p->mapping != NAT_MAP_EIM && p->mapping != NAT_MAP_APDM) {
		return nat_fail(b, -ENOTSUP, "mapping %d is not implemented",
				(int)p->mapping);
	}
	e = p->port_block ? mapping_blocks(b, ch, pre)
			  : mapping_new(b, ch, pre, ifc->lan_cidr, p->port_min,
					p->port_max, 0);
	if (e < 0)
		return e;
	/* The rest (ICMP) gets the address; plain EIM has said it all. */
	if (p->mapping != NAT_MAP_EIM || p->ports != NAT_PORTS_PRESERVE ||
	    p->port_block)
		nat_rule(b, ch, "%sip saddr %s snat to %s%s", pre,
			 ifc->lan_cidr, ifc->wan_addr,
			 p->ports == NAT_PORTS_RANDOM ? " fully-random" : "");
	return 0;
}

/* The filtering rules of one protocol set l4 ("meta l4proto { tcp, udp }"
 * when TCP and UDP filter alike). */
static int filtering_rules(struct nat_build *b, enum nat_filter f,
			   const char *l4)
{
	const struct nat_ifaces *ifc = b->ifc;
	int adf = f == NAT_FILTER_ADF;

	if (f == NAT_FILTER_APDF)
		return 0;
	if (f != NAT_FILTER_EIF && !adf)
		return nat_fail(b, -ENOTSUP, "filtering %d is not implemented",
				(int)f);
	if (b->p->mapping == NAT_MAP_NONE) {
		/* Nothing is translated: open the inside endpoint itself. */
		nat_need(b, adf ? NAT_OBJ_ADF_OPEN : NAT_OBJ_EIF_OPEN);
		nat_rule(b, NAT_CH_FORWARD,
			 "iifname \"%s\" ct state new %s ip daddr . "
			 "meta l4proto . th dport%s @%s accept",
			 ifc->wan, l4, adf ? " . ip saddr" : "",
			 adf ? "adf_open" : "eif_open");
		return 0;
	}
	nat_need(b, adf ? NAT_OBJ_ADF : NAT_OBJ_OWNER);
	nat_rule(b, NAT_CH_PREROUTING,
		 "iifname \"%s\" ip daddr %s %s dnat ip to meta "
		 "l4proto . th dport%s map @%s",
		 ifc->wan, ifc->wan_addr, l4, adf ? " . ip saddr" : "",
		 adf ? "adf_owner" : "owner");
	return 1; /* forward must accept what was dnat'ed */
}

/* Which new inbound connections a mapping admits beyond conntrack's own
 * address+port-dependent filtering: a dnat through a learned map. Runs
 * before frag_unsolicited_syn so what it admits is accepted first. UDP
 * filters as TCP unless the profile says udp_filtering. */
static int frag_filtering(struct nat_build *b)
{
	enum nat_filter udp = profile_udp_filtering(b->p);
	int e, dnat;

	if (udp == b->p->filtering) {
		dnat = filtering_rules(b, udp, NAT_L4);
	} else {
		dnat = filtering_rules(b, b->p->filtering, "meta l4proto tcp");
		e = dnat < 0 ? dnat : filtering_rules(b, udp, "meta l4proto udp");
		dnat = e < 0 ? e : dnat | e;
	}
	/* A PCP/NAT-PMP server's mappings are dnat rules in its own table
	 * (inet punchlab_<rid>_pcp, world/pcpd.c): a drop or reject below
	 * would win over the accept there, so what it dnat'ed passes here
	 * (only it and the maps above dnat what comes from the WAN). */
	if (dnat > 0 || b->p->pcp.server != PCP_SERVER_OFF)
		nat_rule(b, NAT_CH_FORWARD,
			 "iifname \"%s\" ct status dnat accept", b->ifc->wan);
	return dnat < 0 ? dnat : 0;
}

/* An inside host reaching another through the public address and port.
 * The postrouting half (translating the source too) is in frag_mapping. */
static int frag_hairpin(struct nat_build *b)
{
	const struct nat_ifaces *ifc = b->ifc;

	/* Without translation inside hosts reach each other directly. */
	if (!b->p->hairpin || b->p->mapping == NAT_MAP_NONE)
		return 0;
	nat_need(b, NAT_OBJ_OWNER);
	nat_rule(b, NAT_CH_PREROUTING,
		 "iifname \"%s\" ip saddr %s ip daddr %s " NAT_L4
		 " dnat ip to meta l4proto . th dport map @owner",
		 ifc->lan, ifc->lan_cidr, ifc->wan_addr);
	/* The hairpinned packet leaves by the port it came in on: the
	 * redirect the stack answers with is dropped by frag_no_redirects. */
	return 0;
}

/* simultaneous_open = drop: an inbound bare SYN in the reply direction
 * exists only while the outbound SYN is unanswered (conntrack SYN_SENT,
 * which the crossing SYN would turn into SYN_SENT2): a simultaneous open,
 * RFC 5382 REQ-2. Conntrack has counted it already; the filter drops it. */
static int frag_simopen(struct nat_build *b)
{
	if (b->p->simultaneous_open == NAT_SIMOPEN_PASS)
		return 0;
	nat_counter_obj(b, "simopen_dropped");
	nat_rule(b, NAT_CH_FORWARD,
		 "iifname \"%s\" ct direction reply tcp flags syn / "
		 "fin,syn,rst,ack counter name \"simopen_dropped\" drop",
		 b->ifc->wan);
	return 0;
}

/* refresh = outbound: conntrack refreshes an entry on packets in either
 * direction and nftables cannot stop that, so a set refreshed by
 * outbound packets only (learned like the maps, with the mapping
 * timeout) gates what comes in: once an inside endpoint has been silent
 * that long, replies to it are dropped although its conntrack entry (and
 * so its port) lives on while the peer keeps sending. */
static int frag_refresh(struct nat_build *b)
{
	if (b->p->refresh == NAT_REFRESH_BOTH)
		return 0;
	nat_need(b, NAT_OBJ_FRESH);
	nat_counter_obj(b, "refresh_dropped");
	nat_rule(b, NAT_CH_FORWARD,
		 "iifname \"%s\" ct direction reply " NAT_L4
		 " ip daddr . meta l4proto . th dport != @out_fresh counter "
		 "name \"refresh_dropped\" drop",
		 b->ifc->wan);
	return 0;
}

/* What happens to an inbound SYN that matches no mapping. It reaches the
 * router's own address (input) or, routed to a LAN address, forward. */
static int frag_unsolicited_syn(struct nat_build *b)
{
	static const char *const verdict[] = {
	    [NAT_SYN_DROP] = "drop",
	    [NAT_SYN_RST] = "reject with tcp reset",
	    [NAT_SYN_ICMP] = "reject with icmp type port-unreachable",
	};
	static const enum nat_chain paths[] = {NAT_CH_INPUT, NAT_CH_FORWARD};
	enum nat_syn s = b->p->unsolicited_syn;
	size_t i;

	if ((unsigned int)s >= sizeof(verdict) / sizeof(*verdict))
		return nat_fail(b, -ENOTSUP,
				"unsolicited_syn %d is not implemented", (int)s);
	for (i = 0; i < sizeof(paths) / sizeof(*paths); i++)
		nat_rule(b, paths[i],
			 "iifname \"%s\" tcp flags syn / fin,syn,rst,ack ct "
			 "state new counter name \"syn_dropped\" %s",
			 b->ifc->wan, verdict[s]);
	return 0;
}

/* What happens to an inbound datagram that matches no mapping, on the
 * same two paths. Without this rule the router's own stack would answer
 * one sent to its address with ICMP port unreachable (rate-limited),
 * whatever unsolicited_syn says; now the profile decides. */
static int frag_unsolicited_udp(struct nat_build *b)
{
	static const char *const verdict[] = {
	    [NAT_UDP_DROP] = "drop",
	    [NAT_UDP_ICMP] = "reject with icmp type port-unreachable",
	};
	static const enum nat_chain paths[] = {NAT_CH_INPUT, NAT_CH_FORWARD};
	enum nat_udp u = profile_udp_unsolicited(b->p);
	size_t i;

	if ((unsigned int)u >= sizeof(verdict) / sizeof(*verdict))
		return nat_fail(b, -ENOTSUP,
				"udp_unsolicited %d is not implemented", (int)u);
	for (i = 0; i < sizeof(paths) / sizeof(*paths); i++)
		nat_rule(b, paths[i],
			 "iifname \"%s\" meta l4proto udp ct state new "
			 "counter name \"udp_dropped\" %s",
			 b->ifc->wan, verdict[u]);
	return 0;
}

/* A stateful firewall: whatever new arrives from the WAN and was not
 * admitted above goes no further than the router. */
static int frag_firewall(struct nat_build *b)
{
	nat_rule(b, NAT_CH_FORWARD, "iifname \"%s\" ct state new drop",
		 b->ifc->wan);
	return 0;
}

static int frag_timeouts(struct nat_build *b)
{
	const struct nat_profile *p = b->p;
	static const char *const transitory[] = {
	    "syn_recv", "fin_wait", "close_wait", "last_ack", "time_wait"};
	const char *sep = "";
	size_t i;

	if (!p->timeout_syn_sent && !p->timeout_established &&
	    !p->timeout_transitory)
		return 0;
	nat_put(&b->obj, "\tct timeout tcp_timeouts {\n"
			 "\t\tprotocol tcp\n"
			 "\t\tl3proto ip\n"
			 "\t\tpolicy = { ");
	/* syn_sent2 is the same wait after a crossing SYN (simultaneous
	 * open), the state a punched connection passes through. */
	if (p->timeout_syn_sent) {
		nat_put(&b->obj, "syn_sent : %u, syn_sent2 : %u",
			p->timeout_syn_sent, p->timeout_syn_sent);
		sep = ", ";
	}
	if (p->timeout_established) {
		nat_put(&b->obj, "%sestablished : %u", sep,
			p->timeout_established);
		sep = ", ";
	}
	for (i = 0; p->timeout_transitory && i < 5; i++) {
		nat_put(&b->obj, "%s%s : %u", sep, transitory[i],
			p->timeout_transitory);
		sep = ", ";
	}
	nat_put(&b->obj, " }\n\t}\n\n");
	nat_rule(b, NAT_CH_FORWARD,
		 "iifname \"%s\" meta l4proto tcp ct state new ct timeout set "
		 "\"tcp_timeouts\"",
		 b->ifc->lan);
	return 0;
}

/* No ICMP redirect leaves a router: a hairpinned packet goes out the
 * port it came in on, and a redirect would teach the host to skip the
 * router. The kernel sends one when the outgoing device's send_redirects
 * OR net.ipv4.conf.all's is set (IN_DEV_TX_REDIRECTS); all is 1 in a new
 * namespace (copied from the host's) and is a sysctl only, which a world
 * of thousands of namespaces no longer writes (nlreq_link_up_conf), so
 * the per-link 0 is not enough and the redirect is dropped here. */
static int frag_no_redirects(struct nat_build *b)
{
	nat_rule(b, NAT_CH_OUTPUT, "icmp type redirect counter drop");
	return 0;
}

/* Adding a behaviour means adding a fragment here; the order is the
 * order of rules within each chain. */
static int (*const nat_fragments[])(struct nat_build *b) = {
    frag_counters,	  frag_mapping,		frag_simopen,  frag_refresh,
    frag_filtering,	  frag_hairpin,		frag_unsolicited_syn,
    frag_unsolicited_udp, frag_firewall,	frag_timeouts,
    frag_no_redirects,
};

int nat_render(const struct nat_profile *p, const struct nat_ifaces *ifc,
	       char *buf, size_t cap, char *why, size_t why_cap)
{
	struct nat_build *b;
	size_t i;
	int e;

	if (why && why_cap)
		why[0] = '\0';
	if ((e = nat_check_ifaces(ifc, why, why_cap)) < 0)
		return e;
	if (!p->port_min || p->port_min > p->port_max) {
		if (why && why_cap)
			snprintf(why, why_cap, "invalid port_range %u-%u",
				 p->port_min, p->port_max);
		return -EINVAL;
	}
	if (!cap)
		return -ENOSPC;
	b = nat_build_new(p, ifc, cap);
	if (!b)
		return -ENOMEM;
	b->why = why;
	b->why_cap = why_cap;
	for (i = 0; i < sizeof(nat_fragments) / sizeof(*nat_fragments); i++)
		if ((e = nat_fragments[i](b)) < 0)
			goto out;

	e = nat_build_finish(b, buf, cap);
out:
	if (e == -ENOSPC && why && why_cap)
		snprintf(why, why_cap, "ruleset does not fit in %zu bytes",
			 cap);
	nat_build_free(b);
	return e;
}
