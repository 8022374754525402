/* probe_measure: mapping and port assignment through the probe server,
 * then filtering, unsolicited SYN and hairpinning as concurrent attempts
 * whose arrival is seen by listeners behind the NAT. */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "monoclock.h"
#include "log.h"
#include "probe_class.h"
#include "probe_http.h"
#include "probe_measure.h"
#include "probe_sock.h"
#include "punchlab.h"

#define PROBE_SYN_PORT 9 /* discard: no mapping ever uses it here */

uint32_t probe_addr(const char *dotted)
{
	struct in_addr a = {0};

	inet_pton(AF_INET, dotted, &a);
	return a.s_addr;
}

static const char *probe_ans_str(const struct probe_attempt *a, char *buf,
				 size_t cap)
{
	switch (a->ans) {
	case PROBE_ANS_NONE:
		return "no answer";
	case PROBE_ANS_ACCEPTED:
		return "accepted";
	case PROBE_ANS_RST:
		return "refused (RST)";
	case PROBE_ANS_ICMP:
		snprintf(buf, cap, "ICMP type %u code %u", a->icmp_type,
			 a->icmp_code);
		return buf;
	default:
		snprintf(buf, cap, "%s", strerror(a->err));
		return buf;
	}
}

void probe_why(char *buf, size_t cap, int *err, int e, const char *fmt, ...)
{
	va_list ap;

	*err = e < 0 ? e : -e;
	if (buf[0])
		return;
	va_start(ap, fmt);
	vsnprintf(buf, cap, fmt, ap);
	va_end(ap);
}

/* Connects from ns/local to dst within PROBE_STEP_MS: the fd, or -errno
 * with the outcome in why. */
static int probe_connect(int ns, const struct probe_ep *local,
			 const struct probe_ep *dst, char *why, size_t cap)
{
	struct probe_attempt a = {0};
	char ep[32], ans[64];
	int fd, e;

	fd = probe_sock_new(ns, local);
	if (fd < 0) {
		snprintf(why, cap, "socket bound to %s: %s",
			 probe_ep_str(local, ep, sizeof(ep)), strerror(-fd));
		return fd;
	}
	e = probe_sock_connect(fd, dst);
	if (e == 0)
		e = probe_sock_wait(fd, PROBE_STEP_MS, &a);
	if (e == 0 && a.ans != PROBE_ANS_ACCEPTED)
		e = a.ans == PROBE_ANS_NONE ? -ETIMEDOUT : -ECONNREFUSED;
	if (e < 0) {
		snprintf(why, cap, "connect to %s: %s",
			 probe_ep_str(dst, ep, sizeof(ep)),
			 e == -EINTR ? "interrupted"
				     : probe_ans_str(&a, ans, sizeof(ans)));
		close(fd);
		return e;
	}
	return fd;
}

int probe_get(int ns, const struct probe_ep *local,
	      const struct probe_ep *server, int *fdp,
	      struct probe_http_answer *ans, char *why, size_t cap)
{
	char req[256], buf[PROBE_HTTP_MAX], ep[32], what[128];
	long got;
	int fd, n, e;

	fd = probe_connect(ns, local, server, why, cap);
	if (fd < 0)
		return fd;
	n = probe_http_request(req, sizeof(req), server);
	if (n < 0 || write(fd, req, (size_t)n) != n) {
		e = n < 0 ? n : -EIO;
		snprintf(why, cap, "request to %s failed",
			 probe_ep_str(server, ep, sizeof(ep)));
		goto err;
	}
	got = probe_sock_read_all(fd, buf, sizeof(buf), PROBE_STEP_MS);
	if (got < 0) {
		e = (int)got;
		snprintf(why, cap, "answer from %s: %s",
			 probe_ep_str(server, ep, sizeof(ep)), strerror(-e));
		goto err;
	}
	e = probe_http_parse(buf, (size_t)got, ans, what, sizeof(what));
	if (e < 0) {
		snprintf(why, cap, "answer from %s: %s",
			 probe_ep_str(server, ep, sizeof(ep)), what);
		goto err;
	}
	*fdp = fd;
	return 0;
err:
	close(fd);
	return e;
}

int probe_measure_mapping(struct probe_net *n, uint16_t base,
			  struct probe_obs *o)
{
	const struct probe_ep servers[3] = {
		{probe_addr(PROBE_SRV_A), PROBE_PORT_1},
		{probe_addr(PROBE_SRV_A), PROBE_PORT_2},
		{probe_addr(PROBE_SRV_B), PROBE_PORT_1},
	};
	struct probe_http_answer ans;
	int fds[3] = {-1, -1, -1}, e = 0;
	char why[200];

