/* probe_keys: port overloading and simultaneous open, each from real
 * connections through the router(s) under test. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "probe_keys.h"
#include "probe_measure.h"
#include "probe_sock.h"
#include "probe_trap.h"
#include "probe_udp.h"

int probe_measure_overloading(struct probe_net *n, uint16_t base,
			      struct probe_obs *o)
{
	const struct probe_ep s1 = {probe_addr(PROBE_SRV_A), PROBE_PORT_1},
			      s2 = {probe_addr(PROBE_SRV_B), PROBE_PORT_1};
	struct probe_ep l1 = {probe_addr(PROBE_H1), (uint16_t)(base + 25)},
			l2 = {probe_addr(PROBE_H2), (uint16_t)(base + 25)};
	struct probe_http_answer ans;
	int f1 = -1, f2 = -1, e;
	char why[200];

	o->ovl_local = l1.port;
	e = probe_get(n->h1.fd, &l1, &s1, &f1, &ans, why, sizeof(why));
	if (e == 0) {
		o->ovl_h1 = ans.observed;
		/* H1's connection is still open: its port is held. */
		e = probe_get(n->h2.fd, &l2, &s2, &f2, &ans, why, sizeof(why));
		if (e == 0)
			o->ovl_h2 = ans.observed;
	}
	if (e < 0 && e != -EINTR)
		probe_why(o->keys_why, sizeof(o->keys_why), &o->ovl_err, e,
			  "overloading: %s", why);
	if (f1 >= 0)
		close(f1);
	if (f2 >= 0)
		close(f2);
	return e == -EINTR ? e : 0;
}

/* A datagram from ns/local to srv's socket sf at dst: the source sf saw. */
static int probe_udp_from(struct probe_net *n, int ns,
			  const struct probe_ep *local, int sf,
			  const struct probe_ep *dst, const char *who,
			  struct probe_ep *seen)
{
	char msg[64];
	int fd, e;

	snprintf(msg, sizeof(msg), "overloading %s %s", n->rid, who);
	fd = probe_sock_udp(ns, local, NULL);
	e = fd < 0 ? fd : probe_sock_sendto(fd, dst, msg);
	if (e == 0)
		e = probe_udp_await(sf, msg, PROBE_STEP_MS, seen);
	/* The mapping outlives the socket: conntrack keeps it 30 s. */
	if (fd >= 0)
		close(fd);
	return e;
}

int probe_measure_udp_overloading(struct probe_net *n, uint16_t base,
				  struct probe_obs *o)
{
	const struct probe_ep s1 = {probe_addr(PROBE_SRV_A), PROBE_OVL_PORT},
			      s2 = {probe_addr(PROBE_SRV_B), PROBE_OVL_PORT};
	struct probe_ep l1 = {probe_addr(PROBE_H1), (uint16_t)(base + 28)},
			l2 = {probe_addr(PROBE_H2), (uint16_t)(base + 28)};
	int f1, f2 = -1, e;

	o->udp_ovl_local = l1.port;
	f1 = probe_sock_udp(n->srv.fd, &s1, NULL);
	f2 = f1 < 0 ? f1 : probe_sock_udp(n->srv.fd, &s2, NULL);
	e = f2 < 0 ? f2
		   : probe_udp_from(n, n->h1.fd, &l1, f1, &s1, "h1",
				    &o->udp_ovl_h1);
	if (e == 0)
		e = probe_udp_from(n, n->h2.fd, &l2, f2, &s2, "h2",
				   &o->udp_ovl_h2);
	if (e < 0 && e != -EINTR)
		probe_why(o->keys_why, sizeof(o->keys_why), &o->udp_ovl_err, e,
			  "UDP overloading: %s",
			  e == -ETIMEDOUT ? "a datagram did not arrive"
					  : strerror(-e));
	if (f1 >= 0)
		close(f1);
	if (f2 >= 0)
		close(f2);
	return e == -EINTR ? e : 0;
}

int probe_measure_simopen(struct probe_net *n, int pfd, uint16_t base,
			  struct probe_obs *o)
{
	struct probe_ep l1 = {probe_addr(PROBE_H1), (uint16_t)(base + 26)},
			lt = {probe_addr(PROBE_T_ADDR), PROBE_TRAP_PORT};
	int hf, tf = -1, e;
	char why[200];

	hf = probe_trap_syn(n, pfd, &l1, PROBE_TRAP_PORT, &o->so_public, why,
			    sizeof(why));
	if (hf < 0) {
		if (hf != -EINTR)
			probe_why(o->keys_why, sizeof(o->keys_why), &o->so_err,
				  hf, "simultaneous open: %s", why);
		return hf == -EINTR ? hf : 0;
	}
	tf = probe_sock_new(n->t.fd, &lt);
	e = tf < 0 ? tf : probe_sock_connect(tf, &o->so_public);
	if (e < 0) {
		probe_why(o->keys_why, sizeof(o->keys_why), &o->so_err, e,
			  "simultaneous open: T's SYN: %s", strerror(-e));
		goto out;
	}
	/* H1 completes as soon as T's SYN reaches it (it answers SYN-ACK,
	 * T's ACK follows); T's own outcome is settled a moment later. */
	e = probe_sock_wait(hf, PROBE_WINDOW_MS, &o->so_h1);
	if (e == 0)
		e = probe_sock_wait(
			tf,
			o->so_h1.ans == PROBE_ANS_ACCEPTED ? PROBE_STEP_MS : 0,
			&o->so_t);
out:
	close(hf);
	if (tf >= 0)
		close(tf);
	return e == -EINTR ? e : 0;
}
