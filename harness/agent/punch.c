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
#include "race.h"
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

/* The kept connection, and what the race saw, into r. */
static void punch_established(struct race *ra, struct punch_result *r)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	r->fd = ra->winner_fd;
	r->accepted = ra->winner_accepted;
	r->t_established_ns = mono_ns();
	memset(&ti, 0, sizeof(ti));
	if (getsockopt(r->fd, IPPROTO_TCP, TCP_INFO, &ti, &len) == 0)
		r->syn_retrans = ti.tcpi_total_retrans;
	else
		log_warn("TCP_INFO");
}

static void punch_tally(const struct race *ra, struct punch_result *r)
{
	r->syns = ra->syns;
	r->rsts = ra->rsts;
	r->icmps = ra->icmps;
	r->accepts = ra->accepts;
}

/* low-ttl's small TTL (ttl > 0), or the default again (-1): IP_TTL, or
 * IPv6's hop limit (IPV6_UNICAST_HOPS, where -1 is the default too). */
static void punch_ttl(int fd, int family, int ttl)
{
	int v6 = family == AF_INET6;

	if (setsockopt(fd, v6 ? IPPROTO_IPV6 : IPPROTO_IP,
		       v6 ? IPV6_UNICAST_HOPS : IP_TTL, &ttl, sizeof(ttl)) < 0) {
		if (ttl > 0)
			log_warn("%s %d", v6 ? "IPV6_UNICAST_HOPS" : "IP_TTL",
				 ttl);
		else
			log_warn("%s back to the default",
				 v6 ? "IPV6_UNICAST_HOPS" : "IP_TTL");
	}
}

/* Starts one connect per target port: the first on fd (bound before the
 * start), the others on fresh sockets of the same port. 0, or the first
 * -errno of a connect that failed at once. */
static int punch_start(const struct punch_params *p, struct punch_result *r,
		       struct race *ra, int fd, int probe)
{
	unsigned n = p->sockets ? p->sockets : p->nports ? p->nports : 1;
	int step = p->port_step * (int)(r->attempts - 1);
	union addr6 to = p->peer;
	int fam = p->peer.sa.sa_family, err = 0, e;

	for (unsigned k = 0; k < n; k++) {
		if (p->syn_budget && ra->syns >= p->syn_budget) {
			r->budget_hit = 1;
			if (fd >= 0)
				close(fd);
			break;
		}
		if (fd < 0)
			fd = sock_bound_af(fam, p->sockets ? 0 : p->local_port);
		if (fd < 0)
			return err ? err : fd;
		if (p->nports)
			addr6_set_port(&to, (uint16_t)(p->ports[k % p->nports] +
						       step));
		if (probe)
			punch_ttl(fd, fam, p->ttl);
		if (r->n_syn < PUNCH_MAX_SYN)
			r->syn_ns[r->n_syn++] = mono_ns();
		e = sock_connect(fd, &to.sa, addr6_len(&to));
		/* The SYN is out: its retransmissions (same socket, same
		 * ISN, the one our NAT's conntrack entry tracks) carry the
		 * normal TTL again and reach the peer. */
		if (probe)
			punch_ttl(fd, fam, -1);
		if (e == -EINPROGRESS || !e)
			e = race_add(ra, fd, probe);
		else
			close(fd);
		fd = -1;
		if (e && !err)
			err = e;
	}
	return err;
}

/* A SYN_SENT socket retransmits its SYN after the initial RTO (1 s,
 * TCP_TIMEOUT_INIT); closing it before then sends nothing more. */
#define PUNCH_BEFORE_RTO_NS (900 * LOOP_NS_PER_MS)

/* One wave: its connects, then the race until one is kept (0, r->fd
 * set) or the wave ends (-ETIMEDOUT; its connects closed), else the
 * wave's -errno. A listener's tuple already taken (EADDRINUSE,
 * EADDRNOTAVAIL: the peer's SYN came in first) is no error: the wave
 * waits on the listener. */
