/* targetpolicy: a coordinator that lies can point the agent's SYNs at
 * anything the agent can reach — its own loopback services, its router's
 * admin page, a third party on the WAN. The rules below refuse what no
 * honest coordinator names; a victim on the WAN stays reachable and is
 * bounded by the caps (--max-syns) instead. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "targetpolicy.h"

static const uint8_t targetpolicy_v4mapped[12] = {0, 0, 0, 0, 0, 0,
						  0, 0, 0, 0, 0xff, 0xff};

/* The classes, in the order they are checked; allowable ones can be let
 * through by --wan-allow. Prefixes as text, parsed once. */
static const struct {
	const char *prefix, *name;
	int allowable;
} targetpolicy_rules[] = {
	{"0.0.0.0/8", "unspecified", 0},
	{"::/128", "unspecified", 0},
	{"127.0.0.0/8", "loopback", 0},
	{"::1/128", "loopback", 0},
	{"224.0.0.0/4", "multicast", 0},
	{"ff00::/8", "multicast", 0},
	{"255.255.255.255/32", "broadcast", 0},
	{"169.254.0.0/16", "link-local", 0},
	{"fe80::/10", "link-local", 0},
	/* IPv4-compatible (::a.b.c.d, deprecated by RFC 4291): no honest
	 * peer has one, and a stack that still routes them would carry the
	 * SYN to the IPv4 address inside past the IPv4 rules above. After
	 * :: and ::1, which it contains. */
	{"::/96", "ipv4-compatible", 0},
	{"10.0.0.0/8", "private", 1},
	{"172.16.0.0/12", "private", 1},
	{"192.168.0.0/16", "private", 1},
	{"100.64.0.0/10", "cgn", 1},
	{"fc00::/7", "ula", 1},
};

#define TARGETPOLICY_NRULES \
	(sizeof(targetpolicy_rules) / sizeof(targetpolicy_rules[0]))

int targetpolicy_prefix_parse(const char *s, struct targetpolicy_prefix *p)
{
	char buf[INET6_ADDRSTRLEN + 8], *slash, *end;
	unsigned max = 128;
	long len = -1;

	if (!s || strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash) {
		*slash++ = '\0';
		if (*slash < '0' || *slash > '9')
			return -EINVAL;
		len = strtol(slash, &end, 10);
		if (*end)
			return -EINVAL;
	}
	memset(p, 0, sizeof(*p));
	if (inet_pton(AF_INET, buf, p->ip + 12) == 1) {
		memcpy(p->ip, targetpolicy_v4mapped, 12);
		max = 32;
	} else if (inet_pton(AF_INET6, buf, p->ip) != 1) {
		return -EINVAL;
	}
	if (len < 0)
		len = max;
	if (len > (long)max)
		return -EINVAL;
	p->len = (unsigned)len + (max == 32 ? 96 : 0);
	return 0;
}

static int targetpolicy_in(const uint8_t ip[16],
			   const struct targetpolicy_prefix *p)
{
	unsigned full = p->len / 8, rest = p->len % 8;
	uint8_t mask = (uint8_t)(0xff00 >> rest);

	if (memcmp(ip, p->ip, full))
		return 0;
	return !rest || ((ip[full] ^ p->ip[full]) & mask) == 0;
}

/* 4 or 16 bytes into the 16-byte form. */
static int targetpolicy_map(uint8_t out[16], const void *addr, size_t len)
{
	if (len == 4) {
		memcpy(out, targetpolicy_v4mapped, 12);
		memcpy(out + 12, addr, 4);
	} else if (len == 16) {
		memcpy(out, addr, 16);
	} else {
		return -EINVAL;
	}
	return 0;
}

int targetpolicy_add_own(struct targetpolicy *tp, const void *addr,
			 size_t len)
{
	if (tp->nown == TARGETPOLICY_MAX_OWN)
		return -ENOSPC;
	if (targetpolicy_map(tp->own[tp->nown], addr, len))
		return -EINVAL;
	tp->nown++;
	return 0;
}

int targetpolicy_set_coord(struct targetpolicy *tp, const void *addr,
			   size_t len)
{
	if (targetpolicy_map(tp->coord, addr, len))
		return -EINVAL;
	tp->have_coord = 1;
	return 0;
}

static int targetpolicy_allowed(const struct targetpolicy *tp,
				const uint8_t ip[16])
{
	for (unsigned i = 0; i < tp->nallow; i++)
		if (targetpolicy_in(ip, &tp->allow[i]))
			return 1;
	return 0;
}

static int targetpolicy_refuse(char *why, size_t whylen, const char *rule,
			       const char *addr, const char *tail)
{
	snprintf(why, whylen, "%s %s%s", rule, addr, tail);
	return -EPERM;
}

/* The first rule of that kind (allowable or not) ip falls in, or -1. */
static int targetpolicy_match(const uint8_t ip[16], int allowable)
{
	struct targetpolicy_prefix rule;

	for (unsigned i = 0; i < TARGETPOLICY_NRULES; i++) {
		if (targetpolicy_rules[i].allowable != allowable)
			continue;
		targetpolicy_prefix_parse(targetpolicy_rules[i].prefix, &rule);
		if (targetpolicy_in(ip, &rule))
			return (int)i;
	}
	return -1;
}

int targetpolicy_check(const struct targetpolicy *tp,
		       const struct p2p_netaddr *na, char *why, size_t whylen)
{
	char addr[INET6_ADDRSTRLEN];
	const uint8_t *ip = na->ip;
	int k;

	if (!memcmp(ip, targetpolicy_v4mapped, 12))
		inet_ntop(AF_INET, ip + 12, addr, sizeof(addr));
	else
		inet_ntop(AF_INET6, ip, addr, sizeof(addr));
	if (!na->port)
		return targetpolicy_refuse(why, whylen, "port 0 of", addr, "");
	k = targetpolicy_match(ip, 0);
	if (k >= 0)
		return targetpolicy_refuse(why, whylen,
					   targetpolicy_rules[k].name, addr, "");
	for (unsigned i = 0; i < tp->nown; i++)
		if (!memcmp(ip, tp->own[i], 16))
			return targetpolicy_refuse(why, whylen, "own address",
						   addr, "");
	if (tp->have_coord && !memcmp(ip, tp->coord, 16))
		return targetpolicy_refuse(why, whylen,
					   "coordinator's own address", addr,
					   "");
	if (targetpolicy_allowed(tp, ip))
		return 0;
	k = targetpolicy_match(ip, 1);
	if (k >= 0)
		return targetpolicy_refuse(why, whylen,
					   targetpolicy_rules[k].name, addr,
					   " not in --wan-allow");
	return 0;
}
