/* laddertrial: one ladder trial's state (docs/alternatives.md section 6):
 * which mechanism runs, the phase of its step, and each step's result. A
 * data model, no code: running.h holds it, ladder.c fills it. */
#ifndef PUNCHLAB_LADDERTRIAL_H
#define PUNCHLAB_LADDERTRIAL_H

#include <stddef.h>
#include <stdint.h>

#include "scenario_model.h"
#include "shapeboard.h"

enum ladder_phase {
	LADDER_PHASE_NONE,     /* between steps */
	LADDER_PHASE_SERVING,  /* bob's listener started, alice not yet */
	LADDER_PHASE_DIALLING, /* alice dials (or both punch) */
};

struct ladder_step {
	int mech; /* enum ladder_mech */
	int ok;
	double ms;	  /* step start to handshake (ok) or to its end */
	char outcome[24]; /* the outcome vocabulary, or "unavailable" */
	char why[200];	  /* "" when ok */
};

struct ladder_trial {
	int step; /* index into the cell's list; -1 before */
	enum ladder_phase phase;
	int64_t t_step_ns;	   /* CLOCK_MONOTONIC at the step's start */
	int64_t phase_deadline_ns; /* 0: none */
	char dial[80];		   /* where alice dials, once bob is ready */
	struct ladder_step res[LADDER_NMECH];
	int nres;
	/* The ipv4-punch step's two reports, handed back to the trial's
	 * record (record.c reads the agents' reports from the sides). */
	char *punch[2];
	size_t punch_len[2];
	int punch_status[2];
	/* The cell's shaper counters when that step started and ended: the
	 * record's shaper figures are the punch's, not the other steps'
	 * (timed: the step ran and both were read). */
	struct shapeboard_stats board[2];
	int timed;
};

#endif
