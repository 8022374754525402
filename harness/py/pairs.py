"""pairs: the measured success of each ordered NAT-profile pair, per
condition (a cell's params but the strategy) and per strategy, pooled
over every cell and run that measured it; and the "best strategy per
pair" matrices, chosen on one half of the trials and measured on the
other (held-out), or chosen and measured on all of them (in-sample).

Reads only what runs.py loaded. Cells marked `timing: degraded` in
summary.json (the harness's own timing was worse than the scenario's
threshold) are left out unless keep_degraded is set."""
import runs as runsmod
import strategies


class Counts:
    """Successes k of n trials for one ordered pair, and where from."""

    def __init__(self, k=0, n=0):
        self.k = k
        self.n = n
        self.cells = []       # labels of the cells pooled here
        self.strategy = None  # for the best-per-pair matrices
        self.degraded = False

    def add(self, k, n, label):
        self.k += k
        self.n += n
        self.cells.append(label)

    @property
    def rate(self):
        return self.k / self.n if self.n else None


def degraded(cell):
    """True when summary.json marks the cell's timing as degraded."""
    t = cell.timing
    if isinstance(t, str):
        return t == "degraded"
    if isinstance(t, dict):
        return t.get("status") == "degraded" or t.get("degraded") is True
    return False


def condition_key(params):
    """The cell's conditions but the strategy, in the reader's order."""
    keys = [k for k in runsmod.order_params(list(params)) if k != "strategy"]
    return tuple((k, params[k]) for k in keys)


def condition_text(key):
    return runsmod.params_text(dict(key)) or "(no conditions)"


def _matches(key, where):
    have = {k: runsmod.fmt_num(v) for k, v in key}
    return all(have.get(k) == v for k, v in where)


class Measured:
    """groups[condition][strategy][(a, b)] = Counts, and what was left out."""

    def __init__(self):
        self.groups = {}
        self.trials = {}       # (condition, strategy, (a, b)) -> [Trial]
        self.degraded = []     # labels of the cells left out
        self.flagged = []      # degraded cells kept (keep_degraded)
        self.cells = 0


def collect(runs, where=(), only=(), keep_degraded=False):
    """Measured pairs of the runs' cells. where: [(key, text)] a cell's
    params must match; only: strategies to keep (all when empty)."""
    m = Measured()
    for run in runs:
        for c in run.cells:
            key = condition_key(c.params)
            strat = strategies.strategy_of(c)
            if not c.n or not _matches(key, where) or \
                    (only and strat not in only):
                continue
            if degraded(c):
                if not keep_degraded:
                    m.degraded.append(c.label)
                    continue
                m.flagged.append(c.label)
            m.cells += 1
            pair = (c.a, c.b)
            cnt = m.groups.setdefault(key, {}).setdefault(
                strat, {}).setdefault(pair, Counts())
            cnt.add(c.k, c.n, c.label)
            cnt.degraded = cnt.degraded or degraded(c)
            m.trials.setdefault((key, strat, pair), []).extend(c.trials)
    return m


def _halves(trials):
    """(k, n) of the even-numbered trials and of the odd-numbered ones."""
    even = [t for t in trials if t.trial % 2 == 0]
    odd = [t for t in trials if t.trial % 2 == 1]
    return ((sum(t.ok for t in even), len(even)),
            (sum(t.ok for t in odd), len(odd)))


def _jeffreys_mean(k, n):
    return (k + 0.5) / (n + 1.0)


def best_held_out(measured, key):
    """{pair: Counts}: per pair the strategy whose even-numbered trials did
    best (Jeffreys mean; ties to the first name), counted on its
    odd-numbered trials only, so the choice cannot flatter the result.
    Pairs whose cells have no trials.jsonl rows cannot be split: left out."""
    by_pair = {}
    for strat, mat in measured.groups[key].items():
        for pair in mat:
            trials = measured.trials.get((key, strat, pair), [])
            sel, est = _halves(trials)
            if sel[1] and est[1]:
                by_pair.setdefault(pair, []).append((strat, sel, est))
    out = {}
    for pair, options in by_pair.items():
        options.sort(key=lambda o: (-_jeffreys_mean(*o[1]), o[0]))
        strat, _, (k, n) = options[0]
        c = Counts(k, n)
        c.strategy = strat
        c.cells = list(measured.groups[key][strat][pair].cells)
        out[pair] = c
    return out


def best_in_sample(measured, key):
    """{pair: Counts}: per pair the strategy with the highest rate on all
    its trials. Biased upward: the maximum of noisy rates is expected to
    be above the best strategy's true rate (the winner's curse)."""
    out = {}
    for strat, mat in sorted(measured.groups[key].items()):
        for pair, cnt in mat.items():
            cur = out.get(pair)
            if cur is None or _jeffreys_mean(cnt.k, cnt.n) > \
                    _jeffreys_mean(cur.k, cur.n):
                c = Counts(cnt.k, cnt.n)
                c.strategy = strat
                c.cells = list(cnt.cells)
                out[pair] = c
    return out
