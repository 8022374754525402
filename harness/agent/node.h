/* node: the embedded minimal Bitcoin node — the v1 version/verack handshake
 * in the three ways the agent needs it (punch initiator, punch responder,
 * plain outbound), plus answering ping. */
#ifndef PUNCHLAB_AGENT_NODE_H
#define PUNCHLAB_AGENT_NODE_H

#include <stddef.h>
#include <stdint.h>

#include "msgio.h"
#include "p2p.h"

#define NODE_USER_AGENT "/punchlab-agent:0.1/"
/* Enough for any message a peer sends before its verack. */
#define NODE_MAX_PAYLOAD 65536

enum node_role {
	/* Speaks first. The peer's version nonce must be check_nonce when
	 * check is set; otherwise only a self-connection is refused. */
	NODE_OUTBOUND,
	/* Waits for the peer's version, whose nonce must be check_nonce, and
	 * answers. */
	NODE_INBOUND,
};

struct node_params {
	enum node_role role;
	uint64_t nonce; /* our version nonce */
	int check;
	uint64_t check_nonce;
	uint64_t want_services; /* all these bits in the peer's services */
	/* Send wtxidrelay and sendaddrv2 before verack, as Bitcoin Core does
	 * with protocol >= 70016 peers. */
	int features;
	struct p2p_netaddr peer; /* our version's addr_recv */
};

struct node_peer {
	struct p2p_version version; /* the peer's version message */
	int64_t t_handshake_ns;	    /* when the handshake completed */
};

/* Runs the handshake until both verack are through, answering ping and
 * skipping other commands. 0, or -errno with why filled: -EPROTO (peer broke
 * the protocol: first message not version, wrong nonce, missing services,
 * second version), -EBADMSG/-EMSGSIZE (framing, malformed version), and
 * msgio's errors (-ETIMEDOUT, -EINTR, -EPIPE, ...). */
int node_handshake(struct msgio *m, const struct node_params *p,
		   struct node_peer *peer, int64_t deadline_ns, char *why,
		   size_t whylen);

/* Answers a ping (payload must be the 8-byte nonce) with pong. 0, -EBADMSG,
 * or msgio_send's errors. */
int node_pong(struct msgio *m, const uint8_t *payload, uint32_t len,
	      int64_t deadline_ns);

/* Fills a version as the agent sends it (protocol 70016, services 0, our
 * user agent, start height 0, relay 0). */
void node_version_init(struct p2p_version *v, uint64_t nonce,
		       const struct p2p_netaddr *recv);

/* Random 64-bit nonce from getrandom(). 0 or -errno. */
int node_random_u64(uint64_t *out);

#endif
