/* opts_family: which modes and strategies punch over IPv6 (a coordinator,
 * or --connect's peer, written [v6]:PORT). The punch socket is of the
 * meeting's family; IPv6 has no NAT between the homes, only stateful
 * filters, so the strategies that model a NAT's port choice do not
 * apply. Apart from opts.c so that each mode's checks stay in one place. */
#include <errno.h>
#include <stdio.h>
#include <sys/socket.h>

#include "addr6.h"
#include "cellcond.h"
#include "opts.h"

int opts_family(const struct opts *o)
{
	const char *s = o->coordinator ? o->coordinator : o->connect;

	return s && s[0] == '[' ? AF_INET6 : AF_INET;
}

/* predict and birthday guess a NAT's next port: an IPv6 endpoint keeps
 * its port (filters do not translate), so there is nothing to guess and
 * their probe and spray would only cost SYNs. */
static int opts_family_strategy(const struct opts *o)
{
	if (o->strategy != CELLCOND_PREDICT && o->strategy != CELLCOND_BIRTHDAY)
		return 0;
	fprintf(stderr,
		"punch-agent: --strategy %s does not apply over "
		"IPv6 (no NAT port to predict); use connect, "
		"listen-connect or low-ttl\n",
		cellcond_strategies[o->strategy]);
	return -EINVAL;
}

int opts_check_family(const struct opts *o)
{
	if (opts_family(o) != AF_INET6)
		return 0;
	if (o->node != OPTS_NODE_EMBEDDED) {
		fprintf(stderr,
			"punch-agent: --node %s needs an IPv4 "
			"coordinator (its SOCKS5 bridge is IPv4)\n",
			opts_node_name(o->node));
		return -EINVAL;
	}
	return opts_family_strategy(o);
}

/* An IPv4-mapped IPv6 literal would make an IPv6 socket talk IPv4 on the
 * wire, and the peers it is told of IPv4 ones: refused, with the way to
 * write it. */
int opts_endpoint(const char *opt, const char *s, union addr6 *a)
{
	if (addr6_parse(s, a) < 0) {
		fprintf(stderr,
			"punch-agent: %s '%s': want IPv4-ADDRESS:PORT or "
			"[IPv6-ADDRESS]:PORT\n",
			opt, s);
		return -EINVAL;
	}
	if (a->sa.sa_family == AF_INET6 &&
	    IN6_IS_ADDR_V4MAPPED(&a->sin6.sin6_addr)) {
		fprintf(stderr,
			"punch-agent: %s '%s': an IPv4-mapped address; "
			"write it as IPv4-ADDRESS:PORT\n",
			opt, s);
		return -EINVAL;
	}
	return 0;
}
