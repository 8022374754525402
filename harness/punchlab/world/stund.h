/* stund: the run's STUN server — coturn's turnserver serving RFC 8489
 * Binding over UDP and TCP on charlie (192.0.2.1:3478), config and logs in
 * the run folder, stopped by pid with the run — and the hosts file that
 * gives its name (and the coordinator's) to every process of the run. */
#ifndef PUNCHLAB_STUND_H
#define PUNCHLAB_STUND_H

#include <stddef.h>
#include <sys/types.h>

#include "world.h"

#define STUND_NAME "stun.punchlab.test"

/* Writes the run's hosts file into its state folder (path gets where)
 * and makes every later proc_spawn* of this process see it as
 * /etc/hosts. 0 or -errno. */
int stund_names(struct world *w, char *path, size_t cap);
/* Starts turnserver in charlie with <dir>/turnserver.conf, registered
 * for cleanup, and waits until a Binding over UDP and one over TCP are
 * answered (the times go to <dir>/stun.jsonl). keep: it outlives
 * punchlab (punchlab up). pid, 0 when coturn is not installed (said on
 * stderr: the run goes on without STUN), or -errno. */
pid_t stund_start(struct world *w, const char *dir, int keep);

#endif
