/* trials: runs a scenario's trials in a built world — a pair of
 * punch-agent processes per trial, many trials in flight — and folds the
 * two agents' reports into one trial record. */
#ifndef PUNCHLAB_TRIALS_H
#define PUNCHLAB_TRIALS_H

#include <signal.h>
#include <stdio.h>

#include "scenario.h"
#include "world.h"

/* Failure reasons in the order that decides a trial's outcome when the
 * two sides disagree: the earliest step that failed names the trial. */
enum outcome {
	OUTCOME_OK,
	OUTCOME_SETUP,
	OUTCOME_BIND,
	OUTCOME_COORDINATOR,
	OUTCOME_WRONG_PEER,
	OUTCOME_REFUSED,
	OUTCOME_UNREACHABLE,
	OUTCOME_TIMEOUT,
	OUTCOME_BITCOIND, /* punched, but the nodes did not peer or relay */
	OUTCOME_N
};

const char *outcome_str(enum outcome o);
/* OUTCOME_SETUP for an unknown name. */
enum outcome outcome_parse(const char *s);

struct cell_result {
	unsigned trials, successes;
	unsigned fail[OUTCOME_N];
	double *ttc_ms; /* successful trials only */
	double *hs_ms;
	size_t n_ok;
};

enum trials_node { NODE_EMBEDDED, NODE_BITCOIND, NODE_BITCOIND_IMPORT };

struct coordctl;

struct trials_cfg {
	const struct scenario *s;
	struct world *w;
	const char *agent_path;
	int log_fd; /* agents' stderr */
	volatile sig_atomic_t *stop;
	int progress; /* 1: \r line on a terminal, 0: plain lines */
	int only_cell, only_trial; /* -1: all */
	/* handoff: the coordinator's "held" reports (coordctl.h), or NULL */
	struct coordctl *ctl;
	/* bitcoind modes (btctrials.c) */
	const char *bitcoind;
	const char *run_dir;
	enum trials_node node;
};

/* bitcoind modes: a pair of regtest nodes per cell, trials one at a time;
 * success = both list each other and a block mined on the initiator's
 * node reaches the responder's. Same contract as trials_run. */
int btctrials_run(const struct trials_cfg *cfg, FILE *jsonl,
		  struct cell_result *res);
/* Shared with btctrials.c: argv for one agent of trial (cell, trial) on
 * side s (0 alice, 1 bob) into argv (>= 32 slots) using buf for strings. */
int trials_agent_argv(const struct trials_cfg *cfg, int cell, int trial,
		      int s, char **argv, char (*buf)[64]);
/* Adds the trial to res (ttc/hs < 0: none). */
void trials_account(struct cell_result *res, enum outcome o, double ttc,
		    double hs);

/* Runs every trial, appending one JSON line per trial to jsonl and
 * filling res[0..ncells). 0, -EINTR when *stop was set, or -errno. */
int trials_run(const struct trials_cfg *cfg, FILE *jsonl,
	       struct cell_result *res);
void cell_result_free(struct cell_result *r);
/* {"param": value} of the cell's conditions that the scenario set. */
struct json_t;
struct json_t *trials_params(const struct scenario_cell *c);

#endif