static int punch_wave(const struct punch_params *p, struct punch_result *r,
		      struct race *ra, int fd, int probe, int64_t wave_end_ns)
{
	int64_t t_wave = mono_ns();
	int err;

	r->attempts++;
	err = punch_start(p, r, ra, fd, probe);
	/* The budget is a hard cap: when the retransmissions of this wave's
	 * sockets would pass it, the wave ends before they are due, so that
	 * the SYNs sent are the connect() calls counted. */
	if (p->syn_budget && ra->syns + race_connecting(ra) > p->syn_budget)
		wave_end_ns = punch_min(wave_end_ns,
					t_wave + PUNCH_BEFORE_RTO_NS);
	if (err && !(p->listen && (err == -EADDRINUSE ||
				   err == -EADDRNOTAVAIL)))
		if (!race_connecting(ra))
			return err;
	err = race_wait(ra, wave_end_ns);
	if (err == 1) {
		punch_established(ra, r);
		return 0;
	}
	race_stop_connects(ra);
	if (!err && r->budget_hit)
		return -EDQUOT;
	return err ? err : -ETIMEDOUT;
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

/* low-ttl: the first wave, with a small TTL. Its SYN opens our own NAT's
 * mapping and dies at the first router past it, so the peer's NAT never
 * sees it and cannot answer it with an RST. The socket stays: its first
 * retransmission (the kernel's, after the initial RTO of 1 s) leaves with
 * the normal TTL and the same ISN, meets the mapping the peer's own
 * low-TTL SYN made and crosses the peer's retransmission (simultaneous
 * open). A listener or a fresh socket would answer with another ISN,
 * which the NAT's conntrack (tracking the first SYN's) drops as invalid
 * and leaks untranslated (seen on the wire: a SYN-ACK from 10.0.1.2 on
 * the WAN). The ICMP time exceeded that the dying SYN draws kills a
 * socket in SYN_SENT (tcp_v4_err), when it comes back (routers
 * rate-limit them). */
#define PUNCH_MAX_PROBES 8

static int punch_probe(const struct punch_params *p, struct punch_result *r,
		       struct race *ra, int fd)
{
	int err;

	/* A probe killed by its ICMP is sent again at once, again with the
	 * small TTL: a fresh socket's ISN is larger, so our NAT's entry
	 * (still SYN_SENT: nothing came from the peer yet) takes it as the
	 * one it tracks; a normal SYN instead could reach the peer before
	 * its own socket is back and draw an RST from its host. */
	for (;;) {
		r->probes++;
		err = punch_wave(p, r, ra, fd, 1,
				 punch_min(mono_ns() + p->wave_ns,
					   p->deadline_ns));
		if (ra->icmps && !r->have_icmp) {
			r->have_icmp = 1;
			r->icmp_from = ra->icmp_from;
			r->icmp_type = ra->icmp_type;
			r->icmp_code = ra->icmp_code;
			r->t_probe_err_ns = mono_ns();
		}
		if ((err != -EHOSTUNREACH && err != -ENETUNREACH) ||
		    r->probes >= PUNCH_MAX_PROBES || loop_terminated() ||
		    mono_ns() >= p->deadline_ns)
			return err;
		fd = sock_bound_af(p->peer.sa.sa_family, p->local_port);
		if (fd < 0)
			return fd;
	}
}

/* The waves after the first, until one connects, the deadline, or a
 * fatal error (-1, o filled). */
static int punch_waves(const struct punch_params *p, struct punch_result *r,
		       struct race *ra, int err, struct outcome *o)
{
	enum outcome_code last = OUTCOME_TIMEOUT;
	char why[128] = "no answer to any";
	int fd;

