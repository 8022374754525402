/* spoof: the headers are written byte by byte in network order, so the
 * checksums are computed over exactly what goes on the wire. The kernel
 * would fill in the IP checksum itself (raw(7)); it is computed anyway,
 * so a capture of spoof_build's output is a valid packet on its own. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "spoof.h"

#define SPOOF_IP_LEN 20
#define SPOOF_TCP_LEN 20
#define SPOOF_MSS_LEN 4

uint16_t spoof_csum(const void *data, size_t len, uint32_t sum)
{
	const uint8_t *p = data;

	for (; len > 1; p += 2, len -= 2)
		sum += (uint32_t)p[0] << 8 | p[1];
	if (len)
		sum += (uint32_t)p[0] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void spoof_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void spoof_put32(uint8_t *p, uint32_t v)
{
	spoof_put16(p, (uint16_t)(v >> 16));
	spoof_put16(p + 2, (uint16_t)v);
}

/* The TCP pseudo-header's sum: addresses, protocol, TCP length. */
static uint32_t spoof_pseudo(const uint8_t *ip, size_t tcp_len)
{
	uint32_t sum = 0;

	for (int i = 12; i < 20; i += 2)
		sum += (uint32_t)ip[i] << 8 | ip[i + 1];
	return sum + IPPROTO_TCP + (uint32_t)tcp_len;
}

int spoof_build(uint8_t *buf, size_t cap, const struct spoof_seg *s)
{
	size_t tcp_len = SPOOF_TCP_LEN + (s->mss ? SPOOF_MSS_LEN : 0);
	size_t len = SPOOF_IP_LEN + tcp_len;
	uint8_t *ip = buf, *th = buf + SPOOF_IP_LEN;

	if (cap < len)
		return -ENOSPC;
	memset(buf, 0, len);
	ip[0] = 0x45; /* IPv4, 5 words */
	spoof_put16(ip + 2, (uint16_t)len);
	spoof_put16(ip + 6, 0x4000); /* DF, as Linux sends TCP */
	ip[8] = 64;
	ip[9] = IPPROTO_TCP;
	memcpy(ip + 12, &s->src.sin_addr, 4);
	memcpy(ip + 16, &s->dst.sin_addr, 4);
	spoof_put16(ip + 10, spoof_csum(ip, SPOOF_IP_LEN, 0));

	memcpy(th, &s->src.sin_port, 2);
	memcpy(th + 2, &s->dst.sin_port, 2);
	spoof_put32(th + 4, s->seq);
	spoof_put32(th + 8, s->ack);
	th[12] = (uint8_t)((tcp_len / 4) << 4);
	th[13] = s->flags;
	spoof_put16(th + 14, s->window);
	if (s->mss) {
		th[20] = 2; /* kind MSS */
		th[21] = 4;
		spoof_put16(th + 22, s->mss);
	}
	spoof_put16(th + 16, spoof_csum(th, tcp_len, spoof_pseudo(ip, tcp_len)));
	return (int)len;
}

int spoof_open(void)
{
	int fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);

	return fd < 0 ? -errno : fd;
}

int spoof_send(int fd, const struct spoof_seg *s)
{
	uint8_t buf[64];
	int n = spoof_build(buf, sizeof(buf), s);

	if (n < 0)
		return n;
	if (sendto(fd, buf, (size_t)n, 0, (const struct sockaddr *)&s->dst,
		   sizeof(s->dst)) < 0)
		return -errno;
	return n;
}
