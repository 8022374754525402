/* relay: one poll() loop over two directions. Each direction moves bytes
 * socket -> pipe -> socket with non-blocking splice; the pipe is the
 * buffer, so a slow receiver stops reads from its sender (back-pressure)
 * and no byte passes through user space. splice() refuses some fd types
 * with EINVAL; such a direction switches to a user-space buffer. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "loop.h"
#include "relay.h"

#define RELAY_PIPE_SIZE (256 * 1024)
#define RELAY_CHUNK (256 * 1024)
#define RELAY_BUF_SIZE (64 * 1024)

struct relay_dir {
	int from, to;
	int pr, pw;    /* pipe ends; -1 in copy mode */
	size_t queued; /* bytes taken from `from`, not yet given to `to` */
	int eof;       /* `from` sent FIN */
	int stalled;   /* the pipe took nothing although `from` had data */
	uint8_t *buf;  /* copy mode: queued bytes start at buf + off */
	size_t off;
	uint64_t bytes; /* delivered */
};

static const char *const relay_end_names[] = {
	[RELAY_END_PEER_CLOSED] = "peer closed",
	[RELAY_END_LOCAL_CLOSED] = "bitcoind closed",
	[RELAY_END_PEER_ERROR] = "peer error",
	[RELAY_END_LOCAL_ERROR] = "bitcoind error",
	[RELAY_END_DEADLINE] = "hold time over",
	[RELAY_END_TERMINATED] = "terminated",
	[RELAY_END_SETUP] = "setup",
};

const char *relay_end_name(enum relay_end e)
{
	if ((unsigned)e >= sizeof(relay_end_names) / sizeof(relay_end_names[0]))
		return "setup";
	return relay_end_names[e];
}

static int relay_dir_init(struct relay_dir *d, int from, int to,
			  enum relay_mode mode)
{
	int p[2];

	memset(d, 0, sizeof(*d));
	d->from = from;
	d->to = to;
	d->pr = d->pw = -1;
	if (mode == RELAY_COPY)
		goto copy;
	if (pipe2(p, O_NONBLOCK | O_CLOEXEC) < 0)
		return -errno;
	d->pr = p[0];
	d->pw = p[1];
	/* A bigger pipe keeps a block's worth of bytes moving per wakeup;
	 * the default size works too. */
	if (fcntl(d->pw, F_SETPIPE_SZ, RELAY_PIPE_SIZE) < 0)
		log_debug("F_SETPIPE_SZ: %s", strerror(errno));
	return 0;
copy:
	d->buf = malloc(RELAY_BUF_SIZE);
	return d->buf ? 0 : -ENOMEM;
}

static void relay_dir_free(struct relay_dir *d)
{
	if (d->pr >= 0)
		close(d->pr);
	if (d->pw >= 0)
		close(d->pw);
	free(d->buf);
	d->pr = d->pw = -1;
	d->buf = NULL;
}

/* Leaves splice for read/write, keeping whatever the pipe holds. */
static int relay_dir_to_copy(struct relay_dir *d)
{
	ssize_t n;

	log_debug("splice refused (EINVAL): copying instead");
	d->buf =
		malloc(d->queued > RELAY_BUF_SIZE ? d->queued : RELAY_BUF_SIZE);
	if (!d->buf)
		return -ENOMEM;
	d->off = 0;
	if (d->queued) {
		n = read(d->pr, d->buf, d->queued);
		if (n != (ssize_t)d->queued)
			return n < 0 ? -errno : -EIO;
	}
	close(d->pr);
	close(d->pw);
	d->pr = d->pw = -1;
	return 0;
}

/* Takes what `from` has, as far as the buffer allows. 0 (also when there
 * was nothing), or -errno of `from`. */
static int relay_fill(struct relay_dir *d)
{
	for (;;) {
		ssize_t n;

		if (d->eof || d->stalled)
			return 0;
		if (d->buf) {
			size_t end = d->off + d->queued;

			if (end == RELAY_BUF_SIZE && d->off) {
				memmove(d->buf, d->buf + d->off, d->queued);
				d->off = 0;
				end = d->queued;
			}
			if (end >= RELAY_BUF_SIZE)
				return 0;
			n = recv(d->from, d->buf + end, RELAY_BUF_SIZE - end,
				 0);
		} else {
			n = splice(d->from, NULL, d->pw, NULL, RELAY_CHUNK,
				   SPLICE_F_NONBLOCK | SPLICE_F_MOVE);
		}
		if (n > 0) {
			d->queued += (size_t)n;
			continue;
		}
		if (n == 0) {
			d->eof = 1;
			return 0;
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK) {
			/* Either `from` is empty or the pipe is full. A full
			 * pipe must not be polled for: wait for a drain. */
			if (!d->buf && d->queued) {
				struct pollfd pw = {.fd = d->pw,
						    .events = POLLOUT};

				if (poll(&pw, 1, 0) == 0)
					d->stalled = 1;
			}
			return 0;
		}
		if (errno == EINVAL && !d->buf) {
			int r = relay_dir_to_copy(d);

			if (r)
				return r;
			continue;
		}
		return -errno;
	}
}

