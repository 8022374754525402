/* session: one scenario brought up, shared by `punchlab run` and
 * `punchlab up` — a run id, the plan, the run folder, the world built
 * from the plan, and its daemons (shaper, coordinator). The plan is made
 * first, so a scenario the WAN cannot address creates nothing. */
#ifndef PUNCHLAB_SESSION_H
#define PUNCHLAB_SESSION_H

#include <limits.h>
#include <signal.h>
#include <sys/types.h>

#include "plan.h"
#include "runid.h"
#include "scenario.h"
#include "world.h"

struct coordctl;
struct shapeboard;

struct session {
	const struct scenario *s;
	const char *bindir; /* the punch-* programs */
	volatile sig_atomic_t *stop;
	char rid[RUNID_LEN + 1];
	char dir[PATH_MAX]; /* <results>/<scenario>/<rid> */
	struct plan *plan;
	struct world *w;
	const char *link_method; /* "none", "netem", "nfqueue" */
	pid_t coord;
	pid_t stun; /* turnserver on charlie, 0 when coturn is missing */
	struct coordctl *ctl; /* the coordinator's control channel, or NULL */
	/* The shaper's shared board (shapeboard.h; slot = queue number, the
	 * world's cells name their queues), NULL when nothing is shaped. */
	struct shapeboard *board;
};

/* Plans s, creates its run folder under results_dir and builds its world;
 * its daemons will come from bindir.
 * 0, or -errno with err filled (-EINVAL: the plan refused s or the
 * machine cannot hold it, hostfit.h; nothing was created); on failure
 * nothing of the session is left. */
int session_open(struct session *ss, const struct scenario *s,
		 const char *bindir, const char *results_dir,
		 volatile sig_atomic_t *stop, char *err, size_t err_cap);
/* The run's hosts file, the link shaper, the STUN server and the
 * coordinator (or probe server) on charlie;
 * ss->ctl reads the coordinator's control channel. keep: they outlive
 * punchlab (punchlab up) and nobody reads a control channel. 0 or
 * -errno. */
int session_start(struct session *ss, int verbose, int keep);
/* Removes everything of the session. Safe on a zeroed session. */
void session_close(struct session *ss);
/* Frees the memory and leaves world and daemons up (punchlab up). */
void session_detach(struct session *ss);

#endif
