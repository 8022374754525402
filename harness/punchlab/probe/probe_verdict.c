/* probe_verdict: compares the expected behaviour with the observations,
 * one row per RFC 4787 / 5382 axis; a test that could not run is an
 * ERROR row, never a silent pass. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "probe_class.h"
#include "probe_verdict.h"

/* A new row; a UDP one's axis reads "UDP <axis>". */
static struct probe_row *probe_row(struct probe_report *r, int udp,
				   const char *axis, const char *declared)
{
	struct probe_row *row;

	if (r->nrows >= PROBE_MAX_ROWS)
		return NULL;
	row = &r->rows[r->nrows++];
	memset(row, 0, sizeof(*row));
	row->udp = udp;
	snprintf(row->axis, sizeof(row->axis), "%s%s", udp ? "UDP " : "", axis);
	snprintf(row->declared, sizeof(row->declared), "%s", declared);
	return row;
}

static void probe_set(char *buf, size_t cap, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void probe_set(char *buf, size_t cap, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, cap, fmt, ap);
	va_end(ap);
}

static void probe_error_row(struct probe_row *row, const char *why)
{
	snprintf(row->measured, sizeof(row->measured), "not measured");
	snprintf(row->detail, sizeof(row->detail), "%s", why);
	row->verdict = PROBE_ERROR;
}

const char *probe_answer_str(const struct probe_attempt *a, char *buf,
			     size_t cap)
{
	switch (a->ans) {
	case PROBE_ANS_NONE:
		return "no answer";
	case PROBE_ANS_ACCEPTED:
		return "accepted";
	case PROBE_ANS_RST:
		return "RST";
	case PROBE_ANS_ICMP:
		snprintf(buf, cap, "ICMP %u/%u", a->icmp_type, a->icmp_code);
		return buf;
	default:
		snprintf(buf, cap, "local error %s", strerror(a->err));
		return buf;
	}
}

/* The mapping row of one protocol from one local endpoint seen[3]. */
static void probe_row_mapping(const struct probe_decl *d, int udp,
			      const struct probe_map_obs *m, const char *why,
			      struct probe_report *r)
{
	const struct probe_ep *local = &m->map_local, *seen = m->map_seen;
	struct probe_row *row =
		probe_row(r, udp, "mapping", profile_mapping_str(d->mapping));
	char l[32], s[3][32];
	int c;

	if (!row)
		return;
	if (m->map_err) {
		probe_error_row(row, why);
		return;
	}
	c = probe_class_mapping(local, seen);
	snprintf(row->measured, sizeof(row->measured), "%s",
		 c < 0 ? "inconsistent" : profile_mapping_str(c));
	row->verdict = c == (int)d->mapping ? PROBE_PASS : PROBE_DIFF;
	probe_set(row->detail, sizeof(row->detail),
		  "%s seen as %s (a:p1), %s (a:p2), %s (b:p1)",
		  probe_ep_str(local, l, sizeof(l)),
		  probe_ep_str(&seen[0], s[0], sizeof(s[0])),
		  probe_ep_str(&seen[1], s[1], sizeof(s[1])),
		  probe_ep_str(&seen[2], s[2], sizeof(s[2])));
}

/* The port range row, after the port assignment row it bounds. */
static void probe_row_range(const struct probe_decl *d, int udp,
			    const uint16_t *seen, int n, struct probe_report *r)
{
	struct probe_row *row;
	uint16_t lo = 65535, hi = 0;
	char range[32];

	/* A range bounds the ports a NAT picks; a subscriber block bounds
	 * preserved ones too. */
	if (d->ports == NAT_PORTS_PRESERVE && !d->block)
		return;
	snprintf(range, sizeof(range), "%u-%u%s", d->port_min, d->port_max,
		 d->block ? " (H1's block)" : "");
	row = probe_row(r, udp, "port range", range);
	if (!row)
		return;
	for (int i = 0; i < n; i++) {
		if (seen[i] < lo)
			lo = seen[i];
		if (seen[i] > hi)
			hi = seen[i];
	}
	probe_set(row->measured, sizeof(row->measured), "%u-%u", lo, hi);
	row->verdict = probe_class_in_range(seen, n, d->port_min, d->port_max)
			       ? PROBE_PASS
			       : PROBE_DIFF;
	snprintf(row->detail, sizeof(row->detail),
		 "lowest and highest of the ports above");
}

