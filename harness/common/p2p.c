/* p2p: Bitcoin P2P v1 framing and the version/ping/pong payloads, as
 * Bitcoin Core writes them (src/protocol.h, net_processing.cpp). Pure
 * functions over caller buffers. */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "p2p.h"

void p2p_put_u16le(uint8_t *p, uint16_t v)
{
	p[0] = v & 0xff;
	p[1] = v >> 8;
}

void p2p_put_u32le(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (v >> (8 * i)) & 0xff;
}

void p2p_put_u64le(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (v >> (8 * i)) & 0xff;
}

uint16_t p2p_get_u16le(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

uint32_t p2p_get_u32le(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

uint64_t p2p_get_u64le(const uint8_t *p)
{
	return (uint64_t)p2p_get_u32le(p) | (uint64_t)p2p_get_u32le(p + 4)
						    << 32;
}

void p2p_checksum(const void *payload, size_t len, uint8_t out[4])
{
	static const uint8_t empty;
	uint8_t h1[EVP_MAX_MD_SIZE], h2[EVP_MAX_MD_SIZE];
	unsigned int n1 = 0, n2 = 0;

	/* EVP_Digest only fails on allocation failure inside OpenSSL; a zero
	 * checksum then makes the frame fail verification instead of
	 * passing garbage. */
	memset(out, 0, 4);
	if (!payload)
		payload = &empty;
	if (!EVP_Digest(payload, len, h1, &n1, EVP_sha256(), NULL))
		return;
	if (!EVP_Digest(h1, n1, h2, &n2, EVP_sha256(), NULL))
		return;
	memcpy(out, h2, 4);
}

/* Same rule as Bitcoin Core's CMessageHeader::IsCommandValid: printable
 * ASCII, then only NUL padding. */
static int p2p_command_valid(const uint8_t cmd[P2P_CMD_LEN])
{
	size_t i = 0;

	for (; i < P2P_CMD_LEN && cmd[i]; i++)
		if (cmd[i] < 0x20 || cmd[i] > 0x7e)
			return 0;
	for (; i < P2P_CMD_LEN; i++)
		if (cmd[i])
			return 0;
	return 1;
}

int p2p_hdr_encode(uint8_t out[P2P_HDR_LEN], uint32_t magic,
		   const char *command, const void *payload, size_t len)
{
	size_t clen = command ? strnlen(command, P2P_CMD_LEN + 1) : 0;

	if (clen == 0 || clen > P2P_CMD_LEN || len > UINT32_MAX)
		return -EINVAL;
	p2p_put_u32le(out, magic);
	memset(out + 4, 0, P2P_CMD_LEN);
	memcpy(out + 4, command, clen);
	if (!p2p_command_valid(out + 4))
		return -EINVAL;
	p2p_put_u32le(out + 16, (uint32_t)len);
	p2p_checksum(payload, len, out + 20);
	return 0;
}

int p2p_hdr_decode(const uint8_t in[P2P_HDR_LEN], struct p2p_hdr *h)
{
	if (!p2p_command_valid(in + 4))
		return -EBADMSG;
	h->magic = p2p_get_u32le(in);
	memcpy(h->command, in + 4, P2P_CMD_LEN);
	h->command[P2P_CMD_LEN] = '\0';
	h->length = p2p_get_u32le(in + 16);
	memcpy(h->checksum, in + 20, 4);
	return 0;
}

int p2p_msg_encode(uint8_t *out, size_t cap, uint32_t magic,
		   const char *command, const void *payload, size_t len)
{
	int err;

	if (len > INT_MAX - P2P_HDR_LEN)
		return -EINVAL;
	if (cap < P2P_HDR_LEN + len)
		return -ENOSPC;
	err = p2p_hdr_encode(out, magic, command, payload, len);
	if (err)
		return err;
	if (len)
		memcpy(out + P2P_HDR_LEN, payload, len);
	return (int)(P2P_HDR_LEN + len);
}

int p2p_frame(const uint8_t *buf, size_t len, uint32_t magic,
	      size_t max_payload, struct p2p_hdr *h, const uint8_t **payload)
{
	uint8_t want[4], sum[4];
	size_t n = len < 4 ? len : 4;

	/* Compare the magic on whatever prefix has arrived so a stream of
	 * garbage is refused on its first bytes, not after 24. */
	p2p_put_u32le(want, magic);
	if (n && memcmp(buf, want, n))
		return -EBADMSG;
	if (len < P2P_HDR_LEN)
		return 0;
	if (p2p_hdr_decode(buf, h))
		return -EBADMSG;
	if (h->length > max_payload || h->length > INT_MAX - P2P_HDR_LEN)
		return -EMSGSIZE;
	if (len - P2P_HDR_LEN < h->length)
		return 0;
	p2p_checksum(buf + P2P_HDR_LEN, h->length, sum);
	if (memcmp(sum, h->checksum, 4))
		return -EBADMSG;
	*payload = buf + P2P_HDR_LEN;
	return (int)(P2P_HDR_LEN + h->length);
}

void p2p_netaddr_encode(uint8_t out[P2P_NETADDR_LEN],
			const struct p2p_netaddr *na)
{
	p2p_put_u64le(out, na->services);
	memcpy(out + 8, na->ip, 16);
	out[24] = na->port >> 8;
	out[25] = na->port & 0xff;
}

void p2p_netaddr_decode(const uint8_t in[P2P_NETADDR_LEN],
			struct p2p_netaddr *na)
{
	na->services = p2p_get_u64le(in);
	memcpy(na->ip, in + 8, 16);
	na->port = (uint16_t)(in[24] << 8 | in[25]);
}

/* CompactSize as Bitcoin Core writes it; only sizes below 2^16 are
 * needed here. */
static size_t p2p_compact_len(size_t n)
{
	return n < 0xfd ? 1 : 3;
}

static void p2p_compact_put(uint8_t *p, size_t n)
{
	if (n < 0xfd) {
		p[0] = (uint8_t)n;
	} else {
		p[0] = 0xfd;
		p2p_put_u16le(p + 1, (uint16_t)n);
	}
}

/* Relay (BIP 37) is written only for protocol >= 70001: older versions
 * did not have the field, and this keeps a decoded old message
 * re-encoding to the same bytes. */
#define P2P_RELAY_MIN_VERSION 70001

int p2p_version_encode(uint8_t *out, size_t cap, const struct p2p_version *v)
{
	size_t ua = strnlen(v->user_agent, sizeof(v->user_agent));
	int relay = v->version >= P2P_RELAY_MIN_VERSION;
	size_t need, off = 0;

	if (ua > P2P_UA_MAX)
		return -EINVAL;
	need = 4 + 8 + 8 + 2 * P2P_NETADDR_LEN + 8 + p2p_compact_len(ua) + ua +
	       4 + (relay ? 1 : 0);
	if (cap < need)
		return -ENOSPC;
	p2p_put_u32le(out + off, (uint32_t)v->version);
	off += 4;
	p2p_put_u64le(out + off, v->services);
	off += 8;
	p2p_put_u64le(out + off, (uint64_t)v->timestamp);
	off += 8;
	p2p_netaddr_encode(out + off, &v->recv);
	off += P2P_NETADDR_LEN;
	p2p_netaddr_encode(out + off, &v->from);
	off += P2P_NETADDR_LEN;
	p2p_put_u64le(out + off, v->nonce);
	off += 8;
	p2p_compact_put(out + off, ua);
	off += p2p_compact_len(ua);
	memcpy(out + off, v->user_agent, ua);
	off += ua;
	p2p_put_u32le(out + off, (uint32_t)v->start_height);
	off += 4;
	if (relay)
		out[off++] = v->relay ? 1 : 0;
	return (int)off;
}

int p2p_version_decode(const uint8_t *p, size_t len, struct p2p_version *v)
{
	const size_t fixed = 4 + 8 + 8 + 2 * P2P_NETADDR_LEN + 8;
	size_t off = 0, ua;

	if (len < fixed + 1)
		return -EBADMSG;
	memset(v, 0, sizeof(*v));
	v->version = (int32_t)p2p_get_u32le(p);
	v->services = p2p_get_u64le(p + 4);
	v->timestamp = (int64_t)p2p_get_u64le(p + 12);
	p2p_netaddr_decode(p + 20, &v->recv);
	p2p_netaddr_decode(p + 20 + P2P_NETADDR_LEN, &v->from);
	v->nonce = p2p_get_u64le(p + 20 + 2 * P2P_NETADDR_LEN);
	off = fixed;

	/* Non-canonical sizes are refused, as Core's ReadCompactSize does. */
	if (p[off] < 0xfd) {
		ua = p[off];
		off += 1;
	} else if (p[off] == 0xfd) {
		if (len - off < 3)
			return -EBADMSG;
		ua = p2p_get_u16le(p + off + 1);
		if (ua < 0xfd)
			return -EBADMSG;
		off += 3;
	} else {
		return -EBADMSG;
	}
	if (ua > P2P_UA_MAX || len - off < ua + 4)
		return -EBADMSG;
	memcpy(v->user_agent, p + off, ua);
	v->user_agent[ua] = '\0';
	off += ua;
	v->start_height = (int32_t)p2p_get_u32le(p + off);
	off += 4;
	if (off < len)
		v->relay = p[off] ? 1 : 0;
	return 0;
}

static const uint8_t p2p_v4mapped[12] = {0, 0, 0, 0, 0,	   0,
					 0, 0, 0, 0, 0xff, 0xff};

int p2p_netaddr_from_sockaddr(struct p2p_netaddr *na, const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;

		memcpy(na->ip, p2p_v4mapped, 12);
		memcpy(na->ip + 12, &s4->sin_addr, 4);
		na->port = ntohs(s4->sin_port);
		return 0;
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;

		memcpy(na->ip, &s6->sin6_addr, 16);
		na->port = ntohs(s6->sin6_port);
		return 0;
	}
	return -EAFNOSUPPORT;
}

socklen_t p2p_netaddr_to_sockaddr(const struct p2p_netaddr *na,
				  struct sockaddr_storage *ss)
{
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	if (!memcmp(na->ip, p2p_v4mapped, 12)) {
		s4->sin_family = AF_INET;
		memcpy(&s4->sin_addr, na->ip + 12, 4);
		s4->sin_port = htons(na->port);
		return sizeof(*s4);
	}
	s6->sin6_family = AF_INET6;
	memcpy(&s6->sin6_addr, na->ip, 16);
	s6->sin6_port = htons(na->port);
	return sizeof(*s6);
}

char *p2p_netaddr_str(const struct p2p_netaddr *na, char *buf, size_t cap)
{
	char ip[INET6_ADDRSTRLEN];

	if (!cap)
		return buf;
	if (!memcmp(na->ip, p2p_v4mapped, 12)) {
		inet_ntop(AF_INET, na->ip + 12, ip, sizeof(ip));
		snprintf(buf, cap, "%s:%u", ip, (unsigned)na->port);
	} else {
		inet_ntop(AF_INET6, na->ip, ip, sizeof(ip));
		snprintf(buf, cap, "[%s]:%u", ip, (unsigned)na->port);
	}
	return buf;
}
