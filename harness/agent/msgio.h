/* msgio: Bitcoin P2P messages over a non-blocking TCP socket, every read
 * and write bounded by an absolute CLOCK_MONOTONIC deadline. */
#ifndef PUNCHLAB_AGENT_MSGIO_H
#define PUNCHLAB_AGENT_MSGIO_H

#include <stddef.h>
#include <stdint.h>

#include "p2p.h"

/* Largest payload we send (version is ~130 bytes). */
#define MSGIO_SEND_MAX 1024

struct msgio;

/* fd must be non-blocking; it stays the caller's (msgio_free does not
 * close it). Messages announcing more than max_payload bytes are refused.
 * NULL with errno on allocation failure. */
struct msgio *msgio_new(int fd, uint32_t magic, size_t max_payload);
void msgio_free(struct msgio *m);

/* Sends one message. 0, -ETIMEDOUT, -EINTR (terminated), -EMSGSIZE (len >
 * MSGIO_SEND_MAX), or the socket's -errno (-EPIPE, -ECONNRESET, ...). */
int msgio_send(struct msgio *m, const char *command, const void *payload,
	       size_t len, int64_t deadline_ns);

/* Receives the next whole message: h and *payload (valid until the next
 * msgio_recv). 0, -ETIMEDOUT, -EINTR (terminated), -EPIPE (peer closed),
 * -EBADMSG (bad magic, command or checksum), -EMSGSIZE (too large), or the
 * socket's -errno. After a framing error the stream is unusable. */
int msgio_recv(struct msgio *m, struct p2p_hdr *h, const uint8_t **payload,
	       int64_t deadline_ns);

#endif