/* Port assignment (and range) of one protocol from n new mappings. */
static void probe_row_ports(const struct probe_decl *d, int udp,
			    const struct probe_map_obs *m, const char *why,
			    struct probe_report *r)
{
	const uint16_t *local = m->port_local, *seen = m->port_seen;
	int n = m->nports;
	struct probe_row *row = probe_row(r, udp, "port assignment",
					  profile_ports_str(d->ports));
	size_t len;
	int c;

	if (!row)
		return;
	if (m->ports_err) {
		probe_error_row(row, why);
		return;
	}
	c = probe_class_ports(local, seen, n, d->port_min, d->port_max);
	snprintf(row->measured, sizeof(row->measured), "%s",
		 c < 0 ? "too few mappings" : profile_ports_str(c));
	row->verdict = c == (int)d->ports ? PROBE_PASS : PROBE_DIFF;
	len = (size_t)snprintf(row->detail, sizeof(row->detail),
			       "local %u..%u seen as", local[0], local[n - 1]);
	for (int i = 0; i < n && len < sizeof(row->detail); i++)
		len += (size_t)snprintf(row->detail + len,
					sizeof(row->detail) - len, " %u",
					seen[i]);
	probe_row_range(d, udp, seen, n, r);
}

static void probe_row_inbound(const struct probe_decl *d,
			      const struct probe_obs *o, struct probe_report *r)
{
	struct probe_row *filt, *syn, *hp, *src;
	struct probe_ep target;
	char pub[32], a1[40], a2[40], seen[32], h2[32];
	int c;

	filt = probe_row(r, 0, "filtering", profile_filter_str(d->filtering));
	syn = probe_row(r, 0, "unsolicited SYN", profile_syn_str(d->syn));
	/* Without translation the inside hosts reach each other directly:
	 * there is nothing to hairpin. */
	hp = d->mapping == NAT_MAP_NONE ? NULL
					: probe_row(r, 0, "hairpinning",
						    d->hairpin ? "on" : "off");
	if (!filt || !syn)
		return;
	if (o->in_err) {
		probe_error_row(filt, o->why);
		probe_error_row(syn, o->why);
		if (hp)
			probe_error_row(hp, o->why);
		return;
	}
	probe_ep_str(&o->filt_public, pub, sizeof(pub));
	c = probe_class_filtering(&o->from_host, &o->from_addr);
	snprintf(filt->measured, sizeof(filt->measured), "%s",
		 c < 0 ? "inconsistent" : profile_filter_str(c));
	filt->verdict = c == (int)d->filtering ? PROBE_PASS : PROBE_DIFF;
	probe_set(filt->detail, sizeof(filt->detail),
		  "to %s (held toward a:hold): from T %s%s, from a:other %s%s",
		  pub, probe_answer_str(&o->from_host, a1, sizeof(a1)),
		  o->from_host.arrived ? " (arrived)" : "",
		  probe_answer_str(&o->from_addr, a2, sizeof(a2)),
		  o->from_addr.arrived ? " (arrived)" : "");

	c = probe_class_syn(&o->syn);
	snprintf(syn->measured, sizeof(syn->measured), "%s",
		 c >= 0 ? profile_syn_str(c)
			: probe_answer_str(&o->syn, a1, sizeof(a1)));
	syn->verdict = c == (int)d->syn ? PROBE_PASS : PROBE_DIFF;
	target = (struct probe_ep){o->filt_public.ip, o->syn_port};
	probe_set(syn->detail, sizeof(syn->detail),
		  "T to %s (no mapping there): %s",
		  probe_ep_str(&target, a2, sizeof(a2)),
		  probe_answer_str(&o->syn, a1, sizeof(a1)));
	if (!hp)
		return;
	snprintf(hp->measured, sizeof(hp->measured), "%s",
		 o->hairpin.arrived ? "on" : "off");
	hp->verdict =
		o->hairpin.arrived == !!d->hairpin ? PROBE_PASS : PROBE_DIFF;
	probe_set(hp->detail, sizeof(hp->detail), "H2 to H1's mapping: %s%s%s",
		  probe_answer_str(&o->hairpin, a1, sizeof(a1)),
		  o->hairpin.arrived ? ", H1 saw " : "",
		  o->hairpin.arrived ? probe_ep_str(&o->hairpin.seen_as, seen,
						    sizeof(seen))
				     : "");
	if (!o->hairpin.arrived)
		return;
	/* RFC 4787 REQ-9a: the source H1 sees is H2's external endpoint. */
	src = probe_row(r, 0, "hairpin source", "external (REQ-9a)");
	if (!src)
		return;
	if (o->hairpin.seen_as.ip != o->h2_public.ip) {
		snprintf(src->measured, sizeof(src->measured), "internal");
		src->verdict = PROBE_DIFF;
	} else if (d->mapping == NAT_MAP_EIM &&
		   o->hairpin.seen_as.port != o->h2_public.port) {
		snprintf(src->measured, sizeof(src->measured),
			 "external address, other port");
		src->verdict = PROBE_DIFF;
	} else {
		snprintf(src->measured, sizeof(src->measured), "external");
		src->verdict = PROBE_PASS;
	}
	probe_set(src->detail, sizeof(src->detail),
		  "H1 saw %s; H2's mapping toward S is %s", seen,
		  probe_ep_str(&o->h2_public, h2, sizeof(h2)));
}

