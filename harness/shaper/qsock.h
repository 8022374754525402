/* qsock: one nfnetlink_queue socket on libmnl that binds any number of
 * queues, hands each queued packet (queue, id, length) to a callback, and
 * sends verdicts in batches. It belongs to the namespace it was opened in. */
#ifndef PUNCHLAB_QSOCK_H
#define PUNCHLAB_QSOCK_H

#include <stdint.h>

struct qsock;

/* Called once per queued packet; len is the packet's IP length. */
typedef void (*qsock_packet_cb)(uint16_t queue, uint32_t id, uint32_t len,
				void *arg);

/* Non-blocking socket with a receive buffer of rcvbuf bytes (forced past
 * rmem_max: CAP_NET_ADMIN). NULL with errno set. qsock_free(NULL) is
 * safe; freeing unbinds, and the kernel drops what was still held. */
struct qsock *qsock_open(unsigned int rcvbuf, qsock_packet_cb cb, void *arg);
void qsock_free(struct qsock *q);
int qsock_fd(const struct qsock *q);

/* Binds queue with 1-byte copies (enough for the kernel to tell the
 * length), room for maxlen packets in the kernel, fail-open and GSO off
 * (a full queue drops; large packets are segmented before they are
 * queued, so lengths are wire lengths). Waits
 * for the kernel's ACK; packets of queues bound earlier that arrive
 * meanwhile go to the callback. 0 or -errno (-EBUSY: another process
 * holds the queue). */
int qsock_bind(struct qsock *q, uint16_t queue, uint32_t maxlen);

/* Reads up to max datagrams that are waiting. Returns how many packets
 * went to the callback (0 when none was waiting), or -errno. -ENOBUFS
 * means the socket overflowed and packet messages were lost (their
 * packets stay in the kernel queue until it is unbound). */
int qsock_read(struct qsock *q, unsigned int max);

/* Adds a verdict (NF_ACCEPT, NF_DROP) to the batch; sends the batch when
 * it is full. 0 or -errno. */
int qsock_verdict(struct qsock *q, uint16_t queue, uint32_t id, int verdict);
/* Sends the pending verdicts in one datagram. 0 or -errno. */
int qsock_flush(struct qsock *q);

/* Errors the kernel reported for verdicts (e.g. unknown id), so far. */
unsigned long long qsock_verdict_errors(const struct qsock *q);

#endif
