/* spoof: hand-built IPv4/TCP segments with any source, sent from a raw
 * socket (IPPROTO_RAW, so IP_HDRINCL): the off-path injector's only
 * tool. Needs CAP_NET_RAW in the sender's namespace. */
#ifndef PUNCHLAB_ADV_SPOOF_H
#define PUNCHLAB_ADV_SPOOF_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#define SPOOF_FIN 0x01
#define SPOOF_SYN 0x02
#define SPOOF_RST 0x04
#define SPOOF_ACK 0x10

struct spoof_seg {
	struct sockaddr_in src, dst; /* network byte order, as usual */
	uint8_t flags;		     /* SPOOF_* */
	uint32_t seq, ack;
	uint16_t window;
	uint16_t mss; /* 0: no option; else an MSS option (SYNs) */
};

/* The segment as it goes on the wire, IP header first, both checksums
 * filled in. Length (40 or 44), or -ENOSPC. */
int spoof_build(uint8_t *buf, size_t cap, const struct spoof_seg *s);
/* The Internet checksum of len bytes, folded, starting from sum (the
 * pseudo-header's partial sum, or 0). */
uint16_t spoof_csum(const void *data, size_t len, uint32_t sum);
/* A raw socket (close-on-exec), or -errno (-EPERM without CAP_NET_RAW). */
int spoof_open(void);
/* Builds and sends one segment. Bytes on the wire, or -errno. */
int spoof_send(int fd, const struct spoof_seg *s);

#endif
