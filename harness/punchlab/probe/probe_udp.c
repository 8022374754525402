/* probe_udp: UDP as the probe sees it. The servers are plain sockets the
 * punchlab process opens in srv's namespace on S:a:p1, S:a:p2 and S:b:p1:
 * the source recvfrom() gives there is the mapping, as a STUN server would
 * reflect it. Every datagram carries the run id and its role, so only the
 * expected one counts. */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "monoclock.h"
#include "log.h"
#include "probe_class.h"
#include "probe_measure.h"
#include "probe_sock.h"
#include "probe_udp.h"
#include "punchlab.h"

#define PROBE_UDP_UNSOL_PORT 9 /* discard: no mapping ever uses it here */

enum { SRV_A1, SRV_A2, SRV_B1, SRV_N };

struct probe_udp {
	struct probe_net *n;
	struct probe_udp_obs *o;
	int srv[SRV_N];
	struct probe_ep srv_ep[SRV_N];
};

/* The payload of one role's datagram. */
static const char *probe_udp_msg(const struct probe_udp *u, const char *role,
				 int i, char *buf, size_t cap)
{
	snprintf(buf, cap, "punchlab probe %s %s %d", u->n->rid, role, i);
	return buf;
}

int probe_udp_await(int fd, const char *msg, int ms, struct probe_ep *from)
{
	int64_t end = mono_ms() + ms;
	int errors = 0, e;
	char buf[128];
	long got;

	for (;;) {
		if (punchlab_stop)
			return -EINTR;
		got = probe_sock_recvfrom(fd, buf, sizeof(buf), from);
		if (got >= 0 && !strcmp(buf, msg))
			return 0;
		/* Each read clears one queued error; more than a burst of
		 * them is a broken socket. */
		if (got < 0 && got != -EAGAIN && ++errors > 64)
			return (int)got;
		if (got != -EAGAIN)
			continue;
		if ((e = probe_sock_until(fd, end)) < 0)
			return e;
	}
}

/* A datagram msg from fd to server i; the source server i saw. */
static int probe_udp_ask(struct probe_udp *u, int fd, int i, const char *msg,
			 struct probe_ep *seen, char *why, size_t cap)
{
	char ep[32];
	int e;

	e = probe_sock_sendto(fd, &u->srv_ep[i], msg);
	if (e == 0)
		e = probe_udp_await(u->srv[i], msg, PROBE_STEP_MS, seen);
	if (e < 0)
		snprintf(why, cap, "datagram to %s: %s",
			 probe_ep_str(&u->srv_ep[i], ep, sizeof(ep)),
			 e == -ETIMEDOUT ? "did not arrive" : strerror(-e));
	return e;
}

static int probe_udp_mapping(struct probe_udp *u, uint16_t base)
{
	struct probe_udp_obs *o = u->o;
	char msg[64], why[200];
	int fd, e = 0;

	o->m.map_local = (struct probe_ep){probe_addr(PROBE_H1), base};
	fd = probe_sock_udp(u->n->h1.fd, &o->m.map_local, NULL);
	if (fd < 0) {
		probe_why(o->why, sizeof(o->why), &o->m.map_err, fd,
			  "UDP mapping: socket: %s", strerror(-fd));
		return 0;
	}
	for (int i = 0; i < SRV_N && !e; i++) {
		e = probe_udp_ask(u, fd, i,
				  probe_udp_msg(u, "map", i, msg, sizeof(msg)),
				  &o->m.map_seen[i], why, sizeof(why));
		if (e < 0 && e != -EINTR)
			probe_why(o->why, sizeof(o->why), &o->m.map_err, e,
				  "UDP mapping: %s", why);
	}
	close(fd);
	return e == -EINTR ? e : 0;
}

