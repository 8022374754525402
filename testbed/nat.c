/* nat: a NAT profile rendered as nftables text, one fragment per profile
 * key; nat_load.c loads the text into a router's namespace. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nat.h"

/* How long a learned mapping outlives its last outbound packet when the
 * profile sets no established timeout: RFC 5382 REQ-5's 2 h 4 min. */
#define NAT_MAPPING_TIMEOUT 7440

/* The mechanisms below translate TCP and UDP; other protocols get the
 * address only. */
#define NAT_L4 "meta l4proto { tcp, udp }"

/* Chains a fragment can add rules to; a chain without rules is left out.
 * This is their order in the table: a chain comes before the rules that
 * jump to it. */
enum nat_chain {
	NAT_CH_PREROUTING,
	NAT_CH_MAPPING,
	NAT_CH_POSTROUTING,
	NAT_CH_LEARN,
	NAT_CH_INPUT,
	NAT_CH_FORWARD,
	NAT_CH_OUTPUT,
	NAT_CH_N
};

static const struct {
	const char *name, *type, *hook, *prio; /* type NULL: regular chain */
} nat_chains[NAT_CH_N] = {
    [NAT_CH_PREROUTING] = {"prerouting", "nat", "prerouting", "dstnat"},
    /* With hairpinning, the WAN and the hairpin path share the mapping
     * rules (and so the maps and numgen counter they draw from). */
    [NAT_CH_MAPPING] = {"mapping", NULL, NULL, NULL},
    [NAT_CH_POSTROUTING] = {"postrouting", "nat", "postrouting", "srcnat"},
    /* After srcnat: by then the reply tuple holds the translated port. */
    [NAT_CH_LEARN] = {"learn", "filter", "postrouting", "srcnat + 10"},
    /* filter priority: ct timeout only takes effect from here on. */
    [NAT_CH_INPUT] = {"input", "filter", "input", "filter"},
    [NAT_CH_FORWARD] = {"forward", "filter", "forward", "filter"},
    [NAT_CH_OUTPUT] = {"output", "filter", "output", "filter"},
};

/* Dynamic maps and sets, each filled by one rule of the learn chain from
 * the conntrack tuples of translated connections (so the hairpin path
 * learns like the WAN path), refreshed by every outbound packet. */
enum nat_obj {
	NAT_OBJ_EIM,
	NAT_OBJ_ADM,
	NAT_OBJ_SEEN,
	NAT_OBJ_OWNER,
	NAT_OBJ_ADF,
	NAT_OBJ_EIF_OPEN,
	NAT_OBJ_ADF_OPEN,
	NAT_OBJ_N
};

#define NAT_CT_INSIDE                                                          \
	"ct original ip saddr . ct original protocol . ct original proto-src"
#define NAT_CT_OWNER "ct original ip saddr . ct original proto-src"

static const struct {
	const char *name, *type, *elem; /* a map when type has a ':' */
} nat_objs[NAT_OBJ_N] = {
    /* inside endpoint -> its external port */
    [NAT_OBJ_EIM] = {"eim_ports",
		     "ipv4_addr . inet_proto . inet_service : inet_service",
		     NAT_CT_INSIDE " : ct reply proto-dst"},
    /* inside endpoint and remote address -> external port */
    [NAT_OBJ_ADM] = {"adm_ports",
		     "ipv4_addr . inet_proto . inet_service . ipv4_addr : "
		     "inet_service",
		     NAT_CT_INSIDE " . ct original ip daddr : ct reply proto-dst"},
    /* inside endpoints that hold a mapping already */
    [NAT_OBJ_SEEN] = {"seen", "ipv4_addr . inet_proto . inet_service",
		      NAT_CT_INSIDE},
    /* external port -> inside endpoint */
    [NAT_OBJ_OWNER] = {"owner",
		       "inet_proto . inet_service : ipv4_addr . inet_service",
		       "ct original protocol . ct reply proto-dst : "
		       NAT_CT_OWNER},
    /* external port and a remote address it sent to -> inside endpoint */
    [NAT_OBJ_ADF] = {"adf_owner",
		     "inet_proto . inet_service . ipv4_addr : ipv4_addr . "
		     "inet_service",
		     "ct original protocol . ct reply proto-dst . ct original "
		     "ip daddr : " NAT_CT_OWNER},
    /* mapping none: inside endpoints that sent something */
    [NAT_OBJ_EIF_OPEN] = {"eif_open", "ipv4_addr . inet_proto . inet_service",
			  NAT_CT_INSIDE},
    /* mapping none: inside endpoints and the addresses they sent to */
    [NAT_OBJ_ADF_OPEN] = {"adf_open",
			  "ipv4_addr . inet_proto . inet_service . ipv4_addr",
			  NAT_CT_INSIDE " . ct original ip daddr"},
};

