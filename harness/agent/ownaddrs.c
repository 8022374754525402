/* ownaddrs: getifaddrs, read once before the meeting. A router's public
 * address is not among them (it lives in the router's namespace), so a
 * hairpin to our own public endpoint (same-home) stays allowed. */
#include <errno.h>
#include <ifaddrs.h>
#include <netinet/in.h>

#include "ownaddrs.h"

int ownaddrs_load(struct targetpolicy *tp)
{
	struct ifaddrs *ifa, *i;
	int err = 0;

	if (getifaddrs(&ifa) < 0)
		return -errno;
	for (i = ifa; i && !err; i = i->ifa_next) {
		if (!i->ifa_addr)
			continue;
		if (i->ifa_addr->sa_family == AF_INET)
			err = targetpolicy_add_own(
				tp, &((struct sockaddr_in *)i->ifa_addr)->sin_addr,
				4);
		else if (i->ifa_addr->sa_family == AF_INET6)
			err = targetpolicy_add_own(
				tp,
				&((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr,
				16);
	}
	freeifaddrs(ifa);
	return err;
}