/* The declared value of a timer the probe may have shortened. */
static void probe_timer_decl(char *buf, size_t cap, unsigned int probed_s,
			     unsigned int profile_s)
{
	if (probed_s == profile_s)
		snprintf(buf, cap, "%u s", probed_s);
	else if (profile_s)
		snprintf(buf, cap, "%u s (profile: %u s)", probed_s, profile_s);
	else
		snprintf(buf, cap, "%u s (profile: kernel default)", probed_s);
}

/* A timer's row from n probes, probe i at ms[i] alive or not: every one
 * before t_s must have got in, none after. */
static void probe_timer_row(struct probe_row *row, const int *ms,
			    const int *alive, int n, unsigned int t_s,
			    const char *what)
{
	int in, gone, t = (int)t_s * 1000;
	size_t len;

	if (probe_class_lifetime(ms, alive, n, &in, &gone) < 0)
		snprintf(row->measured, sizeof(row->measured), "inconsistent");
	else if (gone < 0)
		probe_set(row->measured, sizeof(row->measured), "> %.1f s",
			  in / 1000.0);
	else if (in < 0)
		probe_set(row->measured, sizeof(row->measured), "< %.1f s",
			  gone / 1000.0);
	else
		probe_set(row->measured, sizeof(row->measured), "%.1f-%.1f s",
			  in / 1000.0, gone / 1000.0);
	row->verdict = PROBE_PASS;
	for (int i = 0; i < n; i++)
		if (!!alive[i] != (ms[i] < t))
			row->verdict = PROBE_DIFF;
	len = (size_t)snprintf(row->detail, sizeof(row->detail), "%s", what);
	for (int i = 0; i < n && len < sizeof(row->detail); i++)
		len += (size_t)snprintf(
			row->detail + len, sizeof(row->detail) - len,
			" %.1fs:%s", ms[i] / 1000.0, alive[i] ? "in" : "lost");
}

static void probe_row_lifetime(const struct probe_decl *d,
			       const struct probe_obs *o,
			       struct probe_report *r)
{
	struct probe_row *row;
	char decl[64];

	/* Nothing is kept for a public host without a filter. */
	if (d->mapping == NAT_MAP_NONE && d->filtering == NAT_FILTER_EIF)
		return;
	probe_timer_decl(decl, sizeof(decl), d->life_s,
			 d->life_override ? d->life_profile_s : d->life_s);
	row = probe_row(r, 0, "idle lifetime", decl);
	if (!row)
		return;
	if (o->life_err || o->nlife < PROBE_NLIFE) {
		probe_error_row(row, o->why[0] ? o->why : "interrupted");
		return;
	}
	probe_timer_row(row, o->life_ms, o->life_alive, o->nlife, d->life_s,
			"idle established connection, peer sends after");
}

/* Port overloading of one protocol: the public endpoints H1 and H2 got
 * from one local port, or err. */
