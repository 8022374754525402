/* capture: AF_PACKET sockets with TPACKET_V3 rings, opened inside each
 * namespace by the caller (a socket stays in the namespace it was created
 * in), handed to one forked child that poll()s them all and writes pcap
 * through libpcap. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>

#include <pcap/pcap.h>

#include "capture.h"
#include "log.h"
#include "netns.h"
#include "proc.h"

/* The kernel's ring per interface (TPACKET_V3): blocks that fill with
 * packets of any size and are handed over when full or after
 * CAPTURE_BLOCK_TOV_MS; the kernel stamps each packet as it delivers it
 * (the skb's own software stamp when it has one), whatever the child is
 * doing then. 4 x 128 KiB holds a few hundred handshake-sized packets or
 * eight 64 KiB GSO frames per interface. */
#define CAPTURE_BLOCK_SIZE (128 * 1024)
#define CAPTURE_BLOCK_NR 4
#define CAPTURE_FRAME_SIZE 2048
#define CAPTURE_BLOCK_TOV_MS 10
#define CAPTURE_SNAPLEN_MAX (CAPTURE_BLOCK_SIZE - 256)
#define CAPTURE_READY_MS 5000

struct capture_if {
	int sock;
	int linktype; /* DLT_EN10MB (SOCK_RAW) or DLT_RAW (SOCK_DGRAM) */
	char *path;
	char *name; /* ifname, for logs */
	/* child only */
	pcap_dumper_t *dump;
	pcap_t *dead;
	unsigned char *ring;
	unsigned int cur; /* next block to read */
};

/* What the child reports per interface at exit. */
struct capture_stat {
	uint64_t packets, drops;
};

struct capture {
	int snaplen;
	struct capture_if *ifs;
	size_t n, cap;
	pid_t pid;
	int report; /* read end of the child's status pipe */
};

static volatile sig_atomic_t capture_quit;

struct capture *capture_new(int snaplen)
{
	struct capture *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->snaplen = snaplen > 0 ? snaplen : CAPTURE_SNAPLEN_DEFAULT;
	if (c->snaplen > CAPTURE_SNAPLEN_MAX)
		c->snaplen = CAPTURE_SNAPLEN_MAX;
	c->report = -1;
	return c;
}

/* Writes an empty pcap file: the path is checked now, in the caller, and
 * the child only appends. */
static int capture_header(const char *path, int linktype, int snaplen)
{
	pcap_t *p;
	pcap_dumper_t *d;
	int ret = 0;

	p = pcap_open_dead_with_tstamp_precision(linktype, snaplen,
						 PCAP_TSTAMP_PRECISION_NANO);
	if (!p)
		return -ENOMEM;
	errno = 0;
	d = pcap_dump_open(p, path);
	if (!d) {
		ret = errno ? -errno : -EIO;
		log_warnx("capture: %s", pcap_geterr(p)); /* names path */
	} else if (pcap_dump_flush(d) < 0) {
		ret = -EIO;
	}
	if (d)
		pcap_dump_close(d);
	pcap_close(p);
	return ret;
}

/* Runs inside the target namespace: a packet socket that sees nothing
 * until bound (protocol 0), then every frame of one interface, sent or
 * received, cut to snaplen by a one-instruction filter so the ring holds
 * more. Ethernet-like links are captured with their L2 header, anything
 * else (tun, ipip) from the IP header on. */
static int capture_open_sock(const char *ifname, int snaplen, int *linktype)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET,
				   .sll_protocol = htons(ETH_P_ALL) };
	struct sock_filter cut = BPF_STMT(BPF_RET | BPF_K, (unsigned)snaplen);
	struct sock_fprog prog = { .len = 1, .filter = &cut };
	struct tpacket_req3 req = {
		.tp_block_size = CAPTURE_BLOCK_SIZE,
		.tp_block_nr = CAPTURE_BLOCK_NR,
		.tp_frame_size = CAPTURE_FRAME_SIZE,
		.tp_frame_nr = CAPTURE_BLOCK_SIZE / CAPTURE_FRAME_SIZE *
			       CAPTURE_BLOCK_NR,
		.tp_retire_blk_tov = CAPTURE_BLOCK_TOV_MS,
	};
	struct ifreq ifr = { 0 };
	int fd, ver = TPACKET_V3, type = SOCK_RAW, ret;

	memcpy(ifr.ifr_name, ifname, strlen(ifname) + 1);
