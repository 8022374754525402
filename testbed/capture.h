/* capture: packet captures of interfaces inside network namespaces, both
 * directions, stamped by the kernel as it delivers them (nanoseconds,
 * CLOCK_REALTIME) and written as pcap files by one child process per group
 * of interfaces. Each interface costs the kernel a 512 KiB ring. */
#ifndef PUNCHLAB_CAPTURE_H
#define PUNCHLAB_CAPTURE_H

#include <sys/types.h>

#define CAPTURE_SNAPLEN_DEFAULT 65535 /* a whole 64 KiB GSO frame */
/* How long capture_stop lets the child write what is still queued. */
#define CAPTURE_STOP_GRACE_MS 3000

struct capture;

/* An empty group; snaplen <= 0 means CAPTURE_SNAPLEN_DEFAULT, more than
 * the ring's block holds (about 128 KiB) is cut to that. NULL with errno
 * set. capture_stop frees it. */
struct capture *capture_new(int snaplen);
/* Opens a packet socket on ifname inside the namespace netns_fd refers
 * to (the calling thread enters it and comes back) and writes the pcap
 * header to pcap_path (created or truncated). Only before capture_run.
 * 0 or -errno: -ENODEV no such interface there, -EBUSY already running,
 * -EINVAL bad name. */
int capture_add(struct capture *c, int netns_fd, const char *ifname,
		const char *pcap_path);
/* Starts capturing on every added interface (their rings are set up from
 * parallel threads: each waits for an RCU grace period, ~15 ms) and forks
 * the child that writes the packets until capture_stop. Every packet that
 * crosses an interface after this returns is in its file, unless the ring
 * overflowed (capture_stop logs such drops). The child dies
 * with its parent, ignores SIGINT (the harness decides when captures end)
 * and on SIGTERM writes what the kernel still holds, then exits: register
 * capture_pid() with the cleanup registry. 0 or -errno. */
int capture_run(struct capture *c);
/* capture_new + capture_add + capture_run for one interface. NULL with
 * errno set. */
struct capture *capture_start(int netns_fd, const char *ifname,
			      const char *pcap_path, int snaplen);
/* The child's pid; 0 before capture_run, or when it failed. */
pid_t capture_pid(const struct capture *c);
/* Stops and reaps the child (call cleanup_reaped for its pid), closes the
 * sockets and frees c; NULL is safe and returns 0. Returns the packets
 * written over all interfaces, or -errno when the child could not report
 * (the files then hold what it had flushed: it flushes after each batch).
 * Packets the kernel dropped because the child fell behind are logged. */
long long capture_stop(struct capture *c);
/* capture_stop, and the packets the kernel dropped from the rings (the
 * child fell behind) into *dropped: captured + dropped is every packet
 * that crossed the interfaces while the capture ran. */
long long capture_stop_counted(struct capture *c, long long *dropped);

#endif