	for (;;) {
		int64_t now = mono_ns();

		if (!err)
			return 0;
		log_debug("wave %u: %s", r->attempts, outcome_errstr(err));
		if (err == -EINTR)
			break;
		if (err == -EDQUOT || (p->max_waves &&
					r->attempts >= p->max_waves)) {
			/* Out of SYNs (or waves): only the listener and the
			 * candidates can still help. */
			if (err == -EDQUOT)
				snprintf(why, sizeof(why),
					 "syn budget %u spent", p->syn_budget);
			else
				snprintf(why, sizeof(why), "%u waves, %s",
					 r->attempts, outcome_errstr(err));
			if (race_wait(ra, p->deadline_ns) == 1) {
				punch_established(ra, r);
				return 0;
			}
			break;
		}
		/* A wave that ran out goes straight on to the next; an
		 * error pauses, the listener still open. */
		if (err != -ETIMEDOUT) {
			if (punch_note(p, r, err, &last, why, sizeof(why), o))
				return -1;
			err = race_wait(ra, punch_min(mono_ns() +
							      punch_error_pause(),
						      p->deadline_ns));
			if (err == 1) {
				punch_established(ra, r);
				return 0;
			}
			if (err < 0)
				break;
			now = mono_ns();
		}
		if (loop_terminated() || now >= p->deadline_ns)
			break;
		fd = sock_bound_af(p->peer.sa.sa_family, p->local_port);
		if (fd < 0)
			return outcome_set(o, OUTCOME_BIND,
					   "bind %s:%u for wave %u: %s",
					   addr6_any_str(p->peer.sa.sa_family),
					   p->local_port, r->attempts + 1,
					   outcome_errstr(fd));
		err = punch_wave(p, r, ra, fd, 0,
				 punch_min(now + p->wave_ns, p->deadline_ns));
	}
	if (loop_terminated())
		return outcome_set(o, OUTCOME_TIMEOUT, "terminated");
	return outcome_set(o, last, "no connection after %u waves (%s)",
			   r->attempts, why);
}

int punch_run(const struct punch_params *p, struct punch_result *r,
	      struct outcome *o)
{
	struct race ra;
	int fam = p->peer.sa.sa_family, fd, lfd = -1, err;

	memset(r, 0, sizeof(*r));
	r->fd = -1;
	r->syn_retrans = -1;
	r->t_punch_ns = p->t_start_ns;
	if (p->listen) {
		lfd = sock_listener_af(fam, p->local_port);
		if (lfd < 0)
			return outcome_set(o, OUTCOME_BIND,
					   "listen on %s:%u: %s",
					   addr6_any_str(fam), p->local_port,
					   outcome_errstr(lfd));
	}
	/* Several sockets in flight can give two connections: then the
	 * responder keeps the one the initiator speaks on, as with a
	 * listener. */
	race_init(&ra, lfd,
		  p->initiator || (lfd < 0 && p->nports <= 1 && !p->sockets));
	/* The first socket is bound before the start time so that the first
	 * SYN leaves as close to it as the scheduler allows. */
	fd = sock_bound_af(fam, p->local_port);
	if (fd < 0) {
		race_close(&ra);
		return outcome_set(o, OUTCOME_BIND,
				   "bind %s:%u for wave 1: %s",
				   addr6_any_str(fam), p->local_port,
				   outcome_errstr(fd));
	}
	if (loop_sleep_until(p->t_start_ns)) {
		close(fd);
		race_close(&ra);
		return outcome_set(o, OUTCOME_TIMEOUT, "terminated");
	}
	if (p->ttl > 0) {
		err = punch_probe(p, r, &ra, fd);
		/* Killed by its ICMP: on to the normal waves at once. */
		if (err == -EHOSTUNREACH || err == -ENETUNREACH)
			err = -ETIMEDOUT;
	} else {
		err = punch_wave(p, r, &ra, fd, 0,
				 punch_min(mono_ns() + p->wave_ns,
					   p->deadline_ns));
	}
	err = punch_waves(p, r, &ra, err, o);
	punch_tally(&ra, r);
	race_close(&ra);
	return err;
}