struct nat_text {
	char *buf;
	size_t cap, len;
	int full;
};

struct nat_build {
	const struct nat_profile *p;
	const struct nat_ifaces *ifc;
	struct nat_text obj; /* named objects: counters, maps, ct timeout */
	struct nat_text chain[NAT_CH_N];
	unsigned int have; /* bit per enum nat_obj declared */
	char *why;
	size_t why_cap;
};

static void nat_vput(struct nat_text *t, const char *fmt, va_list ap)
{
	int r;

	if (t->full)
		return;
	r = vsnprintf(t->buf + t->len, t->cap - t->len, fmt, ap);
	if (r < 0 || (size_t)r >= t->cap - t->len) {
		t->full = 1;
		return;
	}
	t->len += (size_t)r;
}

static void nat_put(struct nat_text *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void nat_put(struct nat_text *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	nat_vput(t, fmt, ap);
	va_end(ap);
}

static void nat_rule(struct nat_build *b, enum nat_chain ch, const char *fmt,
		     ...) __attribute__((format(printf, 3, 4)));
static void nat_rule(struct nat_build *b, enum nat_chain ch, const char *fmt,
		     ...)
{
	va_list ap;

	nat_put(&b->chain[ch], "\t\t");
	va_start(ap, fmt);
	nat_vput(&b->chain[ch], fmt, ap);
	va_end(ap);
	nat_put(&b->chain[ch], "\n");
}

static int nat_fail(struct nat_build *b, int e, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int nat_fail(struct nat_build *b, int e, const char *fmt, ...)
{
	va_list ap;

	if (b->why && b->why_cap) {
		va_start(ap, fmt);
		vsnprintf(b->why, b->why_cap, fmt, ap);
		va_end(ap);
	}
	return e;
}

/* Declares object o once, with the learn rule that fills it. */
static void nat_need(struct nat_build *b, enum nat_obj o)
{
	const struct nat_profile *p = b->p;
	const char *name = nat_objs[o].name;

	if (b->have & (1u << o))
		return;
	b->have |= 1u << o;
	nat_put(&b->obj,
		"\t%s %s {\n"
		"\t\ttype %s\n"
		"\t\tflags dynamic,timeout\n"
		"\t\ttimeout %us\n"
		"\t}\n\n",
		strchr(nat_objs[o].type, ':') ? "map" : "set", name,
		nat_objs[o].type,
		p->timeout_established ? p->timeout_established
				       : NAT_MAPPING_TIMEOUT);
	if (p->mapping == NAT_MAP_NONE)
		nat_rule(b, NAT_CH_LEARN,
			 "oifname \"%s\" ct direction original ct original ip "
			 "saddr %s " NAT_L4 " update @%s { %s }",
			 b->ifc->wan, b->ifc->lan_cidr, name, nat_objs[o].elem);
	else
		nat_rule(b, NAT_CH_LEARN,
			 "ct direction original ct status snat ct original ip "
			 "saddr %s " NAT_L4 " update @%s { %s }",
			 b->ifc->lan_cidr, name, nat_objs[o].elem);
}

/* --- fragments: one per profile key, each adds objects and rules --- */

/* Read by nat_counter and the harness whatever the profile. */
static int frag_counters(struct nat_build *b)
{
	nat_put(&b->obj, "\tcounter syn_dropped {\n\t}\n\n");
	nat_put(&b->obj, "\tcounter rst_sent {\n\t}\n\n");
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
	    (p->ports != NAT_PORTS_PRESERVE || p->port_block)) {
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

/* Which new inbound connections a mapping admits beyond conntrack's own
 * address+port-dependent filtering: a dnat through a learned map. Runs
 * before frag_unsolicited_syn so what it admits is accepted first. */
static int frag_filtering(struct nat_build *b)
{
	const struct nat_profile *p = b->p;
	const struct nat_ifaces *ifc = b->ifc;
	int adf = p->filtering == NAT_FILTER_ADF;

	if (p->filtering == NAT_FILTER_APDF)
		return 0;
	if (p->filtering != NAT_FILTER_EIF && !adf)
		return nat_fail(b, -ENOTSUP, "filtering %d is not implemented",
				(int)p->filtering);
	if (p->mapping == NAT_MAP_NONE) {
		/* Nothing is translated: open the inside endpoint itself. */
		nat_need(b, adf ? NAT_OBJ_ADF_OPEN : NAT_OBJ_EIF_OPEN);
		nat_rule(b, NAT_CH_FORWARD,
			 "iifname \"%s\" ct state new " NAT_L4 " ip daddr . "
			 "meta l4proto . th dport%s @%s accept",
			 ifc->wan, adf ? " . ip saddr" : "",
			 adf ? "adf_open" : "eif_open");
		return 0;
	}
	nat_need(b, adf ? NAT_OBJ_ADF : NAT_OBJ_OWNER);
	nat_rule(b, NAT_CH_PREROUTING,
		 "iifname \"%s\" ip daddr %s " NAT_L4 " dnat ip to meta "
		 "l4proto . th dport%s map @%s",
		 ifc->wan, ifc->wan_addr, adf ? " . ip saddr" : "",
		 adf ? "adf_owner" : "owner");
	nat_rule(b, NAT_CH_FORWARD, "iifname \"%s\" ct status dnat accept",
		 ifc->wan);
	return 0;
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
	/* The hairpinned packet leaves by the port it came in on, where the
	 * stack may answer with a redirect that teaches the sender to skip
	 * the router (whatever send_redirects the namespace has). */
	nat_rule(b, NAT_CH_OUTPUT, "oifname \"%s\" icmp type redirect drop",
		 ifc->lan);
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

/* Adding a behaviour means adding a fragment here; the order is the
 * order of rules within each chain. */
static int (*const nat_fragments[])(struct nat_build *b) = {
    frag_counters,	  frag_mapping,	 frag_filtering, frag_hairpin,
    frag_unsolicited_syn, frag_firewall, frag_timeouts,
};

/* --- input checks: everything below is pasted into nft text --- */

static int nat_name_ok(const char *s, size_t max, const char *extra)
{
	size_t n = s ? strlen(s) : 0;

	if (!n || n > max)
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr(extra, *s))
			return 0;
	return 1;
}

static int nat_addr_ok(const char *s, struct in_addr *a)
{
	return s && strlen(s) < INET_ADDRSTRLEN &&
	       inet_pton(AF_INET, s, a) == 1;
}

/* "a.b.c.d/n" into network-order address and prefix length. */
static int nat_cidr_ok(const char *s, struct in_addr *a, int *plen)
{
	char addr[INET_ADDRSTRLEN];
	const char *slash = s ? strchr(s, '/') : NULL;
	char *end;
	long len;

	if (!slash || (size_t)(slash - s) >= sizeof(addr))
		return 0;
	memcpy(addr, s, (size_t)(slash - s));
	addr[slash - s] = '\0';
	if (inet_pton(AF_INET, addr, a) != 1 ||
	    !isdigit((unsigned char)slash[1]))
		return 0;
	len = strtol(slash + 1, &end, 10);
	if (*end || len < 0 || len > 32)
		return 0;
	*plen = (int)len; /* only once valid: it becomes a shift count */
	return 1;
}

static int nat_ifaces_ok(const struct nat_ifaces *ifc, char *why,
			 size_t why_cap)
{
	struct in_addr a, net = {0};
	uint32_t mask;
	const char *bad = NULL;
	size_t i;
	int plen = 0;

	if (!nat_name_ok(ifc->table, 63, "_"))
		bad = "table name (1..63 of A-Z a-z 0-9 _)";
	else if (!nat_name_ok(ifc->wan, 15, "_.-"))
		bad = "WAN interface name";
	else if (!nat_name_ok(ifc->lan, 15, "_.-"))
		bad = "LAN interface name";
	else if (!nat_addr_ok(ifc->wan_addr, &a))
		bad = "WAN address";
	else if (!nat_cidr_ok(ifc->lan_cidr, &net, &plen))
		bad = "LAN prefix (a.b.c.d/0..32)";
	else if (ifc->nsubscribers && !ifc->subscribers)
		bad = "subscriber list";
	mask = !bad && plen ? htonl(~0u << (32 - plen)) : 0;
	for (i = 0; !bad && i < ifc->nsubscribers; i++)
		if (!nat_addr_ok(ifc->subscribers[i], &a) ||
		    ((a.s_addr ^ net.s_addr) & mask))
			bad = "subscriber address (one inside the LAN prefix)";
	if (!bad)
		return 0;
	if (why && why_cap)
		snprintf(why, why_cap, "invalid %s", bad);
	return -EINVAL;
}

static void nat_header(struct nat_text *out, const struct nat_profile *p)
{
	nat_put(out,
		"# punchlab NAT profile %s: mapping %s, ports %s, "
		"filtering %s, unsolicited_syn %s",
		p->name, profile_mapping_str(p->mapping),
		profile_ports_str(p->ports), profile_filter_str(p->filtering),
		profile_syn_str(p->unsolicited_syn));
	if (p->hairpin)
		nat_put(out, ", hairpinning on");
	if (p->port_block)
		nat_put(out, ", port_block %u", p->port_block);
	if (p->behind[0])
		nat_put(out, ", behind %s", p->behind);
	nat_put(out, "\n");
}

static struct nat_build *nat_build_new(const struct nat_profile *p,
				       const struct nat_ifaces *ifc, size_t cap)
{
	struct nat_build *b;
	size_t i;

	/* No part can be longer than the whole. */
	b = calloc(1, sizeof(*b));
	if (!b)
		return NULL;
	b->p = p;
	b->ifc = ifc;
	b->obj = (struct nat_text){.buf = malloc(cap), .cap = cap};
	if (!b->obj.buf)
		goto err_buf;
	for (i = 0; i < NAT_CH_N; i++) {
		b->chain[i] = (struct nat_text){.buf = malloc(cap), .cap = cap};
		if (!b->chain[i].buf)
			goto err_buf;
	}
	return b;

err_buf:
	free(b->obj.buf);
	for (i = 0; i < NAT_CH_N; i++)
		free(b->chain[i].buf);
	free(b);
	errno = ENOMEM;
	return NULL;
}

static void nat_build_free(struct nat_build *b)
{
	size_t i;

	if (!b)
		return;
	free(b->obj.buf);
	for (i = 0; i < NAT_CH_N; i++)
		free(b->chain[i].buf);
	free(b);
}

int nat_render(const struct nat_profile *p, const struct nat_ifaces *ifc,
	       char *buf, size_t cap, char *why, size_t why_cap)
{
	struct nat_build *b;
	struct nat_text out = {.buf = buf, .cap = cap};
	size_t i;
	int e;

	if (why && why_cap)
		why[0] = '\0';
	if ((e = nat_ifaces_ok(ifc, why, why_cap)) < 0)
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

	/* Add (a no-op if present), delete, define: one transaction that
	 * replaces the whole table, so loading twice gives the same state. */
	nat_header(&out, p);
	nat_put(&out, "table ip %s {}\ndelete table ip %s\ntable ip %s {\n",
		ifc->table, ifc->table, ifc->table);
	nat_put(&out, "%.*s", (int)b->obj.len, b->obj.buf);
	for (i = 0; i < NAT_CH_N; i++) {
		if (!b->chain[i].len)
			continue;
		nat_put(&out, "\tchain %s {\n", nat_chains[i].name);
		if (nat_chains[i].type)
			nat_put(&out,
				"\t\ttype %s hook %s priority %s; policy "
				"accept;\n",
				nat_chains[i].type, nat_chains[i].hook,
				nat_chains[i].prio);
		nat_put(&out, "%.*s\t}\n\n", (int)b->chain[i].len,
			b->chain[i].buf);
	}
	/* Drop the blank line after the last block. */
	if (!out.full && out.len >= 2 && buf[out.len - 2] == '\n')
		out.len--;
	nat_put(&out, "}\n");

	e = -ENOSPC;
	if (out.full || b->obj.full)
		goto out;
	for (i = 0; i < NAT_CH_N; i++)
		if (b->chain[i].full)
			goto out;
	e = (int)out.len;
out:
	if (e == -ENOSPC && why && why_cap)
		snprintf(why, why_cap, "ruleset does not fit in %zu bytes",
			 cap);
	nat_build_free(b);
	return e;
}
