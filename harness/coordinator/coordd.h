/* coordd: the punch coordinator daemon's one poll() loop: the listening
 * socket, reading and framing client input for dispatch.c, flushing
 * output, per-state deadlines (OpenBSD ntpd style: signals only set a
 * flag, every wait has an explicit timeout). */
#ifndef PUNCHLAB_COORD_COORDD_H
#define PUNCHLAB_COORD_COORDD_H

#include <poll.h>
#include <signal.h>
#include <stdint.h>

#include "clients.h"
#include "opts.h"

struct coordd {
	struct clients cl;
	int lfd;
	/* The probe listener: lfd's port + COORD_PROBE_PORT_OFFSET (-1
	 * when that port is not free, or lfd's port was 0). A client there
	 * is like any other; only its hpregister flags make it a probe. */
	int lfd2;
	/* --listen6: the IPv6-only listener, -1 without. Its clients pair
	 * among themselves (pairing.c): a punch never crosses families. */
	int lfd6;
	int64_t accept_paused_until_us; /* after EMFILE/ENFILE */
	int64_t report_us;		/* the last once-a-second report */
	/* The poll set, sized with the client table. */
	struct pollfd *pfd;
	struct conn **polled;
	size_t pcap;
};

/* Binds and listens (and the probe listener, when it can), then emits the "listening" event with the bound
 * address (so port 0 works). 0 or -errno. */
int coordd_open(struct coordd *d, const struct opts *o);
/* Runs until *stop is set. Signals that set *stop must be blocked by the
 * caller; waitmask is the mask to wait with (ppoll), so a signal can
 * never slip in between the check and the wait. 0 or -errno. */
int coordd_run(struct coordd *d, volatile sig_atomic_t *stop,
	       const sigset_t *waitmask);
/* Closes every client and the listener. Safe on a zeroed coordd with
 * lfd = lfd2 = -1. */
void coordd_close(struct coordd *d);

#endif
