/* monoclock: CLOCK_MONOTONIC, the one clock of a run. Every namespace and
 * process of the host shares it, so stamps taken by the agents, the
 * coordinator, the shaper and the harness compare exactly. */
#ifndef PUNCHLAB_MONOCLOCK_H
#define PUNCHLAB_MONOCLOCK_H

#include <stdint.h>
#include <time.h>

static inline int64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static inline int64_t mono_us(void)
{
	return mono_ns() / 1000;
}

static inline int64_t mono_ms(void)
{
	return mono_ns() / 1000000;
}

#endif
