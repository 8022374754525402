/* floodconn: one flood connection. Every write is small (version,
 * verack, hpregister, pong: well under the socket buffer), so a short
 * write only happens to a socket the coordinator is resetting; it is
 * treated as the end of the connection rather than queued. */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "advio.h"
#include "coordmsg.h"
#include "flood.h"
#include "log.h"
#include "p2p.h"

#define FLOOD_BACKOFF0_NS 100000000LL	/* 100 ms */
#define FLOOD_BACKOFF_MAX_NS 5000000000LL
#define FLOOD_SHORT_LIVED_NS 1000000000LL

static int floodconn_write(struct flood *f, struct fconn *fc, const void *p,
			   size_t len)
{
	ssize_t n = send(fc->fd, p, len, MSG_NOSIGNAL | MSG_DONTWAIT);

	if (n > 0)
		f->bytes_sent += (uint64_t)n;
	return n == (ssize_t)len ? 0 : -EPIPE;
}

static int floodconn_msg(struct flood *f, struct fconn *fc, const char *cmd,
			 const void *payload, size_t len)
{
	uint8_t buf[P2P_HDR_LEN + 256];
	int n = p2p_msg_encode(buf, sizeof(buf), f->c->magic, cmd, payload,
			       len);

	return n < 0 ? n : floodconn_write(f, fc, buf, (size_t)n);
}

static int floodconn_version(struct flood *f, struct fconn *fc)
{
	uint8_t buf[256];
	int n = advio_version_encode(buf, sizeof(buf), NULL,
				     ((uint64_t)rand() << 32) ^ (uint64_t)rand(),
				     "/punchlab-flood:0.1/");

	if (n < 0)
		return n;
	if (floodconn_msg(f, fc, "version", buf, (size_t)n))
		return -EPIPE;
	return floodconn_msg(f, fc, "verack", NULL, 0);
}

/* pairs: version, verack and hpregister at once; the coordinator takes
 * them in order from the stream, so no round trip is waited for. */
static int floodconn_register(struct flood *f, size_t i)
{
	struct coord_register reg = {
		.proto = COORD_PROTO,
		.key = f->pairs[i / 2].key,
	};
	uint8_t buf[COORD_REGISTER_FLAGS_LEN];
	int n;

	if (floodconn_version(f, &f->conns[i]))
		return -EPIPE;
	n = coord_register_encode(buf, sizeof(buf), &reg);
	if (n < 0)
		return n;
	return floodconn_msg(f, &f->conns[i], COORD_CMD_REGISTER, buf,
			     (size_t)n);
}

/* The connection is up: what its kind sends first. */
static void floodconn_up(struct flood *f, size_t i, int64_t now)
{
	struct fconn *fc = &f->conns[i];
	int err = 0;

	fc->state = FC_OPEN;
	fc->opened_ns = now;
	f->open++;
	if (!fc->tried) {
		fc->tried = true;
		f->tried++;
	}
	if (f->kind == FLOOD_PAIRS) {
		err = floodconn_register(f, i);
		/* Sent when the second side's registration is out. */
		if (!err && ++f->pairs[i / 2].regs == 2)
			f->pairs_sent++;
	} else {
		if (f->handshake)
			err = floodconn_version(f, fc);
		fc->next_ns = f->hold_ms ? now + (int64_t)f->hold_ms * 1000000
					 : INT64_MAX;
	}
	if (err)
		floodconn_close(f, i, now, true);
}

void floodconn_open(struct flood *f, size_t i, int64_t now)
{
	struct fconn *fc = &f->conns[i];
	int fd;

	fd = socket(f->target.ss_family,
		    SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		log_debug("socket: %s", strerror(errno));
		floodconn_close(f, i, now, true);
		return;
	}
	fc->fd = fd;
	fc->in_len = 0;
	fc->punched = false;
	if (!connect(fd, (struct sockaddr *)&f->target, f->target_len)) {
		floodconn_up(f, i, now);
	} else if (errno == EINPROGRESS) {
		fc->state = FC_CONNECTING;
	} else {
		floodconn_close(f, i, now, true);
	}
}

