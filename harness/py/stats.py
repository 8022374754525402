"""stats: Wilson score intervals and percentiles, computed the same way as
harness/common/stats.c so report, gate and summary.json agree to the digit."""
import math

Z95 = 1.959964


def wilson(k, n, z=Z95):
    """95% Wilson score interval (lo, hi) for k successes in n trials.

    n == 0 gives (0, 1): no data, no information. The ends are exact for
    k == 0 and k == n so rounding never pretends 0/n or n/n is inside.
    """
    if n <= 0:
        return 0.0, 1.0
    p = k / n
    z2 = z * z
    denom = 1.0 + z2 / n
    centre = (p + z2 / (2.0 * n)) / denom
    half = z * math.sqrt(p * (1.0 - p) / n + z2 / (4.0 * n * n)) / denom
    lo = max(0.0, centre - half)
    hi = min(1.0, centre + half)
    if k == 0:
        lo = 0.0
    if k == n:
        hi = 1.0
    return lo, hi


def percentile(values, p):
    """Linear-interpolation percentile (numpy's default), None when empty."""
    v = sorted(values)
    if not v:
        return None
    rank = p / 100.0 * (len(v) - 1)
    lo = int(rank)
    if lo >= len(v) - 1:
        return v[-1]
    return v[lo] + (rank - lo) * (v[lo + 1] - v[lo])
