/* timing: the harness's own timing, carried by every result. Per trial:
 * each side's start error (its first SYN minus when that SYN was due)
 * and the gap between the two first SYNs, plus the shaper's lateness on
 * the cell's queues; per cell their percentiles and whether the lab kept
 * time well enough for the cell's rate to be the NAT's. */
#ifndef PUNCHLAB_TIMING_H
#define PUNCHLAB_TIMING_H

#include "results.h"

struct json_t;
struct shapeboard_delta;

/* rec: a trial record holding the side reports "alice" and "bob"
 * (t_start_ns, t_punch_ns, syn_ns). Adds to each side "t_first_syn_ns"
 * and "start_error_us" (null without a SYN), to rec "first_syn_gap_us"
 * (bob's first SYN minus alice's, signed; null unless both sent one) and
 * "shaper_packets", "shaper_late_us_mean", "shaper_late_us_max" from sh
 * (the cell's queues over the trial; NULL: not shaped, all null), and
 * accounts the values in r. */
void timing_trial(struct json_t *rec, const struct shapeboard_delta *sh,
		  struct cell_result *r);

/* The cell's verdict on its own timing. */
enum timing_verdict {
	TIMING_OK,
	TIMING_DEGRADED,   /* start error p90 or shaper lateness mean > max */
	TIMING_UNMEASURED, /* no side sent a SYN the harness saw */
};

/* Adds to j (a summary.json cell) start_error_us_p50/p90/p99/max,
 * first_syn_gap_us_p50/p90/max (of |gap|), shaper_late_us_mean/max
 * (null unless shaped), timing_error_max_ms, "timing" ("ok",
 * "degraded", "unmeasured") and, when degraded, "timing_note". Sorts r's
 * timing arrays. */
enum timing_verdict timing_cell(struct json_t *j, struct cell_result *r,
				double max_ms);
const char *timing_verdict_name(enum timing_verdict v);

#endif
