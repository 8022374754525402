/* p2pbuf: socket I/O through fixed buffers. Output is compacted only
 * when a message is queued, so a partial write costs no copy. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "p2p.h"
#include "p2pbuf.h"

void p2pbuf_reset(struct p2pbuf *b)
{
	b->in_len = b->out_off = b->out_len = 0;
}

int p2pbuf_fill(struct p2pbuf *b, int fd)
{
	ssize_t n;

	if (b->in_len >= sizeof(b->in))
		return -ENOBUFS;
	do
		n = read(fd, b->in + b->in_len, sizeof(b->in) - b->in_len);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	b->in_len += (size_t)n;
	return (int)n;
}

void p2pbuf_consume(struct p2pbuf *b, size_t n)
{
	if (n >= b->in_len) {
		b->in_len = 0;
		return;
	}
	memmove(b->in, b->in + n, b->in_len - n);
	b->in_len -= n;
}

int p2pbuf_queue(struct p2pbuf *b, uint32_t magic, const char *command,
		 const void *payload, size_t len)
{
	int n;

	if (b->out_off) {
		memmove(b->out, b->out + b->out_off, b->out_len - b->out_off);
		b->out_len -= b->out_off;
		b->out_off = 0;
	}
	n = p2p_msg_encode(b->out + b->out_len, sizeof(b->out) - b->out_len,
			   magic, command, payload, len);
	if (n == -ENOSPC)
		return -ENOBUFS;
	if (n > 0)
		b->out_len += (size_t)n;
	return n;
}

int p2pbuf_flush(struct p2pbuf *b, int fd)
{
	size_t before = b->out_off;
	ssize_t n;
	int sent;

	while (b->out_off < b->out_len) {
		n = send(fd, b->out + b->out_off, b->out_len - b->out_off,
			 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return (int)(b->out_off - before);
			return -errno;
		}
		b->out_off += (size_t)n;
	}
	sent = (int)(b->out_off - before);
	b->out_off = b->out_len = 0;
	return sent;
}

bool p2pbuf_has_output(const struct p2pbuf *b)
{
	return b->out_off < b->out_len;
}
