"""runs: reads one results/<scenario>/<run-id>/ folder (summary.json,
trials.jsonl, run.json) into checked objects; anything garbled raises
InputError naming the file and line, so the scripts can exit 2 with it."""
import json
import os
import re
import shlex

import stats

# Condition parameters in the order a reader expects them; others follow.
# tests/py/test_vocabulary.py holds the names to testbed/cellcond.c.
PARAM_ORDER = ("strategy", "skew_ms", "rtt_ms", "jitter_ms", "loss",
               "rate_kbit", "coord_delay_a_ms", "coord_delay_b_ms",
               "access_a_ms", "access_b_ms", "predict_window",
               "birthday_sockets", "birthday_ports", "syn_budget", "home",
               "hosts_a", "hosts_b", "family")
# Failure reasons the harness writes, in the order a reader expects them;
# tests/py/test_outcomes.py holds this to harness/common/outcomes.c.
REASONS = ("timeout", "refused", "unreachable", "wrong-peer", "bind",
           "coordinator", "setup", "unverified", "bitcoind", "policy",
           "pcp")


class InputError(Exception):
    """A result file is missing or garbled; str() is 'file:line: what'."""


# summary.json's per-cell timing figures (harness/punchlab/results/timing.h)
TIMING_KEYS = ("start_error_us_p50", "start_error_us_p90",
               "start_error_us_p99", "start_error_us_max",
               "first_syn_gap_us_p50", "first_syn_gap_us_p90",
               "first_syn_gap_us_max", "shaper_late_us_mean",
               "shaper_late_us_max", "timing_error_max_ms")
TIMING_VERDICTS = ("ok", "degraded", "unmeasured", "n/a")


def b_label(raw):
    """Bob's router as tables show it: in a shared home (home = shared)
    bob sits behind alice's router, which must not pool with a pair of
    two routers of the same profile."""
    b = raw.get("b")
    if b and raw.get("home") == "shared":
        return "%s (same router)" % b
    return b


def homes(raw):
    """(home, hosts behind a, hosts behind b) of a cell or trial record;
    runs written before homes existed had one host per router."""
    hosts = raw.get("hosts") if isinstance(raw.get("hosts"), dict) else {}
    return (raw.get("home") or "separate", hosts.get("a", 1),
            hosts.get("b", 1))


class Trial:
    def __init__(self, raw, line):
        self.raw = raw
        self.line = line
        self.cell = raw["cell"]
        self.trial = raw["trial"]
        self.outcome = raw["outcome"]
        self.a = raw.get("a")
        self.b = b_label(raw)
        self.homes = homes(raw)
        self.seed = raw.get("seed")
        self.attempts = raw.get("attempts")
        self.ttc_ms = raw.get("ttc_ms")
        self.handshake_ms = raw.get("handshake_ms")
        self.start_skew_us = raw.get("start_skew_us")
        self.first_syn_gap_us = raw.get("first_syn_gap_us")
        self.params = raw.get("params") or {}

    @property
    def start_errors(self):
        """Each side's start error (us) the record carries."""
        out = []
        for side in ("alice", "bob"):
            rep = self.raw.get(side)
            if isinstance(rep, dict) and _is_num(rep.get("start_error_us")):
                out.append(rep["start_error_us"])
        return out

    @property
    def ok(self):
        return self.outcome == "ok"

    def agent_error(self):
        """First agent's own error text, which usually says why."""
        for side in ("alice", "bob"):
            rep = self.raw.get(side)
            if isinstance(rep, dict) and isinstance(rep.get("error"), str):
                return "%s: %s" % (side, rep["error"])
        return None