	o->m.map_local = (struct probe_ep){probe_addr(PROBE_H1), base};
	for (int i = 0; i < 3 && !e; i++) {
		e = probe_get(n->h1.fd, &o->m.map_local, &servers[i], &fds[i],
			      &ans, why, sizeof(why));
		if (e == 0)
			o->m.map_seen[i] = ans.observed;
		else if (e != -EINTR)
			probe_why(o->why, sizeof(o->why), &o->m.map_err, e,
				  "mapping: %s", why);
	}
	for (int i = 0; i < 3; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	return e == -EINTR ? e : 0;
}

int probe_measure_ports(struct probe_net *n, uint16_t base, struct probe_obs *o)
{
	const struct probe_ep server = {probe_addr(PROBE_SRV_A), PROBE_PORT_1};
	struct probe_http_answer ans;
	int fds[PROBE_NPORTS], e = 0;
	struct probe_ep local;
	char why[200];

	o->m.nports = 0;
	for (int i = 0; i < PROBE_NPORTS && !e; i++) {
		local = (struct probe_ep){probe_addr(PROBE_H1),
					  (uint16_t)(base + 10 + i)};
		e = probe_get(n->h1.fd, &local, &server, &fds[i], &ans, why,
			      sizeof(why));
		if (e == 0) {
			o->m.port_local[i] = local.port;
			o->m.port_seen[i] = ans.observed.port;
			o->m.nports++;
		} else if (e != -EINTR) {
			probe_why(o->why, sizeof(o->why), &o->m.ports_err, e,
				  "ports: %s", why);
		}
	}
	for (int i = 0; i < o->m.nports; i++)
		close(fds[i]);
	return e == -EINTR ? e : 0;
}

int probe_hold(int ns, const struct probe_ep *local, int hold_fd, int *cfd,
	       int *sfd, struct probe_ep *seen, char *why, size_t cap)
{
	const struct probe_ep hold = {probe_addr(PROBE_SRV_A), PROBE_HOLD_PORT};
	struct probe_ep stale;
	int fd;

	/* Whatever an earlier, failed attempt left in the backlog would be
	 * taken for this connection. */
	while ((fd = probe_sock_accept(hold_fd, 0, &stale)) >= 0)
		close(fd);
	*cfd = probe_connect(ns, local, &hold, why, cap);
	if (*cfd < 0)
		return *cfd;
	*sfd = probe_sock_accept(hold_fd, PROBE_STEP_MS, seen);
	if (*sfd < 0) {
		snprintf(why, cap, "holder did not see the connection: %s",
			 strerror(-*sfd));
		close(*cfd);
		*cfd = -1;
		return *sfd;
	}
	return 0;
}

/* The attempts of one inbound window. */
enum { IN_HOST, IN_ADDR, IN_SYN, IN_HAIRPIN, IN_N };

struct probe_inbound {
	struct probe_attempt *att[IN_N];
	int fd[IN_N];
	int done[IN_N];
	int64_t done_at[IN_N];
	int lf, lh; /* H1's listeners on the filtering and hairpin ports */
};

/* A connection accepted behind the NAT: which attempt it was, told by
 * the source it arrived from. */
static void probe_arrival(struct probe_inbound *in, int lfd,
			  const struct probe_ep *peer)
{
	struct probe_attempt *a;

	if (lfd == in->lh)
		a = in->att[IN_HAIRPIN];
	else if (peer->ip == probe_addr(PROBE_T_ADDR))
		a = in->att[IN_HOST];
	else if (peer->ip == probe_addr(PROBE_SRV_A))
		a = in->att[IN_ADDR];
	else
		/* Source rewritten on the way in: the first that got in. */
		a = !in->att[IN_HOST]->arrived ? in->att[IN_HOST]
					       : in->att[IN_ADDR];
	a->arrived = 1;
	a->seen_as = *peer;
}

static int probe_inbound_settled(const struct probe_inbound *in, int64_t now)
{
	for (int i = 0; i < IN_N; i++) {
		if (in->fd[i] < 0)
			continue;
		if (!in->done[i])
			return 0;
		/* The listener's accept queue fills a moment after the
		 * connecting side sees the handshake complete. */
		if (in->att[i]->ans == PROBE_ANS_ACCEPTED &&
		    !in->att[i]->arrived && now - in->done_at[i] < 200)
			return 0;
	}
	return 1;
}

static int probe_inbound_run(struct probe_inbound *in)
{
	int64_t end = mono_ms() + PROBE_WINDOW_MS, now;
	struct pollfd p[IN_N + 2];
	struct probe_ep peer;
	int np, idx[IN_N], fd;

	while ((now = mono_ms()) < end && !probe_inbound_settled(in, now)) {
		np = 0;
		for (int i = 0; i < IN_N; i++)
			if (in->fd[i] >= 0 && !in->done[i]) {
				idx[np] = i;
				p[np++] = (struct pollfd){.fd = in->fd[i],
							  .events = POLLOUT};
			}
		p[np++] = (struct pollfd){.fd = in->lf, .events = POLLIN};
		p[np++] = (struct pollfd){.fd = in->lh, .events = POLLIN};
		if (poll(p, (nfds_t)np,
			 (int)(end - now < 50 ? end - now : 50)) < 0 &&
		    errno != EINTR)
			return -errno;
		if (punchlab_stop)
			return -EINTR;
		for (int k = 0; k < np - 2; k++) {
			if (!p[k].revents)
				continue;
			probe_sock_outcome(in->fd[idx[k]], 0, in->att[idx[k]]);
			in->done[idx[k]] = 1;
			in->done_at[idx[k]] = mono_ms();
		}
		for (int k = np - 2; k < np; k++)
			while (p[k].revents &&
			       (fd = probe_sock_accept(p[k].fd, 0, &peer)) >=
				       0) {
				probe_arrival(in, p[k].fd, &peer);
				close(fd);
			}
	}
	for (int i = 0; i < IN_N; i++)
		if (in->fd[i] >= 0 && !in->done[i])
			probe_sock_outcome(in->fd[i], 1, in->att[i]);
	return 0;
}

/* Starts attempt i from ns/local to dst; a failure to even start it is
 * recorded as a local error of that attempt. */
static void probe_inbound_start(struct probe_inbound *in, int i, int ns,
				const struct probe_ep *local,
				const struct probe_ep *dst)
{
	int e;

	in->fd[i] = probe_sock_new(ns, local);
	e = in->fd[i] < 0 ? in->fd[i] : probe_sock_connect(in->fd[i], dst);
	if (e < 0) {
		in->att[i]->ans = PROBE_ANS_ERROR;
		in->att[i]->err = -e;
		if (in->fd[i] >= 0)
			close(in->fd[i]);
		in->fd[i] = -1;
	}
}

int probe_measure_inbound(struct probe_net *n, int hold_fd, uint16_t base,
			  struct probe_obs *o)
{
	struct probe_ep lf = {probe_addr(PROBE_H1), (uint16_t)(base + 20)},
			lh = {probe_addr(PROBE_H1), (uint16_t)(base + 21)},
			l2 = {probe_addr(PROBE_H2), (uint16_t)(base + 22)},
			from_addr = {probe_addr(PROBE_SRV_A), 0}, eh, syn;
	struct probe_inbound in = {
		.att = {&o->from_host, &o->from_addr, &o->syn, &o->hairpin},
		.fd = {-1, -1, -1, -1},
		.lf = -1,
		.lh = -1};
	/* the three held connections, each as H and as S see it */
	int held[6] = {-1, -1, -1, -1, -1, -1}, e;
	char why[200];

