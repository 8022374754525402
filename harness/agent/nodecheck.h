/* nodecheck: the --connect mode — dial any Bitcoin node and complete the
 * handshake as an outbound peer, to check the embedded node without a
 * punch. */
#ifndef PUNCHLAB_AGENT_NODECHECK_H
#define PUNCHLAB_AGENT_NODECHECK_H

#include <stdint.h>

#include "node.h"
#include "outcome.h"

struct nodecheck_result {
	struct outcome o;
	char peer[64]; /* "ip:port" dialled, "" before resolution */
	int have_version;
	struct node_peer np; /* version and t_handshake_ns */
	int64_t t_established_ns;
};

/* host is a literal or a name. 0 on a completed handshake, -1 with r->o
 * filled (setup when the name does not resolve). */
int nodecheck_run(const char *host, uint16_t port, uint32_t magic,
		  int64_t timeout_ms, struct nodecheck_result *r);

/* The version/verack handshake on a connected fd, as role (NODE_OUTBOUND:
 * we dialled; NODE_INBOUND: --serve accepted it and answers as a node
 * does). Sets t_established_ns, the peer's version, and r->o on failure:
 * wrong-peer for a protocol break, else from the errno. 0 or -1. */
int nodecheck_handshake(int fd, enum node_role role, uint32_t magic,
			int64_t deadline, struct nodecheck_result *r);

#endif
