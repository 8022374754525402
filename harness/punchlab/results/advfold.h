/* advfold: an adversary cell's per-trial "adv" records (trials.jsonl,
 * docs/adversaries.md section 6) folded into summary.json's "adversary"
 * object: the attack's headline effect, its metrics, the expect_effect
 * gate and a one-line verdict. */
#ifndef PUNCHLAB_ADVFOLD_H
#define PUNCHLAB_ADVFOLD_H

#include "advsetting.h"

struct json_t;

/* The trials' "adv" members as they came; empty until the first. */
struct advfold_acc {
	struct json_t *recs; /* array, NULL while empty */
};

/* Keeps a reference to adv (a trial's "adv" object; anything else is
 * ignored). 0 or -ENOMEM. */
int advfold_add(struct advfold_acc *a, struct json_t *adv);
void advfold_free(struct advfold_acc *a);

/* 1 when value meets expect ("OP NUMBER", OP one of >= <= == < >), 0
 * when it misses (a NaN value misses), -EINVAL when expect is not that. */
int advfold_expect(const char *expect, double value);

/* The cell's "adversary" object from its settings and records; *pass is
 * 0 when expect_effect is set and the effect misses it (or there is no
 * effect to check), else 1. NULL only when out of memory. */
struct json_t *advfold_cell(const struct advsetting *ac,
			    const struct advfold_acc *a, int *pass);

#endif
