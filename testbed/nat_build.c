/* nat_build: the NAT renderer's text builder and its tables. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nat_build.h"

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
    /* port_overloading off: external ports some inside endpoint holds */
    [NAT_OBJ_TAKEN] = {"taken", "inet_proto . inet_service",
		       "ct original protocol . ct reply proto-dst"},
    /* refresh outbound: inside endpoints that sent within the timeout */
    [NAT_OBJ_FRESH] = {"out_fresh", "ipv4_addr . inet_proto . inet_service",
		       NAT_CT_INSIDE},
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

void nat_put(struct nat_text *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	nat_vput(t, fmt, ap);
	va_end(ap);
}

void nat_rule(struct nat_build *b, enum nat_chain ch, const char *fmt, ...)
{
	va_list ap;

	nat_put(&b->chain[ch], "\t\t");
	va_start(ap, fmt);
	nat_vput(&b->chain[ch], fmt, ap);
	va_end(ap);
	nat_put(&b->chain[ch], "\n");
}

int nat_fail(struct nat_build *b, int e, const char *fmt, ...)
{
	va_list ap;

	if (b->why && b->why_cap) {
		va_start(ap, fmt);
		vsnprintf(b->why, b->why_cap, fmt, ap);
		va_end(ap);
	}
	return e;
}

void nat_need(struct nat_build *b, enum nat_obj o)
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
	/* update refreshes an element's timeout but keeps its value: a
	 * port a new connection took over from another inside endpoint
	 * (random ports can do that while the old element lives) would
	 * still lead to the old one. A new connection's map element is
	 * therefore removed first, then added with its own value. */
	if (strchr(nat_objs[o].type, ':') && p->mapping != NAT_MAP_NONE)
		nat_rule(b, NAT_CH_LEARN,
			 "ct state new ct direction original ct status snat "
			 "ct original ip saddr %s " NAT_L4 " delete @%s { %s }",
			 b->ifc->lan_cidr, name, nat_objs[o].elem);
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

static void nat_header(struct nat_text *out, const struct nat_profile *p)
{
	nat_put(out,
		"# punchlab NAT profile %s: mapping %s, ports %s, "
		"filtering %s, unsolicited_syn %s",
		p->name, profile_mapping_str(p->mapping),
		profile_ports_str(p->ports), profile_filter_str(p->filtering),
		profile_syn_str(p->unsolicited_syn));
	nat_put(out, ", udp_filtering %s, udp_unsolicited %s",
		profile_filter_str(profile_udp_filtering(p)),
		profile_udp_str(profile_udp_unsolicited(p)));
	if (p->hairpin)
		nat_put(out, ", hairpinning on");
	if (p->port_block)
		nat_put(out, ", port_block %u", p->port_block);
	/* The keys below only where they change the rules, so that a
	 * ruleset rendered before they existed reads the same. */
	if (p->port_overloading_set && p->mapping != NAT_MAP_NONE)
		nat_put(out, ", port_overloading %s",
			profile_port_overloading(p) ? "on" : "off");
	if (p->simultaneous_open != NAT_SIMOPEN_PASS)
		nat_put(out, ", simultaneous_open %s",
			profile_simopen_str(p->simultaneous_open));
	if (p->refresh != NAT_REFRESH_BOTH)
		nat_put(out, ", refresh %s", profile_refresh_str(p->refresh));
	if (p->behind[0])
		nat_put(out, ", behind %s", p->behind);
	if (p->pcp.server != PCP_SERVER_OFF)
		nat_put(out, ", pcp %s", pcpconf_server_str(p->pcp.server));
	nat_put(out, "\n");
}

struct nat_build *nat_build_new(const struct nat_profile *p,
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

void nat_build_free(struct nat_build *b)
{
	size_t i;

	if (!b)
		return;
	free(b->obj.buf);
	for (i = 0; i < NAT_CH_N; i++)
		free(b->chain[i].buf);
	free(b);
}

int nat_build_finish(struct nat_build *b, char *buf, size_t cap)
{
	const struct nat_profile *p = b->p;
	const struct nat_ifaces *ifc = b->ifc;
	struct nat_text out = { .buf = buf, .cap = cap };
	size_t i;

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

	if (out.full || b->obj.full)
		return -ENOSPC;
	for (i = 0; i < NAT_CH_N; i++)
		if (b->chain[i].full)
			return -ENOSPC;
	return (int)out.len;
}