again:
	fd = socket(AF_PACKET, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	if (ioctl(fd, SIOCGIFINDEX, &ifr) < 0)
		goto err;
	sll.sll_ifindex = ifr.ifr_ifindex;
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
	*linktype = type == SOCK_RAW ? DLT_EN10MB : DLT_RAW;
	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog,
		       sizeof(prog)) < 0 ||
	    setsockopt(fd, SOL_PACKET, PACKET_VERSION, &ver, sizeof(ver)) <
		    0 ||
	    setsockopt(fd, SOL_PACKET, PACKET_RX_RING, &req, sizeof(req)) <
		    0 ||
	    bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0)
		goto err;
	return fd;
err:
	ret = -errno;
	close(fd);
	return ret;
}

int capture_add(struct capture *c, int netns_fd, const char *ifname,
		const char *pcap_path)
{
	struct capture_if *ci;
	int self, back, fd, linktype = DLT_EN10MB, ret;

	if (!c || netns_fd < 0 || !ifname || !pcap_path || !*pcap_path)
		return -EINVAL;
	if (!*ifname || strlen(ifname) >= IFNAMSIZ)
		return -EINVAL;
	if (c->pid)
		return -EBUSY;
	if (c->n == c->cap) {
		size_t ncap = c->cap ? c->cap * 2 : 8;
		void *p = realloc(c->ifs, ncap * sizeof(*c->ifs));

		if (!p)
			return -ENOMEM;
		c->ifs = p;
		c->cap = ncap;
	}
	self = netns_self();
	if (self < 0)
		return self;
	ret = netns_enter(netns_fd);
	if (ret < 0) {
		close(self);
		return ret;
	}
	fd = capture_open_sock(ifname, c->snaplen, &linktype);
	back = netns_enter(self);
	close(self);
	if (back < 0) {
		/* A thread stranded in a testbed namespace must not go on. */
		log_warnx("capture: cannot return to own namespace: %s",
			  strerror(-back));
		if (fd >= 0)
			close(fd);
		return back;
	}
	if (fd < 0)
		return fd;
	ret = capture_header(pcap_path, linktype, c->snaplen);
	if (ret < 0)
		goto err_sock;
	ci = &c->ifs[c->n];
	*ci = (struct capture_if){ .sock = fd, .linktype = linktype };
	ci->path = strdup(pcap_path);
	ci->name = strdup(ifname);
	if (!ci->path || !ci->name) {
		free(ci->path);
		free(ci->name);
		ret = -ENOMEM;
		goto err_sock;
	}
	c->n++;
	return 0;

err_sock:
	close(fd);
	return ret;
}

static int capture_write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	ssize_t w;

	while (len) {
		w = write(fd, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

static void capture_on_term(int sig)
{
	(void)sig;
	capture_quit = 1;
}

static int capture_cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

/* Everything the parent had open (result files, other children's pipes)
 * would otherwise be held until the capture ends. */
static void capture_close_others(const struct capture *c, int report)
{
	int *keep = malloc((c->n + 4) * sizeof(*keep));
	size_t nk = 0;
	unsigned int lo = 0;

	if (!keep)
		return;
	keep[nk++] = 0;
	keep[nk++] = 1;
	keep[nk++] = 2;
	keep[nk++] = report;
	for (size_t i = 0; i < c->n; i++)
		keep[nk++] = c->ifs[i].sock;
	qsort(keep, nk, sizeof(*keep), capture_cmp_int);
	for (size_t i = 0; i < nk; i++) {
		if ((unsigned int)keep[i] > lo)
			close_range(lo, (unsigned int)keep[i] - 1, 0);
		lo = (unsigned int)keep[i] + 1;
	}
	close_range(lo, ~0U, 0);
	free(keep);
}

/* Writes the packets of every block the kernel has handed over, up to
 * max_blocks, and gives the blocks back. Returns the packets written. */
static long capture_read(struct capture_if *ci, int snaplen,
			 unsigned int max_blocks)
{
	struct tpacket_block_desc *bd;
	struct tpacket3_hdr *ph;
	struct pcap_pkthdr h;
	uint32_t off, npk;
	long got = 0;

	for (unsigned int k = 0; k < max_blocks; k++) {
		bd = (struct tpacket_block_desc *)(ci->ring +
						   (size_t)ci->cur *
							   CAPTURE_BLOCK_SIZE);
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
			    off > CAPTURE_BLOCK_SIZE - sizeof(*ph))
				break;
			ph = (struct tpacket3_hdr *)((unsigned char *)bd + off);
			if ((size_t)off + ph->tp_mac + ph->tp_snaplen >
			    CAPTURE_BLOCK_SIZE)
				break;
			h.ts.tv_sec = ph->tp_sec;
			h.ts.tv_usec = ph->tp_nsec; /* nanosecond file */
			h.len = ph->tp_len;
			h.caplen = ph->tp_snaplen > (uint32_t)snaplen ?
					   (uint32_t)snaplen :
					   ph->tp_snaplen;
			pcap_dump((u_char *)ci->dump, &h,
				  (unsigned char *)ph + ph->tp_mac);
			got++;
			if (!ph->tp_next_offset)
				break;
			off += ph->tp_next_offset;
		}
		__atomic_store_n(&bd->hdr.bh1.block_status, TP_STATUS_KERNEL,
				 __ATOMIC_RELEASE);
		ci->cur = (ci->cur + 1) % CAPTURE_BLOCK_NR;
	}
	return got;
}

