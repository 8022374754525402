/* trialrtt: per-trial RTTs through the shaper's board. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	const struct cell_cond *cc = &cfg->s->cells[cell].cond;
	const struct world_cell *wc = &cfg->w->cells[cell];
	const struct trialrtt *t = cfg->trial_rtt;
	int64_t half, jit = (int64_t)(cc->jitter_ms * 1e6);

	if (!t || !t->n || !cfg->board)
		return;
	half = (int64_t)(t->ms[trial % t->n] * 1e6 / 2);
	for (int sd = 0; sd < 2; sd++) {
		double extra = sd ? cc->coord_delay_b_ms : cc->coord_delay_a_ms;

		/* The same model as world_shape: each link's inbound half. */
		if (wc->link_queue[sd])
			shapeboard_set(cfg->board, wc->link_queue[sd], half,
				       jit, cc->loss);
		if (wc->coord_queue[sd][0])
			shapeboard_set(cfg->board, wc->coord_queue[sd][0],
				       half + (int64_t)(extra * 1e6), jit,
				       cc->loss);
	}
}
