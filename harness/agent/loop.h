/* loop: the agent's waiting primitives — the monotonic clock, poll and sleep
 * bounded by absolute deadlines, and the SIGTERM/SIGINT flag they honour. */
#ifndef PUNCHLAB_AGENT_LOOP_H
#define PUNCHLAB_AGENT_LOOP_H

#include <poll.h>
#include <stdint.h>

#define LOOP_NS_PER_MS INT64_C(1000000)

/* Blocks SIGTERM and SIGINT outside the waits below and installs a handler
 * that only sets a flag; the waits unblock them atomically (ppoll), so a
 * signal can never slip in between a flag check and a wait. Also shrinks
 * the timer slack so a start time is met to a few microseconds. 0 or
 * -errno. */
int loop_init(void);
int loop_terminated(void);

/* poll() until deadline_ns (absolute). Returns the number of ready fds,
 * 0 at the deadline, -EINTR once terminated, other -errno on failure. */
int loop_poll(struct pollfd *fds, unsigned int n, int64_t deadline_ns);

/* Sleeps until t_ns with clock_nanosleep(TIMER_ABSTIME) for the precise
 * end. 0, or -EINTR once terminated. */
int loop_sleep_until(int64_t t_ns);
/* From now on loop_sleep_until sleeps until spin_ns before t_ns and
 * busy-waits the rest (0: never spins). Only under SCHED_FIFO is it worth
 * it: the wake-up, not the timer, is what comes late (an idle vCPU's
 * wake-up here took up to hundreds of us). Measured with 96 trials in
 * flight (bench/timing.sh): start error p99 365-585 us spinning 100 us,
 * 270-320 us at 300 us, 146-173 us at 1 ms, where spinners at the agents'
 * priority began to delay the others' connections (ttc - RTT p90 0.45 ->
 * 0.5 -> 0.66-0.84 ms). */
#define LOOP_SPIN_NS INT64_C(300000)
void loop_spin(int64_t spin_ns);

#endif
