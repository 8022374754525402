/* timing: the harness's own timing, carried by every result. Per trial:
 * each side's start error (its first SYN minus when that SYN was due)
 * and the gap between the two first SYNs, plus the shaper's lateness on
 * the cell's queues; per cell their percentiles and whether the lab kept
 * time well enough for the cell's rate to be the NAT's. */
#ifndef PUNCHLAB_TIMING_H
#define PUNCHLAB_TIMING_H

#include <stddef.h>

struct json_t;
struct shapeboard_delta;

/* One cell's timing values: each side's start error (room for 2 x cap),
 * each trial's first-SYN gap (cap), and the shaper's lateness on the
 * cell's queues over the whole run (set by the caller at the end). A
 * ladder cell's shaper lateness is its punch steps' instead (the trials'
 * own figures, averaged): its other steps dial or serve, and nothing in
 * them is due at a scheduled instant. */
struct timing_acc {
	double *start_err_us, *syn_gap_us;
	size_t n_start_err, n_syn_gap, cap;
	int shaped;
	unsigned long long shaper_released;
	double shaper_late_us_mean, shaper_late_us_max;
	unsigned ladder, ladder_timed; /* ladder trials, those with a punch */
	unsigned step_late_n;	       /* punch steps with shaper figures */
	double step_late_us_sum, step_late_us_max;
};

/* Room for ntrials trials. 0 or -ENOMEM (nothing allocated). */
int timing_acc_init(struct timing_acc *t, size_t ntrials);
void timing_acc_free(struct timing_acc *t);

/* rec: a trial record holding the side reports "alice" and "bob"
 * (t_start_ns, t_punch_ns, syn_ns). Adds to each side "t_first_syn_ns"
 * and "start_error_us" (null without a SYN), to rec "first_syn_gap_us"
 * (bob's first SYN minus alice's, signed; null unless both sent one) and
 * "shaper_packets", "shaper_late_us_mean", "shaper_late_us_max" from sh
 * (the cell's queues over the trial; NULL: not shaped, all null), and
 * accounts the values in t. A ladder trial's record (with "ladder") is
 * judged by its "timing_step", the punch step its sides' reports and
 * shaper figures come from; with none (null: only dials and servers
 * ran) its start errors are null and nothing of it is accounted. */
void timing_trial(struct json_t *rec, const struct shapeboard_delta *sh,
		  struct timing_acc *t);

/* The cell's verdict on its own timing. */
enum timing_verdict {
	TIMING_OK,
	TIMING_DEGRADED,   /* start error p90 or shaper lateness mean > max */
	TIMING_UNMEASURED, /* no side sent a SYN the harness saw */
	TIMING_NA,	   /* a ladder cell none of whose trials punched */
};

/* Adds to j (a summary.json cell) start_error_us_p50/p90/p99/max,
 * first_syn_gap_us_p50/p90/max (of |gap|), shaper_late_us_mean/max
 * (null unless shaped; a ladder cell's: its punch steps'),
 * timing_error_max_ms, "timing" ("ok", "degraded", "unmeasured", "n/a")
 * and, when degraded, "timing_note". Sorts t's arrays. */
enum timing_verdict timing_cell(struct json_t *j, struct timing_acc *t,
				double max_ms);
const char *timing_verdict_name(enum timing_verdict v);

#endif
