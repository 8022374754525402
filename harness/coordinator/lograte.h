/* lograte: at most N log lines a second (--log-rate), so a flood cannot
 * turn one log line per connection into megabytes of stderr. Lines over
 * the budget are counted, and the count is reported once a second as
 * "suppressed K lines". The counter is pure (unit-tested); lograte_install
 * puts one in front of log.h's lines for the whole process. */
#ifndef PUNCHLAB_COORD_LOGRATE_H
#define PUNCHLAB_COORD_LOGRATE_H

#include <stdint.h>

#define LOGRATE_WINDOW_NS 1000000000LL

struct lograte {
	unsigned rate;	      /* lines per window; 0: no limit */
	int64_t window_ns;    /* start of the current window */
	unsigned in_window;   /* lines let through in it */
	int64_t report_ns;    /* the last report (or init) */
	uint64_t suppressed;  /* not yet reported */
	uint64_t suppressed_total;
};

void lograte_init(struct lograte *lr, unsigned rate, int64_t now_ns);
/* 1: write the line; 0: over the budget (counted). */
int lograte_allow(struct lograte *lr, int64_t now_ns);
/* The lines suppressed since the last report, once at least a window has
 * passed since that report (else 0, and they wait); resets the count. */
uint64_t lograte_take_report(struct lograte *lr, int64_t now_ns);

/* Limits the process's log.h lines to rate a second (0: leaves them
 * alone). */
void lograte_install(unsigned rate);
/* Called from the poll loop, which wakes at least once a second: writes
 * "suppressed K lines" when lines were suppressed. */
void lograte_report(int64_t now_ns);

#endif
