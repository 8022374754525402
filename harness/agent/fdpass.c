/* fdpass: SCM_RIGHTS hand-over. Nothing is written on the punched stream
 * before it: bitcoind's first bytes must be the first the peer sees. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "monoclock.h"
#include "fdpass.h"
#include "log.h"
#include "loop.h"

/* A unix connect with a full backlog fails with EAGAIN, not EINPROGRESS:
 * try again this often. */
#define FDPASS_RETRY_NS (10 * LOOP_NS_PER_MS)

static void fdpass_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void fdpass_le32(uint8_t *p, uint32_t v)
{
	fdpass_le16(p, (uint16_t)v);
	fdpass_le16(p + 2, (uint16_t)(v >> 16));
}

void fdpass_encode(uint8_t out[FDPASS_LEN], uint8_t role)
{
	fdpass_le32(out, FDPASS_MAGIC);
	fdpass_le16(out + 4, FDPASS_VERSION);
	out[6] = role;
	out[7] = FDPASS_TRANSPORT_V1;
	fdpass_le32(out + 8, 0);
}

const char *fdpass_ack_name(enum fdpass_ack a)
{
	switch (a) {
	case FDPASS_ACK_CLOSED:
		return "closed";
	case FDPASS_ACK_DATA:
		return "data";
	default:
		return "none";
	}
}

static int fdpass_connect(const char *path, int64_t deadline_ns)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	int fd, r;

	if (strlen(path) >= sizeof(sun.sun_path))
		return -ENAMETOOLONG;
	memcpy(sun.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	while (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		int64_t next = mono_ns() + FDPASS_RETRY_NS;

		r = -errno;
		if (r != -EAGAIN && r != -EINTR)
			goto err;
		if (next > deadline_ns) {
			r = -ETIMEDOUT;
			goto err;
		}
		r = loop_sleep_until(next);
		if (r)
			goto err;
	}
	return fd;
err:
	close(fd);
	return r;
}

static int fdpass_sendmsg(int us, int fd, uint8_t role, int64_t deadline_ns)
{
	uint8_t meta[FDPASS_LEN];
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = {.iov_base = meta, .iov_len = sizeof(meta)};
	struct msghdr mh = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = ctl.buf,
		.msg_controllen = sizeof(ctl.buf),
	};
	struct cmsghdr *cm;
	struct pollfd pfd = {.fd = us, .events = POLLOUT};
	ssize_t n;
	int r;

	fdpass_encode(meta, role);
	memset(&ctl, 0, sizeof(ctl));
	cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	/* One sendmsg carries all 12 bytes with the fd: a stream socket
	 * never splits a write this small. */
	for (;;) {
		n = sendmsg(us, &mh, MSG_NOSIGNAL);
		if (n == (ssize_t)sizeof(meta))
			return 0;
		if (n >= 0)
			return -EIO;
		if (errno != EAGAIN && errno != EINTR)
			return -errno;
		r = loop_poll(&pfd, 1, deadline_ns);
		if (r <= 0)
			return r ? r : -ETIMEDOUT;
	}
}

/* Closing the unix connection (or answering) is bitcoind's way to say the
 * import was handled. */
static enum fdpass_ack fdpass_wait_ack(int us, int64_t deadline_ns)
{
	struct pollfd pfd = {.fd = us, .events = POLLIN};
	uint8_t buf[64];
	ssize_t n;

	if (loop_poll(&pfd, 1, deadline_ns) <= 0)
		return FDPASS_ACK_NONE;
	n = recv(us, buf, sizeof(buf), MSG_DONTWAIT);
	if (n > 0)
		return FDPASS_ACK_DATA;
	return n == 0 || errno == ECONNRESET ? FDPASS_ACK_CLOSED
					     : FDPASS_ACK_NONE;
}

int fdpass_send(const char *path, int fd, uint8_t role, int64_t deadline_ns,
		int64_t ack_deadline_ns, enum fdpass_ack *ack,
		int64_t *t_sent_ns)
{
	int us, r;

	*ack = FDPASS_ACK_NONE;
	*t_sent_ns = 0;
	us = fdpass_connect(path, deadline_ns);
	if (us < 0)
		return us;
	r = fdpass_sendmsg(us, fd, role, deadline_ns);
	if (!r) {
		*t_sent_ns = mono_ns();
		*ack = fdpass_wait_ack(us, ack_deadline_ns);
		log_debug("fd %d sent to %s as %s; bitcoind: %s", fd, path,
			  role == FDPASS_ROLE_INITIATOR ? "initiator"
							: "responder",
			  fdpass_ack_name(*ack));
	}
	close(us);
	return r;
}
