/* shapespec: one link condition (one-way delay, jitter, loss, rate) and its
 * text form "N:delay_ms:jitter_ms:loss:rate_kbit", written by the harness
 * and read by punch-shaper (and by linkcond for netem). */
#ifndef PUNCHLAB_SHAPESPEC_H
#define PUNCHLAB_SHAPESPEC_H

#include <stddef.h>
#include <stdint.h>

#define SHAPESPEC_MAX_DELAY_MS 60000	  /* also the jitter limit */
#define SHAPESPEC_MAX_RATE_KBIT 100000000 /* 100 Gbit/s */
#define SHAPESPEC_MAX_QUEUE 65535
#define SHAPESPEC_LOSS_ONE 1000000000u /* loss is kept in parts per 1e9 */
#define SHAPESPEC_TEXT_MAX 80	       /* longest text form, with NUL */

/* Kept in integers so that text -> spec -> text is exact and two runs of
 * the same scenario compute the same thresholds. */
struct shape_spec {
	unsigned int queue; /* NFQUEUE number (ignored by netem) */
	uint64_t delay_ns;  /* one-way, added to every packet */
	uint64_t jitter_ns; /* uniform: +-jitter; normal: sigma */
	uint32_t loss_ppb;  /* drop probability * 1e9 */
	uint64_t rate_kbit; /* 0 = unlimited; 1 kbit = 1000 bit */
};

/* Parses "N:delay_ms:jitter_ms:loss:rate_kbit", e.g. "1:25:2.5:0.01:8000".
 * Milliseconds take up to 6 decimals (ns), loss is a probability in [0, 1]
 * with up to 9 decimals, rate a whole number of kbit/s. No signs, spaces
 * or exponents. 0 or -EINVAL (with what was wrong in why, may be NULL). */
int shapespec_parse(const char *s, struct shape_spec *out, char *why,
		    size_t why_cap);
/* Writes the text form (parses back to the same spec) into buf; returns
 * its length or -ENOSPC. */
int shapespec_format(const struct shape_spec *sp, char *buf, size_t cap);
/* 1 when the spec changes nothing (zero delay, jitter, loss and rate). */
int shapespec_is_noop(const struct shape_spec *sp);

#endif
