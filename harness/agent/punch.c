/* punch: connect waves. A fresh socket per wave, because a socket whose
 * connect failed cannot connect again, and because closing it lets the next
 * wave start a fresh SYN sequence (the kernel's own retransmissions run
 * inside a wave). */
#include <errno.h>
#include <sys/random.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "monoclock.h"
#include "log.h"
#include "loop.h"
#include "punch.h"
#include "sock.h"

/* Pause after an RST or ICMP error so a peer that answers every SYN at
 * once does not make us spin. Uniform in 50..150 ms: a fixed pause kept
 * both sides' waves in lockstep, so success depended on whether the skew
 * was a multiple of the pause (measured: 8/20 at 500 ms, 0/20 at 250 ms
 * between two RST routers). */
#define PUNCH_ERROR_PAUSE_MIN_NS (50 * LOOP_NS_PER_MS)
#define PUNCH_ERROR_PAUSE_SPAN_NS (100 * LOOP_NS_PER_MS)

static int64_t punch_error_pause(void)
{
	uint64_t r = 0;

	if (getrandom(&r, sizeof(r), 0) != (ssize_t)sizeof(r))
		r = (uint64_t)mono_ns();
	return PUNCH_ERROR_PAUSE_MIN_NS +
	       (int64_t)(r % (uint64_t)PUNCH_ERROR_PAUSE_SPAN_NS);
}

static int64_t punch_min(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

static void punch_established(int fd, struct punch_result *r)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	r->fd = fd;
	r->t_established_ns = mono_ns();
	memset(&ti, 0, sizeof(ti));
	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) == 0)
		r->syn_retrans = ti.tcpi_total_retrans;
	else
		log_warn("TCP_INFO");
}

/* One wave on a freshly bound fd, which it owns: 0 when connected (r->fd
 * set), else the wave's -errno (-ETIMEDOUT when it ran out). */
static int punch_wave(const struct punch_params *p, struct punch_result *r,
		      int fd, int64_t wave_end_ns)
{
	int err;

	r->attempts++;
	if (r->n_syn < PUNCH_MAX_SYN)
		r->syn_ns[r->n_syn++] = mono_ns();
	err = sock_connect(fd, (const struct sockaddr *)&p->peer,
			   sizeof(p->peer));
	if (err == -EINPROGRESS)
		err = sock_wait_connect(fd, wave_end_ns);
	if (err) {
		close(fd);
		return err;
	}
	punch_established(fd, r);
	return 0;
}

/* Books a failed wave's error. -1 with o filled when it ends the trial at
 * once, else 0 with *last updated. */
static int punch_note(const struct punch_params *p,
		      const struct punch_result *r, int err,
		      enum outcome_code *last, char *why, size_t whylen,
		      struct outcome *o)
{
	switch (err) {
	case -EADDRINUSE:
	case -EADDRNOTAVAIL:
		/* Our port (or this very 4-tuple, e.g. in TIME_WAIT) cannot
		 * be used: waiting will not fix it. */
		return outcome_set(
			o, OUTCOME_BIND, "connect from port %u, wave %u: %s",
			p->local_port, r->attempts, outcome_errstr(err));
	case -ECONNREFUSED:
		*last = OUTCOME_REFUSED;
		break;
	case -EHOSTUNREACH:
	case -ENETUNREACH:
		*last = OUTCOME_UNREACHABLE;
		break;
	default:
		break; /* kept in the detail; not a reason of its own */
	}
	snprintf(why, whylen, "last: wave %u, %s", r->attempts,
		 outcome_errstr(err));
	return 0;
}

int punch_run(const struct punch_params *p, struct punch_result *r,
	      struct outcome *o)
{
	enum outcome_code last = OUTCOME_TIMEOUT;
	char why[128] = "no answer to any";
	int fd, err;

	memset(r, 0, sizeof(*r));
	r->fd = -1;
	r->syn_retrans = -1;
	/* The first socket is bound before the start time so that the first
	 * SYN leaves as close to it as the scheduler allows. */
	fd = sock_bound(p->local_port);
	if (fd >= 0 && loop_sleep_until(p->t_start_ns)) {
		close(fd);
		return outcome_set(o, OUTCOME_TIMEOUT, "terminated");
	}
	for (;;) {
		int64_t now = mono_ns();

		if (fd < 0)
			return outcome_set(o, OUTCOME_BIND,
					   "bind 0.0.0.0:%u for wave %u: %s",
					   p->local_port, r->attempts + 1,
					   outcome_errstr(fd));
		if (loop_terminated() || now >= p->deadline_ns) {
			close(fd);
			break;
		}
		err = punch_wave(p, r, fd,
				 punch_min(now + p->wave_ns, p->deadline_ns));
		if (!err)
			return 0;
		log_debug("wave %u: %s", r->attempts, outcome_errstr(err));
		if (err == -EINTR)
			break;
		/* A wave that ran out goes straight on to the next. */
		if (err != -ETIMEDOUT) {
			if (punch_note(p, r, err, &last, why, sizeof(why), o))
				return -1;
			if (loop_sleep_until(punch_min(
				    mono_ns() + punch_error_pause(),
				    p->deadline_ns)))
				break;
		}
		fd = sock_bound(p->local_port);
	}
	if (loop_terminated())
		return outcome_set(o, OUTCOME_TIMEOUT, "terminated");
	return outcome_set(o, last, "no connection after %u waves (%s)",
			   r->attempts, why);
}