	/* Listeners first: each mapping is then made by a connection from
	 * a port that something behind the NAT listens on. */
	in.lf = probe_sock_listen(n->h1.fd, &lf);
	in.lh = probe_sock_listen(n->h1.fd, &lh);
	if (in.lf < 0 || in.lh < 0) {
		e = in.lf < 0 ? in.lf : in.lh;
		probe_why(o->why, sizeof(o->why), &o->in_err, e,
			  "listener on H1: %s", strerror(-e));
		goto out;
	}
	if ((e = probe_hold(n->h1.fd, &lf, hold_fd, &held[0], &held[1],
			    &o->filt_public, why, sizeof(why))) < 0 ||
	    (e = probe_hold(n->h1.fd, &lh, hold_fd, &held[2], &held[3], &eh,
			    why, sizeof(why))) < 0 ||
	    (e = probe_hold(n->h2.fd, &l2, hold_fd, &held[4], &held[5],
			    &o->h2_public, why, sizeof(why))) < 0) {
		if (e != -EINTR)
			probe_why(o->why, sizeof(o->why), &o->in_err, e,
				  "inbound: %s", why);
		goto out;
	}
	o->syn_port = PROBE_SYN_PORT;
	if (o->filt_public.port == o->syn_port || eh.port == o->syn_port ||
	    o->h2_public.port == o->syn_port)
		o->syn_port++;
	syn = (struct probe_ep){o->filt_public.ip, o->syn_port};
	probe_inbound_start(&in, IN_HOST, n->t.fd, NULL, &o->filt_public);
	probe_inbound_start(&in, IN_ADDR, n->srv.fd, &from_addr,
			    &o->filt_public);
	probe_inbound_start(&in, IN_SYN, n->t.fd, NULL, &syn);
	probe_inbound_start(&in, IN_HAIRPIN, n->h2.fd, &l2, &eh);
	e = probe_inbound_run(&in);
	if (e < 0 && e != -EINTR)
		probe_why(o->why, sizeof(o->why), &o->in_err, e,
			  "inbound: poll: %s", strerror(-e));
out:
	for (int i = 0; i < IN_N; i++)
		if (in.fd[i] >= 0)
			close(in.fd[i]);
	for (int i = 0; i < 6; i++)
		if (held[i] >= 0)
			close(held[i]);
	if (in.lf >= 0)
		close(in.lf);
	if (in.lh >= 0)
		close(in.lh);
	return e == -EINTR ? e : 0;
}
