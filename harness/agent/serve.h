/* serve: the --serve mode's listening side — listen on --local-port,
 * accept one inbound connection by the deadline, and prove it with the
 * version/verack handshake, answering as a node does (the --connect side
 * dials it), over IPv4 or IPv6. For the direct, PCP and ipv6-direct rungs of the ladder
 * (docs/alternatives.md section 6). */
#ifndef PUNCHLAB_AGENT_SERVE_H
#define PUNCHLAB_AGENT_SERVE_H

#include <stdint.h>

#include "nodecheck.h"

/* The listeners on 0.0.0.0:port and [::]:port into lfd (the caller
 * closes both). 0, or -1 with r->o set (bind) and none open. */
int serve_listen(uint16_t port, int lfd[2], struct nodecheck_result *r);

/* Accepts one connection on either listener by deadline_ns and shakes
 * hands; r->peer is who came. 0, or -1 with r->o set (timeout when
 * nobody came). */
int serve_accept(const int lfd[2], uint32_t magic, int64_t deadline_ns,
		 struct nodecheck_result *r);

#endif
