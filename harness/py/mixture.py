"""mixture: the success rate of a random pair of home nodes, each drawn
independently from a population of NAT profiles, from a matrix of
measured pairs, with a Monte Carlo interval that carries both
uncertainties:

- each measured ordered pair's success p_ab ~ Beta(k + 1/2, n - k + 1/2)
  (Jeffreys prior on the trials that pair ran);
- the shares w ~ Dirichlet(N w_hat + 1/2) (N the population's sample size:
  the shares are what N devices showed, Jeffreys prior per profile);
- E = sum_ab w_a w_b p_ab per draw; the 95% interval is its 2.5th and
  97.5th percentile, widened to hold the point estimate (sum_ab
  w_a w_b k_ab/n_ab) where the draws all fall on one side of it (pairs at
  n/n or 0/n).

A pair the runs did not measure is bounded, not guessed: its p is 0 in
the lower bound and 1 in the upper, so the interval runs from the lower
bound's 2.5th percentile to the upper bound's 97.5th. When only (a, b)
was measured, (b, a) takes its counts (and its draw) if mirror is set:
the roles (initiator, responder) are assumed not to matter."""
import numpy as np

DRAWS = 20000
SEED = 1


class Result:
    pass


def _layout(profiles, matrix, mirror):
    """Per ordered pair of population profiles: the key of the measured
    cell that stands for it (itself, or its mirror), or None."""
    out = {}
    for a in profiles:
        for b in profiles:
            if (a, b) in matrix:
                out[(a, b)] = (a, b)
            elif mirror and (b, a) in matrix:
                out[(a, b)] = (b, a)
            else:
                out[(a, b)] = None
    return out


def _percentiles(x, lo=2.5, hi=97.5):
    return float(np.percentile(x, lo)), float(np.percentile(x, hi))


def _around(iv, point):
    """The interval widened to hold the point estimate: a pair at n/n has
    its Jeffreys draws all below 1, and an interval that leaves out the
    measured rate would say the measurement is unlikely. This is the
    usual fix of the Jeffreys interval at 0/n and n/n (Brown, Cai and
    DasGupta 2001: the end at the boundary is the boundary)."""
    if iv is None:
        return None
    return min(iv[0], point[0]), max(iv[1], point[1])


def _mix(w, layout, p, profiles):
    """sum_ab w_a w_b p_ab with unmeasured pairs at 0 and at 1, and the
    population mass of the measured pairs: (lo, hi, mass); w and p may be
    arrays of draws (then the sums are per draw)."""
    lo = hi = mass = 0.0
    for (a, b), src in layout.items():
        ww = w[profiles.index(a)] * w[profiles.index(b)]
        if src is None:
            hi = hi + ww
            continue
        lo = lo + ww * p[src]
        hi = hi + ww * p[src]
        mass = mass + ww
    return lo, hi, mass


def estimate(shares, sample_size, matrix, mirror=True, draws=DRAWS,
             seed=SEED):
    """shares: [(profile, share)]; matrix: {(a, b): Counts}. Returns a
    Result with point estimates and intervals (see the module doc)."""
    profiles = [p for p, _ in shares]
    w_hat = np.array([w for _, w in shares], dtype=float)
    layout = _layout(profiles, matrix, mirror)
    used = sorted({src for src in layout.values() if src is not None})
    rng = np.random.default_rng(seed)
    alpha = sample_size * w_hat + 0.5
    if len(profiles) == 1:
        w_draw = np.ones((draws, 1))
    else:
        w_draw = rng.dirichlet(alpha, size=draws)
    p_hat, p_draw = {}, {}
    for src in used:
        k, n = matrix[src].k, matrix[src].n
        p_hat[src] = k / n
        p_draw[src] = rng.beta(k + 0.5, n - k + 0.5, size=draws)
    wd = [w_draw[:, i] for i in range(len(profiles))]
    r = Result()
    r.profiles = profiles
    r.layout = layout
    r.draws = draws
    r.seed = seed
    lo, hi, mass = _mix(w_hat, layout, p_hat, profiles)
    r.point = (lo, hi)
    r.coverage = mass
    r.measured_only = lo / mass if mass > 0 else None
    dlo, dhi, dmass = _mix(wd, layout, p_draw, profiles)
    r.interval = (_percentiles(dlo)[0], _percentiles(dhi)[1])
    r.measured_only_interval = (
        _percentiles(dlo / dmass) if r.measured_only is not None
        else None)
    # What each source of uncertainty alone gives (the other held at its
    # point estimate): which one a better run or a better survey shrinks.
    mlo, mhi, _ = _mix(w_hat, layout, p_draw, profiles)
    r.matrix_only = (_percentiles(mlo + np.zeros(draws))[0],
                     _percentiles(mhi + np.zeros(draws))[1])
    plo, phi, _ = _mix(wd, layout, p_hat, profiles)
    r.population_only = (_percentiles(plo + np.zeros(draws))[0],
                         _percentiles(phi + np.zeros(draws))[1])
    r.interval = _around(r.interval, r.point)
    r.matrix_only = _around(r.matrix_only, r.point)
    r.population_only = _around(r.population_only, r.point)
    if r.measured_only is not None:
        r.measured_only_interval = _around(
            r.measured_only_interval, (r.measured_only, r.measured_only))
    r.failures = _failures(w_hat, layout, p_hat, profiles, matrix)
    r.unmeasured = [pair for pair, src in layout.items() if src is None]
    r.mirrored = [pair for pair, src in layout.items()
                  if src is not None and src != pair]
    return r


def _failures(w, layout, p_hat, profiles, matrix):
    """Unordered pairs by expected failure mass w_a w_b (1 - p) over both
    orders (measured orders only), largest first."""
    out = {}
    for (a, b), src in layout.items():
        if src is None:
            continue
        key = tuple(sorted((a, b), key=profiles.index))
        ww = w[profiles.index(a)] * w[profiles.index(b)]
        ent = out.setdefault(key, {"pair": list(key), "mass": 0.0,
                                   "orders": []})
        ent["mass"] += float(ww * (1.0 - p_hat[src]))
        cnt = matrix[src]
        ent["orders"].append({"a": a, "b": b, "k": cnt.k, "n": cnt.n,
                              "mirrored": src != (a, b),
                              "strategy": cnt.strategy})
    return sorted(out.values(), key=lambda e: (-e["mass"], e["pair"]))
