/* shapespec: the queue spec's text form, parsed field by field as fixed-point
 * decimals (no strtod: "0.3" must mean exactly 300000000 ppb everywhere). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "shapespec.h"
#include "why.h"

#define SHAPESPEC_FIELDS 5

/* "123" or "123.45" scaled by 10^frac into *out, at most max. Leading zeros
 * are fine ("007"), an empty side of the point is not ("5.", ".5"). */
static int shapespec_fixed(const char *s, size_t len, unsigned int frac,
			   uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	unsigned int i, nfrac = 0;
	size_t pos = 0;
	int seen_point = 0, digits = 0;

	if (len == 0)
		return -EINVAL;
	for (pos = 0; pos < len; pos++) {
		char c = s[pos];

		if (c == '.') {
			if (seen_point || !digits || pos + 1 == len)
				return -EINVAL;
			seen_point = 1;
			continue;
		}
		if (c < '0' || c > '9')
			return -EINVAL;
		if (seen_point && ++nfrac > frac)
			return -EINVAL;
		/* max is far below UINT64_MAX / 10 for every caller. */
		v = v * 10 + (uint64_t)(c - '0');
		if (v > max)
			return -ERANGE;
		digits++;
	}
	for (i = nfrac; i < frac; i++) {
		v *= 10;
		if (v > max)
			return -ERANGE;
	}
	*out = v;
	return 0;
}

static const char *const shapespec_names[SHAPESPEC_FIELDS] = {
	"queue", "delay_ms", "jitter_ms", "loss", "rate_kbit",
};

/* s (len bytes) split at ':' into exactly SHAPESPEC_FIELDS fields. */
static int shapespec_split(const char *s, size_t len, const char **field,
			   size_t *flen, char *why, size_t why_cap)
{
	const char *p = s, *colon;

	for (int i = 0; i < SHAPESPEC_FIELDS; i++) {
		colon = memchr(p, ':', (size_t)(s + len - p));
		if (i < SHAPESPEC_FIELDS - 1 && !colon)
			return why_fail(
				why, why_cap,
				"expected N:delay_ms:jitter_ms:loss:rate_kbit, "
				"%s is missing",
				shapespec_names[i + 1]);
		if (i == SHAPESPEC_FIELDS - 1 && colon)
			return why_fail(why, why_cap,
					      "more than %d fields",
					      SHAPESPEC_FIELDS);
		field[i] = p;
		flen[i] = colon ? (size_t)(colon - p) : (size_t)(s + len - p);
		p = colon ? colon + 1 : s + len;
	}
	return 0;
}

/* Why field i is wrong. */
static int shapespec_bad(int i, const char *field, size_t flen, char *why,
			 size_t why_cap)
{
	if (i == 0)
		return why_fail(why, why_cap,
				      "queue \"%.*s\": expected 0..%d",
				      (int)flen, field, SHAPESPEC_MAX_QUEUE);
	if (i == 3)
		return why_fail(why, why_cap,
				      "loss \"%.*s\": expected a probability "
				      "0..1 with at most 9 decimals",
				      (int)flen, field);
	if (i == 4)
		return why_fail(why, why_cap,
				      "rate_kbit \"%.*s\": expected 0 "
				      "(unlimited) .. %d",
				      (int)flen, field, SHAPESPEC_MAX_RATE_KBIT);
	return why_fail(why, why_cap,
			      "%s \"%.*s\": expected 0..%d ms with at most 6 "
			      "decimals",
			      shapespec_names[i], (int)flen, field,
			      SHAPESPEC_MAX_DELAY_MS);
}

int shapespec_parse(const char *s, struct shape_spec *out, char *why,
		    size_t why_cap)
{
	const uint64_t max_ns = (uint64_t)SHAPESPEC_MAX_DELAY_MS * 1000000;
	/* Per field: decimals and maximum of the fixed-point value. */
	const struct {
		unsigned int frac;
		uint64_t max;
	} lim[SHAPESPEC_FIELDS] = { { 0, SHAPESPEC_MAX_QUEUE },
				    { 6, max_ns },
				    { 6, max_ns },
				    { 9, SHAPESPEC_LOSS_ONE },
				    { 0, SHAPESPEC_MAX_RATE_KBIT } };
	const char *field[SHAPESPEC_FIELDS];
	size_t flen[SHAPESPEC_FIELDS], len;
	uint64_t v[SHAPESPEC_FIELDS];
	int e;

	if (!s || !out)
		return -EINVAL;
	len = strnlen(s, SHAPESPEC_TEXT_MAX);
	if (len == SHAPESPEC_TEXT_MAX)
		return why_fail(why, why_cap, "longer than %d characters",
				      SHAPESPEC_TEXT_MAX - 1);
	if ((e = shapespec_split(s, len, field, flen, why, why_cap)) < 0)
		return e;
	for (int i = 0; i < SHAPESPEC_FIELDS; i++)
		if (shapespec_fixed(field[i], flen[i], lim[i].frac, lim[i].max,
				    &v[i]))
			return shapespec_bad(i, field[i], flen[i], why,
					     why_cap);
	memset(out, 0, sizeof(*out));
	out->queue = (unsigned int)v[0];
	out->delay_ns = v[1];
	out->jitter_ns = v[2];
	out->loss_ppb = (uint32_t)v[3];
	out->rate_kbit = v[4];
	return 0;
}

/* v / 10^frac as the shortest decimal that parses back to v. */
static int shapespec_put_fixed(char *buf, size_t cap, uint64_t v,
			       unsigned int frac)
{
	uint64_t scale = 1, ip, fp;
	char fbuf[24];
	unsigned int i;
	int n;

	for (i = 0; i < frac; i++)
		scale *= 10;
	ip = v / scale;
	fp = v % scale;
	if (!fp)
		return snprintf(buf, cap, "%" PRIu64, ip);
	snprintf(fbuf, sizeof(fbuf), "%0*" PRIu64, (int)frac, fp);
	n = (int)strlen(fbuf);
	while (n > 0 && fbuf[n - 1] == '0')
		fbuf[--n] = '\0';
	return snprintf(buf, cap, "%" PRIu64 ".%s", ip, fbuf);
}

int shapespec_format(const struct shape_spec *sp, char *buf, size_t cap)
{
	char d[48], j[48], l[48];
	int n;

	shapespec_put_fixed(d, sizeof(d), sp->delay_ns, 6);
	shapespec_put_fixed(j, sizeof(j), sp->jitter_ns, 6);
	shapespec_put_fixed(l, sizeof(l), sp->loss_ppb, 9);
	n = snprintf(buf, cap, "%u:%s:%s:%s:%" PRIu64, sp->queue, d, j, l,
		     sp->rate_kbit);
	if (n < 0 || (size_t)n >= cap)
		return -ENOSPC;
	return n;
}

int shapespec_is_noop(const struct shape_spec *sp)
{
	return !sp->delay_ns && !sp->jitter_ns && !sp->loss_ppb &&
	       !sp->rate_kbit;
}
