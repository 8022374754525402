/* netconn: one TCP connection of an embedded node as a non-blocking
 * state machine — connecting, version/verack, open, closed — over P2P
 * framing. Opening, closing and an open connection's messages go up
 * through w->ops. A closed connection stays readable until netconn_reap. */
#ifndef PUNCHLAB_NETCONN_H
#define PUNCHLAB_NETCONN_H

#include "netmodel.h"

/* Into n's namespace and back to the process's own (abort when the way
 * back fails: every later socket would land in the wrong one). */
int netconn_enter(struct networld *w, struct netnode *n);
void netconn_leave(struct networld *w);
/* A socket created in n's namespace. reuse: SO_REUSEADDR + SO_REUSEPORT
 * and bound to local_port (0: the kernel's pick), as a punch must share
 * its registration's port. The fd or -errno. */
int netconn_socket(struct networld *w, struct netnode *n, int reuse,
		   uint16_t local_port);
/* TCP_NODELAY on fd: 0 or -1 with errno. */
int netconn_nodelay(int fd);
/* Connects from n (see netconn_socket) to `to`. NULL with errno set when
 * the connect failed at once. */
struct netconn *netconn_dial(struct networld *w, struct netnode *n,
			     enum netconn_kind kind,
			     const struct sockaddr_in *to, int reuse,
			     uint16_t local_port);
/* Takes an accepted fd; the kind follows the peer's relay flag. */
struct netconn *netconn_accepted(struct networld *w, struct netnode *n,
				 int fd, const struct sockaddr_in *from);
uint16_t netconn_local_port(const struct netconn *c);
/* Queues one message; sends what the socket takes now. 0 or -errno
 * (-ENOMEM); a broken socket shows up as an event, not here. */
int netconn_send(struct networld *w, struct netconn *c, const char *cmd,
		 const void *payload, size_t len);
void netconn_event(struct networld *w, struct netconn *c, uint32_t events);
/* err: why (0 on purpose; -EPROTO a wrong version nonce). */
void netconn_close(struct networld *w, struct netconn *c, int err);
/* Closes connections not open by their deadline. */
void netconn_sweep(struct networld *w, int64_t now);
void netconn_reap(struct networld *w);

#endif
