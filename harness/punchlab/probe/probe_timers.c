/* probe_timers: SYN_SENT lifetime and refresh direction, from outside,
 * each probe on a mapping of its own (a probe that gets in refreshes the
 * mapping it tests). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "monoclock.h"
#include "nat.h"
#include "probe_keys.h"
#include "probe_measure.h"
#include "probe_sock.h"
#include "probe_timers.h"
#include "probe_trap.h"
#include "probe_udp.h"

/* Over veths an answer takes microseconds; a loaded machine gets slack. */
#define PROBE_TIMER_WAIT_MS 700

static const int probe_syn_offsets_ms[PROBE_NLIFE] = {-1500, -1000, -500,
						      500,   1000,  1500};

/* Packets the routers' simopen_dropped counters hold (a missing counter
 * counts 0). */
static unsigned long long probe_simopen_drops(struct probe_net *n)
{
	unsigned long long v, sum = 0;

	if (nat_counter(n->router.fd, n->table, "simopen_dropped", &v) == 0)
		sum += v;
	if (n->has_carrier &&
	    nat_counter(n->cgn.fd, n->table, "simopen_dropped", &v) == 0)
		sum += v;
	return sum;
}

/* One probe: T's SYN from trap port tport to pub, which H1's socket in
 * SYN_SENT answers if it gets there. 1 when the mapping let it in, 0
 * when not, -EINTR. */
static int probe_syn_alive(struct probe_net *n, uint16_t tport,
			   const struct probe_ep *pub)
{
	struct probe_ep lt = {probe_addr(PROBE_T_ADDR), tport};
	unsigned long long before = probe_simopen_drops(n);
	struct probe_attempt a = {0};
	int tf, e;

	tf = probe_sock_new(n->t.fd, &lt);
	e = tf < 0 ? tf : probe_sock_connect(tf, pub);
	if (e == 0)
		e = probe_sock_wait(tf, PROBE_TIMER_WAIT_MS, &a);
	if (tf >= 0)
		close(tf);
	if (e == -EINTR)
		return e;
	return a.ans == PROBE_ANS_ACCEPTED || probe_simopen_drops(n) > before;
}

int probe_measure_synsent(struct probe_net *n, int pfd, uint16_t base,
			  unsigned int syn_s, struct probe_obs *o)
{
	int hf[PROBE_NLIFE], made = 0, e = 0;
	struct probe_ep pub[PROBE_NLIFE], local;
	int64_t from[PROBE_NLIFE], due;
	char why[200];

	for (; made < PROBE_NLIFE; made++) {
		local = (struct probe_ep){probe_addr(PROBE_H1),
					  (uint16_t)(base + 36 + made)};
		hf[made] = probe_trap_syn(
			n, pfd, &local, (uint16_t)(PROBE_TRAP_PORT + 1 + made),
			&pub[made], why, sizeof(why));
		if (hf[made] < 0) {
			e = hf[made];
			break;
		}
		from[made] = mono_ms();
	}
	if (e < 0) {
		if (e != -EINTR)
			probe_why(o->keys_why, sizeof(o->keys_why), &o->syn_err,
				  e, "SYN_SENT: %s", why);
		goto out;
	}
	o->nsyn = 0;
	for (int i = 0; i < PROBE_NLIFE; i++) {
		due = from[i] + (int)syn_s * 1000 + probe_syn_offsets_ms[i];
		if ((e = probe_sleep_ms((int)(due - mono_ms()))) < 0)
			goto out;
		o->syn_ms[i] = (int)(mono_ms() - from[i]);
		e = probe_syn_alive(n, (uint16_t)(PROBE_TRAP_PORT + 1 + i),
				    &pub[i]);
		if (e < 0)
			goto out;
		o->syn_alive[i] = e;
		o->nsyn++;
	}
	e = 0;
out:
	for (int i = 0; i < made; i++)
		close(hf[i]);
	return e == -EINTR ? e : 0;
}

/* Reads what reached H1: marks datagram "refresh <rid> <i>" arrived. */
static void probe_refresh_drain(struct probe_net *n, int hf,
				struct probe_obs *o)
{
	char buf[128], want[64];
	long got;

	while ((got = probe_sock_recvfrom(hf, buf, sizeof(buf), NULL)) !=
	       -EAGAIN) {
		if (got < 0)
			continue; /* a queued error: read the next */
		for (int i = 0; i < o->nrefresh; i++) {
			snprintf(want, sizeof(want), "refresh %s %d", n->rid,
				 i);
			if (!strcmp(buf, want))
				o->refresh_in[i] = 1;
		}
	}
}

int probe_measure_refresh(struct probe_net *n, uint16_t base,
			  unsigned int life_s, struct probe_obs *o)
{
	struct probe_ep lh = {probe_addr(PROBE_H1), (uint16_t)(base + 27)},
			ls = {probe_addr(PROBE_SRV_A), PROBE_REFRESH_PORT}, pub;
	int hf, sf = -1, e, count;
	char msg[64];
	int64_t from;

	count = (int)((life_s * 1000 + 1500) / PROBE_REFRESH_STEP_MS);
	if (count > PROBE_NREFRESH)
		count = PROBE_NREFRESH;
	hf = probe_sock_udp(n->h1.fd, &lh, NULL);
	sf = hf < 0 ? hf : probe_sock_udp(n->srv.fd, &ls, NULL);
	if (sf < 0) {
		e = sf;
		probe_why(o->keys_why, sizeof(o->keys_why), &o->refresh_err, e,
			  "refresh: socket: %s", strerror(-e));
		goto out;
	}
	snprintf(msg, sizeof(msg), "refresh %s out", n->rid);
	e = probe_sock_sendto(hf, &ls, msg);
	from = mono_ms();
	/* S learns the public endpoint from the one outbound datagram. */
	if (e == 0)
		e = probe_udp_await(sf, msg, PROBE_STEP_MS, &pub);
	if (e < 0) {
		if (e != -EINTR)
			probe_why(o->keys_why, sizeof(o->keys_why),
				  &o->refresh_err, e,
				  "refresh: H1's datagram to %s:%d: %s",
				  PROBE_SRV_A, PROBE_REFRESH_PORT,
				  e == -ETIMEDOUT ? "did not arrive"
						  : strerror(-e));
		goto out;
	}
	o->nrefresh = 0;
	for (int i = 0; i < count; i++) {
		e = probe_sleep_ms((int)(from +
					 (i + 1) * PROBE_REFRESH_STEP_MS -
					 mono_ms()));
		if (e < 0)
			goto out;
		probe_refresh_drain(n, hf, o);
		o->refresh_ms[i] = (int)(mono_ms() - from);
		o->nrefresh = i + 1;
		snprintf(msg, sizeof(msg), "refresh %s %d", n->rid, i);
		/* A failed send is a lost datagram, as on the wire. */
		probe_sock_sendto(sf, &pub, msg);
	}
	e = probe_sleep_ms(PROBE_TIMER_WAIT_MS);
	probe_refresh_drain(n, hf, o);
out:
	if (hf >= 0)
		close(hf);
	if (sf >= 0)
		close(sf);
	return e == -EINTR ? e : 0;
}
