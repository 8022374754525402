/* trialrtt: per-trial RTTs through the shaper's board. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "celldraw.h"
#include "shapeboard.h"
#include "shapespec.h"
#include "trialrtt.h"

int trialrtt_parse(const char *s, struct trialrtt *t)
{
	const char *p = s;
	char *end;

	t->n = 0;
	while (*p) {
		double v;

		if (t->n == TRIALRTT_MAX || strspn(p, "0123456789.") == 0)
			goto bad;
		v = strtod(p, &end);
		if (end == p ||
		    !(v >= 0 && v <= 2.0 * SHAPESPEC_MAX_DELAY_MS) ||
		    (*end && *end != ','))
			goto bad;
		t->ms[t->n++] = v;
		p = *end ? end + 1 : end;
		if (*end && !*p)
			goto bad;
	}
	if (t->n)
		return 0;
bad:
	fprintf(stderr,
		"punchlab run: --trial-rtt-ms '%s': want 1 to %d RTTs in ms "
		"(0 to %d), comma-separated\n",
		s, TRIALRTT_MAX, 2 * SHAPESPEC_MAX_DELAY_MS);
	return -EINVAL;
}

void trialrtt_apply(const struct trials_cfg *cfg, int cell, int trial)
{
	const struct trialrtt *t = cfg->trial_rtt;
	struct cell_cond cc;

	if (!t || !t->n || !cfg->board)
		return;
	/* The trial's own conditions (celldraw.h) with the RTT replaced,
	 * through the one model of a cell's paths (world_shape_trial). */
	celldraw_trial(cfg->s, cell, trial, &cc);
	cc.rtt_ms = t->ms[trial % t->n];
	world_shape_trial(cfg->w, cfg->board, cell, &cc);
}
