/* coordtap: one text line per pairing; every field length-checked
 * before it is copied. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "coordtap.h"
#include "optparse.h"

static int coordtap_ep_ok(const char *ep)
{
	size_t n = strnlen(ep, COORDTAP_EP_MAX);

	return n > 0 && n < COORDTAP_EP_MAX && !strpbrk(ep, " \n");
}

int coordtap_format(char *buf, size_t cap, const struct coordtap_pair *p)
{
	int n;

	if (!coordtap_ep_ok(p->a) || !coordtap_ep_ok(p->b))
		return -EINVAL;
	n = snprintf(buf, cap, "pair %llu %s %s %lld\n",
		     (unsigned long long)p->key, p->a, p->b,
		     (long long)p->start_ns);
	if (n < 0 || (size_t)n >= cap)
		return -ENOSPC;
	return n;
}

/* The next space-separated field of line[*off..len) into out (cap with
 * its NUL). 0 or -EBADMSG. */
static int coordtap_field(const char *line, size_t len, size_t *off,
			  char *out, size_t cap)
{
	size_t s = *off, e = s;

	while (e < len && line[e] != ' ')
		e++;
	if (e == s || e - s >= cap)
		return -EBADMSG;
	memcpy(out, line + s, e - s);
	out[e - s] = '\0';
	*off = e < len ? e + 1 : e;
	return 0;
}

int coordtap_parse(const char *line, size_t len, struct coordtap_pair *p)
{
	char verb[8], key[24], start[24];
	long long st;
	size_t off = 0;

	if (!len || line[len - 1] == ' ' ||
	    coordtap_field(line, len, &off, verb, sizeof(verb)) ||
	    strcmp(verb, "pair") ||
	    coordtap_field(line, len, &off, key, sizeof(key)) ||
	    coordtap_field(line, len, &off, p->a, sizeof(p->a)) ||
	    coordtap_field(line, len, &off, p->b, sizeof(p->b)) ||
	    coordtap_field(line, len, &off, start, sizeof(start)) ||
	    off != len)
		return -EBADMSG;
	if (optparse_u64(key, 0, UINT64_MAX, &p->key) ||
	    optparse_ll(start, 0, INT64_MAX, &st))
		return -EBADMSG;
	p->start_ns = st;
	return 0;
}
