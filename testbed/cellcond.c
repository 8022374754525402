/* cellcond: parameter table of a cell's conditions. */
#include "cellcond.h"

const char *const cellcond_names[CELLCOND_NPARAMS] = {
	"rtt_ms",  "jitter_ms",	       "loss",		   "rate_kbit",
	"skew_ms", "coord_delay_a_ms", "coord_delay_b_ms",
};

double cellcond_get(const struct cell_cond *c, int i)
{
	switch (i) {
	case 0: return c->rtt_ms;
	case 1: return c->jitter_ms;
	case 2: return c->loss;
	case 3: return c->rate_kbit;
	case 4: return c->skew_ms;
	case 5: return c->coord_delay_a_ms;
	case 6: return c->coord_delay_b_ms;
	}
	return 0;
}

void cellcond_set(struct cell_cond *c, int i, double v)
{
	switch (i) {
	case 0: c->rtt_ms = v; break;
	case 1: c->jitter_ms = v; break;
	case 2: c->loss = v; break;
	case 3: c->rate_kbit = (unsigned)v; break;
	case 4: c->skew_ms = v; break;
	case 5: c->coord_delay_a_ms = v; break;
	case 6: c->coord_delay_b_ms = v; break;
	}
}

int cellcond_shaped(const struct cell_cond *c)
{
	return c->rtt_ms > 0 || c->jitter_ms > 0 || c->loss > 0 ||
	       c->rate_kbit > 0 || c->coord_delay_a_ms > 0 ||
	       c->coord_delay_b_ms > 0;
}
