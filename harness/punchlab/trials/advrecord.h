/* advrecord: the "adv" object of an adversary trial's line in
 * trials.jsonl (docs/adversaries.md section 6), from the victim counters
 * around the trial, both agents' reports and the cell's punch-adversary
 * events. results.c folds these into the cell's effect. */
#ifndef PUNCHLAB_ADVRECORD_H
#define PUNCHLAB_ADVRECORD_H

#include <jansson.h>

#include "running.h"

/* For a trial of an adversary cell: t gets "adv" (members that do not
 * apply to the attack are left out). ra, rb: alice's and bob's reports;
 * ok: the trial's combined outcome was ok. Nothing for an honest cell. */
void advrecord_add(json_t *t, const struct trials_cfg *cfg,
		   const struct running *r, json_t *ra, json_t *rb, int ok);
/* The object itself for attack a, from the events file (path; "" none)
 * lines naming key, r's victim counters and agents' times, and the
 * reports. The caller owns it. */
json_t *advrecord_json(const struct cell_adv *a, const char *events,
		       unsigned long long key, const struct running *r,
		       json_t *ra, json_t *rb, int ok);

#endif