static void probe_row_overloading(const struct probe_decl *d, int udp,
				  uint16_t local, const struct probe_ep *h1,
				  const struct probe_ep *h2, int err,
				  const char *why, struct probe_report *r)
{
	struct probe_row *row;
	char a[32], b[32];
	int on;

	if (d->mapping == NAT_MAP_NONE)
		return;
	row = probe_row(r, udp, "port overloading",
			d->overloading ? "on" : "off");
	if (!row)
		return;
	if (err) {
		probe_error_row(row, why);
		return;
	}
	on = probe_ep_eq(h1, h2);
	snprintf(row->measured, sizeof(row->measured), "%s", on ? "on" : "off");
	row->verdict = on == !!d->overloading ? PROBE_PASS : PROBE_DIFF;
	probe_set(row->detail, sizeof(row->detail),
		  "H1 and H2 from port %u at once: S:a saw H1 as %s, S:b saw "
		  "H2 as %s",
		  local, probe_ep_str(h1, a, sizeof(a)),
		  probe_ep_str(h2, b, sizeof(b)));
}

static void probe_row_simopen(const struct probe_decl *d,
			      const struct probe_obs *o, struct probe_report *r)
{
	struct probe_row *row;
	char pub[32], a1[40], a2[40];
	int c;

	row = probe_row(r, 0, "simultaneous open",
			profile_simopen_str(d->simopen));
	if (!row)
		return;
	if (o->so_err) {
		probe_error_row(row, o->keys_why);
		return;
	}
	c = probe_class_simopen(&o->so_h1);
	snprintf(row->measured, sizeof(row->measured), "%s",
		 c >= 0 ? profile_simopen_str(c)
			: probe_answer_str(&o->so_h1, a1, sizeof(a1)));
	row->verdict = c == (int)d->simopen ? PROBE_PASS : PROBE_DIFF;
	probe_set(row->detail, sizeof(row->detail),
		  "H1's SYN reached T as %s (T kept silent); T's SYN back "
		  "while H1 waited: H1 %s, T %s",
		  probe_ep_str(&o->so_public, pub, sizeof(pub)),
		  probe_answer_str(&o->so_h1, a1, sizeof(a1)),
		  probe_answer_str(&o->so_t, a2, sizeof(a2)));
}

static void probe_row_synsent(const struct probe_decl *d,
			      const struct probe_obs *o, struct probe_report *r)
{
	struct probe_row *row;
	char decl[64];

	if (!d->syn_measure)
		return;
	probe_timer_decl(decl, sizeof(decl), d->syn_s, d->syn_profile_s);
	row = probe_row(r, 0, "SYN_SENT timeout", decl);
	if (!row)
		return;
	if (o->syn_err || o->nsyn < PROBE_NLIFE) {
		probe_error_row(row,
				o->keys_why[0] ? o->keys_why : "interrupted");
		return;
	}
	probe_timer_row(row, o->syn_ms, o->syn_alive, o->nsyn, d->syn_s,
			"one unanswered SYN, T's SYN back after");
}

static void probe_row_refresh(const struct probe_decl *d,
			      const struct probe_obs *o, struct probe_report *r)
{
	struct probe_row *row;
	int c, in, lost, t = (int)d->life_s * 1000;
	size_t len;

	if (!d->refresh_measure)
		return;
	row = probe_row(r, 1, "refresh", profile_refresh_str(d->refresh));
	if (!row)
		return;
	if (o->refresh_err || !o->nrefresh) {
		probe_error_row(row,
				o->keys_why[0] ? o->keys_why : "interrupted");
		return;
	}
	c = probe_class_refresh(o->refresh_ms, o->refresh_in, o->nrefresh, &in,
				&lost);
	snprintf(row->measured, sizeof(row->measured), "%s",
		 c < 0 ? "inconsistent" : profile_refresh_str(c));
	/* An outbound-only mapping ends at its timeout, give or take the
	 * one datagram sent right at it. */
	row->verdict =
		c == (int)d->refresh && (c != NAT_REFRESH_OUTBOUND ||
					 (lost >= t - PROBE_REFRESH_STEP_MS &&
					  in <= t + PROBE_REFRESH_STEP_MS))
			? PROBE_PASS
			: PROBE_DIFF;
	len = (size_t)snprintf(row->detail, sizeof(row->detail),
			       "H1 sent once, then S every %.1f s (timeout "
			       "%u s); last in %.1f s, first lost ",
			       PROBE_REFRESH_STEP_MS / 1000.0, d->life_s,
			       in / 1000.0);
	len += (size_t)(lost < 0 ? snprintf(row->detail + len,
					    sizeof(row->detail) - len, "none:")
				 : snprintf(row->detail + len,
					    sizeof(row->detail) - len,
					    "%.1f s:", lost / 1000.0));
	for (int i = 0; i < o->nrefresh && len < sizeof(row->detail); i++)
		len += (size_t)snprintf(
			row->detail + len, sizeof(row->detail) - len, " %.1f%s",
			o->refresh_ms[i] / 1000.0, o->refresh_in[i] ? "" : "x");
}

