/* coordmsg: payload codecs for hpregister, hppunch and hpreject. Every
 * decoder checks the length first: a message has one length (hpregister:
 * one of two, with its optional trailing flags byte; hppunch: one of
 * three, with its optional hops byte and prediction), so any other length
 * is a different (wrong) message. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "coordmsg.h"

int coord_register_encode(uint8_t *out, size_t cap,
			  const struct coord_register *m)
{
	size_t len = m->flags ? COORD_REGISTER_FLAGS_LEN : COORD_REGISTER_LEN;

	if (cap < len)
		return -ENOSPC;
	p2p_put_u32le(out, m->proto);
	p2p_put_u64le(out + 4, m->key);
	/* Without flags, the original 12 bytes: a coordinator that predates
	 * the flags byte still accepts the registration. */
	if (m->flags)
		out[12] = m->flags;
	return (int)len;
}

int coord_register_decode(const uint8_t *p, size_t len,
			  struct coord_register *m)
{
	if (len != COORD_REGISTER_LEN && len != COORD_REGISTER_FLAGS_LEN)
		return -EBADMSG;
	m->proto = p2p_get_u32le(p);
	m->key = p2p_get_u64le(p + 4);
	m->flags = len == COORD_REGISTER_FLAGS_LEN ? p[12] : 0;
	return 0;
}

int coord_punch_encode(uint8_t *out, size_t cap, const struct coord_punch *m)
{
	size_t off = 0;

	if (m->role != COORD_ROLE_INITIATOR && m->role != COORD_ROLE_RESPONDER)
		return -EINVAL;
	if (cap < (m->predict ? COORD_PUNCH_PREDICT_LEN
		   : m->ext   ? COORD_PUNCH_EXT_LEN
			      : COORD_PUNCH_LEN))
		return -ENOSPC;
	p2p_netaddr_encode(out + off, &m->peer);
	off += P2P_NETADDR_LEN;
	p2p_netaddr_encode(out + off, &m->self);
	off += P2P_NETADDR_LEN;
	out[off++] = m->role;
	p2p_put_u64le(out + off, m->nonce);
	off += 8;
	p2p_put_u32le(out + off, m->delay_ms);
	off += 4;
	p2p_put_u32le(out + off, m->rtt_us);
	off += 4;
	if (m->ext || m->predict)
		out[off++] = m->hops;
	if (m->predict) {
		p2p_put_u16le(out + off, m->peer_next);
		p2p_put_u16le(out + off + 2, (uint16_t)m->peer_delta);
		p2p_put_u16le(out + off + 4, (uint16_t)m->self_delta);
		off += 6;
	}
	return (int)off;
}

int coord_punch_decode(const uint8_t *p, size_t len, struct coord_punch *m)
{
	size_t off = 0;

	if (len != COORD_PUNCH_LEN && len != COORD_PUNCH_EXT_LEN &&
	    len != COORD_PUNCH_PREDICT_LEN)
		return -EBADMSG;
	p2p_netaddr_decode(p + off, &m->peer);
	off += P2P_NETADDR_LEN;
	p2p_netaddr_decode(p + off, &m->self);
	off += P2P_NETADDR_LEN;
	m->role = p[off++];
	if (m->role != COORD_ROLE_INITIATOR && m->role != COORD_ROLE_RESPONDER)
		return -EBADMSG;
	m->nonce = p2p_get_u64le(p + off);
	off += 8;
	m->delay_ms = p2p_get_u32le(p + off);
	off += 4;
	m->rtt_us = p2p_get_u32le(p + off);
	off += 4;
	m->ext = len >= COORD_PUNCH_EXT_LEN;
	m->hops = m->ext ? p[off++] : 0;
	m->predict = len == COORD_PUNCH_PREDICT_LEN;
	m->peer_next = m->predict ? p2p_get_u16le(p + off) : 0;
	m->peer_delta = m->predict ? (int16_t)p2p_get_u16le(p + off + 2) : 0;
	m->self_delta = m->predict ? (int16_t)p2p_get_u16le(p + off + 4) : 0;
	return 0;
}

/* reason is a Bitcoin varstr: CompactSize length (one byte below 0xfd,
 * 0xfd + u16le for 253..255), then the bytes, no NUL. */
int coord_reject_encode(uint8_t *out, size_t cap, const struct coord_reject *m)
{
	size_t n = strnlen(m->reason, sizeof(m->reason));
	size_t pre = n < 0xfd ? 1 : 3;

	if (n >= sizeof(m->reason))
		return -EINVAL;
	if (cap < 1 + pre + n)
		return -ENOSPC;
	out[0] = m->code;
	if (pre == 1) {
		out[1] = (uint8_t)n;
	} else {
		out[1] = 0xfd;
		p2p_put_u16le(out + 2, (uint16_t)n);
	}
	memcpy(out + 1 + pre, m->reason, n);
	return (int)(1 + pre + n);
}

int coord_reject_decode(const uint8_t *p, size_t len, struct coord_reject *m)
{
	size_t n, pre;

	if (len < 2)
		return -EBADMSG;
	if (p[1] < 0xfd) {
		n = p[1];
		pre = 1;
	} else if (p[1] == 0xfd && len >= 4) {
		n = p2p_get_u16le(p + 2);
		pre = 3;
		if (n < 0xfd) /* non-canonical */
			return -EBADMSG;
	} else {
		return -EBADMSG;
	}
	if (n >= sizeof(m->reason) || len != 1 + pre + n)
		return -EBADMSG;
	if (memchr(p + 1 + pre, '\0', n))
		return -EBADMSG;
	m->code = p[0];
	memcpy(m->reason, p + 1 + pre, n);
	m->reason[n] = '\0';
	return 0;
}

uint8_t coord_hops_from_ttl(uint8_t ttl)
{
	static const uint8_t initial[] = {64, 128, 255};

	if (!ttl)
		return 0;
	for (size_t i = 0; i < sizeof(initial); i++)
		if (ttl <= initial[i])
			return (uint8_t)(initial[i] - ttl);
	return 0; /* not reached: 255 is the largest TTL */
}

int16_t coord_port_delta(uint16_t probe_port, uint16_t reg_port)
{
	return (int16_t)(uint16_t)(reg_port - probe_port);
}

uint16_t coord_port_next(uint16_t port, int16_t delta)
{
	return (uint16_t)(port + (uint16_t)delta);
}

void coord_version_init(struct p2p_version *v,
			const struct p2p_netaddr *observed,
			uint64_t their_services, uint64_t nonce)
{
	memset(v, 0, sizeof(*v));
	v->version = P2P_PROTOCOL_VERSION;
	v->services = COORD_SERVICE_BIT;
	v->timestamp = (int64_t)time(NULL);
	v->recv = *observed;
	v->recv.services = their_services;
	v->from.services = COORD_SERVICE_BIT;
	v->nonce = nonce;
	snprintf(v->user_agent, sizeof(v->user_agent), "%s", COORD_USER_AGENT);
}
