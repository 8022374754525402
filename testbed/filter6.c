/* filter6: the IPv6 stateful filter of a home router, one fragment per
 * [ipv6] key, modelled on RFC 6092 (simple security for IPv6 CPE) and
 * OpenWrt firewall4's wan zone; which REC each rule serves is said where
 * it is written. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <net/if.h>

#include "filter6.h"
#include "nat_build.h"

struct f6 {
	char *buf;
	size_t cap, len;
	int full;
};

static void f6_put(struct f6 *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void f6_put(struct f6 *t, const char *fmt, ...)
{
	va_list ap;
	int r;

	if (t->full)
		return;
	va_start(ap, fmt);
	r = vsnprintf(t->buf + t->len, t->cap - t->len, fmt, ap);
	va_end(ap);
	if (r < 0 || (size_t)r >= t->cap - t->len)
		t->full = 1;
	else
		t->len += (size_t)r;
}

static int f6_fail(char *why, size_t cap, int e, const char *msg)
{
	if (why && cap)
		snprintf(why, cap, "%s", msg);
	return e;
}

/* Every name is pasted into rules: refuse what could end a string or a
 * statement. */
static int f6_name_ok(const char *s, size_t max)
{
	size_t n = s ? strnlen(s, max) : 0;

	if (!n || n >= max)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!(s[i] == '_' || s[i] == '-' || s[i] == '.' ||
		      (s[i] >= '0' && s[i] <= '9') ||
		      (s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= 'A' && s[i] <= 'Z')))
			return 0;
	return 1;
}

static int f6_prefix_ok(const char *cidr)
{
	char ip[INET6_ADDRSTRLEN];
	const char *slash = cidr ? strchr(cidr, '/') : NULL;
	struct in6_addr a;
	int len;

	if (!slash || (size_t)(slash - cidr) >= sizeof(ip) ||
	    sscanf(slash + 1, "%3d", &len) != 1 || len < 1 || len > 128 ||
	    strspn(slash + 1, "0123456789") != strlen(slash + 1))
		return 0;
	memcpy(ip, cidr, (size_t)(slash - cidr));
	ip[slash - cidr] = '\0';
	return inet_pton(AF_INET6, ip, &a) == 1;
}

/* The answer to a new inbound SYN the filter does not admit. icmp is
 * RFC 6092 REC-34's "Destination Unreachable" code 1 (administratively
 * prohibited), answered at once: REC-34 waits 6 s first so that a
 * simultaneous open from outside is not refused; a punching peer
 * resends its SYN, and the crossing one passes as a reply. */
static const char *f6_syn_answer(enum nat_syn s)
{
	switch (s) {
	case NAT_SYN_DROP:
		return "drop";
	case NAT_SYN_RST:
		return "reject with tcp reset";
	case NAT_SYN_ICMP:
		return "reject with icmpv6 type admin-prohibited";
	}
	return NULL;
}

/* UDP has no RST: rst and icmp both answer with admin prohibited. */
static const char *f6_udp_answer(enum nat_syn s)
{
	return s == NAT_SYN_DROP ? "drop"
				 : "reject with icmpv6 type admin-prohibited";
}

/* The sets the filtering classes learn from outbound packets: an inside
 * endpoint (and for address-dependent, the address it sent to). */
static void f6_sets(struct f6 *t, const struct nat_profile *p)
{
	unsigned to = p->timeout_established ? p->timeout_established
					     : NAT_MAPPING_TIMEOUT;

	if (p->ipv6.filtering != PROFILE6_EIF &&
	    p->ipv6.filtering != PROFILE6_ADF)
		return;
	f6_put(t,
	       "\tset %s {\n\t\ttype ipv6_addr . inet_proto . inet_service%s\n"
	       "\t\tflags dynamic,timeout\n\t\ttimeout %us\n\t}\n\n",
	       p->ipv6.filtering == PROFILE6_EIF ? "eif_open" : "adf_open",
	       p->ipv6.filtering == PROFILE6_EIF ? "" : " . ipv6_addr", to);
}

/* A new SYN or datagram from the WAN that nothing admitted: counted and
 * answered per unsolicited_syn. */
static void f6_unsolicited(struct f6 *t, const struct filter6_ifaces *ifc,
			   const struct nat_profile *p)
{
	f6_put(t,
	       "\t\tiifname \"%s\" tcp flags syn / fin,syn,rst,ack ct state "
	       "new counter name \"syn_dropped\" %s\n",
	       ifc->wan, f6_syn_answer(p->ipv6.unsolicited_syn));
	f6_put(t,
	       "\t\tiifname \"%s\" meta l4proto udp ct state new counter "
	       "name \"udp_dropped\" %s\n",
	       ifc->wan, f6_udp_answer(p->ipv6.unsolicited_syn));
}

/* Input: the router's own addresses. Neighbour discovery with hop limit
 * 255 (RFC 4890 section 4.4.1); the world's links are NOARP and use none,
 * but a filter that broke ND would be wrong on any real link. */
