/* shaper: punch-shaper's engine. Holds every queued packet in one heap
 * until shapecalc says it may go, and answers it then; one ppoll() loop on
 * the queue socket and a CLOCK_MONOTONIC timerfd armed for the earliest
 * release. */
#ifndef PUNCHLAB_SHAPER_H
#define PUNCHLAB_SHAPER_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "shapecalc.h"
#include "shapeheap.h"
#include "shapespec.h"

/* Any number of queues, one per conditioned link (two per cell, more
 * with coordinator delays); only NFQUEUE's 16-bit numbers bound them. */
#define SHAPER_DEFAULT_MAXLEN 8192
/* Packets held at once over all queues: the heap is allocated up front,
 * and n queues x maxlen would be 24 MB per 128 queues. A packet past it
 * is dropped and counted as overflow. */
#define SHAPER_HELD_MAX (1u << 20)

struct qsock;
struct shapeboard;

struct shaper_queue {
	struct shapecalc calc;
	struct shape_spec base; /* the --queue spec; a board set overrides it */
	uint64_t board_gen;	/* the board configuration applied last */
	unsigned long long packets;  /* seen */
	unsigned long long bytes;    /* IP bytes seen */
	unsigned long long lost;     /* dropped by the loss draw */
	unsigned long long overflow; /* dropped because the heap was full */
	unsigned long long held, max_held;
	/* How long each packet let through was meant to be held (release
	 * minus arrival, as scheduled): what the link was told to do, which
	 * a busy machine cannot move. */
	unsigned long long holds, hold_ns_min, hold_ns_max;
	double hold_ns_sum, hold_ns_sum2;
	/* How late releases from the heap were (timer wake-up latency). */
	unsigned long long released, late_ns_sum, late_ns_max;
	unsigned long long kernel_dropped, user_dropped; /* at shaper_close */
};

struct shaper_opts {
	uint64_t seed;
	enum shapecalc_dist dist;
	int reorder;
	uint32_t maxlen; /* per queue, in the kernel and in the heap */
	const char *trace; /* per-packet decisions to this file, or NULL */
	const char *board; /* a shapeboard file (shapeboard.h), or NULL */
};

struct shaper {
	struct shaper_queue *q; /* nq of them, sorted by queue number */
	size_t nq;
	struct shapeheap heap;
	struct qsock *qs;
	int tfd;
	uint64_t armed_ns; /* what the timer is set to; 0 = disarmed */
	unsigned long long enobufs, zero_len;
	FILE *trace; /* "queue len arrival_ns hold_ns" per packet; -1 dropped */
	struct shapeboard *board; /* per-queue configuration and statistics */
};

/* Binds one NFQUEUE per spec (queue numbers distinct) in the current
 * namespace. 0 or -errno; on failure nothing is left bound or allocated. */
int shaper_open(struct shaper *s, const struct shape_spec *specs, size_t n,
		const struct shaper_opts *o);
/* Runs until *stop is set. Signals are expected blocked; waitmask is the
 * mask used while waiting (ppoll). 0, or -errno when the socket fails. */
int shaper_run(struct shaper *s, volatile sig_atomic_t *stop,
	       const sigset_t *waitmask);
/* Drops what is still held, reads the kernel's per-queue drop counters,
 * then unbinds and closes the trace. The counters stay readable in s->q until shaper_free. */
void shaper_close(struct shaper *s);
/* Frees s->q (after shaper_close); safe on a shaper never opened. */
void shaper_free(struct shaper *s);

#endif
