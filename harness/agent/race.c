/* race: poll over every socket of one punch; see race.h for the rule of
 * which connection both sides keep. */
#include <errno.h>
#include <time.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "loop.h"
#include "icmperr.h"
#include "race.h"

void race_init(struct race *r, int lfd, int keep_first)
{
	memset(r, 0, sizeof(*r));
	r->lfd = lfd;
	r->keep_first = keep_first;
	r->winner_fd = -1;
}

/* The kernel's SYN retransmissions of a connect socket, counted when it
 * leaves the race. */
static unsigned race_retrans(int fd)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	memset(&ti, 0, sizeof(ti));
	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) < 0)
		return 0;
	return ti.tcpi_total_retrans;
}

static void race_drop(struct race *r, unsigned i)
{
	if (r->c[i].state == RACE_CONNECTING)
		r->syns += race_retrans(r->c[i].fd);
	close(r->c[i].fd);
	r->c[i] = r->c[--r->n];
}

void race_close(struct race *r)
{
	while (r->n)
		race_drop(r, r->n - 1);
	if (r->lfd >= 0)
		close(r->lfd);
	r->lfd = -1;
}

/* The socket's family (SO_DOMAIN): its error queue's option follows it. */
static int race_family(int fd)
{
	int fam = AF_INET;
	socklen_t len = sizeof(fam);

	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &fam, &len) < 0)
		return AF_INET;
	return fam;
}

int race_add(struct race *r, int fd, int probe)
{
	int one = 1;

	if (r->n == RACE_MAX) {
		close(fd);
		return -ENOSPC;
	}
	/* The error queue tells an ICMP from an RST (both can end a connect
	 * with ECONNREFUSED) and who sent it. */
	if (race_family(fd) == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_RECVERR, &one, sizeof(one));
	else
		setsockopt(fd, IPPROTO_IP, IP_RECVERR, &one, sizeof(one));
	r->c[r->n++] = (struct race_conn){.fd = fd, .probe = probe};
	r->syns++;
	return 0;
}

void race_stop_connects(struct race *r)
{
	for (unsigned i = r->n; i-- > 0;)
		if (r->c[i].state == RACE_CONNECTING)
			race_drop(r, i);
}

unsigned race_connecting(const struct race *r)
{
	unsigned k = 0;

	for (unsigned i = 0; i < r->n; i++)
		k += r->c[i].state == RACE_CONNECTING;
	return k;
}

/* The ICMP queued on fd, if any: 1 and recorded, else 0. */
static int race_icmp(struct race *r, int fd)
{
	struct icmp_err e;

	if (!icmperr_read(fd, &e))
		return 0;
	r->icmps++;
	r->icmp_from = e.from;
	addr6_set_port(&r->icmp_from, 0);
	r->icmp_type = e.type;
	r->icmp_code = e.code;
	return 1;
}

/* A connect socket is done: 0 when established (now a candidate, or the
 * winner), else its -errno after it was dropped. */
static int race_connected(struct race *r, unsigned i)
{
	socklen_t len = sizeof(int);
	int fd = r->c[i].fd, soerr = 0;

	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0)
		soerr = errno;
	if (!soerr) {
		r->syns += race_retrans(fd);
		r->c[i].state = RACE_CANDIDATE;
		return 0;
	}
	if (!race_icmp(r, fd) && soerr == ECONNREFUSED)
		r->rsts++;
	race_drop(r, i);
	return -soerr;
}

/* Takes every connection waiting on the listener as a candidate. */
static void race_accept(struct race *r)
{
	for (;;) {
		int fd = accept4(r->lfd, NULL, NULL,
				 SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK &&
			    errno != EINTR)
				log_warn("accept on the punch port");
			return;
		}
		r->accepts++;
		if (r->n == RACE_MAX) {
			close(fd);
			continue;
		}
		r->c[r->n++] = (struct race_conn){
			.fd = fd, .state = RACE_CANDIDATE, .accepted = 1};
	}
}

/* Candidate i has something to read: the first byte (kept, peeked) makes
 * it the winner; an end or an error drops it. 1 or 0. */
static int race_peek(struct race *r, unsigned i)
{
	char b;
	ssize_t n = recv(r->c[i].fd, &b, 1, MSG_PEEK | MSG_DONTWAIT);

	if (n > 0)
		return 1;
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	race_drop(r, i);
	return 0;
}

static void race_win(struct race *r, unsigned i)
{
	r->winner_fd = r->c[i].fd;
	r->winner_accepted = r->c[i].accepted;
	r->c[i] = r->c[--r->n];
	race_close(r);
}

/* One pass over poll's answers, from the end so that a drop (which moves
 * the last entry into its place) leaves the ones still to look at alone.
 * 1 with a winner, 0, or a connect's -errno when none is left in flight. */
static int race_scan(struct race *r, const struct pollfd *pfd, unsigned n)
{
	int err = 0;

	for (unsigned k = n; k-- > 0;) {
		if (!pfd[k].revents)
			continue;
		if (r->c[k].state == RACE_CONNECTING) {
			int e = race_connected(r, k);

			if (e)
				err = e;
			else if (r->keep_first)
				goto win;
			/* A responder's fresh candidate waits for the
			 * initiator's first byte. */
			continue;
		}
		if (race_peek(r, k))
			goto win;
		continue;
win:
		race_win(r, k);
		return 1;
	}
	return err && !race_connecting(r) ? err : 0;
}

int race_wait(struct race *r, int64_t deadline_ns)
{
	struct pollfd pfd[RACE_MAX + 1];
	unsigned n;
	int ret;

	for (;;) {
		n = r->n;
		for (unsigned i = 0; i < n; i++) {
			pfd[i].fd = r->c[i].fd;
			pfd[i].events = r->c[i].state == RACE_CONNECTING
						? POLLOUT
						: POLLIN;
			pfd[i].revents = 0;
		}
		pfd[n] = (struct pollfd){.fd = r->lfd, .events = POLLIN};
		ret = loop_poll(pfd, n + 1, deadline_ns);
		if (ret <= 0)
			return ret;
		if (pfd[n].revents)
			race_accept(r); /* appends after the first n */
		ret = race_scan(r, pfd, n);
		if (ret)
			return ret;
		if (r->keep_first) /* an accepted one wins at once too */
			for (unsigned i = n; i < r->n; i++)
				if (r->c[i].state == RACE_CANDIDATE) {
					race_win(r, i);
					return 1;
				}
	}
}
