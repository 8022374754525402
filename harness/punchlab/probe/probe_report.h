/* probe_report: a probe report as a table for people and as JSON for
 * scripts (the same rows either way). */
#ifndef PUNCHLAB_PROBE_REPORT_H
#define PUNCHLAB_PROBE_REPORT_H

#include <stdio.h>

#include "probe.h"

void probe_report_table(FILE *f, const struct probe_report *r);
/* {"profile", "behind", "run_id", "duration_ms", "verdict": "pass" |
 * "diff", "axes": [{"axis", "proto", "declared", "measured", "verdict",
 * "detail"}]} where proto is "tcp" or "udp" (a UDP axis is named "UDP
 * ...") and an axis verdict is "PASS", "DIFF" or "ERROR". 0 or -EIO. */
int probe_report_json(FILE *f, const struct probe_report *r);

#endif
