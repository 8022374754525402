/* pcp: PCP MAP and NAT-PMP requests and the checks on their replies
 * (RFC 6887 7, 11; RFC 6886 3). Offsets are named after the RFC figures. */
#include <errno.h>
#include <string.h>

#include "pcp.h"

/* RFC 6887 figures 2, 3 (header) and 9, 10 (MAP), from the message start. */
enum {
	PCP_OFF_VERSION = 0,
	PCP_OFF_OPCODE = 1,
	PCP_OFF_RESULT = 3,
	PCP_OFF_LIFETIME = 4,
	PCP_OFF_EPOCH = 8,
	PCP_OFF_CLIENT = 8,
	PCP_OFF_NONCE = PCP_HEADER_LEN,
	PCP_OFF_PROTO = PCP_HEADER_LEN + 12,
	PCP_OFF_INTERNAL_PORT = PCP_HEADER_LEN + 16,
	PCP_OFF_EXTERNAL_PORT = PCP_HEADER_LEN + 18,
	PCP_OFF_EXTERNAL = PCP_HEADER_LEN + 20,
	PCP_OPTION_HEADER_LEN = 4,
};

/* RFC 6887 7.4 */
static const char *const pcp_results[] = {
	"SUCCESS",	    "UNSUPP_VERSION",
	"NOT_AUTHORIZED",   "MALFORMED_REQUEST",
	"UNSUPP_OPCODE",    "UNSUPP_OPTION",
	"MALFORMED_OPTION", "NETWORK_FAILURE",
	"NO_RESOURCES",	    "UNSUPP_PROTOCOL",
	"USER_EX_QUOTA",    "CANNOT_PROVIDE_EXTERNAL",
	"ADDRESS_MISMATCH", "EXCESSIVE_REMOTE_PEERS",
};

/* RFC 6886 3.5 numbers them; the names are PCP's for the same meaning
 * (0-2 are the same codes; 3-5 as Bitcoin Core's src/common/pcp.cpp
 * spells them). */
static const char *const natpmp_results[] = {
	"SUCCESS",	   "UNSUPP_VERSION", "NOT_AUTHORIZED",
	"NETWORK_FAILURE", "NO_RESOURCES",   "UNSUPP_OPCODE",
};

/* ::ffff:0:0/96, how PCP carries an IPv4 address (RFC 6887 5). */
static const uint8_t pcp_v4mapped[12] = {0, 0, 0, 0, 0,	   0,
					 0, 0, 0, 0, 0xff, 0xff};

static void pcp_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void pcp_put32(uint8_t *p, uint32_t v)
{
	pcp_put16(p, (uint16_t)(v >> 16));
	pcp_put16(p + 2, (uint16_t)v);
}

static uint16_t pcp_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t pcp_get32(const uint8_t *p)
{
	return (uint32_t)pcp_get16(p) << 16 | pcp_get16(p + 2);
}

static void pcp_put_addr(uint8_t *p, struct in_addr a)
{
	memcpy(p, pcp_v4mapped, sizeof(pcp_v4mapped));
	memcpy(p + sizeof(pcp_v4mapped), &a.s_addr, 4);
}

/* 0, or -EBADMSG when p is not an IPv4-mapped address. */
static int pcp_get_addr(const uint8_t *p, struct in_addr *a)
{
	if (memcmp(p, pcp_v4mapped, sizeof(pcp_v4mapped)))
		return -EBADMSG;
	memcpy(&a->s_addr, p + sizeof(pcp_v4mapped), 4);
	return 0;
}

int pcp_map_encode(uint8_t *buf, size_t cap, const struct pcp_map_req *req)
{
	if (cap < PCP_MAP_LEN)
		return -ENOSPC;
	memset(buf, 0, PCP_MAP_LEN);
	buf[PCP_OFF_VERSION] = PCP_VERSION;
	buf[PCP_OFF_OPCODE] = PCP_OP_MAP;
	pcp_put32(buf + PCP_OFF_LIFETIME, req->lifetime);
	pcp_put_addr(buf + PCP_OFF_CLIENT, req->client);
	memcpy(buf + PCP_OFF_NONCE, req->nonce, PCP_NONCE_LEN);
	buf[PCP_OFF_PROTO] = PCP_PROTO_TCP;
	pcp_put16(buf + PCP_OFF_INTERNAL_PORT, req->internal_port);
	pcp_put16(buf + PCP_OFF_EXTERNAL_PORT, req->external_port);
	pcp_put_addr(buf + PCP_OFF_EXTERNAL, req->external);
	return PCP_MAP_LEN;
}

/* The options after the MAP data (RFC 6887 7.3): each a 4-byte header and
 * its data padded to 4, all inside the message. We send none and read
 * none; they only have to fit. */
static int pcp_options_fit(const uint8_t *p, size_t len)
{
	size_t off = 0, n;

	while (off < len) {
		if (len - off < PCP_OPTION_HEADER_LEN)
			return -EBADMSG;
		n = ((size_t)pcp_get16(p + off + 2) + 3) & ~(size_t)3;
		off += PCP_OPTION_HEADER_LEN;
		if (n > len - off)
			return -EBADMSG;
		off += n;
	}
	return 0;
}

