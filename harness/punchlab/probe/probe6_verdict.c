/* probe6_verdict: the IPv6 rows of a probe report from what the IPv6
 * tests saw, against the profile's [ipv6] declaration. */
#include <stdio.h>
#include <string.h>

#include "probe6_verdict.h"
#include "probe_verdict.h"

/* The class the three dials show. */
static const char *probe6_class(const struct probe6_obs *o)
{
	int same = o->same_addr.ans == PROBE_ANS_ACCEPTED,
	    other = o->other_addr.ans == PROBE_ANS_ACCEPTED,
	    unused = o->unused.ans == PROBE_ANS_ACCEPTED;

	if (unused)
		return same && other ? "open" : "inconsistent";
	if (same)
		return other ? "endpoint-independent" : "address-dependent";
	return other ? "inconsistent" : "address+port-dependent";
}

/* The answer the unused port got, as an unsolicited_syn value. */
static const char *probe6_syn(const struct probe_attempt *a)
{
	switch (a->ans) {
	case PROBE_ANS_NONE:
		return "drop";
	case PROBE_ANS_RST:
		return "rst";
	case PROBE_ANS_ICMP:
		return "icmp";
	case PROBE_ANS_ACCEPTED:
		return "accepted";
	default:
		return "error";
	}
}

static struct probe_row *probe6_row(struct probe_report *r, const char *axis)
{
	struct probe_row *row;

	if (r->nrows >= PROBE_MAX_ROWS)
		return NULL;
	row = &r->rows[r->nrows++];
	memset(row, 0, sizeof(*row));
	snprintf(row->axis, sizeof(row->axis), "%s", axis);
	return row;
}

void probe6_verdict(const struct probe6_obs *o, struct probe_report *r)
{
	int open = o->filtering == PROFILE6_OPEN;
	struct probe_row *f, *s;
	char b[3][64];

	if (!o->on || !(f = probe6_row(r, "IPv6 filtering")) ||
	    !(s = probe6_row(r, "IPv6 unsolicited SYN")))
		return;
	snprintf(f->declared, sizeof(f->declared), "%s",
		 profile6_filter_str(o->filtering));
	snprintf(s->declared, sizeof(s->declared), "%s",
		 open ? "accepted (open)" : profile_syn_str(o->syn));
	if (o->err) {
		for (struct probe_row *row = f; row; row = row == f ? s : NULL) {
			snprintf(row->measured, sizeof(row->measured),
				 "not measured");
			snprintf(row->detail, sizeof(row->detail), "%s",
				 o->why);
			row->verdict = PROBE_ERROR;
		}
		return;
	}
	snprintf(f->measured, sizeof(f->measured), "%s", probe6_class(o));
	snprintf(f->detail, sizeof(f->detail),
		 "after H1 sent to T1: T1 %s, T2 %s, to a port H1 never used "
		 "%s",
		 probe_answer_str(&o->same_addr, b[0], sizeof(b[0])),
		 probe_answer_str(&o->other_addr, b[1], sizeof(b[1])),
		 probe_answer_str(&o->unused, b[2], sizeof(b[2])));
	f->verdict = strcmp(f->declared, f->measured) ? PROBE_DIFF : PROBE_PASS;
	snprintf(s->measured, sizeof(s->measured), "%s",
		 open ? (o->unused.ans == PROBE_ANS_ACCEPTED ? "accepted (open)"
							    : probe6_syn(&o->unused))
		      : probe6_syn(&o->unused));
	snprintf(s->detail, sizeof(s->detail), "SYN from T1 to [%s]: %s%s",
		 PROBE6_H1, probe_answer_str(&o->unused, b[0], sizeof(b[0])),
		 o->unused.ans == PROBE_ANS_ICMP ? " (ICMPv6 admin prohibited)"
						 : "");
	s->verdict = strcmp(s->declared, s->measured) ? PROBE_DIFF : PROBE_PASS;
}
