/* opts_pcp: --serve and the port-mapping options (--pcp, --pcp-proto,
 * --pcp-lifetime; docs/alternatives.md section 5), apart from opts.c so
 * that each stays readable and the IPv6 work on opts.c merges cleanly. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "optparse.h"
#include "opts.h"
#include "pcp.h"

/* --pcp-proto: "auto", "pcp", "natpmp" (enum pcpmap_proto's order). */
static int opts_pcp_proto(const char *s, enum pcpmap_proto *out)
{
	static const char *const names[] = {"auto", "pcp", "natpmp"};

	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(s, names[i])) {
			*out = (enum pcpmap_proto)i;
			return 0;
		}
	return -EINVAL;
}

int opts_parse_pcp(int c, const char *v, struct opts *o)
{
	long long n;

	switch (c) {
	case OPTS_SERVE:
		o->serve = 1;
		return 0;
	case OPTS_PCP:
		o->pcp = v;
		o->pcp_gateway = (struct sockaddr_in){
			.sin_family = AF_INET,
			.sin_port = htons(PCP_PORT),
		};
		if (inet_pton(AF_INET, v, &o->pcp_gateway.sin_addr) == 1)
			return 0;
		fprintf(stderr,
			"punch-agent: --pcp '%s': want the gateway's "
			"IPv4 address (PCP and NAT-PMP use port %d)\n",
			v, PCP_PORT);
		return -EINVAL;
	case OPTS_PCP_PROTO:
		if (opts_pcp_proto(v, &o->pcp_proto) == 0)
			return 0;
		fprintf(stderr,
			"punch-agent: --pcp-proto '%s': want pcp, "
			"natpmp or auto\n",
			v);
		return -EINVAL;
	default:
		if (optparse_ll(v, 1, UINT32_MAX, &n) == 0) {
			o->pcp_lifetime = n;
			return 0;
		}
		fprintf(stderr,
			"punch-agent: --pcp-lifetime '%s': want "
			"seconds from 1 to %u\n",
			v, UINT32_MAX);
		return -EINVAL;
	}
}

/* --pcp maps --local-port, so it needs one; --serve is the embedded
 * node's plain listener: no coordinator options, no defences. */
int opts_check_pcp(const struct opts *o)
{
	if ((o->pcp_proto != PCPMAP_AUTO ||
	     o->pcp_lifetime != OPTS_PCP_LIFETIME_DEFAULT) &&
	    !o->pcp) {
		fprintf(stderr, "punch-agent: --pcp-proto and --pcp-lifetime "
				"are for --pcp\n");
		return -EINVAL;
	}
	if (o->pcp && !o->local_port) {
		fprintf(stderr, "punch-agent: --pcp maps --local-port: give "
				"it\n");
		return -EINVAL;
	}
	if (!o->serve)
		return 0;
	if (!o->local_port) {
		fprintf(stderr, "punch-agent: --serve needs --local-port\n");
		return -EINVAL;
	}
	if (o->exec || o->key_given || o->target_policy || o->auth_secret ||
	    o->max_syns >= 0 || o->max_punch_ms >= 0 || o->max_delay_ms >= 0 ||
	    o->strategy) {
		fprintf(stderr, "punch-agent: --serve takes --local-port, "
				"--pcp*, --timeout-ms, --magic and --name "
				"only\n");
		return -EINVAL;
	}
	return 0;
}