static int probe_udp_ports(struct probe_udp *u, uint16_t base)
{
	struct probe_udp_obs *o = u->o;
	int fds[PROBE_NPORTS], nfd = 0, e = 0;
	struct probe_ep local, seen;
	char msg[64], why[200];

	o->m.nports = 0;
	for (int i = 0; i < PROBE_NPORTS && !e; i++) {
		local = (struct probe_ep){probe_addr(PROBE_H1),
					  (uint16_t)(base + 10 + i)};
		fds[nfd] = probe_sock_udp(u->n->h1.fd, &local, NULL);
		if (fds[nfd] < 0) {
			e = fds[nfd];
			snprintf(why, sizeof(why), "socket: %s", strerror(-e));
		} else {
			e = probe_udp_ask(
				u, fds[nfd++], SRV_A1,
				probe_udp_msg(u, "port", i, msg, sizeof(msg)),
				&seen, why, sizeof(why));
		}
		if (e == 0) {
			o->m.port_local[i] = local.port;
			o->m.port_seen[i] = seen.port;
			o->m.nports++;
		} else if (e != -EINTR) {
			probe_why(o->why, sizeof(o->why), &o->m.ports_err, e,
				  "UDP ports: %s", why);
		}
	}
	for (int i = 0; i < nfd; i++)
		close(fds[i]);
	return e == -EINTR ? e : 0;
}

/* The datagrams of the inbound window, by role. */
enum { IN_REPLY, IN_PORT, IN_ADDR, IN_N };
static const char *const probe_udp_in_role[IN_N] = {"reply", "port", "addr"};
static const int probe_udp_in_srv[IN_N] = {SRV_A1, SRV_A2, SRV_B1};

/* Reads what reached H1's socket hf; 1 when all IN_N datagrams did. */
static int probe_udp_arrivals(struct probe_udp *u, int hf,
			      struct probe_attempt *att[IN_N])
{
	struct probe_ep from;
	char buf[128], msg[64];
	int all = 1;
	long got;

	for (int k = 0; k < 64; k++) {
		got = probe_sock_recvfrom(hf, buf, sizeof(buf), &from);
		if (got == -EAGAIN)
			break;
		for (int i = 0; got >= 0 && i < IN_N; i++)
			if (!strcmp(buf, probe_udp_msg(u, probe_udp_in_role[i],
						       0, msg, sizeof(msg)))) {
				att[i]->arrived = 1;
				att[i]->ans = PROBE_ANS_ACCEPTED;
				att[i]->seen_as = from;
			}
	}
	for (int i = 0; i < IN_N; i++)
		all = all && att[i]->arrived;
	return all;
}

/* Until every datagram arrived and T's unsolicited one was answered, or
 * PROBE_WINDOW_MS: what is still missing then was dropped. */
static int probe_udp_window(struct probe_udp *u, int hf, int tf)
{
	struct probe_udp_obs *o = u->o;
	struct probe_attempt *att[IN_N] = {&o->reply, &o->from_port,
					   &o->from_addr};
	int64_t end = mono_ms() + PROBE_WINDOW_MS, now;
	struct pollfd p[2] = {{.fd = hf, .events = POLLIN},
			      {.fd = tf, .events = POLLIN}};
	int all = 0, answered = 0;
	char buf[128];

	while ((now = mono_ms()) < end && !(all && answered)) {
		if (poll(p, answered ? 1 : 2,
			 (int)(end - now < 50 ? end - now : 50)) < 0 &&
		    errno != EINTR)
			return -errno;
		if (punchlab_stop)
			return -EINTR;
		all = probe_udp_arrivals(u, hf, att);
		if (answered || !p[1].revents)
			continue;
		answered = 1;
		if (p[1].revents & POLLERR)
			probe_sock_udp_error(tf, &o->unsol);
		else if (probe_sock_recvfrom(tf, buf, sizeof(buf), NULL) >= 0)
			o->unsol.ans = PROBE_ANS_ACCEPTED; /* a datagram back */
		else
			answered = 0;
	}
	if (!answered)
		o->unsol.ans = PROBE_ANS_NONE;
	return 0;
}