static void f6_input(struct f6 *t, const struct filter6_ifaces *ifc,
		     const struct nat_profile *p)
{
	f6_put(t, "\tchain input {\n\t\ttype filter hook input priority "
		  "filter; policy accept;\n");
	f6_put(t, "\t\tct state established,related accept\n");
	f6_put(t, "\t\ticmpv6 type { nd-router-solicit, nd-router-advert, "
		  "nd-neighbor-solicit, nd-neighbor-advert } ip6 hoplimit 255 "
		  "accept\n");
	if (p->ipv6.filtering != PROFILE6_OPEN)
		f6_unsolicited(t, ifc, p);
	f6_put(t, "\t}\n\n");
}

/* What opens an inside endpoint to new inbound connections, beyond
 * conntrack's replies (address+port-dependent, RFC 6092 REC-33): every
 * packet it sends out records it (REC-16: outbound refreshes). */
static void f6_filtering(struct f6 *t, const struct filter6_ifaces *ifc,
			 enum profile6_filter f)
{
	int adf = f == PROFILE6_ADF;

	if (f != PROFILE6_EIF && !adf)
		return;
	f6_put(t,
	       "\t\tiifname \"%s\" oifname \"%s\" ip6 saddr %s meta l4proto "
	       "{ tcp, udp } update @%s { ip6 saddr . meta l4proto . th "
	       "sport%s }\n",
	       ifc->lan, ifc->wan, ifc->lan6, adf ? "adf_open" : "eif_open",
	       adf ? " . ip6 daddr" : "");
	f6_put(t,
	       "\t\tiifname \"%s\" ct state new meta l4proto { tcp, udp } ip6 "
	       "daddr . meta l4proto . th dport%s @%s accept\n",
	       ifc->wan, adf ? " . ip6 saddr" : "",
	       adf ? "adf_open" : "eif_open");
}

/* Forward: replies and related ICMPv6 errors first (RFC 6092 REC-36;
 * REC-10: errors for no flow are dropped with the rest); a simultaneous
 * open's crossing SYN is a reply to conntrack (SYN_SENT -> SYN_SENT2)
 * and passes here (REC-31). Echo requests pass (RFC 4890 4.3.1). */
static void f6_forward(struct f6 *t, const struct filter6_ifaces *ifc,
		       const struct nat_profile *p)
{
	f6_put(t, "\tchain forward {\n\t\ttype filter hook forward priority "
		  "filter; policy accept;\n");
	f6_filtering(t, ifc, p->ipv6.filtering);
	if (p->ipv6.filtering != PROFILE6_OPEN) {
		f6_put(t, "\t\tct state established,related accept\n");
		f6_put(t,
		       "\t\tiifname \"%s\" icmpv6 type echo-request accept\n",
		       ifc->wan);
		f6_unsolicited(t, ifc, p);
		f6_put(t, "\t\tiifname \"%s\" ct state new drop\n", ifc->wan);
	}
	f6_put(t, "\t}\n\n");
}

int filter6_render(const struct nat_profile *p,
		   const struct filter6_ifaces *ifc, char *buf, size_t cap,
		   char *why, size_t why_cap)
{
	struct f6 t = { .buf = buf, .cap = cap };

	if (!f6_name_ok(ifc->table, 64) || !f6_name_ok(ifc->wan, IFNAMSIZ) ||
	    !f6_name_ok(ifc->lan, IFNAMSIZ))
		return f6_fail(why, why_cap, -EINVAL,
			       "table or interface name: letters, digits, "
			       "_ - . only (interfaces up to 15)");
	if (!f6_prefix_ok(ifc->lan6))
		return f6_fail(why, why_cap, -EINVAL,
			       "invalid LAN prefix (an IPv6 address/1..128)");
	if ((unsigned)p->ipv6.filtering > PROFILE6_OPEN ||
	    !f6_syn_answer(p->ipv6.unsolicited_syn))
		return f6_fail(why, why_cap, -ENOTSUP,
			       "[ipv6] value outside its enum");
	if (!cap)
		return f6_fail(why, why_cap, -ENOSPC, "no room");
	buf[0] = '\0';
	f6_put(&t, "# punchlab IPv6 filter of profile %s: filtering %s, "
		   "unsolicited_syn %s\n",
	       p->name, profile6_filter_str(p->ipv6.filtering),
	       profile_syn_str(p->ipv6.unsolicited_syn));
	f6_put(&t, "table ip6 %s {}\ndelete table ip6 %s\ntable ip6 %s {\n",
	       ifc->table, ifc->table, ifc->table);
	f6_put(&t, "\tcounter syn_dropped {\n\t}\n\n\tcounter udp_dropped "
		   "{\n\t}\n\n\tcounter rst_sent {\n\t}\n\n");
	f6_sets(&t, p);
	f6_input(&t, ifc, p);
	f6_forward(&t, ifc, p);
	/* A reject's RST leaves through output, forwarded or not. */
	f6_put(&t, "\tchain output {\n\t\ttype filter hook output priority "
		   "filter; policy accept;\n\t\toifname \"%s\" tcp flags & rst "
		   "== rst counter name \"rst_sent\"\n\t}\n}\n",
	       ifc->wan);
	if (t.full)
		return f6_fail(why, why_cap, -ENOSPC,
			       "IPv6 filter does not fit the buffer");
	return (int)t.len;
}
