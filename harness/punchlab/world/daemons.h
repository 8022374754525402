/* daemons: starting the run's long-lived helpers (coordinator, shaper) in
 * their namespaces, with output files in the run folder and readiness
 * polled from their "ready" events. */
#ifndef PUNCHLAB_DAEMONS_H
#define PUNCHLAB_DAEMONS_H

#include <sys/types.h>

#include "coordctl.h"
#include "scenario.h"
#include "world.h"

int daemons_mkdir_p(const char *path);
/* Opens dir/name for writing (O_CREAT | flags); -1 with errno. */
int daemons_open_out(const char *dir, const char *name, int flags);
/* punch-coordinator on charlie in the scenario's mode (handoff: with one
 * inbound slot; out of band: punch-probe-server instead); pid or -errno.
 * keep: outlives us. ctl non-NULL: *ctl gets the reader of the
 * coordinator's control channel (--control-fd), NULL for the probe
 * server; the caller frees it with coordctl_free. */
pid_t daemons_coordinator(struct world *w, const char *dir,
			  enum scenario_mode mode, int verbose, int keep,
			  struct coordctl **ctl);
/* Link conditions of every cell: queue rules plus punch-shaper in inet
 * (or netem). *method_name: "none", "netem" or "nfqueue". 0 or -errno. */
int daemons_shaper(struct world *w, const struct scenario *s,
		   const char *dir, const char **method_name, int keep);

#endif