static const char *probe_udp_answer_str(const struct probe_attempt *a,
					char *buf, size_t cap)
{
	if (a->ans == PROBE_ANS_ACCEPTED)
		return "a datagram back";
	return probe_answer_str(a, buf, cap);
}

/* UDP filtering and the answer to an unsolicited datagram. */
static void probe_row_udp_inbound(const struct probe_decl *d,
				  const struct probe_udp_obs *u,
				  struct probe_report *r)
{
	struct probe_row *filt, *uns;
	struct probe_ep target;
	char pub[32], a[40], t[32];
	int c;

	filt = probe_row(r, 1, "filtering",
			 profile_filter_str(d->udp_filtering));
	uns = probe_row(r, 1, "unsolicited",
			profile_udp_str(d->udp_unsolicited));
	if (!filt || !uns)
		return;
	if (u->in_err) {
		probe_error_row(filt, u->why);
		probe_error_row(uns, u->why);
		return;
	}
	c = probe_class_udp_filtering(&u->reply, &u->from_port, &u->from_addr);
	snprintf(filt->measured, sizeof(filt->measured), "%s",
		 c < 0 ? "inconsistent" : profile_filter_str(c));
	filt->verdict = c == (int)d->udp_filtering ? PROBE_PASS : PROBE_DIFF;
	probe_set(filt->detail, sizeof(filt->detail),
		  "to %s (sent to a:p1): from a:p1 %s, a:p2 %s, b:p1 %s",
		  probe_ep_str(&u->filt_public, pub, sizeof(pub)),
		  u->reply.arrived ? "in" : "lost",
		  u->from_port.arrived ? "in" : "lost",
		  u->from_addr.arrived ? "in" : "lost");
	c = probe_class_udp_unsolicited(&u->unsol);
	snprintf(uns->measured, sizeof(uns->measured), "%s",
		 c >= 0 ? profile_udp_str(c)
			: probe_udp_answer_str(&u->unsol, a, sizeof(a)));
	uns->verdict = c == (int)d->udp_unsolicited ? PROBE_PASS : PROBE_DIFF;
	target = (struct probe_ep){u->filt_public.ip, u->unsol_port};
	probe_set(uns->detail, sizeof(uns->detail),
		  "T to %s (no mapping there): %s",
		  probe_ep_str(&target, t, sizeof(t)),
		  probe_udp_answer_str(&u->unsol, a, sizeof(a)));
}

void probe_verdict(const struct probe_decl *d, const struct probe_obs *o,
		   struct probe_report *r)
{
	const struct probe_udp_obs *u = &o->udp;

	probe_row_mapping(d, 0, &o->m, o->why, r);
	probe_row_ports(d, 0, &o->m, o->why, r);
	probe_row_inbound(d, o, r);
	probe_row_lifetime(d, o, r);
	probe_row_overloading(d, 0, o->ovl_local, &o->ovl_h1, &o->ovl_h2,
			      o->ovl_err, o->keys_why, r);
	probe_row_simopen(d, o, r);
	probe_row_synsent(d, o, r);
	probe_row_mapping(d, 1, &u->m, u->why, r);
	probe_row_ports(d, 1, &u->m, u->why, r);
	probe_row_udp_inbound(d, u, r);
	probe_row_overloading(d, 1, o->udp_ovl_local, &o->udp_ovl_h1,
			      &o->udp_ovl_h2, o->udp_ovl_err, o->keys_why, r);
	probe_row_refresh(d, o, r);
}

int probe_verdict_exit(const struct probe_report *r)
{
	for (int i = 0; i < r->nrows; i++)
		if (r->rows[i].verdict != PROBE_PASS)
			return 1;
	return 0;
}

const char *probe_verdict_str(enum probe_verdict v)
{
	return v == PROBE_PASS ? "PASS" : v == PROBE_DIFF ? "DIFF" : "ERROR";
}
