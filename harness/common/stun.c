/* stun: Binding request out, mapped address back (RFC 8489). */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "stun.h"

#define STUN_BINDING_REQUEST 0x0001
#define STUN_BINDING_SUCCESS 0x0101
#define STUN_ATTR_MAPPED 0x0001
#define STUN_ATTR_XOR_MAPPED 0x0020
#define STUN_FAMILY_IPV4 0x01

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

int stun_binding_request(uint8_t *buf, size_t cap, const uint8_t txid[12])
{
	if (cap < STUN_HEADER_LEN)
		return -ENOSPC;
	put16(buf, STUN_BINDING_REQUEST);
	put16(buf + 2, 0);
	put16(buf + 4, STUN_MAGIC >> 16);
	put16(buf + 6, STUN_MAGIC & 0xffff);
	memcpy(buf + 8, txid, 12);
	return STUN_HEADER_LEN;
}

/* One (XOR-)MAPPED-ADDRESS value of vlen bytes; the port and address
 * are XORed with the magic cookie when xor is set. */
static int stun_address(const uint8_t *v, size_t vlen, int xor,
			struct sockaddr_in *out)
{
	uint32_t ip;
	uint16_t port;

	if (vlen < 8 || v[1] != STUN_FAMILY_IPV4)
		return -EPROTO; /* IPv6 is 20 bytes: not ours */
	port = get16(v + 2);
	ip = (uint32_t)v[4] << 24 | (uint32_t)v[5] << 16 |
	     (uint32_t)v[6] << 8 | v[7];
	if (xor) {
		port ^= STUN_MAGIC >> 16;
		ip ^= STUN_MAGIC;
	}
	memset(out, 0, sizeof(*out));
	out->sin_family = AF_INET;
	out->sin_port = htons(port);
	out->sin_addr.s_addr = htonl(ip);
	return 0;
}

int stun_binding_parse(const uint8_t *buf, size_t len, const uint8_t txid[12],
		       struct sockaddr_in *mapped)
{
	size_t mlen, off, alen;
	int have = 0, e = -EPROTO;

	if (len < STUN_HEADER_LEN || (buf[0] & 0xc0) ||
	    get16(buf + 4) != STUN_MAGIC >> 16 ||
	    get16(buf + 6) != (STUN_MAGIC & 0xffff))
		return -EBADMSG;
	mlen = get16(buf + 2);
	if (mlen % 4 || STUN_HEADER_LEN + mlen > len)
		return -EBADMSG;
	if (memcmp(buf + 8, txid, 12))
		return -ESRCH;
	if (get16(buf) != STUN_BINDING_SUCCESS)
		return -EPROTO;
	/* Attributes: type, length, value padded to 4 bytes. XOR wins over
	 * the plain one whatever their order. */
	for (off = STUN_HEADER_LEN; off < STUN_HEADER_LEN + mlen;
	     off += 4 + ((alen + 3) & ~(size_t)3)) {
		uint16_t type;

		if (off + 4 > STUN_HEADER_LEN + mlen)
			return -EBADMSG;
		type = get16(buf + off);
		alen = get16(buf + off + 2);
		if (off + 4 + alen > STUN_HEADER_LEN + mlen)
			return -EBADMSG;
		if (type == STUN_ATTR_XOR_MAPPED && have < 2) {
			e = stun_address(buf + off + 4, alen, 1, mapped);
			have = e == 0 ? 2 : have;
		} else if (type == STUN_ATTR_MAPPED && !have) {
			e = stun_address(buf + off + 4, alen, 0, mapped);
			have = e == 0;
		}
	}
	return have ? 0 : e;
}

int stun_binding_answer(const uint8_t *req, size_t len,
			const struct sockaddr_in *from, uint8_t *buf,
			size_t cap)
{
	uint32_t ip = ntohl(from->sin_addr.s_addr);
	uint16_t port = ntohs(from->sin_port);

	if (len < STUN_HEADER_LEN || get16(req) != STUN_BINDING_REQUEST ||
	    get16(req + 4) != STUN_MAGIC >> 16 ||
	    get16(req + 6) != (STUN_MAGIC & 0xffff) ||
	    (size_t)get16(req + 2) + STUN_HEADER_LEN != len)
		return -EBADMSG;
	if (cap < STUN_HEADER_LEN + 12)
		return -ENOSPC;
	memcpy(buf, req, STUN_HEADER_LEN); /* cookie and transaction id */
	put16(buf, STUN_BINDING_SUCCESS);
	put16(buf + 2, 12);
	put16(buf + 20, STUN_ATTR_XOR_MAPPED);
	put16(buf + 22, 8);
	buf[24] = 0;
	buf[25] = STUN_FAMILY_IPV4;
	put16(buf + 26, port ^ (STUN_MAGIC >> 16));
	put16(buf + 28, (uint16_t)((ip ^ STUN_MAGIC) >> 16));
	put16(buf + 30, (uint16_t)(ip ^ STUN_MAGIC));
	return STUN_HEADER_LEN + 12;
}
