/* advio: the adversary's P2P streams — non-blocking sockets with bounded
 * input and output buffers framed by p2p.h, every byte sent counted (the
 * attacker's cost, in the stop event), and the bound sockets a lying
 * coordinator or a false peer needs (address and port reuse, so a
 * listener and a connect can share the port a victim was told). */
#ifndef PUNCHLAB_ADV_ADVIO_H
#define PUNCHLAB_ADV_ADVIO_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "adv.h"
#include "p2p.h"
#include "p2pbuf.h"

#define ADVIO_MAX_PAYLOAD 2048 /* fits P2PBUF_IN_CAP with the next's start */

struct advio {
	int fd; /* -1: closed */
	uint32_t magic;
	struct p2pbuf b;
};

void advio_init(struct advio *io, int fd, uint32_t magic);
/* Closes the fd (if open); the buffers are forgotten. */
void advio_close(struct advio *io);

/* One read into the free input space: bytes (> 0), 0 at EOF, -EAGAIN,
 * -ENOBUFS (full: the peer sends junk we cannot frame) or -errno. */
int advio_fill(struct advio *io);
/* The next whole message: its size (> 0, consume it with advio_consume
 * after use), 0 when more bytes are needed, or p2p_frame's -errno. */
int advio_next(struct advio *io, struct p2p_hdr *h, const uint8_t **payload);
void advio_consume(struct advio *io, size_t n);

/* Frames and queues one message; returns its bytes on the wire (header
 * included) or -ENOBUFS / -EINVAL. advio_flush writes what the socket
 * takes: 0 or -errno. Sent bytes are counted in advio_bytes_sent. */
int advio_send(struct advio *io, const char *command, const void *payload,
	       size_t len);
int advio_flush(struct advio *io);
/* A version message as a node would send it (recv may be NULL) into
 * buf; its length or -ENOSPC. */
int advio_version_encode(uint8_t *buf, size_t cap,
			 const struct p2p_netaddr *recv, uint64_t nonce,
			 const char *ua);
/* Queues the version a punchlab node sends (its user agent, services 0,
 * protocol 70016) with this nonce and addr_recv. advio_send's returns. */
int advio_send_version(struct advio *io, const struct p2p_netaddr *recv,
		       uint64_t nonce);
int advio_pending(const struct advio *io);

/* Blocking forms for a process with one peer: wait (poll) until a whole
 * message is in or everything is out, before deadline_ns or *stop.
 * recv_wait: the message's size (> 0, as advio_next; consume it after
 * use); flush_wait: 0. Else -ETIMEDOUT, -EINTR (stopped), -EPIPE (peer
 * closed) or -errno. */
int advio_recv_wait(struct advio *io, struct p2p_hdr *h,
		    const uint8_t **payload, int64_t deadline_ns,
		    volatile sig_atomic_t *stop);
int advio_flush_wait(struct advio *io, int64_t deadline_ns);

/* Bytes this process put on the wire in P2P messages. */
uint64_t advio_bytes_sent(void);
/* The last event of a role: {"event":"stop","bytes_sent":N}. */
void advio_stop_event(struct adv_ctx *c);

/* A non-blocking IPv4/IPv6 TCP socket with SO_REUSEADDR and SO_REUSEPORT
 * bound to ss (port 0: the kernel picks one); listening when backlog > 0.
 * fd or -errno. */
int advio_bound(const struct sockaddr_storage *ss, int backlog);
/* ss's port (host order) after getsockname, or 0. */
uint16_t advio_local_port(int fd);

#endif
