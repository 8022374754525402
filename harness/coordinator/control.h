/* control: the coordinator's side of --control-fd, the channel the
 * harness that started it reads events from (line format in coordctl.h).
 * A linechan (linechan.h): never blocks, and a reader that goes away
 * only closes the channel. */
#ifndef PUNCHLAB_COORD_CONTROL_H
#define PUNCHLAB_COORD_CONTROL_H

#include <stdint.h>

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
