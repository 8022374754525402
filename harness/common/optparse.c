/* optparse: numbers and address:port literals from the command line. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "optparse.h"

int optparse_ll(const char *s, long long min, long long max, long long *out)
{
	char *end;
	long long v;

	if (!s || !(isdigit((unsigned char)s[0]) ||
		    (s[0] == '-' && isdigit((unsigned char)s[1]))))
		return -EINVAL;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (*end)
		return -EINVAL;
	if (errno || v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

int optparse_int(const char *s, int min, int max, int *out)
{
	long long v;
	int e = optparse_ll(s, min, max, &v);

	if (e == 0)
		*out = (int)v;
	return e;
}

int optparse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (!s || !isdigit((unsigned char)s[0]))
		return -EINVAL;
	errno = 0;
	/* Decimal, or hex after 0x; never octal for a leading zero. */
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		v = isxdigit((unsigned char)s[2]) ? strtoull(s + 2, &end, 16) :
						     (end = (char *)s + 1, 0);
	else
		v = strtoull(s, &end, 10);
	if (*end)
		return -EINVAL;
	if (errno || v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

int optparse_split(const char *s, int flags, char *host, size_t cap,
		   uint16_t *port)
{
	const char *colon, *h = s;
	size_t hlen;
	int p = 0, e;

	if (!s)
		return -EINVAL;
	if (s[0] == '[') {
		const char *rb = strchr(s, ']');

		if (!(flags & OPTPARSE_V6) || !rb || rb[1] != ':')
			return -EINVAL;
		h = s + 1;
		hlen = (size_t)(rb - h);
		colon = rb + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon || strchr(s, ':') != colon)
			return -EINVAL;
		hlen = (size_t)(colon - s);
	}
	if (hlen == 0 || hlen >= cap)
		return -EINVAL;
	e = optparse_int(colon + 1, flags & OPTPARSE_PORT0 ? 0 : 1, 65535, &p);
	if (e < 0)
		return e;
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	*port = (uint16_t)p;
	return 0;
}

int optparse_sockaddr(const char *s, int flags, struct sockaddr_storage *ss,
		      socklen_t *len)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
	char host[INET6_ADDRSTRLEN];
	uint16_t port;
	int e = optparse_split(s, flags, host, sizeof(host), &port);

	if (e < 0)
		return e;
	memset(ss, 0, sizeof(*ss));
	if ((flags & OPTPARSE_V4) && s[0] != '[' &&
	    inet_pton(AF_INET, host, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		*len = sizeof(*s4);
		return 0;
	}
	if ((flags & OPTPARSE_V6) && s[0] == '[' &&
	    inet_pton(AF_INET6, host, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		*len = sizeof(*s6);
		return 0;
	}
	return -EINVAL;
}
