/* stats: the few statistics a punch result needs: Wilson score intervals
 * for success rates and percentiles of time-to-connect. */
#ifndef PUNCHLAB_STATS_H
#define PUNCHLAB_STATS_H

#include <stddef.h>

#define STATS_Z95 1.959963984540054

/* Wilson score interval for k successes in n trials (n > 0) at z. */
void stats_wilson(unsigned k, unsigned n, double z, double *low,
		  double *high);
/* p-th percentile (0..100) of v[0..n), linear interpolation between
 * closest ranks; sorts v in place. NaN when n == 0. */
double stats_percentile(double *v, size_t n, double p);

/* The expectation gate: 1 when the Wilson interval (95%) of k/n meets
 * [min, max]. A correct build whose true rate lies in the range fails
 * rarely; a rate well outside it is caught. 0 when n == 0. */
int stats_gate(unsigned k, unsigned n, double min, double max);

#endif
