/* peerplay: mallory as a node's punch peer — the simultaneous open from
 * the endpoint the node was told (a listener there too, for a SYN that
 * comes first), then the version/verack handshake with the session nonce
 * the coordinator picked (the node checks nothing else). One child
 * process per play, so a slow victim never stalls the role's loop; the
 * child writes the `played` event and exits. impersonate and hijack use
 * it. */
#ifndef PUNCHLAB_ADV_PEERPLAY_H
#define PUNCHLAB_ADV_PEERPLAY_H

#include <stdint.h>
#include <sys/socket.h>

#include "adv.h"

/* The child gives up this long after the start (a node's trial timeout
 * is 5 s by default; its waves go on until then). */
#define PEERPLAY_MAX_MS 15000
#define PEERPLAY_MAX_CHILDREN 1024

struct peerplay_params {
	uint64_t key;
	int listen_fd; /* listening on local, or -1: the child opens one */
	struct sockaddr_storage local; /* mallory's end the node was told */
	struct sockaddr_storage peer;  /* the node's public endpoint */
	int64_t t_start_ns;	       /* first SYN (CLOCK_MONOTONIC) */
	int initiator;		       /* mallory speaks first */
	uint64_t nonce;		       /* the session nonce */
};

/* Forks the play. The parent keeps (and should close) its copy of
 * p->listen_fd. 0, -EAGAIN when PEERPLAY_MAX_CHILDREN plays run, or
 * -errno. */
int peerplay_spawn(struct adv_ctx *c, const struct peerplay_params *p);
/* Reaps finished plays without waiting; returns how many still run. */
unsigned peerplay_reap(void);
/* SIGTERM to every running play, then waits for each. */
void peerplay_stop_all(void);

#endif
