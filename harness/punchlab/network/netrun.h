/* netrun: `punchlab run` on a [network] scenario (docs/network.md): the
 * world from the network plan, nodes.json, then per phase the
 * coordinators and K punch-net processes, then harness/py/network.py on
 * the run folder. */
#ifndef PUNCHLAB_NETRUN_H
#define PUNCHLAB_NETRUN_H

#include <stddef.h>

#include "scenario.h"

/* netrun_one's answer for a scenario it skipped (no punch-net). */
#define NETRUN_SKIPPED (-100001)

/* Before anything is created: the plan and whether this machine holds
 * it. 0, or -errno with err filled. */
int netrun_check(const struct scenario *s, char *err, size_t err_cap);
/* The whole run of s (s->net non-NULL) under results_dir; its folder
 * into dir_out. capture: after each phase, the home routers' and
 * carriers' conntrack and NAT tables into snapshots/<phase>/. Returns the
 * number of phases that failed (and 1 more when the analysis failed),
 * NETRUN_SKIPPED, or -errno. Progress on stderr, one line per phase start and
 * end. */
int netrun_one(const struct scenario *s, const char *results_dir,
	       const char *profile_dir, int capture, char *dir_out,
	       size_t dir_cap);

#endif
