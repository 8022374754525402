/* probe_sock: TCP and UDP sockets that the punchlab process makes inside a
 * probe run's namespaces (a socket stays in the namespace it was created
 * in, so one single-threaded process can play every host), and the outcome
 * of an attempt as the wire gave it: handshake, RST, ICMP or nothing. */
#ifndef PUNCHLAB_PROBE_SOCK_H
#define PUNCHLAB_PROBE_SOCK_H

#include <stdint.h>

#include "probe.h"

/* socket(domain, type | SOCK_NONBLOCK | SOCK_CLOEXEC, proto) made in
 * namespace ns, the caller back in its own: fd or -errno. */
int probe_sock_in(int ns, int domain, int type, int proto);
/* Non-blocking TCP socket made in namespace ns (the caller stays in its
 * own), with SO_REUSEADDR and SO_REUSEPORT so that one local port can
 * carry a listener and several connections, and IP_RECVERR so that an
 * ICMP error can be told from a RST; bound to local (port 0: any, ip 0:
 * any). fd or -errno. */
int probe_sock_new(int ns, const struct probe_ep *local);
/* Non-blocking UDP socket in ns with IP_RECVERR, bound to local (NULL:
 * any) and connected to peer unless NULL. fd or -errno. */
int probe_sock_udp(int ns, const struct probe_ep *local,
		   const struct probe_ep *peer);
/* Non-blocking packet socket in ns that gets a copy of every IPv4 packet
 * on its links (without the link header) before the IP stack and its
 * netfilter hooks see it. fd or -errno. */
int probe_sock_packet(int ns);
/* One datagram holding msg (without its NUL) to dst (NULL: the connected
 * peer). 0 or -errno. */
int probe_sock_sendto(int fd, const struct probe_ep *dst, const char *msg);
/* One waiting datagram into buf, NUL-terminated (cut to cap - 1), its
 * source into *from (may be NULL). Its length, -EAGAIN when none waits
 * or -errno (a connected socket's ICMP error: see probe_sock_udp_error). */
long probe_sock_recvfrom(int fd, char *buf, size_t cap, struct probe_ep *from);
/* What poll's POLLERR on a UDP socket was: PROBE_ANS_ICMP with type and
 * code from the error queue, else PROBE_ANS_ERROR with SO_ERROR. */
void probe_sock_udp_error(int fd, struct probe_attempt *a);
/* The same, listening. */
int probe_sock_listen(int ns, const struct probe_ep *local);
/* Starts a non-blocking connect. 0 (in progress or done) or -errno. */
int probe_sock_connect(int fd, const struct probe_ep *dst);
/* The outcome of a connect once poll reported the socket, or with
 * timed_out set when the window closed first (PROBE_ANS_NONE then). */
void probe_sock_outcome(int fd, int timed_out, struct probe_attempt *a);
/* Waits up to ms for a connect to resolve; the outcome into a. Returns
 * -EINTR when punchlab_stop was raised meanwhile, else 0. */
int probe_sock_wait(int fd, int ms, struct probe_attempt *a);
/* Waits until fd is readable or the CLOCK_MONOTONIC ms deadline end
 * passes: 0 (try again), -ETIMEDOUT when end has passed, -EINTR on
 * punchlab_stop. The loops that read or accept before a deadline. */
int probe_sock_until(int fd, int64_t end);
/* Accepts one connection within ms: fd (blocking I/O off) or -ETIMEDOUT,
 * -EINTR on stop, -errno. The peer's endpoint into *peer. */
int probe_sock_accept(int lfd, int ms, struct probe_ep *peer);
/* Local and peer endpoints of a socket. 0 or -errno. */
int probe_sock_local(int fd, struct probe_ep *ep);
/* Reads into buf until EOF, cap bytes or the deadline. Length read, or
 * -ETIMEDOUT, -EMSGSIZE (more than cap), -errno. */
long probe_sock_read_all(int fd, char *buf, size_t cap, int ms);
/* Sleeps up to ms, returning early (-EINTR) on punchlab_stop. */
int probe_sleep_ms(int ms);

#endif
