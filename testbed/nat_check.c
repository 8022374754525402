/* nat_check: input checks of the NAT renderer. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nat_check.h"

static int nat_name_ok(const char *s, size_t max, const char *extra)
{
	size_t n = s ? strlen(s) : 0;

	if (!n || n > max)
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr(extra, *s))
			return 0;
	return 1;
}

static int nat_addr_ok(const char *s, struct in_addr *a)
{
	return s && strlen(s) < INET_ADDRSTRLEN &&
	       inet_pton(AF_INET, s, a) == 1;
}

/* "a.b.c.d/n" into network-order address and prefix length. */
static int nat_cidr_ok(const char *s, struct in_addr *a, int *plen)
{
	char addr[INET_ADDRSTRLEN];
	const char *slash = s ? strchr(s, '/') : NULL;
	char *end;
	long len;

	if (!slash || (size_t)(slash - s) >= sizeof(addr))
		return 0;
	memcpy(addr, s, (size_t)(slash - s));
	addr[slash - s] = '\0';
	if (inet_pton(AF_INET, addr, a) != 1 ||
	    !isdigit((unsigned char)slash[1]))
		return 0;
	len = strtol(slash + 1, &end, 10);
	if (*end || len < 0 || len > 32)
		return 0;
	*plen = (int)len; /* only a valid length: it becomes a shift */
	return 1;
}

int nat_check_ifaces(const struct nat_ifaces *ifc, char *why,
			 size_t why_cap)
{
	struct in_addr a, net = {0};
	uint32_t mask;
	const char *bad = NULL;
	size_t i;
	int plen = 0;

	if (!nat_name_ok(ifc->table, 63, "_"))
		bad = "table name (1..63 of A-Z a-z 0-9 _)";
	else if (!nat_name_ok(ifc->wan, 15, "_.-"))
		bad = "WAN interface name";
	else if (!nat_name_ok(ifc->lan, 15, "_.-"))
		bad = "LAN interface name";
	else if (!nat_addr_ok(ifc->wan_addr, &a))
		bad = "WAN address";
	else if (!nat_cidr_ok(ifc->lan_cidr, &net, &plen))
		bad = "LAN prefix (a.b.c.d/0..32)";
	else if (ifc->nsubscribers && !ifc->subscribers)
		bad = "subscriber list";
	mask = !bad && plen ? htonl(~0u << (32 - plen)) : 0;
	for (i = 0; !bad && i < ifc->nsubscribers; i++)
		if (!nat_addr_ok(ifc->subscribers[i], &a) ||
		    ((a.s_addr ^ net.s_addr) & mask))
			bad = "subscriber address (one inside the LAN prefix)";
	if (!bad)
		return 0;
	if (why && why_cap)
		snprintf(why, why_cap, "invalid %s", bad);
	return -EINVAL;
}

