/* probe_lifetime: one connection per idle time, because a probe that
 * gets through refreshes the mapping and one that does not ends it.
 * Inbound is what a punched hole needs, so the peer's side sends: after
 * expiry its byte reaches the router itself, not H1. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "monoclock.h"
#include "probe_lifetime.h"
#include "probe_measure.h"
#include "probe_sock.h"

/* A byte across the LAN and WAN takes microseconds; through a mapping
 * that is gone it never arrives (the router resets or drops it), so a
 * long wait costs time only for the dead ones and keeps a loaded machine
 * from calling a live mapping dead. */
#define PROBE_LIFE_WAIT_MS 1000

static const int probe_life_offsets_ms[PROBE_NLIFE] = {-1500, -1000, -500,
						       500,   1000,  1500};

/* 1 when the byte sent on sfd reaches cfd within PROBE_LIFE_WAIT_MS. */
static int probe_life_check(int cfd, int sfd)
{
	struct pollfd p = {.fd = cfd, .events = POLLIN};
	char c = 'x';

	if (write(sfd, &c, 1) != 1)
		return 0; /* reset by the router already */
	if (poll(&p, 1, PROBE_LIFE_WAIT_MS) <= 0)
		return 0;
	return read(cfd, &c, 1) == 1;
}

int probe_measure_lifetime(struct probe_net *n, int hold_fd, uint16_t base,
			   unsigned int life_s, struct probe_obs *o)
{
	int cfd[PROBE_NLIFE], sfd[PROBE_NLIFE], e = 0, made = 0;
	int64_t idle_from[PROBE_NLIFE], due;
	struct probe_ep local, seen;
	char why[200];

	for (; made < PROBE_NLIFE; made++) {
		local = (struct probe_ep){probe_addr(PROBE_H1),
					  (uint16_t)(base + 30 + made)};
		e = probe_hold(n->h1.fd, &local, hold_fd, &cfd[made],
			       &sfd[made], &seen, why, sizeof(why));
		if (e < 0)
			break;
		/* The handshake's last packet left H1 before accept()
		 * returned: the idle time runs from here. */
		idle_from[made] = mono_ms();
	}
	if (e < 0) {
		if (e != -EINTR) {
			o->life_err = e;
			if (!o->why[0])
				snprintf(o->why, sizeof(o->why), "lifetime: %s",
					 why);
		}
		goto out;
	}
	o->nlife = 0;
	for (int i = 0; i < PROBE_NLIFE; i++) {
		due = idle_from[i] + (int)life_s * 1000 +
		      probe_life_offsets_ms[i];
		if ((e = probe_sleep_ms((int)(due - mono_ms()))) < 0)
			goto out;
		/* The idle time is what it was when the byte left, not what
		 * was planned: a late wake-up on a busy machine moves the
		 * check, never its verdict. */
		o->life_ms[i] = (int)(mono_ms() - idle_from[i]);
		o->life_alive[i] = probe_life_check(cfd[i], sfd[i]);
		o->nlife++;
	}
out:
	for (int i = 0; i < made; i++) {
		close(cfd[i]);
		close(sfd[i]);
	}
	return e == -EINTR ? e : 0;
}
