/* node: version/verack as Bitcoin Core runs it for protocol 70016 —
 * version, then wtxidrelay and sendaddrv2, then verack; done once the
 * peer's verack is in. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "monoclock.h"
#include "log.h"
#include "loop.h"
#include "node.h"

int node_random_u64(uint64_t *out)
{
	ssize_t n;

	do
		n = getrandom(out, sizeof(*out), 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return n == sizeof(*out) ? 0 : -EIO;
}

void node_version_init(struct p2p_version *v, uint64_t nonce,
		       const struct p2p_netaddr *recv)
{
	memset(v, 0, sizeof(*v));
	v->version = P2P_PROTOCOL_VERSION;
	v->services = 0;
	v->timestamp = (int64_t)time(NULL);
	v->recv = *recv;
	v->recv.services = 0;
	/* addr_from stays all-zero, as Bitcoin Core sends it. */
	v->nonce = nonce;
	snprintf(v->user_agent, sizeof(v->user_agent), "%s", NODE_USER_AGENT);
	v->start_height = 0;
	v->relay = 0;
}

int node_pong(struct msgio *m, const uint8_t *payload, uint32_t len,
	      int64_t deadline_ns)
{
	if (len != 8)
		return -EBADMSG;
	return msgio_send(m, "pong", payload, len, deadline_ns);
}

static int node_send_version(struct msgio *m, const struct node_params *p,
			     int64_t deadline_ns)
{
	uint8_t buf[MSGIO_SEND_MAX];
	struct p2p_version v;
	int len;

	node_version_init(&v, p->nonce, &p->peer);
	len = p2p_version_encode(buf, sizeof(buf), &v);
	if (len < 0)
		return len;
	return msgio_send(m, "version", buf, (size_t)len, deadline_ns);
}

/* What follows our version: feature negotiation, then verack. */
static int node_send_verack(struct msgio *m, const struct node_params *p,
			    int64_t deadline_ns)
{
	int r;

	if (p->features) {
		r = msgio_send(m, "wtxidrelay", NULL, 0, deadline_ns);
		if (!r)
			r = msgio_send(m, "sendaddrv2", NULL, 0, deadline_ns);
		if (r)
			return r;
	}
	return msgio_send(m, "verack", NULL, 0, deadline_ns);
}

/* The peer's first message: it must be a well-formed version that passes
 * the nonce and services checks. */
static int node_recv_version(struct msgio *m, const struct node_params *p,
			     struct node_peer *peer, int64_t deadline_ns,
			     char *why, size_t whylen)
{
	const uint8_t *payload;
	struct p2p_version *v = &peer->version;
	struct p2p_hdr h;
	int r;

	r = msgio_recv(m, &h, &payload, deadline_ns);
	if (r) {
		snprintf(why, whylen, "waiting for version");
		return r;
	}
	if (strcmp(h.command, "version")) {
		snprintf(why, whylen, "first message '%s', not version",
			 h.command);
		return -EPROTO;
	}
	if (p2p_version_decode(payload, h.length, v)) {
		snprintf(why, whylen, "malformed version (%" PRIu32 " bytes)",
			 h.length);
		return -EBADMSG;
	}
	log_debug("peer version %" PRId32 " services 0x%" PRIx64
		  " nonce %016" PRIx64 " ua '%s'",
		  v->version, v->services, v->nonce, v->user_agent);
	if (p->check && v->nonce != p->check_nonce) {
		snprintf(why, whylen,
			 "version nonce %016" PRIx64 ", expected %016" PRIx64,
			 v->nonce, p->check_nonce);
		return -EPROTO;
	}
	if (!p->check && v->nonce == p->nonce) {
		snprintf(why, whylen, "connected to ourselves");
		return -EPROTO;
	}
	if ((v->services & p->want_services) != p->want_services) {
		snprintf(why, whylen, "services 0x%" PRIx64 " lack 0x%" PRIx64,
			 v->services, p->want_services);
		return -EPROTO;
	}
	return 0;
}

int node_handshake(struct msgio *m, const struct node_params *p,
		   struct node_peer *peer, int64_t deadline_ns, char *why,
		   size_t whylen)
{
	const uint8_t *payload;
	struct p2p_hdr h;
	int r;

	memset(peer, 0, sizeof(*peer));
	why[0] = '\0';
	if (p->role == NODE_OUTBOUND) {
		r = node_send_version(m, p, deadline_ns);
		if (r)
			goto send_failed;
	}
	r = node_recv_version(m, p, peer, deadline_ns, why, whylen);
	if (r)
		return r;
	if (p->role == NODE_INBOUND) {
		r = node_send_version(m, p, deadline_ns);
		if (r)
			goto send_failed;
	}
	r = node_send_verack(m, p, deadline_ns);
	if (r)
		goto send_failed;

	for (;;) {
		r = msgio_recv(m, &h, &payload, deadline_ns);
		if (r) {
			snprintf(why, whylen, "waiting for verack");
			return r;
		}
		if (!strcmp(h.command, "verack"))
			break;
		if (!strcmp(h.command, "version")) {
			snprintf(why, whylen, "second version message");
			return -EPROTO;
		}
		if (!strcmp(h.command, "ping")) {
			r = node_pong(m, payload, h.length, deadline_ns);
			if (r == -EBADMSG) {
				snprintf(why, whylen,
					 "ping of %" PRIu32 " bytes", h.length);
				return r;
			}
			if (r)
				goto send_failed;
		}
		/* Anything else (sendcmpct, feefilter, ...) is not ours. */
	}
	peer->t_handshake_ns = mono_ns();
	return 0;

send_failed:
	snprintf(why, whylen, "sending");
	return r;
}
