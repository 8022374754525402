/* addr6: endpoints of either family, parsed and compared one way. */
#include <errno.h>
#include <string.h>

#include "addr6.h"
#include "optparse.h"

static const uint8_t addr6_v4mapped[12] = {0, 0, 0, 0, 0,    0,
					   0, 0, 0, 0, 0xff, 0xff};

int addr6_parse(const char *s, union addr6 *a)
{
	struct sockaddr_storage ss;
	socklen_t len;

	if (optparse_sockaddr(s, OPTPARSE_V4 | OPTPARSE_V6, &ss, &len) < 0)
		return -EINVAL;
	return addr6_from_sockaddr(a, (struct sockaddr *)&ss) ? -EINVAL : 0;
}

int addr6_from_sockaddr(union addr6 *a, const struct sockaddr *sa)
{
	memset(a, 0, sizeof(*a));
	if (sa->sa_family == AF_INET)
		memcpy(&a->sin, sa, sizeof(a->sin));
	else if (sa->sa_family == AF_INET6)
		memcpy(&a->sin6, sa, sizeof(a->sin6));
	else
		return -EAFNOSUPPORT;
	return 0;
}

void addr6_from_netaddr(union addr6 *a, const struct p2p_netaddr *na)
{
	struct sockaddr_storage ss;

	memset(&ss, 0, sizeof(ss));
	p2p_netaddr_to_sockaddr(na, &ss);
	addr6_from_sockaddr(a, (struct sockaddr *)&ss);
}

socklen_t addr6_len(const union addr6 *a)
{
	return a->sa.sa_family == AF_INET6 ? sizeof(a->sin6) : sizeof(a->sin);
}

uint16_t addr6_port(const union addr6 *a)
{
	return ntohs(a->sa.sa_family == AF_INET6 ? a->sin6.sin6_port
						 : a->sin.sin_port);
}

void addr6_set_port(union addr6 *a, uint16_t port)
{
	if (a->sa.sa_family == AF_INET6)
		a->sin6.sin6_port = htons(port);
	else
		a->sin.sin_port = htons(port);
}

void addr6_any(union addr6 *out, int family, uint16_t port)
{
	memset(out, 0, sizeof(*out));
	if (family == AF_INET6) {
		out->sin6.sin6_family = AF_INET6;
		out->sin6.sin6_addr = in6addr_any;
	} else {
		out->sin.sin_family = AF_INET;
		out->sin.sin_addr.s_addr = htonl(INADDR_ANY);
	}
	addr6_set_port(out, port);
}

const char *addr6_any_str(int family)
{
	return family == AF_INET6 ? "[::]" : "0.0.0.0";
}

size_t addr6_bytes(const union addr6 *a, const void **bytes)
{
	if (a->sa.sa_family == AF_INET6) {
		*bytes = &a->sin6.sin6_addr;
		return 16;
	}
	*bytes = &a->sin.sin_addr;
	return 4;
}

int addr6_same(const union addr6 *a, const union addr6 *b, int any_port)
{
	const void *x, *y;
	size_t n;

	if (a->sa.sa_family != b->sa.sa_family)
		return 0;
	if (!any_port && addr6_port(a) != addr6_port(b))
		return 0;
	n = addr6_bytes(a, &x);
	addr6_bytes(b, &y);
	return !memcmp(x, y, n);
}

int addr6_family16(const uint8_t ip[16])
{
	return memcmp(ip, addr6_v4mapped, 12) ? AF_INET6 : AF_INET;
}

int addr6_same_family(const struct p2p_netaddr *a, const struct p2p_netaddr *b)
{
	return addr6_family16(a->ip) == addr6_family16(b->ip);
}
