/* stats: Wilson intervals and percentiles. */
#include <math.h>
#include <stdlib.h>

#include "stats.h"

void stats_wilson(unsigned k, unsigned n, double z, double *low,
		  double *high)
{
	double p, z2, denom, centre, half;

	if (n == 0) {
		*low = 0.0;
		*high = 1.0;
		return;
	}
	p = (double)k / n;
	z2 = z * z;
	denom = 1.0 + z2 / n;
	centre = (p + z2 / (2.0 * n)) / denom;
	half = z * sqrt(p * (1.0 - p) / n + z2 / (4.0 * n * n)) / denom;
	*low = centre - half < 0.0 ? 0.0 : centre - half;
	*high = centre + half > 1.0 ? 1.0 : centre + half;
	/* Exact ends: no rounding may pretend 0/n or n/n is inside. */
	if (k == 0)
		*low = 0.0;
	if (k == n)
		*high = 1.0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double stats_percentile(double *v, size_t n, double p)
{
	double rank, frac;
	size_t lo;

	if (n == 0)
		return NAN;
	qsort(v, n, sizeof(*v), cmp_double);
	rank = p / 100.0 * (double)(n - 1);
	lo = (size_t)rank;
	if (lo >= n - 1)
		return v[n - 1];
	frac = rank - (double)lo;
	return v[lo] + frac * (v[lo + 1] - v[lo]);
}

int stats_gate(unsigned k, unsigned n, double min, double max)
{
	double lo, hi;

	if (n == 0)
		return 0;
	stats_wilson(k, n, STATS_Z95, &lo, &hi);
	return hi >= min - 1e-12 && lo <= max + 1e-12;
}
