/* control: the coordinator's side of --control-fd, the channel the
 * harness that started it reads events from (line format in coordctl.h).
 * Writes never block and never stop the daemon: events wait in a small
 * buffer for a slow reader; when the reader is gone, the channel is
 * closed and the daemon carries on without it. */
#ifndef PUNCHLAB_COORD_CONTROL_H
#define PUNCHLAB_COORD_CONTROL_H

#include <stdint.h>

/* Buffered event lines at most; an event past it is lost (and logged). */
#define CONTROL_BUF 4096

/* fd: an inherited pipe or socket, made non-blocking and close-on-exec;
 * -1 turns the channel off. 0, -EBADF, or -EINVAL (not a pipe or a
 * socket). */
int control_init(int fd);
/* Handoff mode: a peer registered with key now holds an inbound slot;
 * advertised: a holder of key is held (its light connection). */
void control_held(uint64_t key);
/* The fd to poll for POLLOUT while events wait, else -1. */
int control_poll_fd(void);
/* Writes what the reader takes now. */
void control_flush(void);

#endif
