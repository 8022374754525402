/* adv: what every role of punch-adversary shares — the run's identity,
 * the events file, the hard time bound and the stop flag. A role is one
 * file (redirect.c, flood.c, ...) with an entry in main.c's table; it
 * parses its own options from the arguments main did not take, and
 * returns the program's exit code. docs/adversaries.md is the contract. */
#ifndef PUNCHLAB_ADV_H
#define PUNCHLAB_ADV_H

#include <signal.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

struct adv_ctx {
	const char *run_id;
	const char *role;
	FILE *events;	     /* one JSON object per line; never NULL */
	int64_t deadline_ns; /* CLOCK_MONOTONIC: the role stops by then */
	uint32_t magic;	     /* P2P network magic */
	volatile sig_atomic_t *stop;
	int verbose;
};

struct adv_role {
	const char *name;
	const char *usage; /* the role's own options, for --help */
	int (*run)(struct adv_ctx *c, int argc, char **argv);
};

/* Writes {"event": name, "t_ns": now, ...members} as one line and
 * flushes it; steals members (may be NULL). A failed write is counted
 * and reported once at the end, never fatal: the attack goes on. */
void adv_event(struct adv_ctx *c, const char *name, json_t *members);
/* Event lines that could not be written (reported at exit). */
unsigned adv_events_failed(void);
/* 1 when SIGTERM/SIGINT arrived or the deadline passed. */
int adv_done(const struct adv_ctx *c);
/* Milliseconds left until the deadline (0 when past), capped at cap_ms:
 * a poll timeout that wakes in time for the bound. */
int adv_wait_ms(const struct adv_ctx *c, int cap_ms);

#endif
