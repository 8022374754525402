/* advcell: the processes of adversary cells (docs/adversaries.md section
 * 3) and what each of their trials needs around it. A cell's own honest
 * coordinator on charlie and its punch-adversary in mallory start with
 * its first trial and stop after its last; its trials run one at a time
 * and no two adversary cells play at once, so the victim counters read
 * around a trial are that trial's. Also the per-trial secrets of
 * peer_auth = secret, in any cell. */
#ifndef PUNCHLAB_ADVCELL_H
#define PUNCHLAB_ADVCELL_H

#include "running.h"
#include "trialcfg.h"

struct advcells;

/* The run's adversary state for cfg (which must outlive it). NULL with
 * errno set. */
struct advcells *advcell_new(const struct trials_cfg *cfg);
/* Stops every cell's processes still up; NULL is safe. */
void advcell_free(struct advcells *a);
/* 1 when a trial of cell may start now (inflight: the cell's trials in
 * flight): always for an honest cell; for an adversary cell only alone,
 * and only when no other adversary cell is being played. */
int advcell_may_start(const struct advcells *a, int cell, int inflight);
/* Before r's agents start: at the cell's first trial its processes
 * (waiting for punch-adversary's ready event), then the trial's secret
 * files and the victim counters. 0 or -errno (said on stderr). */
int advcell_trial_begin(struct advcells *a, struct running *r);
/* Both agents have ended: the victim counters again, the secret files
 * removed. */
void advcell_trial_end(struct advcells *a, struct running *r);
/* The cell's last trial is recorded: its processes stop. */
void advcell_cell_done(struct advcells *a, int cell);
/* The cell's punch-adversary events file (run folder adv-<cell>.jsonl),
 * "" for an honest cell; valid until the next call. */
const char *advcell_events(struct advcells *a, int cell);

#endif