/* Gives `to` what is queued, as far as it takes it. 0 or -errno of
 * `to`. */
static int relay_drain(struct relay_dir *d)
{
	while (d->queued) {
		ssize_t n;

		if (d->buf)
			n = send(d->to, d->buf + d->off, d->queued,
				 MSG_NOSIGNAL);
		else
			n = splice(d->pr, NULL, d->to, NULL, d->queued,
				   SPLICE_F_NONBLOCK | SPLICE_F_MOVE);
		if (n > 0) {
			d->queued -= (size_t)n;
			d->bytes += (uint64_t)n;
			d->stalled = 0;
			if (d->buf)
				d->off = d->queued ? d->off + (size_t)n : 0;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (n < 0 && errno == EINVAL && !d->buf) {
			int r = relay_dir_to_copy(d);

			if (r)
				return r;
			continue;
		}
		return n < 0 ? -errno : -EIO;
	}
	return 0;
}

static short relay_in_events(const struct relay_dir *d)
{
	if (d->eof || d->stalled)
		return 0;
	if (d->buf && d->queued >= RELAY_BUF_SIZE)
		return 0;
	return POLLIN;
}

/* One pass over a direction: 1 when it is over (FIN passed on), 0 to go
 * on, or -1 with the end and error set. ends[] names the end for an error
 * of `from`, an error of `to`, and a FIN from `from`. */
static int relay_pump(struct relay_dir *d, const enum relay_end ends[3],
		      struct relay_result *r)
{
	int err;

	err = relay_fill(d);
	if (err) {
		r->end = ends[0];
		r->err = err;
		return -1;
	}
	err = relay_drain(d);
	if (err) {
		r->end = ends[1];
		r->err = err;
		return -1;
	}
	if (d->eof && !d->queued) {
		shutdown(d->to, SHUT_WR);
		r->end = ends[2];
		return 1;
	}
	return 0;
}

/* After poll: an error or hangup on a socket ends the relay once what is
 * readable has been pumped, even where that direction could not read
 * (stalled): otherwise poll would report it again at once. */
static int relay_hangup(const struct pollfd *pfd, enum relay_end err_end,
			enum relay_end hup_end, struct relay_result *r)
{
	socklen_t len = sizeof(int);
	int soerr = 0;

	if (pfd->revents & POLLERR) {
		if (getsockopt(pfd->fd, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0)
			soerr = errno;
		r->end = err_end;
		r->err = soerr ? -soerr : -EIO;
		return 1;
	}
	if (pfd->revents & POLLHUP) {
		r->end = hup_end;
		return 1;
	}
	return 0;
}

int relay_run(int peer_fd, int local_fd, enum relay_mode mode,
	      int64_t deadline_ns, struct relay_result *r)
{
	/* Whose error each step's failure is, and who closed. */
	static const enum relay_end in_ends[3] = {RELAY_END_PEER_ERROR,
						  RELAY_END_LOCAL_ERROR,
						  RELAY_END_PEER_CLOSED};
	static const enum relay_end out_ends[3] = {RELAY_END_LOCAL_ERROR,
						   RELAY_END_PEER_ERROR,
						   RELAY_END_LOCAL_CLOSED};
	struct pollfd pfd[2] = {{.fd = peer_fd}, {.fd = local_fd}};
	struct relay_dir in, out;
	int err, ret = 0;

	memset(r, 0, sizeof(*r));
	memset(&out, 0, sizeof(out));
	out.pr = out.pw = -1;
	err = relay_dir_init(&in, peer_fd, local_fd, mode);
	if (!err)
		err = relay_dir_init(&out, local_fd, peer_fd, mode);
	if (err) {
		r->end = RELAY_END_SETUP;
		r->err = err;
		ret = -1;
		goto out;
	}
	for (;;) {
		int n;

		if (relay_pump(&in, in_ends, r) ||
		    relay_pump(&out, out_ends, r))
			break;
		if (relay_hangup(&pfd[0], RELAY_END_PEER_ERROR,
				 RELAY_END_PEER_CLOSED, r) ||
		    relay_hangup(&pfd[1], RELAY_END_LOCAL_ERROR,
				 RELAY_END_LOCAL_CLOSED, r))
			break;
		/* Each socket: readable for its own direction, writable when
		 * the other direction has bytes for it. */
		pfd[0].events =
			relay_in_events(&in) | (out.queued ? POLLOUT : 0);
		pfd[1].events =
			relay_in_events(&out) | (in.queued ? POLLOUT : 0);
		n = loop_poll(pfd, 2, deadline_ns);
		if (n == -EINTR) {
			r->end = RELAY_END_TERMINATED;
			break;
		}
		if (n == 0) {
			r->end = RELAY_END_DEADLINE;
			break;
		}
		if (n < 0) {
			r->end = RELAY_END_SETUP;
			r->err = n;
			break;
		}
	}
out:
	r->bytes_in = in.bytes;
	r->bytes_out = out.bytes;
	r->copied = in.buf || out.buf;
	relay_dir_free(&in);
	relay_dir_free(&out);
	return ret;
}
