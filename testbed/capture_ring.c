/* capture_ring: AF_PACKET with a TPACKET_V3 ring. The kernel stamps each
 * packet in tpacket_rcv as it delivers it (with the skb's own software
 * stamp when it has one), whatever the reader is doing then, so times are
 * exact without SO_TIMESTAMP's system-wide switch, which the kernel turns
 * on lazily. */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>

#include "capture_ring.h"

#define CAPTURE_RING_FRAME_SIZE 2048 /* only tp_frame_nr's unit in V3 */
#define CAPTURE_RING_BYTES                                                     \
	((size_t)CAPTURE_RING_BLOCK_SIZE * CAPTURE_RING_BLOCK_NR)

/* Protocol 0 until bound: the socket queues nothing from other interfaces
 * meanwhile. Ethernet-like links keep their L2 header, anything else (tun,
 * ipip) is captured from the IP header on. */
int capture_ring_open(struct capture_ring *r, const char *ifname, int snaplen)
{
	struct sock_filter cut = BPF_STMT(BPF_RET | BPF_K, (unsigned)snaplen);
	struct sock_fprog prog = {.len = 1, .filter = &cut};
	struct ifreq ifr = {0};
	int fd, ver = TPACKET_V3, type = SOCK_RAW, ret;
	size_t n = strlen(ifname);

	*r = (struct capture_ring){.sock = -1};
	if (!n || n >= IFNAMSIZ || snaplen <= 0 ||
	    snaplen > CAPTURE_RING_SNAPLEN_MAX)
		return -EINVAL;
	memcpy(ifr.ifr_name, ifname, n + 1);
again:
	fd = socket(AF_PACKET, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	if (ioctl(fd, SIOCGIFINDEX, &ifr) < 0)
		goto err;
	r->ifindex = ifr.ifr_ifindex;
	if (type == SOCK_RAW) {
		if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0)
			goto err;
		if (ifr.ifr_hwaddr.sa_family != ARPHRD_ETHER &&
		    ifr.ifr_hwaddr.sa_family != ARPHRD_LOOPBACK) {
			close(fd);
			type = SOCK_DGRAM;
			goto again;
		}
	}
	r->linktype = type == SOCK_RAW ? DLT_EN10MB : DLT_RAW;
	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)) <
		    0 ||
	    setsockopt(fd, SOL_PACKET, PACKET_VERSION, &ver, sizeof(ver)) < 0)
		goto err;
	r->sock = fd;
	return 0;
err:
	ret = -errno;
	close(fd);
	return ret;
}

/* bind() finds the interface in the socket's own namespace, so any thread
 * can arm any ring. */
int capture_ring_arm(struct capture_ring *r)
{
	struct tpacket_req3 req = {
		.tp_block_size = CAPTURE_RING_BLOCK_SIZE,
		.tp_block_nr = CAPTURE_RING_BLOCK_NR,
		.tp_frame_size = CAPTURE_RING_FRAME_SIZE,
		.tp_frame_nr = CAPTURE_RING_BLOCK_SIZE /
			       CAPTURE_RING_FRAME_SIZE * CAPTURE_RING_BLOCK_NR,
		.tp_retire_blk_tov = CAPTURE_RING_TOV_MS,
	};
	struct sockaddr_ll sll = {.sll_family = AF_PACKET,
				  .sll_protocol = htons(ETH_P_ALL),
				  .sll_ifindex = r->ifindex};

	if (setsockopt(r->sock, SOL_PACKET, PACKET_RX_RING, &req, sizeof(req)) <
		    0 ||
	    bind(r->sock, (struct sockaddr *)&sll, sizeof(sll)) < 0)
		return -errno;
	return 0;
}

int capture_ring_map(struct capture_ring *r)
{
	void *m = mmap(NULL, CAPTURE_RING_BYTES, PROT_READ | PROT_WRITE,
		       MAP_SHARED, r->sock, 0);

	if (m == MAP_FAILED)
		return -errno;
	r->map = m;
	r->cur = 0;
	return 0;
}

long capture_ring_read(struct capture_ring *r, pcap_dumper_t *d, int snaplen,
		       unsigned int max_blocks)
{
	struct tpacket_block_desc *bd;
	struct tpacket3_hdr *ph;
	struct pcap_pkthdr h;
	uint32_t off, npk;
	long got = 0;

	for (unsigned int k = 0; r->map && k < max_blocks; k++) {
		bd = (struct tpacket_block_desc
			      *)(r->map +
				 (size_t)r->cur * CAPTURE_RING_BLOCK_SIZE);
		if (!(__atomic_load_n(&bd->hdr.bh1.block_status,
				      __ATOMIC_ACQUIRE) &
		      TP_STATUS_USER))
			break;
		off = bd->hdr.bh1.offset_to_first_pkt;
		npk = bd->hdr.bh1.num_pkts;
		for (uint32_t i = 0; i < npk; i++) {
			/* The kernel wrote these offsets; still, nothing is
			 * read outside the block. */
			if (off < sizeof(*bd) ||
			    off > CAPTURE_RING_BLOCK_SIZE - sizeof(*ph))
				break;
			ph = (struct tpacket3_hdr *)((unsigned char *)bd + off);
			if ((size_t)off + ph->tp_mac + ph->tp_snaplen >
			    CAPTURE_RING_BLOCK_SIZE)
				break;
			h.ts.tv_sec = ph->tp_sec;
			h.ts.tv_usec = ph->tp_nsec; /* nanosecond file */
			h.len = ph->tp_len;
			h.caplen = ph->tp_snaplen > (uint32_t)snaplen
					   ? (uint32_t)snaplen
					   : ph->tp_snaplen;
			pcap_dump((u_char *)d, &h,
				  (unsigned char *)ph + ph->tp_mac);
			got++;
			if (!ph->tp_next_offset)
				break;
			off += ph->tp_next_offset;
		}
		__atomic_store_n(&bd->hdr.bh1.block_status, TP_STATUS_KERNEL,
				 __ATOMIC_RELEASE);
		r->cur = (r->cur + 1) % CAPTURE_RING_BLOCK_NR;
	}
	return got;
}

void capture_ring_clear_error(struct capture_ring *r)
{
	socklen_t len = sizeof(int);
	int err;

	getsockopt(r->sock, SOL_SOCKET, SO_ERROR, &err, &len);
}

unsigned long long capture_ring_drops(struct capture_ring *r)
{
	struct tpacket_stats_v3 st;
	socklen_t len = sizeof(st);

	if (r->sock < 0 ||
	    getsockopt(r->sock, SOL_PACKET, PACKET_STATISTICS, &st, &len) < 0)
		return 0;
	return st.tp_drops;
}

void capture_ring_close(struct capture_ring *r)
{
	if (r->map)
		munmap(r->map, CAPTURE_RING_BYTES);
	r->map = NULL;
	if (r->sock >= 0)
		close(r->sock);
	r->sock = -1;
}
