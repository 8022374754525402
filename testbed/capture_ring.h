/* capture_ring: one interface's packet socket with a TPACKET_V3 receive
 * ring, the part of a capture that talks to the kernel: opened in the
 * interface's namespace, armed from any thread, read block by block into a
 * pcap dumper. capture.c runs many of them in one process. */
#ifndef PUNCHLAB_CAPTURE_RING_H
#define PUNCHLAB_CAPTURE_RING_H

#include <pcap/pcap.h>

/* Blocks fill with packets of any size and are handed over when full or
 * CAPTURE_RING_TOV_MS after they were opened. 4 x 128 KiB per interface
 * holds a few hundred handshake-sized packets or eight 64 KiB GSO frames
 * while the reader writes. */
#define CAPTURE_RING_BLOCK_SIZE (128 * 1024)
#define CAPTURE_RING_BLOCK_NR 4
#define CAPTURE_RING_TOV_MS 10
#define CAPTURE_RING_SNAPLEN_MAX (CAPTURE_RING_BLOCK_SIZE - 256)

struct capture_ring {
	int sock; /* -1 when closed */
	int ifindex;
	int linktype; /* DLT_EN10MB (Ethernet-like) or DLT_RAW (from IP) */
	unsigned char *map; /* NULL until capture_ring_map */
	unsigned int cur;   /* next block to read */
};

/* Opens the socket on ifname of the calling thread's namespace (where the
 * socket then stays); it sees nothing until armed. Packets are cut to
 * snaplen (<= CAPTURE_RING_SNAPLEN_MAX) in the kernel. 0 or -errno
 * (-ENODEV: no such interface). */
int capture_ring_open(struct capture_ring *r, const char *ifname, int snaplen);
/* Sets up the ring and binds: from here every frame of the interface,
 * sent or received, lands in the ring stamped by the kernel as it hands
 * it over. Waits for an RCU grace period (tens of ms): arm many rings
 * from parallel threads. 0 or -errno. */
int capture_ring_arm(struct capture_ring *r);
/* Maps the ring into the calling process. 0 or -errno. */
int capture_ring_map(struct capture_ring *r);
/* Writes the packets of up to max_blocks handed-over blocks to d (caplen
 * at most snaplen) and gives the blocks back. Returns the packet count. */
long capture_ring_read(struct capture_ring *r, pcap_dumper_t *d, int snaplen,
		       unsigned int max_blocks);
/* Reads (and so clears) a pending socket error, e.g. ENETDOWN after the
 * link went down: poll() reports POLLERR until someone does. */
void capture_ring_clear_error(struct capture_ring *r);
/* Packets the kernel could not put in the ring since the last call. */
unsigned long long capture_ring_drops(struct capture_ring *r);
/* Unmaps and closes (another grace period); safe to repeat. */
void capture_ring_close(struct capture_ring *r);

#endif
