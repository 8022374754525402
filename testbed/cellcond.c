/* cellcond: the parameter table of a cell's conditions. */
#include <string.h>

#include "cellcond.h"

const struct cellcond_param cellcond_params[CELLCOND_NPARAMS] = {
	{ "rtt_ms", 0, 60000, 0, "RTT the WAN adds between alice and bob" },
	{ "jitter_ms", 0, 60000, 0, "per WAN link, inbound" },
	{ "loss", 0, 1, 0, "per WAN link, inbound, a fraction" },
	{ "rate_kbit", 0, 100000000, 1, "per WAN link, inbound, 0: none" },
	{ "skew_ms", -60000, 60000, 0, "bob punches this much after alice" },
	{ "coord_delay_a_ms", 0, 60000, 0,
	  "extra one-way delay between charlie and router a" },
	{ "coord_delay_b_ms", 0, 60000, 0,
	  "extra one-way delay between charlie and router b" },
};

int cellcond_index(const char *key)
{
	for (int i = 0; i < CELLCOND_NPARAMS; i++)
		if (!strcmp(key, cellcond_params[i].name))
			return i;
	return -1;
}

/* The fields in table order; rate_kbit is the one integer. */
static double *field(struct cell_cond *c, int i)
{
	double *const f[CELLCOND_NPARAMS] = {
		&c->rtt_ms,	 &c->jitter_ms, &c->loss,
		NULL,		 &c->skew_ms,	&c->coord_delay_a_ms,
		&c->coord_delay_b_ms,
	};

	return i >= 0 && i < CELLCOND_NPARAMS ? f[i] : NULL;
}

double cellcond_get(const struct cell_cond *c, int i)
{
	double *f = field((struct cell_cond *)c, i);

	return f ? *f : i == CELLCOND_RATE ? (double)c->rate_kbit : 0;
}

void cellcond_set(struct cell_cond *c, int i, double v)
{
	double *f = field(c, i);

	if (f)
		*f = v;
	else if (i == CELLCOND_RATE)
		c->rate_kbit = (unsigned)v;
}

int cellcond_shaped(const struct cell_cond *c)
{
	return c->rtt_ms > 0 || c->jitter_ms > 0 || c->loss > 0 ||
	       c->rate_kbit > 0 || c->coord_delay_a_ms > 0 ||
	       c->coord_delay_b_ms > 0;
}