/* One look at every ring: writes what the kernel has handed over and
 * flushes each file that grew, so a run killed with SIGKILL still leaves
 * readable files. Returns the packets written. */
static long capture_pass(struct capture *c, struct pollfd *pfd,
			 struct capture_stat *st)
{
	long total = 0, got;
	int err;
	socklen_t el;

	for (size_t i = 0; i < c->n; i++) {
		if (pfd[i].fd < 0)
			continue;
		if (pfd[i].revents & POLLNVAL) {
			pfd[i].fd = -1;
			continue;
		}
		/* A link going down leaves an error on the socket that
		 * poll() reports until someone reads it. */
		if (pfd[i].revents & POLLERR) {
			el = sizeof(err);
			getsockopt(pfd[i].fd, SOL_SOCKET, SO_ERROR, &err, &el);
		}
		got = capture_read(&c->ifs[i], c->snaplen, CAPTURE_BLOCK_NR);
		if (got) {
			st[i].packets += (uint64_t)got;
			pcap_dump_flush(c->ifs[i].dump);
		}
		total += got;
	}
	return total;
}

/* The child: map the rings, open the files for appending, report, then
 * wait until SIGTERM (from capture_stop, the cleanup registry, or the
 * parent's death), write what the rings still hold, report the counts.
 * Never returns. */
static void capture_child(struct capture *c, int report, pid_t parent)
{
	struct capture_stat *st = calloc(c->n, sizeof(*st));
	struct pollfd *pfd = calloc(c->n, sizeof(*pfd));
	struct sigaction sa = { .sa_handler = capture_on_term };
	/* A partly filled block is handed over CAPTURE_BLOCK_TOV_MS after
	 * it was opened: waiting three times that sees the last one. */
	struct timespec tail = { 0, 3 * CAPTURE_BLOCK_TOV_MS * 1000000L };
	struct tpacket_stats_v3 tps;
	sigset_t block, wait_mask;
	int status = 0;
	socklen_t tl;
	size_t i;

	/* SIGTERM only interrupts ppoll(), so none is missed between the
	 * check of capture_quit and the wait. */
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &wait_mask);
	sigdelset(&wait_mask, SIGTERM);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGINT, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != parent)
		capture_quit = 1;
	capture_close_others(c, report);
	if (!st || !pfd) {
		status = ENOMEM;
		goto out_status;
	}
	for (i = 0; i < c->n; i++) {
		struct capture_if *ci = &c->ifs[i];
		void *m = mmap(NULL, (size_t)CAPTURE_BLOCK_SIZE *
					     CAPTURE_BLOCK_NR,
			       PROT_READ | PROT_WRITE, MAP_SHARED, ci->sock, 0);

		if (m == MAP_FAILED) {
			status = errno;
			goto out_status;
		}
		ci->ring = m;
		ci->dead = pcap_open_dead_with_tstamp_precision(
			ci->linktype, c->snaplen, PCAP_TSTAMP_PRECISION_NANO);
		errno = 0;
		ci->dump = ci->dead ?
				   pcap_dump_open_append(ci->dead, ci->path) :
				   NULL;
		if (!ci->dump) {
			status = errno ? errno : EIO;
			goto out_status;
		}
		pfd[i].fd = ci->sock;
		pfd[i].events = POLLIN;
	}