/* The version-2 part of pcp_map_decode: header, then the MAP data. */
static int pcp_map_decode_v2(const uint8_t *buf, size_t len,
			     const struct pcp_map_req *req,
			     struct pcp_map_resp *out)
{
	if (len < PCP_HEADER_LEN || len > PCP_MAX_LEN || len % 4 ||
	    buf[PCP_OFF_OPCODE] != (PCP_R_BIT | PCP_OP_MAP))
		return -EBADMSG;
	memset(out, 0, sizeof(*out));
	out->result = buf[PCP_OFF_RESULT];
	out->lifetime = pcp_get32(buf + PCP_OFF_LIFETIME);
	out->epoch = pcp_get32(buf + PCP_OFF_EPOCH);
	if (len == PCP_HEADER_LEN && out->result != PCP_SUCCESS)
		return 0;
	if (len < PCP_MAP_LEN ||
	    pcp_options_fit(buf + PCP_MAP_LEN, len - PCP_MAP_LEN))
		return -EBADMSG;
	/* An error response copies the request's MAP data (RFC 6887 11.4),
	 * so the nonce identifies it too. */
	if (memcmp(buf + PCP_OFF_NONCE, req->nonce, PCP_NONCE_LEN) ||
	    buf[PCP_OFF_PROTO] != PCP_PROTO_TCP ||
	    pcp_get16(buf + PCP_OFF_INTERNAL_PORT) != req->internal_port)
		return -ESRCH;
	out->has_map = 1;
	out->internal_port = req->internal_port;
	out->external_port = pcp_get16(buf + PCP_OFF_EXTERNAL_PORT);
	if (pcp_get_addr(buf + PCP_OFF_EXTERNAL, &out->external) &&
	    out->result == PCP_SUCCESS)
		return -EBADMSG; /* we asked for IPv4 */
	return 0;
}

int pcp_map_decode(const uint8_t *buf, size_t len,
		   const struct pcp_map_req *req, struct pcp_map_resp *out,
		   uint16_t *natpmp_result)
{
	if (len < NATPMP_HEADER_LEN || !(buf[PCP_OFF_OPCODE] & PCP_R_BIT))
		return -EBADMSG;
	if (buf[PCP_OFF_VERSION] == NATPMP_VERSION) {
		if (natpmp_result)
			*natpmp_result = pcp_get16(buf + 2);
		return -EPROTONOSUPPORT;
	}
	if (buf[PCP_OFF_VERSION] != PCP_VERSION)
		return -EBADMSG;
	return pcp_map_decode_v2(buf, len, req, out);
}

int natpmp_external_encode(uint8_t *buf, size_t cap)
{
	if (cap < NATPMP_EXTERNAL_REQ_LEN)
		return -ENOSPC;
	buf[0] = NATPMP_VERSION;
	buf[1] = NATPMP_OP_EXTERNAL;
	return NATPMP_EXTERNAL_REQ_LEN;
}

int natpmp_map_encode(uint8_t *buf, size_t cap, uint16_t internal_port,
		      uint16_t external_port, uint32_t lifetime)
{
	if (cap < NATPMP_MAP_REQ_LEN)
		return -ENOSPC;
	memset(buf, 0, NATPMP_MAP_REQ_LEN);
	buf[1] = NATPMP_OP_MAP_TCP;
	pcp_put16(buf + 4, internal_port);
	pcp_put16(buf + 6, external_port);
	pcp_put32(buf + 8, lifetime);
	return NATPMP_MAP_REQ_LEN;
}

int natpmp_decode(const uint8_t *buf, size_t len, uint8_t op,
		  uint16_t internal_port, struct natpmp_resp *out)
{
	size_t full = op == NATPMP_OP_EXTERNAL ? NATPMP_EXTERNAL_RESP_LEN
					       : NATPMP_MAP_RESP_LEN;

	if (len < NATPMP_HEADER_LEN || !(buf[1] & PCP_R_BIT))
		return -EBADMSG;
	if (buf[0] != NATPMP_VERSION)
		return -EPROTONOSUPPORT;
	if ((buf[1] & ~PCP_R_BIT) != op)
		return -ESRCH;
	memset(out, 0, sizeof(*out));
	out->op = op;
	out->result = pcp_get16(buf + 2);
	out->epoch = pcp_get32(buf + 4);
	if (out->result != PCP_SUCCESS)
		return 0;
	if (len < full)
		return -EBADMSG;
	if (op == NATPMP_OP_EXTERNAL) {
		memcpy(&out->external.s_addr, buf + 8, 4);
		return 0;
	}
	if (pcp_get16(buf + 8) != internal_port)
		return -ESRCH;
	out->internal_port = internal_port;
	out->external_port = pcp_get16(buf + 10);
	out->lifetime = pcp_get32(buf + 12);
	return 0;
}

const char *pcp_result_name(uint8_t code)
{
	return code < sizeof(pcp_results) / sizeof(pcp_results[0])
		       ? pcp_results[code]
		       : NULL;
}

const char *natpmp_result_name(uint16_t code)
{
	return code < sizeof(natpmp_results) / sizeof(natpmp_results[0])
		       ? natpmp_results[code]
		       : NULL;
}
