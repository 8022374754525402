/* sock: TCP sockets for the agent — bound to its one local port with
 * address and port reuse, non-blocking connects with deadlines, and
 * "host:port" parsing. */
#ifndef PUNCHLAB_AGENT_SOCK_H
#define PUNCHLAB_AGENT_SOCK_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* Non-blocking TCP socket of family (AF_INET, or AF_INET6 with
 * IPV6_V6ONLY) with SO_REUSEADDR and SO_REUSEPORT, bound to 0.0.0.0:port
 * (or [::]:port), so the coordinator connection and every punch wave share
 * one source port (and so one NAT mapping). fd or -errno. */
int sock_bound_af(int family, uint16_t port);
/* sock_bound_af(AF_INET, port) */
int sock_bound(uint16_t port);

/* sock_bound_af, listening: the punch port's listener. fd or -errno. */
int sock_listener_af(int family, uint16_t port);
/* sock_listener_af(AF_INET, port) */
int sock_listener(uint16_t port);
/* Starts a connect on a non-blocking fd. 0 when already connected,
 * -EINPROGRESS while it runs, other -errno when it failed at once. */
int sock_connect(int fd, const struct sockaddr *sa, socklen_t len);

/* Waits for a started connect. 0 when connected, -ETIMEDOUT at the
 * deadline, -EINTR once terminated, or the connect's own -errno
 * (-ECONNREFUSED, -EHOSTUNREACH, ...). */
int sock_wait_connect(int fd, int64_t deadline_ns);

/* Non-blocking socket for sa's family, connected before the deadline.
 * fd or -errno as above. */
int sock_dial(const struct sockaddr *sa, socklen_t len, int64_t deadline_ns);


/* "ip:port" / "[ip]:port" of a sockaddr into buf; returns buf. */
/* fd's peer port (host order), 0 when it has none. */
uint16_t sock_peer_port(int fd);
char *sock_str(const struct sockaddr *sa, char *buf, size_t cap);

#endif