void floodconn_close(struct flood *f, size_t i, int64_t now, bool by_peer)
{
	struct fconn *fc = &f->conns[i];

	if (fc->fd >= 0)
		close(fc->fd);
	fc->fd = -1;
	if (fc->state == FC_OPEN)
		f->open--;
	if (by_peer) {
		f->refused++;
		if (!fc->tried) {
			fc->tried = true;
			f->tried++;
		}
	}
	if (f->kind == FLOOD_PAIRS) {
		fc->state = FC_DONE;
		return;
	}
	/* Taken back at once when it had held its slot a while (a timeout
	 * freed it: be first to take it again); after a quick refusal,
	 * after a doubling wait, so a refusing coordinator is not hammered
	 * by a busy loop of connects. */
	if (fc->state == FC_OPEN && now - fc->opened_ns >= FLOOD_SHORT_LIVED_NS)
		fc->backoff_ns = 0;
	else if (!fc->backoff_ns)
		fc->backoff_ns = FLOOD_BACKOFF0_NS;
	else if (fc->backoff_ns < FLOOD_BACKOFF_MAX_NS)
		fc->backoff_ns *= 2;
	fc->state = FC_IDLE;
	fc->next_ns = now + fc->backoff_ns;
}

/* pairs: one message from the coordinator. 1 when the session is over. */
static int floodconn_message(struct flood *f, size_t i,
			     const struct p2p_hdr *h, const uint8_t *payload)
{
	struct fpair *p = &f->pairs[i / 2];

	if (!strcmp(h->command, "ping") && h->length == 8)
		return floodconn_msg(f, &f->conns[i], "pong", payload, 8) ? 1
									   : 0;
	if (!strcmp(h->command, COORD_CMD_PUNCH)) {
		f->conns[i].punched = true;
		if (!p->matched) {
			p->matched = true;
			f->pairs_matched++;
		}
		return 1;
	}
	return !strcmp(h->command, COORD_CMD_REJECT);
}

/* Reads what is there. slowloris only drains; pairs frames and answers.
 * 1 when the connection is over (EOF, error, or its session ended). */
static int floodconn_read(struct flood *f, size_t i)
{
	struct fconn *fc = &f->conns[i];
	const uint8_t *payload;
	struct p2p_hdr h;
	ssize_t n;
	int m;

	n = read(fc->fd, fc->in + fc->in_len, sizeof(fc->in) - fc->in_len);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n <= 0)
		return 1;
	if (f->kind == FLOOD_SLOWLORIS)
		return 0; /* discarded: in_len stays 0 */
	fc->in_len += (size_t)n;
	for (;;) {
		m = p2p_frame(fc->in, fc->in_len, f->c->magic,
			      sizeof(fc->in) - P2P_HDR_LEN, &h, &payload);
		if (m == 0)
			return fc->in_len == sizeof(fc->in);
		if (m < 0 || floodconn_message(f, i, &h, payload))
			return 1;
		memmove(fc->in, fc->in + m, fc->in_len - (size_t)m);
		fc->in_len -= (size_t)m;
	}
}

void floodconn_event(struct flood *f, size_t i, short revents, int64_t now)
{
	struct fconn *fc = &f->conns[i];
	socklen_t len = sizeof(int);
	int err = 0;

	if (fc->state == FC_CONNECTING) {
		if (!(revents & (POLLOUT | POLLERR | POLLHUP)))
			return;
		if (getsockopt(fc->fd, SOL_SOCKET, SO_ERROR, &err, &len) ||
		    err) {
			floodconn_close(f, i, now, true);
			return;
		}
		floodconn_up(f, i, now);
		return;
	}
	if (fc->state != FC_OPEN || !(revents & (POLLIN | POLLERR | POLLHUP)))
		return;
	if (floodconn_read(f, i))
		/* A session that ended with its hppunch ended as it should:
		 * not a refusal. */
		floodconn_close(f, i, now, !fc->punched);
}
