/* cleanup: the registry of what a run created (namespaces, processes), so
 * that it is removed on exit, on error and on SIGINT/SIGTERM. Mirrored in
 * /run/punchlab/<rid>/ so `punchlab clean` can remove what a killed run
 * left. Nft tables and links live inside the run's namespaces and go with
 * them. */
#ifndef PUNCHLAB_CLEANUP_H
#define PUNCHLAB_CLEANUP_H

#include <sys/types.h>

struct cleanup;

/* Creates the state directory for rid. NULL with errno set. */
struct cleanup *cleanup_new(const char *rid);
/* Runs cleanup_run and frees; NULL is safe. */
void cleanup_free(struct cleanup *c);
/* Frees the registry but leaves everything in place (punchlab up): the
 * state directory still lists it, marked kept, for `punchlab down` (and
 * `punchlab clean --force`). */
void cleanup_detach(struct cleanup *c);
/* Record a namespace BEFORE creating it, so a failure half-way through
 * its creation is still cleaned. 0 or -errno. */
int cleanup_netns(struct cleanup *c, const char *name);
/* Record a child process right after it started. 0 or -errno. */
int cleanup_pid(struct cleanup *c, pid_t pid);
/* The process exited and was reaped by the caller: forget it. */
void cleanup_reaped(struct cleanup *c, pid_t pid);
/* Stops every recorded process (SIGTERM, then SIGKILL), deletes the
 * namespaces newest first, removes the state directory. Idempotent.
 * Returns how many objects could not be removed. */
int cleanup_run(struct cleanup *c);

/* Called once per object cleanup_stale looks at. what is "netns",
 * "process", "state", "skip" (owner alive) or "kept" (left up on
 * purpose); err is 0 or -errno. */
typedef void (*cleanup_report)(const char *what, const char *name, int err,
			       void *arg);
/* Removes what runs left behind: processes recorded in the state
 * directories, namespaces named pl-<rid>-*, and the directories. A run
 * whose owner process is still alive is skipped unless force. rid NULL =
 * every run. Returns the number of failures. */
int cleanup_stale(const char *rid, int force, cleanup_report report,
		  void *arg);

#endif