out_status:
	if (capture_write_all(report, &status, sizeof(status)) < 0 || status)
		_exit(1);

	while (!capture_quit) {
		int r = ppoll(pfd, c->n, NULL, &wait_mask);

		if (r < 0 && errno != EINTR)
			break;
		if (r > 0)
			capture_pass(c, pfd, st);
	}
	/* Until a wait of `tail` brings nothing: bounded, for a link that
	 * stays busy. */
	for (int k = 0; k < 100; k++) {
		int r = ppoll(pfd, c->n, &tail, &wait_mask);

		if (capture_pass(c, pfd, st) == 0 && r == 0)
			break;
	}
	for (i = 0; i < c->n; i++) {
		tl = sizeof(tps);
		if (getsockopt(c->ifs[i].sock, SOL_PACKET, PACKET_STATISTICS,
			       &tps, &tl) == 0)
			st[i].drops = tps.tp_drops;
		pcap_dump_close(c->ifs[i].dump);
		pcap_close(c->ifs[i].dead);
	}
	capture_write_all(report, st, c->n * sizeof(*st));
	_exit(0);
}

/* Waits up to ms for exactly len bytes on fd. 0 or -errno. */
static int capture_read_full(int fd, void *data, size_t len, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char *d = data;
	ssize_t r;

	while (len) {
		if (poll(&p, 1, ms) == 0)
			return -ETIMEDOUT;
		r = read(fd, d, len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return -EPIPE;
		d += r;
		len -= (size_t)r;
	}
	return 0;
}

int capture_run(struct capture *c)
{
	int fds[2], status = 0, ret;
	pid_t pid, self = getpid();

	if (!c || !c->n)
		return -EINVAL;
	if (c->pid)
		return -EBUSY;
	if (pipe2(fds, O_CLOEXEC) < 0)
		return -errno;
	/* What stdio holds would be written twice otherwise. */
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		ret = -errno;
		close(fds[0]);
		close(fds[1]);
		return ret;
	}
	if (pid == 0) {
		close(fds[0]);
		capture_child(c, fds[1], self);
	}
	close(fds[1]);
	c->pid = pid;
	c->report = fds[0];
	/* The child has its own references; the queues stay with it. */
	for (size_t i = 0; i < c->n; i++) {
		close(c->ifs[i].sock);
		c->ifs[i].sock = -1;
	}
	ret = capture_read_full(fds[0], &status, sizeof(status),
				CAPTURE_READY_MS);
	if (ret == 0 && status)
		ret = -status;
	if (ret < 0) {
		log_warnx("capture: the capture process did not start: %s",
			  strerror(-ret));
		proc_stop(pid, 0);
		c->pid = 0;
	}
	return ret;
}

struct capture *capture_start(int netns_fd, const char *ifname,
			      const char *pcap_path, int snaplen)
{
	struct capture *c = capture_new(snaplen);
	int e;

	if (!c)
		return NULL;
	e = capture_add(c, netns_fd, ifname, pcap_path);
	if (e < 0)
		goto err;
	e = capture_run(c);
	if (e < 0)
		goto err;
	return c;
err:
	capture_stop(c);
	errno = -e;
	return NULL;
}

pid_t capture_pid(const struct capture *c)
{
	return c ? c->pid : 0;
}

long long capture_stop(struct capture *c)
{
	struct capture_stat *st = NULL;
	long long total = 0;
	int e;

	if (!c)
		return 0;
	if (c->pid > 0) {
		e = proc_stop(c->pid, CAPTURE_STOP_GRACE_MS);
		if (e >= 0 && !(WIFEXITED(e) && WEXITSTATUS(e) == 0))
			log_warnx("capture: the capture process ended badly "
				  "(status %#x)",
				  (unsigned int)e);
		st = calloc(c->n, sizeof(*st));
		e = !st ? -ENOMEM :
			  capture_read_full(c->report, st, c->n * sizeof(*st),
					    0);
		if (e < 0)
			total = e == -ETIMEDOUT || e == -EPIPE ? -EIO : e;
		for (size_t i = 0; e == 0 && i < c->n; i++) {
			total += (long long)st[i].packets;
			log_debug("capture: %s: %llu packets -> %s",
				  c->ifs[i].name,
				  (unsigned long long)st[i].packets,
				  c->ifs[i].path);
			if (st[i].drops)
				log_warnx("capture: %s: the kernel dropped "
					  "%llu packets (capture too slow)",
					  c->ifs[i].path,
					  (unsigned long long)st[i].drops);
		}
	}
	if (c->report >= 0)
		close(c->report);
	for (size_t i = 0; i < c->n; i++) {
		if (c->ifs[i].sock >= 0)
			close(c->ifs[i].sock);
		free(c->ifs[i].path);
		free(c->ifs[i].name);
	}
	free(st);
	free(c->ifs);
	free(c);
	return total;
}
