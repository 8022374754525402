/* nat_build: the text builder the NAT fragments write into — named
 * objects (counters, dynamic maps and sets, ct timeouts) and one buffer
 * per chain — and the tables of chains and learned objects. Private to
 * nat.c, nat_build.c and nat_check.c. */
#ifndef PUNCHLAB_NAT_BUILD_H
#define PUNCHLAB_NAT_BUILD_H

#include <stddef.h>

#include "nat_ifaces.h"
#include "profile.h"

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
	NAT_OBJ_TAKEN,
	NAT_OBJ_FRESH,
	NAT_OBJ_N
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

void nat_put(struct nat_text *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* One rule, indented, into chain ch. */
void nat_rule(struct nat_build *b, enum nat_chain ch, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Sets the reason text and returns e. */
int nat_fail(struct nat_build *b, int e, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Declares object o once, with the learn rule that fills it. */
void nat_need(struct nat_build *b, enum nat_obj o);
/* Buffers of cap bytes each (no part can be longer than the whole).
 * NULL with errno. */
struct nat_build *nat_build_new(const struct nat_profile *p,
				const struct nat_ifaces *ifc, size_t cap);
void nat_build_free(struct nat_build *b);
/* The whole table into buf: header, objects, chains. Its length, or
 * -ENOSPC when anything did not fit. */
int nat_build_finish(struct nat_build *b, char *buf, size_t cap);

#endif
