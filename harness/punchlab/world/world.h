/* world: a plan (plan.h) executed in the kernel — namespaces, veth
 * pairs, addresses, routes and NAT rulesets through the testbed library,
 * each object registered for cleanup before it is created — and the
 * link conditions of its cells. */
#ifndef PUNCHLAB_WORLD_H
#define PUNCHLAB_WORLD_H

#include <signal.h>

#include "netbuild.h"
#include "plan.h"

struct world_side {
	struct nb_host *router, *host;
	struct nb_host *carrier; /* NAT444 only, else NULL */
	const struct plan_side *p; /* addresses and profiles */
};

#define WORLD_CELL_QUEUES 6

struct world_cell {
	struct world_side side[2]; /* 0: alice behind a, 1: bob behind b */
	/* NFQUEUE numbers of the cell's shaped paths (0: not shaped), set
	 * by world_shape; also the cell's slots on the shapeboard. link: the
	 * side's WAN link inbound, the peer path (cellcond_peer_ms);
	 * coord[sd][0]: charlie -> side, coord[sd][1]: side -> charlie (when
	 * a delay or a per-trial draw is on that path). */
	unsigned link_queue[2];
	unsigned coord_queue[2][2];
};

struct world {
	const struct plan *plan; /* borrowed: outlives the world */
	const char *rid, *table; /* the plan's */
	struct cleanup *cu;
	struct nb_host *hosts; /* one per plan namespace */
	struct nb_host *inet, *charlie;
	int ncells;
	struct world_cell *cells;
};

/* Executes plan p. On failure (or when *stop becomes non-zero) everything
 * made so far is removed, NULL is returned with errno set and a message
 * in err. */
struct world *world_new(const struct plan *p, volatile sig_atomic_t *stop,
			char *err, size_t err_cap);
/* Link conditions of every cell (scenario cells' cond). With the NFQUEUE
 * mechanism installs the queue rules in inet and returns the number of
 * queues, their punch-shaper specs ("N:delay:jitter:loss:rate") in
 * specs[] (caller frees each and the array); with netem applies qdiscs
 * and returns 0. *method gets the linkcond method (0 when no cell is
 * shaped). -errno with err filled on failure. */
int world_shape(struct world *w, const struct scenario *s, char ***specs,
		int *method, char *err, size_t err_cap);

/* Before a trial of a cell whose conditions are drawn (celldraw.h):
 * the cell's queues on board b take the trial's conditions cc, for
 * packets the shaper reads from now on. NULL b: nothing shaped. */
struct shapeboard;
void world_shape_trial(struct world *w, struct shapeboard *b, int cell,
		       const struct cell_cond *cc);
/* The cell's shaped queues (links, then coordinator paths) into q; how
 * many (0: the cell is not shaped, or netem shapes it). */
int world_cell_queues(const struct world *w, int cell,
		      unsigned q[WORLD_CELL_QUEUES]);

/* Stops recorded processes and deletes every namespace. NULL is safe. */
void world_free(struct world *w);
/* Frees the memory and leaves the topology up (punchlab up). */
void world_detach(struct world *w);

#endif
