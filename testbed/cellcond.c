/* cellcond: the parameter table of a cell's conditions and strategy. */
#include <string.h>

#include "cellcond.h"

const char *const cellcond_strategies[CELLCOND_NSTRATEGIES + 1] = {
	[CELLCOND_CONNECT] = "connect",
	[CELLCOND_LISTEN_CONNECT] = "listen-connect",
	[CELLCOND_LOW_TTL] = "low-ttl",
	[CELLCOND_PREDICT] = "predict",
	[CELLCOND_BIRTHDAY] = "birthday",
	[CELLCOND_NSTRATEGIES] = NULL,
};

const char *const cellcond_homes[CELLCOND_NHOMES + 1] = {
	[CELLCOND_HOME_SEPARATE] = "separate",
	[CELLCOND_HOME_SHARED] = "shared",
	[CELLCOND_NHOMES] = NULL,
};

const char *const cellcond_families[CELLCOND_NFAMILIES + 1] = {
	[CELLCOND_FAMILY_4] = "4",
	[CELLCOND_FAMILY_6] = "6",
	[CELLCOND_NFAMILIES] = NULL,
};

const struct cellcond_param cellcond_params[CELLCOND_NPARAMS] = {
	{ "rtt_ms", 0, 60000, 0, "RTT the WAN adds between alice and bob",
	  NULL, 1 },
	{ "jitter_ms", 0, 60000, 0, "per WAN path, one way", NULL, 1 },
	{ "loss", 0, 1, 0, "per WAN path, one way, a fraction", NULL, 1 },
	{ "rate_kbit", 0, 100000000, 1, "per WAN link, inbound, 0: none", NULL,
	  0 },
	{ "skew_ms", -60000, 60000, 0, "bob punches this much after alice",
	  NULL, 1 },
	{ "coord_delay_a_ms", 0, 60000, 0,
	  "extra one-way delay between charlie and router a", NULL, 1 },
	{ "coord_delay_b_ms", 0, 60000, 0,
	  "extra one-way delay between charlie and router b", NULL, 1 },
	{ "access_a_ms", 0, 60000, 0,
	  "one-way delay of home a's access link, both directions", NULL, 1 },
	{ "access_b_ms", 0, 60000, 0,
	  "one-way delay of home b's access link, both directions", NULL, 1 },
	{ "strategy", 0, CELLCOND_NSTRATEGIES - 1, 1,
	  "how both agents punch", cellcond_strategies, 0 },
	{ "predict_window", 0, 256, 1,
	  "predict: ports aimed at around the predicted one, 0: 4", NULL, 0 },
	{ "birthday_sockets", 0, 1024, 1,
	  "birthday: sockets the unpredictable side opens, 0: 64", NULL,
	  0 },
	{ "birthday_ports", 0, 4096, 1,
	  "birthday: ports the other side sprays, 0: 64", NULL, 0 },
	{ "syn_budget", 0, 100000, 1,
	  "cap of SYNs per punch per side, 0: the strategy's own", NULL,
	  0 },
	{ "home", 0, CELLCOND_NHOMES - 1, 1,
	  "bob behind his own router b, or behind alice's router a",
	  cellcond_homes, 0 },
	{ "hosts_a", 0, CELLCOND_HOSTS_MAX, 1,
	  "more hosts behind router a, each a background node", NULL, 0 },
	{ "hosts_b", 0, CELLCOND_HOSTS_MAX, 1,
	  "more hosts behind router b, each a background node", NULL, 0 },
	{ "family", 0, CELLCOND_NFAMILIES - 1, 1,
	  "4: punch over IPv4 (default); 6: over IPv6 through charlie's "
	  "IPv6 coordinator", cellcond_families, 0 },
};

int cellcond_index(const char *key)
{
	for (int i = 0; i < CELLCOND_NPARAMS; i++)
		if (!strcmp(key, cellcond_params[i].name))
			return i;
	return -1;
}

/* The double fields in table order; NULL for the integer ones. */
static double *field(struct cell_cond *c, int i)
{
	double *const f[CELLCOND_ACCESS_B + 1] = {
		&c->rtt_ms,	 &c->jitter_ms,	       &c->loss,
		NULL,		 &c->skew_ms,	       &c->coord_delay_a_ms,
		&c->coord_delay_b_ms, &c->access_a_ms, &c->access_b_ms,
	};

	return i >= 0 && i <= CELLCOND_ACCESS_B ? f[i] : NULL;
}

/* The unsigned fields; NULL for the double ones. */
static unsigned *ufield(struct cell_cond *c, int i)
{
	switch (i) {
	case CELLCOND_RATE:
		return &c->rate_kbit;
	case CELLCOND_STRATEGY:
		return &c->strategy;
	case CELLCOND_PREDICT_WINDOW:
		return &c->predict_window;
	case CELLCOND_BIRTHDAY_SOCKETS:
		return &c->birthday_sockets;
	case CELLCOND_BIRTHDAY_PORTS:
		return &c->birthday_ports;
	case CELLCOND_SYN_BUDGET:
		return &c->syn_budget;
	case CELLCOND_HOME:
		return &c->home;
	case CELLCOND_HOSTS_A:
		return &c->hosts_a;
	case CELLCOND_HOSTS_B:
		return &c->hosts_b;
	case CELLCOND_FAMILY:
		return &c->family;
	default:
		return NULL;
	}
}

double cellcond_get(const struct cell_cond *c, int i)
{
	double *f = field((struct cell_cond *)c, i);
	unsigned *u = ufield((struct cell_cond *)c, i);

	return f ? *f : u ? (double)*u : 0;
}

void cellcond_set(struct cell_cond *c, int i, double v)
{
	double *f = field(c, i);
	unsigned *u = ufield(c, i);

	if (f)
		*f = v;
	else if (u)
		*u = (unsigned)v;
}

int cellcond_shaped(const struct cell_cond *c)
{
	return c->rtt_ms > 0 || c->jitter_ms > 0 || c->loss > 0 ||
	       c->rate_kbit > 0 || c->coord_delay_a_ms > 0 ||
	       c->coord_delay_b_ms > 0 || c->access_a_ms > 0 ||
	       c->access_b_ms > 0;
}

double cellcond_peer_ms(const struct cell_cond *c)
{
	return c->rtt_ms / 2 + c->access_a_ms + c->access_b_ms;
}

double cellcond_to_coord_ms(const struct cell_cond *c, int side)
{
	return side ? c->coord_delay_b_ms + c->access_b_ms :
		      c->coord_delay_a_ms + c->access_a_ms;
}

/* The rtt/2 is the older model's: every link delayed its inbound
 * direction, charlie's packets to a home included. */
double cellcond_from_coord_ms(const struct cell_cond *c, int side)
{
	return c->rtt_ms / 2 + cellcond_to_coord_ms(c, side);
}

const char *cellcond_value_name(const struct cell_cond *c, int i)
{
	if (i < 0 || i >= CELLCOND_NPARAMS || !cellcond_params[i].names)
		return NULL;
	return cellcond_params[i].names[(int)cellcond_get(c, i)];
}
