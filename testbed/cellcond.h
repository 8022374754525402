/* cellcond: the conditions one scenario cell runs under — link delay,
 * jitter, loss and rate on the routers' WAN links, the skew between the
 * two punch starts, and extra delay on each side's path to the
 * coordinator. All zero = a perfect network. */
#ifndef PUNCHLAB_CELLCOND_H
#define PUNCHLAB_CELLCOND_H

#define CELLCOND_NPARAMS 7

struct cell_cond {
	double rtt_ms;	  /* RTT the WAN adds between alice and bob: each
			   * router's WAN link delays rtt/2 inbound (inet to
			   * router), so alice-charlie RTT is rtt/2 */
	double jitter_ms; /* per WAN link, inbound */
	double loss;	  /* per WAN link, inbound, 0..1 */
	unsigned rate_kbit; /* per WAN link, inbound, 0 = unlimited */
	double skew_ms;	  /* bob punches this much after alice (< 0: before) */
	double coord_delay_a_ms, coord_delay_b_ms; /* extra one-way delay
						    * between charlie and
						    * router a / b */
};

/* The one table of condition parameters: scenario key and results name,
 * allowed range, whether it must be whole, and what it means. The
 * scenario parser, the results writer and (held by a test)
 * harness/py/runs.py all read their names from here. */
/* Indices into cellcond_params. */
enum cellcond_index {
	CELLCOND_RTT,
	CELLCOND_JITTER,
	CELLCOND_LOSS,
	CELLCOND_RATE,
	CELLCOND_SKEW,
	CELLCOND_COORD_DELAY_A,
	CELLCOND_COORD_DELAY_B,
};

struct cellcond_param {
	const char *name;
	double min, max;
	int whole; /* an integer (rate_kbit) */
	const char *help;
};

extern const struct cellcond_param cellcond_params[CELLCOND_NPARAMS];

/* Index of the parameter named key, or -1. */
int cellcond_index(const char *key);
/* Parameter i's value, as a double. */
double cellcond_get(const struct cell_cond *c, int i);
void cellcond_set(struct cell_cond *c, int i, double v);
/* 1 when the cell needs shaped links (any delay, jitter, loss or rate). */
int cellcond_shaped(const struct cell_cond *c);

#endif
