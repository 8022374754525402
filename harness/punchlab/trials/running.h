/* running: the trials in flight — each side's agent process, the pipe its
 * report arrives on and, out of band, the side channel into it. */
#ifndef PUNCHLAB_RUNNING_H
#define PUNCHLAB_RUNNING_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "advtrial.h"
#include "laddertrial.h"
#include "puncher.h"
#include "shapeboard.h"
#include "results.h"
#include "trialcfg.h"

#define RUNNING_OUT_MAX 65536 /* an agent's report, at most */

struct side {
	pid_t pid;
	int fd;	   /* its stdout, -1 once reaped */
	int in_fd; /* out-of-band: the side channel into the agent, or -1 */
	char buf[RUNNING_OUT_MAX];
	size_t len;
	int status;
	/* CLOCK_MONOTONIC at its spawn and at its report's EOF: what a
	 * request cost a node (advrecord.c) */
	int64_t t_spawn_ns, t_end_ns;
};

struct running {
	int cell, trial;
	int second_pending; /* the second side starts once the first is
			     * held (modes.h: wait_held) */
	int relayed;	 /* out-of-band: endpoints exchanged */
	int64_t hard_deadline_ns;
	struct cell_cond cond; /* this trial's conditions (celldraw.h) */
	struct side sd[2];
	/* background nodes on the homes' extra hosts (hosts_a, hosts_b) */
	pid_t bg[2 * CELLCOND_HOSTS_MAX];
	int nbg;
	struct puncher_trial px; /* outside punchers: tokens, stderr files */
	/* The cell's shaper queues when the trial started (record.h). */
	struct shapeboard_stats board0;
	struct adv_trial adv; /* attack and defences (advcell.h) */
	struct ladder_trial lad; /* a ladder cell's steps (ladder.h) */
};

/* Fresh state for (cell, trial); no process yet. */
void running_init(struct running *r, int cell, int trial,
		  int64_t hard_deadline_ns);
/* Starts side s's agent in its home host. 0 or -errno. */
int running_start(const struct trials_cfg *cfg, struct running *r, int s);
/* The same, registering at coordinator (IP:PORT or [IPv6]:PORT) instead
 * of the cell's (a ladder's ipv6-punch step). */
int running_start_at(const struct trials_cfg *cfg, struct running *r, int s,
		     const char *coordinator);
/* Starts argv (NULL-terminated) in side s's home host, its stdout as the
 * side's report; with_in: a side channel into it. 0 or -errno. */
int running_spawn(const struct trials_cfg *cfg, struct running *r, int s,
		  char **argv, int with_in);
/* Stops and reaps one side's process, if it still runs. */
void running_stop_side(const struct trials_cfg *cfg, struct side *sd);
/* Starts the background node of every extra host of the cell's homes
 * (before the trial's agents, so they race them for the router's
 * mappings). 0 or -errno. */
int running_start_background(const struct trials_cfg *cfg, struct running *r);
/* Stops and reaps them (the trial is over). */
void running_stop_background(const struct trials_cfg *cfg, struct running *r);
/* Reads what the agent wrote; on EOF reaps it. */
void running_read(const struct trials_cfg *cfg, struct side *sd);
/* 1 while either agent runs. */
int running_alive(const struct running *r);
/* Stops and reaps every agent of run[0..n). */
void running_kill(const struct trials_cfg *cfg, struct running *run, int n);
/* The side channel is done with (EOF tells the agent). */
void running_close_in(struct side *sd);
/* The statistics of cell's shaper queues (links and coordinator paths)
 * summed into *out; 0 when the cell is not shaped (*out zeroed). For the
 * trial's record and for the ladder's punch step. */
int running_board(const struct trials_cfg *cfg, int cell,
		  struct shapeboard_stats *out);

#endif
