/* probe_measure: the tests of `punchlab probe`, each made of real TCP
 * connections through the router(s) under test, filling struct probe_obs.
 * Local ports are laid out from one base so every test has fresh ones. */
#ifndef PUNCHLAB_PROBE_MEASURE_H
#define PUNCHLAB_PROBE_MEASURE_H

#include <stddef.h>

#include "probe.h"
#include "probe_http.h"
#include "probe_net.h"

#define PROBE_WINDOW_MS 2000 /* how long an inbound SYN may go unanswered */
#define PROBE_STEP_MS 1500   /* one connect or one answer on the LAN/WAN */

/* Each returns 0 when the test ran (its result, or why it could not, is
 * in o) and -EINTR when punchlab_stop cut it short. */

/* H1:base toward S:a:p1, S:a:p2, S:b:p1 through the probe server. */
int probe_measure_mapping(struct probe_net *n, uint16_t base,
			  struct probe_obs *o);
/* PROBE_NPORTS new mappings from H1:base+10.. toward S:a:p1. */
int probe_measure_ports(struct probe_net *n, uint16_t base,
			struct probe_obs *o);
/* Filtering, unsolicited SYN and hairpinning, all in one window; hold_fd
 * listens on S:a:PROBE_HOLD_PORT. */
int probe_measure_inbound(struct probe_net *n, int hold_fd, uint16_t base,
			  struct probe_obs *o);
/* A connection from ns/local to the holder; its fd and the holder's
 * accepted fd, and the source the holder saw. 0 or -errno (why filled). */
int probe_hold(int ns, const struct probe_ep *local, int hold_fd, int *cfd,
	       int *sfd, struct probe_ep *seen, char *why, size_t cap);
/* One GET to the probe server from ns/local; the connection stays open
 * in *fdp so its mapping lives while the next ones are made. 0 with the
 * answer (the source the server saw) or -errno with why filled. */
int probe_get(int ns, const struct probe_ep *local,
	      const struct probe_ep *server, int *fdp,
	      struct probe_http_answer *ans, char *why, size_t cap);
/* Sets *err to -|e| and, unless buf holds a message already (the first
 * failure is the one reported), writes the message into buf. */
void probe_why(char *buf, size_t cap, int *err, int e, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* An address of probe_net.h's in network byte order. */
uint32_t probe_addr(const char *dotted);

#endif