class Cell:
    def __init__(self, run, name, a, b):
        self.run = run
        self.name = name
        self.a = a
        self.b = b
        self.n = 0
        self.k = 0
        self.params = {}
        self.failures = {}
        self.expect = None
        self.verdict = None
        self.p50 = None
        self.p90 = None
        self.nat_counters = None
        # The harness's own timing (summary.json): "ok", "degraded",
        # "unmeasured", "n/a" (a ladder cell that never punched), or None
        # for a summary written before it existed;
        # its figures (TIMING_KEYS) and, when degraded, why.
        self.timing = None
        self.timing_stats = {}
        self.timing_note = None
        self.homes = ("separate", 1, 1)
        # summary.json's "adversary" object (docs/adversaries.md section
        # 6) for a cell that ran an attack, else None.
        self.adversary = None
        # summary.json's "ladder" object (docs/alternatives.md section 6)
        # for a cell that tried several mechanisms, else None.
        self.ladder = None
        self.trials = []
        self.in_summary = False
        self.label = name   # made unique across runs by the caller
        self.timing = None  # summary.json's "timing" ("ok", "degraded", ...)

    @property
    def rate(self):
        return self.k / self.n if self.n else None

    @property
    def degraded(self):
        return self.timing == "degraded"

    @property
    def row_label(self):
        """The label with a visible mark when the cell's harness timing
        was degraded: every table row of the cell carries it."""
        return self.label + (" ⚠ timing degraded" if self.degraded else "")

    @property
    def wilson(self):
        return stats.wilson(self.k, self.n)

    @property
    def ttcs(self):
        return sorted(t.ttc_ms for t in self.trials
                      if t.ok and t.ttc_ms is not None)

    @property
    def expect_text(self):
        if isinstance(self.expect, dict) and self.expect.get("text"):
            return str(self.expect["text"])
        return None

    def failed_trials(self):
        return sorted((t for t in self.trials if not t.ok),
                      key=lambda t: t.trial)


class Run:
    def __init__(self, path):
        self.path = path
        self.scenario = None
        self.run_id = None
        self.seed = None
        self.scenario_path = None
        self.kernel = None
        self.cells = []
        self.trials = []
        self.notes = []     # non-fatal inconsistencies worth showing

    def cell(self, name):
        for c in self.cells:
            if c.name == name:
                return c
        return None

    def rerun_command(self, cell, trial=None):
        argv = ["punchlab", "run", "--cell", cell]
        if trial is not None:
            argv += ["--trial", str(trial)]
        argv.append(self.scenario_path)
        return " ".join(shlex.quote(a) for a in argv)

    def param_keys(self):
        seen = []
        for c in self.cells:
            for key in c.params:
                if key not in seen:
                    seen.append(key)
        for t in self.trials:
            for key in t.params:
                if key not in seen:
                    seen.append(key)
        return order_params(seen)


def order_params(keys):
    known = [k for k in PARAM_ORDER if k in keys]
    return known + [k for k in keys if k not in PARAM_ORDER]


