/* p2pbuf: the bounded input and output buffers of one non-blocking P2P
 * stream — read what the socket has, frame it (p2p_frame), queue framed
 * messages, write what the socket takes. Fixed sizes, so a peer that
 * never reads (or sends junk) costs one slot, never memory. Shared by
 * the coordinator's clients (coordinator/conn.h) and the adversary's
 * streams (adversary/advio.h); the socket stays the caller's. */
#ifndef PUNCHLAB_P2PBUF_H
#define PUNCHLAB_P2PBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Input holds one whole message of the largest size the users accept
 * (P2P_HDR_LEN + 2048) and the start of the next; output holds
 * everything a coordinator ever sends one client, many times over. */
#define P2PBUF_IN_CAP 4096
#define P2PBUF_OUT_CAP 8192

struct p2pbuf {
	size_t in_len;
	size_t out_off, out_len;
	uint8_t in[P2PBUF_IN_CAP];
	uint8_t out[P2PBUF_OUT_CAP];
};

void p2pbuf_reset(struct p2pbuf *b);
/* One read() from fd into the free input space. Returns bytes read
 * (> 0), 0 on EOF, -EAGAIN when nothing was there, -ENOBUFS when the
 * input is full, or -errno. */
int p2pbuf_fill(struct p2pbuf *b, int fd);
/* Removes n bytes from the front of the input. */
void p2pbuf_consume(struct p2pbuf *b, size_t n);
/* Frames and queues one message. Its bytes on the wire (header
 * included), -ENOBUFS when the output has no room, -EINVAL for a bad
 * command. */
int p2pbuf_queue(struct p2pbuf *b, uint32_t magic, const char *command,
		 const void *payload, size_t len);
/* Writes as much queued output to fd as it takes, without blocking.
 * Bytes written (>= 0), or -errno. */
int p2pbuf_flush(struct p2pbuf *b, int fd);
bool p2pbuf_has_output(const struct p2pbuf *b);

#endif
