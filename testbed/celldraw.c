/* celldraw: a trial's conditions drawn from its cell's specs. */
#include "celldraw.h"

int celldraw_any(const struct scenario_cell *c)
{
	for (int i = 0; i < CELLCOND_NPARAMS; i++)
		if (c->dist[i].kind != CONDDIST_FIXED)
			return 1;
	return 0;
}

int celldraw_shaper(const struct scenario_cell *c)
{
	for (int i = 0; i < CELLCOND_NPARAMS; i++)
		if (c->dist[i].kind != CONDDIST_FIXED && i != CELLCOND_SKEW)
			return 1;
	return 0;
}

int celldraw_shaped(const struct scenario_cell *c)
{
	return cellcond_shaped(&c->cond) || celldraw_shaper(c);
}

void celldraw_trial(const struct scenario *s, int cell, int trial,
		    struct cell_cond *out)
{
	const struct scenario_cell *c = &s->cells[cell];

	*out = c->cond;
	for (int i = 0; i < CELLCOND_NPARAMS; i++) {
		const struct cellcond_param *p = &cellcond_params[i];

		if (c->dist[i].kind == CONDDIST_FIXED)
			continue;
		cellcond_set(
			out, i,
			conddist_draw(&c->dist[i],
				      conddist_seed(s->seed, c->name, trial, i),
				      p->min, p->max));
	}
}

int celldraw_parallel(const struct scenario *s, int cell)
{
	return celldraw_shaper(&s->cells[cell]) ? 1 : s->parallel;
}