def _is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def _is_num(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _check_params(p, where):
    if p is None:
        return {}
    if not isinstance(p, dict):
        raise InputError("%s: 'params' must be an object" % where)
    for key, v in p.items():
        if not (_is_num(v) or isinstance(v, str)):
            raise InputError("%s: params.%s must be a number or a string"
                             % (where, key))
    return p


def _read_lines(path):
    try:
        with open(path, "rb") as f:
            data = f.read()
    except FileNotFoundError:
        raise InputError("%s: missing (did the run finish?)" % path)
    except OSError as e:
        raise InputError("%s: cannot read: %s" % (path, e.strerror))
    lines = []
    for no, raw in enumerate(data.split(b"\n"), 1):
        try:
            lines.append(raw.decode("utf-8"))
        except UnicodeDecodeError:
            raise InputError("%s:%d: not UTF-8 text" % (path, no))
    return lines


def _load_json(path, optional=False):
    if optional and not os.path.exists(path):
        return None, None
    text = "\n".join(_read_lines(path))
    try:
        return json.loads(text), text
    except json.JSONDecodeError as e:
        raise InputError("%s:%d: not valid JSON (%s, column %d)"
                         % (path, e.lineno, e.msg, e.colno))


def _cells_lines(text):
    """Line of each element of the top-level "cells" array, so a checked
    error in summary.json can point at the cell it is about."""
    m = re.search(r'"cells"\s*:\s*\[', text)
    if not m:
        return []
    out, depth, i, in_str = [], 1, m.end(), False
    expect_item = True
    while i < len(text) and depth > 0:
        ch = text[i]
        if in_str:
            if ch == "\\":
                i += 1
            elif ch == '"':
                in_str = False
        elif ch.isspace():
            pass
        else:
            if depth == 1 and expect_item and ch != "]":
                out.append(text.count("\n", 0, i) + 1)
                expect_item = False
            if ch == '"':
                in_str = True
            elif ch in "[{":
                depth += 1
            elif ch in "]}":
                depth -= 1
            elif ch == "," and depth == 1:
                expect_item = True
        i += 1
    return out


def _load_summary(run, path):
    doc, text = _load_json(path)
    if not isinstance(doc, dict):
        raise InputError("%s:1: expected a JSON object" % path)
    for key in ("scenario", "run_id"):
        if not isinstance(doc.get(key), str) or not doc[key]:
            raise InputError("%s:1: '%s' missing or not a string"
                             % (path, key))
    if not isinstance(doc.get("cells"), list):
        raise InputError("%s:1: 'cells' missing or not a list" % path)
    run.scenario = doc["scenario"]
    run.run_id = doc["run_id"]
    if _is_int(doc.get("seed")):
        run.seed = doc["seed"]
    lines = _cells_lines(text)
    for i, c in enumerate(doc["cells"]):
        line = lines[i] if i < len(lines) else 1
        where = "%s:%d: cells[%d]" % (path, line, i)
        if not isinstance(c, dict):
            raise InputError("%s: expected an object" % where)
        for key in ("cell", "a", "b"):
            if not isinstance(c.get(key), str) or not c[key]:
                raise InputError("%s: '%s' missing or not a string"
                                 % (where, key))
        for key in ("trials", "successes"):
            if not _is_int(c.get(key)) or c[key] < 0:
                raise InputError("%s: '%s' missing or not a count"
                                 % (where, key))
        if c["successes"] > c["trials"]:
            raise InputError("%s: successes (%d) exceed trials (%d)"
                             % (where, c["successes"], c["trials"]))
        if run.cell(c["cell"]):
            raise InputError("%s: cell '%s' listed twice"
                             % (where, c["cell"]))
        cell = Cell(run, c["cell"], c["a"], b_label(c))
        cell.homes = homes(c)
        cell.in_summary = True
        cell.n, cell.k = c["trials"], c["successes"]
        cell.params = dict(_check_params(c.get("params"), where))
        fails = c.get("failures") or {}
        if not isinstance(fails, dict) or not all(
                _is_int(v) and v >= 0 for v in fails.values()):
            raise InputError("%s: 'failures' must map reasons to counts"
                             % where)
        cell.failures = dict(fails)
        cell.timing = c.get("timing")
        exp = c.get("expect")
        if exp is not None and not isinstance(exp, dict):
            raise InputError("%s: 'expect' must be an object" % where)
        cell.expect = exp
        adv = c.get("adversary")
        if adv is not None and not isinstance(adv, dict):
            raise InputError("%s: 'adversary' must be an object" % where)
        cell.adversary = adv
        lad = c.get("ladder")
        if lad is not None and not isinstance(lad, dict):
            raise InputError("%s: 'ladder' must be an object" % where)
        cell.ladder = lad
        v = c.get("verdict")
        if v is not None and not isinstance(v, str):
            raise InputError("%s: 'verdict' must be a string" % where)
        cell.verdict = v
        for key in ("ttc_ms_p50", "ttc_ms_p90"):
            if c.get(key) is not None and not _is_num(c[key]):
                raise InputError("%s: '%s' must be a number or null"
                                 % (where, key))
        cell.p50, cell.p90 = c.get("ttc_ms_p50"), c.get("ttc_ms_p90")
        for key in TIMING_KEYS:
            if c.get(key) is not None and not _is_num(c[key]):
                raise InputError("%s: '%s' must be a number or null"
                                 % (where, key))
            cell.timing_stats[key] = c.get(key)
        t = c.get("timing")
        if t is not None and t not in TIMING_VERDICTS:
            raise InputError("%s: 'timing' must be one of %s"
                             % (where, ", ".join(TIMING_VERDICTS)))
        cell.timing = t
        if isinstance(c.get("timing_note"), str):
            cell.timing_note = c["timing_note"]
        if isinstance(c.get("nat_counters"), dict):
            cell.nat_counters = c["nat_counters"]
        lo, hi = cell.wilson
        for key, mine in (("wilson_low", lo), ("wilson_high", hi)):
            theirs = c.get(key)
            if cell.n and _is_num(theirs) and abs(theirs - mine) > 5e-4:
                run.notes.append(
                    "summary.json cell %s: %s %.4f differs from the "
                    "recomputed %.4f" % (cell.name, key, theirs, mine))
        run.cells.append(cell)


_TRIAL_FIELDS = (("cell", str, False), ("trial", int, False),
                 ("outcome", str, False), ("a", str, True),
                 ("b", str, True), ("seed", int, True),
                 ("attempts", int, True), ("ttc_ms", float, True),
                 ("handshake_ms", float, True),
                 ("start_skew_us", float, True),
                 ("first_syn_gap_us", float, True),
                 ("shaper_late_us_mean", float, True),
                 ("shaper_late_us_max", float, True))


def _check_trial(raw, where, run):
    if not isinstance(raw, dict):
        raise InputError("%s: expected a JSON object" % where)
    for key, typ, nullable in _TRIAL_FIELDS:
        v = raw.get(key)
        if v is None:
            if nullable:
                continue
            raise InputError("%s: '%s' missing" % (where, key))
        good = (_is_int(v) if typ is int else
                _is_num(v) if typ is float else isinstance(v, str) and v)
        if not good:
            raise InputError("%s: '%s' has a wrong type (%r)"
                             % (where, key, v))
    if raw["trial"] < 0:
        raise InputError("%s: 'trial' is negative" % where)
    for key in ("scenario", "run_id"):
        mine = getattr(run, key)
        if key in raw and raw[key] != mine:
            raise InputError("%s: %s '%s' is not summary.json's '%s'"
                             % (where, key, raw[key], mine))
    _check_params(raw.get("params"), where)


def _load_trials(run, path):
    seen = {}
    for no, text in enumerate(_read_lines(path), 1):
        if not text.strip():
            continue
        where = "%s:%d" % (path, no)
        try:
            raw = json.loads(text)
        except json.JSONDecodeError as e:
            raise InputError("%s: not valid JSON (%s, column %d)"
                             % (where, e.msg, e.colno))
        _check_trial(raw, where, run)
        t = Trial(raw, no)
        key = (t.cell, t.trial)
        if key in seen:
            raise InputError("%s: trial %d of cell '%s' already on line %d"
                             % (where, t.trial, t.cell, seen[key]))
        seen[key] = no
        run.trials.append(t)


def _attach_trials(run):
    for t in run.trials:
        c = run.cell(t.cell)
        if c is None:
            # Trials of a cell the summary lost (crash before it was
            # written): still worth showing, but without a verdict.
            c = Cell(run, t.cell, t.a or "?", t.b or "?")
            c.homes = t.homes
            c.params = dict(t.params)
            run.cells.append(c)
            run.notes.append("cell %s has trials but is not in "
                             "summary.json (no expectation, no verdict)"
                             % t.cell)
        c.trials.append(t)
        if c.params:
            # A trial's params may be partial; the cell's fill the gaps.
            t.params = dict(c.params, **t.params)
    for c in run.cells:
        c.trials.sort(key=lambda t: t.trial)
        if not c.params and c.trials and c.trials[0].params:
            c.params = dict(c.trials[0].params)
        n = len(c.trials)
        k = sum(1 for t in c.trials if t.ok)
        if not c.in_summary:
            c.n, c.k = n, k
            for t in c.trials:
                if not t.ok:
                    c.failures[t.outcome] = c.failures.get(t.outcome, 0) + 1
            c.p50 = stats.percentile(c.ttcs, 50)
            c.p90 = stats.percentile(c.ttcs, 90)
        elif (n, k) != (c.n, c.k):
            run.notes.append("cell %s: summary.json says %d/%d, "
                             "trials.jsonl holds %d/%d"
                             % (c.name, c.k, c.n, k, n))


def load_run(path):
    """Read and check one run folder; raises InputError."""
    if not os.path.isdir(path):
        raise InputError("%s: not a run folder (no such directory)" % path)
    run = Run(os.path.normpath(path))
    _load_summary(run, os.path.join(path, "summary.json"))
    _load_trials(run, os.path.join(path, "trials.jsonl"))
    meta, _ = _load_json(os.path.join(path, "run.json"), optional=True)
    if isinstance(meta, dict):
        if isinstance(meta.get("path"), str) and meta["path"]:
            run.scenario_path = meta["path"]
        if isinstance(meta.get("kernel"), str):
            run.kernel = meta["kernel"]
        if run.seed is None and _is_int(meta.get("seed")):
            run.seed = meta["seed"]
    if run.scenario_path is None:
        run.scenario_path = "scenarios/%s.ini" % run.scenario
    if run.seed is None:
        seeds = {t.seed for t in run.trials if t.seed is not None}
        if len(seeds) == 1:
            run.seed = seeds.pop()
    _attach_trials(run)
    return run


def load_runs(paths):
    """Read several runs and give every cell a label unique among them."""
    runs = [load_run(p) for p in paths]
    cells = [c for r in runs for c in r.cells]
    names = [c.name for c in cells]
    scoped = ["%s/%s" % (c.run.scenario, c.name) for c in cells]
    for c in cells:
        if names.count(c.name) == 1:
            c.label = c.name
        elif scoped.count("%s/%s" % (c.run.scenario, c.name)) == 1:
            c.label = "%s/%s" % (c.run.scenario, c.name)
        else:
            c.label = "%s/%s/%s" % (c.run.scenario, c.run.run_id, c.name)
    return runs


def params_text(params):
    if not params:
        return ""
    return ", ".join("%s=%s" % (k, fmt_num(params[k]))
                     for k in order_params(list(params)))


def fmt_num(v):
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)