static int probe_udp_inbound(struct probe_udp *u, uint16_t base)
{
	struct probe_udp_obs *o = u->o;
	struct probe_ep lf = {probe_addr(PROBE_H1), (uint16_t)(base + 20)}, dst;
	int hf, tf = -1, e;
	char msg[64], why[200];

	hf = probe_sock_udp(u->n->h1.fd, &lf, NULL);
	if (hf < 0) {
		probe_why(o->why, sizeof(o->why), &o->in_err, hf,
			  "UDP inbound: socket: %s", strerror(-hf));
		return 0;
	}
	e = probe_udp_ask(u, hf, SRV_A1,
			  probe_udp_msg(u, "hold", 0, msg, sizeof(msg)),
			  &o->filt_public, why, sizeof(why));
	if (e < 0)
		goto out;
	o->unsol_port = PROBE_UDP_UNSOL_PORT;
	if (o->filt_public.port == o->unsol_port)
		o->unsol_port++;
	dst = (struct probe_ep){o->filt_public.ip, o->unsol_port};
	tf = probe_sock_udp(u->n->t.fd, NULL, &dst);
	if (tf < 0) {
		e = tf;
		snprintf(why, sizeof(why), "socket on T: %s", strerror(-e));
		goto out;
	}
	for (int i = IN_N - 1; i >= 0 && !e; i--)
		e = probe_sock_sendto(u->srv[probe_udp_in_srv[i]],
				      &o->filt_public,
				      probe_udp_msg(u, probe_udp_in_role[i], 0,
						    msg, sizeof(msg)));
	if (!e)
		e = probe_sock_sendto(
			tf, NULL,
			probe_udp_msg(u, "unsol", 0, msg, sizeof(msg)));
	if (e < 0)
		snprintf(why, sizeof(why), "send: %s", strerror(-e));
	else
		e = probe_udp_window(u, hf, tf);
out:
	if (e < 0 && e != -EINTR)
		probe_why(o->why, sizeof(o->why), &o->in_err, e,
			  "UDP inbound: %s", why);
	if (tf >= 0)
		close(tf);
	close(hf);
	return e == -EINTR ? e : 0;
}

int probe_udp_measure(struct probe_net *n, uint16_t base, struct probe_obs *o)
{
	struct probe_udp u = {.n = n, .o = &o->udp, .srv = {-1, -1, -1}};
	int e = 0;

	u.srv_ep[SRV_A1] =
		(struct probe_ep){probe_addr(PROBE_SRV_A), PROBE_PORT_1};
	u.srv_ep[SRV_A2] =
		(struct probe_ep){probe_addr(PROBE_SRV_A), PROBE_PORT_2};
	u.srv_ep[SRV_B1] =
		(struct probe_ep){probe_addr(PROBE_SRV_B), PROBE_PORT_1};
	for (int i = 0; i < SRV_N && !e; i++) {
		u.srv[i] = probe_sock_udp(n->srv.fd, &u.srv_ep[i], NULL);
		e = u.srv[i] < 0 ? u.srv[i] : 0;
	}
	if (e < 0) {
		o->udp.m.map_err = o->udp.m.ports_err = o->udp.in_err = e;
		snprintf(o->udp.why, sizeof(o->udp.why),
			 "UDP server socket in %s: %s", n->srv.ns,
			 strerror(-e));
		goto out;
	}
	log_debug("probe: UDP mapping from %s:%u", PROBE_H1, base);
	e = probe_udp_mapping(&u, base);
	if (!e) {
		log_debug("probe: UDP port assignment");
		e = probe_udp_ports(&u, base);
	}
	if (!e) {
		log_debug("probe: UDP filtering, unsolicited datagram");
		e = probe_udp_inbound(&u, base);
	}
out:
	for (int i = 0; i < SRV_N; i++)
		if (u.srv[i] >= 0)
			close(u.srv[i]);
	return e;
}
