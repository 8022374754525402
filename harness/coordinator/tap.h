/* tap: the coordinator's side of --tap-fd, the channel that leaks each
 * pairing to an off-path partner (docs/adversaries.md, section 3; line
 * format in coordtap.h). A linechan: never blocks, and a reader that
 * goes away only closes the channel. */
#ifndef PUNCHLAB_COORD_TAP_H
#define PUNCHLAB_COORD_TAP_H

#include <stdint.h>

#include "conn.h"

/* fd as in linechan_init; -1 turns the tap off. */
int tap_init(int fd);
/* a and b were just sent their hppunch (a's with delay_a_ms): writes
 * "pair KEY A B START" with START = now + a's RTT/2 + delay_a_ms, the
 * instant a's agent starts (it waits delay_ms from the hppunch's
 * arrival); the coordinator scheduled b's for the same instant. */
void tap_pair(const struct conn *a, const struct conn *b,
	      uint32_t delay_a_ms);
/* The fd to poll for POLLOUT while lines wait, else -1. */
int tap_poll_fd(void);
void tap_flush(void);

#endif
