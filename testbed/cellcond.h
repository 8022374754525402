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

/* Names of the parameters as scenario keys and in results ("params"). */
extern const char *const cellcond_names[CELLCOND_NPARAMS];
/* Pointer to the named parameter's value, as a double for the doubles;
 * rate_kbit is handled by cellcond_get/cellcond_set. */
double cellcond_get(const struct cell_cond *c, int i);
void cellcond_set(struct cell_cond *c, int i, double v);
/* 1 when the cell needs shaped links (any delay, jitter, loss or rate). */
int cellcond_shaped(const struct cell_cond *c);

#endif
