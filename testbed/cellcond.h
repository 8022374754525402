/* cellcond: the conditions one scenario cell runs under — link delay,
 * jitter, loss and rate on the routers' WAN links, the skew between the
 * two punch starts, extra delay on each side's path to the coordinator —
 * and the punch strategy with its parameters, a dimension swept like RTT.
 * All zero = a perfect network and today's connect waves. */
#ifndef PUNCHLAB_CELLCOND_H
#define PUNCHLAB_CELLCOND_H

#define CELLCOND_NPARAMS 18

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
	double access_a_ms, access_b_ms; /* one-way delay of home a's / b's
					  * access link, both directions:
					  * on every path of that home */
	/* The punch strategy (an index into cellcond_strategies) and its
	 * parameters; 0 = the agent's default. */
	unsigned strategy;
	unsigned predict_window;   /* predict: ports aimed at */
	unsigned birthday_sockets; /* birthday: sockets (mappings) opened */
	unsigned birthday_ports;   /* birthday: ports sprayed */
	unsigned syn_budget;	   /* cap of SYNs per punch per side */
	/* The homes: bob behind his own router b (CELLCOND_HOME_SEPARATE)
	 * or behind alice's router a (CELLCOND_HOME_SHARED, punching then
	 * needs hairpinning), and how many more hosts each home holds, each
	 * running a background node from the trial's own local port. */
	unsigned home;
	unsigned hosts_a, hosts_b;
	/* The family the agents punch over (an index into
	 * cellcond_families): IPv4 (the default) or IPv6 through charlie's
	 * IPv6 coordinator (docs/alternatives.md section 5). */
	unsigned family;
};

/* What the agents punch over (`family =`), in cellcond_families' order. */
enum cellcond_family {
	CELLCOND_FAMILY_4,
	CELLCOND_FAMILY_6,
	CELLCOND_NFAMILIES,
};

/* "4", "6", NULL-terminated. */
extern const char *const cellcond_families[CELLCOND_NFAMILIES + 1];

/* Where bob lives (`home =`), in the order of cellcond_homes. */
enum cellcond_home {
	CELLCOND_HOME_SEPARATE,
	CELLCOND_HOME_SHARED,
	CELLCOND_NHOMES,
};

/* "separate", "shared", NULL-terminated. */
extern const char *const cellcond_homes[CELLCOND_NHOMES + 1];
/* Extra hosts per home, at most (hosts_a, hosts_b). */
#define CELLCOND_HOSTS_MAX 8

/* Punch strategies, in the order of cellcond_strategies. */
enum cellcond_strategy {
	CELLCOND_CONNECT,	 /* connect waves (the default) */
	CELLCOND_LISTEN_CONNECT, /* a listener on the punch port too */
	CELLCOND_LOW_TTL,	 /* a first SYN that dies past the own NAT */
	CELLCOND_PREDICT,	 /* aim at the predicted next ports */
	CELLCOND_BIRTHDAY,	 /* many mappings against many ports */
	CELLCOND_NSTRATEGIES,
};

/* "connect", "listen-connect", ... NULL-terminated. */
extern const char *const cellcond_strategies[CELLCOND_NSTRATEGIES + 1];

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
	CELLCOND_ACCESS_A,
	CELLCOND_ACCESS_B,
	CELLCOND_STRATEGY,
	CELLCOND_PREDICT_WINDOW,
	CELLCOND_BIRTHDAY_SOCKETS,
	CELLCOND_BIRTHDAY_PORTS,
	CELLCOND_SYN_BUDGET,
	CELLCOND_HOME,
	CELLCOND_HOSTS_A,
	CELLCOND_HOSTS_B,
	CELLCOND_FAMILY,
};

struct cellcond_param {
	const char *name;
	double min, max;
	int whole; /* an integer (rate_kbit) */
	const char *help;
	/* A choice: the value is written as one of these names (NULL-
	 * terminated) and kept as its index; NULL for a number. */
	const char *const *names;
	/* 1: takes a distribution (conddist.h), drawn per trial; the others
	 * only a fixed value (rate: the shaper board has no rate). */
	int drawn;
};

extern const struct cellcond_param cellcond_params[CELLCOND_NPARAMS];

/* Index of the parameter named key, or -1. */
int cellcond_index(const char *key);
/* Parameter i's value, as a double (a choice: its index). */
double cellcond_get(const struct cell_cond *c, int i);
void cellcond_set(struct cell_cond *c, int i, double v);
/* 1 when the cell needs shaped links (any delay, jitter, loss or rate). */
/* The one-way delays of a cell's paths through inet, in ms (the model of
 * docs/link-conditions.md): a<->b rtt/2 + access_a + access_b;
 * a->charlie coord_a + access_a; charlie->a rtt/2 + coord_a + access_a. */
double cellcond_peer_ms(const struct cell_cond *c);
double cellcond_to_coord_ms(const struct cell_cond *c, int side);
double cellcond_from_coord_ms(const struct cell_cond *c, int side);
int cellcond_shaped(const struct cell_cond *c);
/* The name of parameter i's value when it is a choice, else NULL. */
const char *cellcond_value_name(const struct cell_cond *c, int i);

#endif
