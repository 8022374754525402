/* probe_verdict: the rows of a probe report — per axis what was declared,
 * what was measured, and whether they agree. Pure. */
#ifndef PUNCHLAB_PROBE_VERDICT_H
#define PUNCHLAB_PROBE_VERDICT_H

#include <stddef.h>

#include "probe.h"

/* Appends the rows for d and o to r (r->nrows counts them). */
void probe_verdict(const struct probe_decl *d, const struct probe_obs *o,
		   struct probe_report *r);
/* EXIT_PASS when every row passed, else EXIT_FAIL (as punchlab.h). */
int probe_verdict_exit(const struct probe_report *r);
const char *probe_verdict_str(enum probe_verdict v);
/* How an attempt ended, for a row's detail ("no answer", "RST",
 * "ICMP 1/1", ...); buf (cap bytes) holds what needs formatting. */
const char *probe_answer_str(const struct probe_attempt *a, char *buf,
			     size_t cap);

#endif
