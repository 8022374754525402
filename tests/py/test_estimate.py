"""Tests for harness/py/estimate.py (and population.py, pairs.py,
mixture.py) on run folders built here, where the answer is known.
Run from the repo root: /usr/bin/python3 -m unittest discover -s tests/py"""
import contextlib
import io
import json
import math
import os
import shutil
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "harness", "py"))

import estimate  # noqa: E402
import population  # noqa: E402

PROFILES = os.path.join(ROOT, "nat-profiles")


def betainc(a, b, x):
    """Regularized incomplete beta I_x(a, b) (continued fraction, as in
    Numerical Recipes' betacf), to check Monte Carlo quantiles exactly."""
    if x <= 0.0 or x >= 1.0:
        return 0.0 if x <= 0.0 else 1.0
    if x > (a + 1.0) / (a + b + 2.0):
        return 1.0 - betainc(b, a, 1.0 - x)
    lbeta = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
    front = math.exp(lbeta + a * math.log(x) + b * math.log1p(-x)) / a
    c, d = 1.0, 1.0 - (a + b) * x / (a + 1.0)
    d = 1.0 / (d if abs(d) > 1e-300 else 1e-300)
    f = d
    for m in range(1, 500):
        for num in (m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
                    -(a + m) * (a + b + m) * x /
                    ((a + 2 * m) * (a + 2 * m + 1))):
            d = 1.0 + num * d
            d = 1.0 / (d if abs(d) > 1e-300 else 1e-300)
            c = 1.0 + num / c
            c = c if abs(c) > 1e-300 else 1e-300
            f *= c * d
        if abs(c * d - 1.0) < 1e-12:
            break
    return front * f


def beta_quantile(a, b, q):
    lo, hi = 0.0, 1.0
    for _ in range(100):
        mid = (lo + hi) / 2
        if betainc(a, b, mid) < q:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


class World:
    """A scratch folder with run folders and population files."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="pl-estimate-")
        self.n_runs = 0

    def close(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def run(self, cells):
        """cells: [(a, b, k, n, params, extra)]; trials 0..n-1, the first
        k of them ok unless extra["ok"] lists which trial numbers are."""
        self.n_runs += 1
        rid = "%06x" % self.n_runs
        path = os.path.join(self.dir, "t", rid)
        os.makedirs(path)
        summ, trials = [], []
        for i, (a, b, k, n, params, extra) in enumerate(cells):
            name = "c%d" % i
            ok = set(extra.get("ok", range(k)))
            assert len(ok) == k
            cell = {"cell": name, "a": a, "b": b, "trials": n,
                    "successes": k, "failures": {} if k == n else
                    {"timeout": n - k}, "params": params}
            if "timing" in extra:
                cell["timing"] = extra["timing"]
            summ.append(cell)
            for t in range(n):
                trials.append({"scenario": "t", "run_id": rid, "cell": name,
                               "trial": t, "a": a, "b": b,
                               "outcome": "ok" if t in ok else "timeout",
                               "params": params})
        with open(os.path.join(path, "summary.json"), "w") as f:
            json.dump({"scenario": "t", "run_id": rid, "cells": summ}, f)
        with open(os.path.join(path, "trials.jsonl"), "w") as f:
            for t in trials:
                f.write(json.dumps(t) + "\n")
        return path

    def population(self, rows, sample_size=None, kind="share",
                   header="profile,%s,source", name="p"):
        path = os.path.join(self.dir, name + ".csv")
        with open(path, "w") as f:
            f.write("# source: [s] a test source\n")
            if sample_size is not None:
                f.write("# sample_size: %d\n" % sample_size)
            f.write((header % kind) + "\n")
            for prof, amount in rows:
                f.write("%s,%s,s\n" % (prof, amount))
        return path


def run_cli(argv):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            rc = estimate.main(argv)
        except SystemExit as e:
            rc = e.code
    return rc, out.getvalue(), err.getvalue()


def estimates(argv):
    rc, out, err = run_cli(argv + ["--json", "--profiles", PROFILES])
    assert rc == 0, (rc, err)
    doc = json.loads(out)
    return {(tuple(sorted(e["conditions"].items())), e["strategy"]): e
            for e in doc["estimates"]}, doc


C = {"strategy": "connect"}


class TestKnownAnswers(unittest.TestCase):
    def setUp(self):
        self.w = World()

    def tearDown(self):
        self.w.close()

    def test_all_pairs_succeed_gives_one(self):
        profs = ["home-eim", "full-cone", "symmetric"]
        run = self.w.run([(a, b, 400, 400, C, {}) for a in profs
                          for b in profs])
        pop = self.w.population([(p, 1 / 3) for p in profs], 1000)
        est, _ = estimates([pop, run])
        e = est[((), "connect")]
        self.assertEqual(e["point"], 1.0)
        self.assertEqual(e["coverage"], 1.0)
        self.assertGreater(e["interval"][0], 0.99)
        self.assertEqual(e["interval"][1], 1.0)
        self.assertEqual(e["top_failures"][0]["mass"], 0.0)

    def test_single_profile_is_the_pairs_jeffreys_interval(self):
        run = self.w.run([("home-eim", "home-eim", 13, 20, C, {})])
        pop = self.w.population([("home-eim", 1.0)], 50)
        est, _ = estimates([pop, run, "--draws", "200000"])
        e = est[((), "connect")]
        self.assertAlmostEqual(e["point"], 13 / 20, places=9)
        lo = beta_quantile(13.5, 7.5, 0.025)
        hi = beta_quantile(13.5, 7.5, 0.975)
        self.assertAlmostEqual(e["interval"][0], lo, delta=0.005)
        self.assertAlmostEqual(e["interval"][1], hi, delta=0.005)
        # the population cannot move: its interval is the point
        self.assertEqual(e["interval_population_only"], [0.65, 0.65])

    def test_mixture_of_known_rates(self):
        # only eim x eim works; shares 0.7/0.3 -> 0.7^2 = 0.49
        run = self.w.run([(a, b, 5000 if a == b == "home-eim" else 0, 5000,
                           C, {}) for a in ("home-eim", "symmetric")
                          for b in ("home-eim", "symmetric")])
        pop = self.w.population([("home-eim", 0.7), ("symmetric", 0.3)],
                                100000)
        est, _ = estimates([pop, run])
        e = est[((), "connect")]
        self.assertAlmostEqual(e["point"], 0.49, places=9)
        self.assertLess(e["interval"][1] - e["interval"][0], 0.01)
        self.assertLessEqual(e["interval"][0], 0.49)
        self.assertGreaterEqual(e["interval"][1], 0.49)
        top = e["top_failures"][0]
        self.assertEqual(top["pair"], ["home-eim", "symmetric"])
        self.assertAlmostEqual(top["mass"], 2 * 0.7 * 0.3, places=6)

    def test_interval_widens_as_population_n_shrinks(self):
        run = self.w.run([(a, b, 20 if "symmetric" not in (a, b) else 0,
                           20, C, {}) for a in ("home-eim", "symmetric")
                          for b in ("home-eim", "symmetric")])
        widths = []
        for n in (10000, 1000, 100, 10):
            pop = self.w.population([("home-eim", 0.8), ("symmetric", 0.2)],
                                    n, name="n%d" % n)
            est, _ = estimates([pop, run])
            iv = est[((), "connect")]["interval_population_only"]
            widths.append(iv[1] - iv[0])
        self.assertEqual(widths, sorted(widths))
        self.assertGreater(widths[-1], 3 * widths[0])

    def test_counts_give_shares_and_sample_size(self):
        run = self.w.run([("home-eim", "home-eim", 10, 10, C, {})])
        pop = self.w.population([("home-eim", 3), ("symmetric", 1)],
                                kind="count")
        _, doc = estimates([pop, run])
        self.assertEqual(doc["population"]["sample_size"], 4)
        self.assertEqual(doc["population"]["shares"][0]["share"], 0.75)


class TestCoverage(unittest.TestCase):
    def setUp(self):
        self.w = World()
        self.pop = self.w.population([("home-eim", 0.5),
                                      ("symmetric", 0.5)], 1000)

    def tearDown(self):
        self.w.close()

    def test_unmeasured_pairs_are_bounded_and_named(self):
        run = self.w.run([("home-eim", "home-eim", 20, 20, C, {})])
        est, _ = estimates([self.pop, run])
        e = est[((), "connect")]
        self.assertIsNone(e["point"])
        self.assertAlmostEqual(e["point_bounds"][0], 0.25, places=6)
        self.assertAlmostEqual(e["point_bounds"][1], 1.0, places=6)
        self.assertAlmostEqual(e["coverage"], 0.25, places=6)
        self.assertEqual(len(e["unmeasured"]), 3)
        self.assertEqual(e["measured_only"], 1.0)
        self.assertLessEqual(e["interval"][0], e["point_bounds"][0])
        rc, _, err = run_cli([self.pop, run, "--strict", "--profiles",
                              PROFILES])
        self.assertEqual(rc, 1)
        self.assertIn("--strict", err)

    def test_mirror_stands_in_unless_refused(self):
        run = self.w.run([(a, b, 10, 20, C, {}) for a, b in
                          (("home-eim", "home-eim"),
                           ("home-eim", "symmetric"),
                           ("symmetric", "symmetric"))])
        est, _ = estimates([self.pop, run])
        e = est[((), "connect")]
        self.assertEqual(e["mirrored"], [["symmetric", "home-eim"]])
        self.assertEqual(e["coverage"], 1.0)
        self.assertAlmostEqual(e["point"], 0.5, places=9)
        est, _ = estimates([self.pop, run, "--no-mirror"])
        self.assertEqual(est[((), "connect")]["unmeasured"],
                         [["symmetric", "home-eim"]])

    def test_degraded_cells_are_left_out_or_flagged(self):
        run = self.w.run([("home-eim", "home-eim", 20, 20, C, {}),
                          ("symmetric", "symmetric", 0, 20, C,
                           {"timing": "degraded"})])
        est, doc = estimates([self.pop, run])
        self.assertEqual(doc["cells_degraded_excluded"], ["c1"])
        self.assertIn(["symmetric", "symmetric"],
                      est[((), "connect")]["unmeasured"])
        est, doc = estimates([self.pop, run, "--keep-degraded"])
        self.assertEqual(doc["cells_degraded_kept"], ["c1"])
        self.assertEqual(est[((), "connect")]["degraded_cells"], ["c1"])
        only = self.w.run([("home-eim", "home-eim", 20, 20, C,
                            {"timing": "degraded"})])
        rc, out, err = run_cli([self.pop, only, "--profiles", PROFILES])
        self.assertEqual((rc, out), (1, ""))
        self.assertIn("no cell of the runs matched", err)

    def test_conditions_and_runs_pool_and_split(self):
        r40 = dict(C, rtt_ms=40)
        run1 = self.w.run([("home-eim", "home-eim", 5, 10, r40, {}),
                           ("home-eim", "home-eim", 0, 10, C, {})])
        run2 = self.w.run([("home-eim", "home-eim", 10, 10, r40, {})])
        est, _ = estimates([self.pop, run1, run2])
        self.assertEqual(set(est), {((), "connect"),
                                    ((("rtt_ms", 40),), "connect")})
        top = est[((("rtt_ms", 40),), "connect")]["top_failures"][0]
        self.assertEqual((top["orders"][0]["k"], top["orders"][0]["n"]),
                         (15, 20))
        est, _ = estimates([self.pop, run1, run2, "--where", "rtt_ms=40"])
        self.assertEqual(list(est), [((("rtt_ms", 40),), "connect")])


class TestBestStrategy(unittest.TestCase):
    def setUp(self):
        self.w = World()

    def tearDown(self):
        self.w.close()

    def test_held_out_choice_is_counted_on_other_trials(self):
        # "lucky" wins every even trial and loses every odd one; "steady"
        # wins half of each: in-sample picks lucky's 10/20 or steady's
        # 10/20 alike, held-out picks lucky and counts its 0/10.
        lucky = {"strategy": "lucky"}
        steady = {"strategy": "steady"}
        run = self.w.run([
            ("home-eim", "home-eim", 10, 20, lucky,
             {"ok": range(0, 20, 2)}),
            ("home-eim", "home-eim", 10, 20, steady,
             {"ok": list(range(0, 10, 2)) + list(range(11, 20, 2))})])
        pop = self.w.population([("home-eim", 1.0)], 100)
        est, _ = estimates([pop, run])
        held = est[((), estimate.BEST_HELD_OUT)]
        self.assertEqual(held["point"], 0.0)
        self.assertEqual(held["top_failures"][0]["orders"][0]["strategy"],
                         "lucky")
        self.assertEqual(held["top_failures"][0]["orders"][0]["n"], 10)
        self.assertEqual(est[((), estimate.BEST_IN_SAMPLE)]["point"], 0.5)


class TestBadInput(unittest.TestCase):
    def setUp(self):
        self.w = World()
        self.run_dir = self.w.run([("home-eim", "home-eim", 1, 1, C, {})])

    def tearDown(self):
        self.w.close()

    def rc_err(self, text):
        path = os.path.join(self.w.dir, "bad.csv")
        with open(path, "w") as f:
            f.write(text)
        rc, out, err = run_cli([path, self.run_dir, "--profiles", PROFILES])
        return rc, err, path

    def test_each_error_names_file_line_and_key(self):
        head = "# source: [s] x\n# sample_size: 10\n"
        cases = [
            (head + "profile,share,source\nno-such-nat,1,s\n",
             ":4: profile: no NAT profile 'no-such-nat'"),
            (head + "profile,share,source\nhome-eim,0.5,s\n",
             ":4: share: shares add up to 0.5000"),
            (head + "profile,share,source\nhome-eim,lots,s\n",
             ":4: share: 'lots' is not a number"),
            (head + "profile,share,source\nhome-eim,1,t\n",
             ":4: source: [t] is not one of"),
            ("# source: [s] x\nprofile,share,source\nhome-eim,1,s\n",
             ":1: sample_size: missing"),
            (head + "profile,share,count,source\n",
             ":3: share: give exactly one"),
            (head + "# sample_size: 3\nprofile,count,source\n",
             ":3: sample_size: given twice"),
            (head + "profile,count,source\nhome-eim,2,s,extra\n",
             ":4: row: 4 fields"),
        ]
        for text, want in cases:
            rc, err, path = self.rc_err(text)
            self.assertEqual(rc, 2, (want, err))
            self.assertIn(path + want, err)

    def test_bad_run_and_remap_exit_2(self):
        pop = self.w.population([("home-eim", 1.0)], 10)
        rc, _, err = run_cli([pop, os.path.join(self.w.dir, "nope"),
                              "--profiles", PROFILES])
        self.assertEqual(rc, 2)
        self.assertIn("nope", err)
        rc, _, err = run_cli([pop, self.run_dir, "--remap",
                              "home-eim=no-such", "--profiles", PROFILES])
        self.assertEqual(rc, 2)
        self.assertIn("--remap:1: TO: no NAT profile 'no-such'", err)
        rc, _, _ = run_cli([pop])
        self.assertEqual(rc, 2)


class TestShippedPopulations(unittest.TestCase):
    def test_every_shipped_population_loads(self):
        pdir = os.path.join(ROOT, "populations")
        files = sorted(f for f in os.listdir(pdir) if f.endswith(".csv"))
        self.assertGreaterEqual(len(files), 2)
        for f in files:
            pop = population.load(os.path.join(pdir, f), PROFILES)
            self.assertGreater(pop.sample_size, 0)
            self.assertAlmostEqual(sum(w for _, w in pop.shares()), 1.0)
            self.assertTrue(pop.mapping, f)

    def test_remap_moves_a_share(self):
        pop = population.load(os.path.join(
            ROOT, "populations", "ford2005-nat-check.csv"), PROFILES)
        before = dict(pop.shares())
        pop.remap("symmetric", "symmetric-sequential")
        after = dict(pop.shares())
        self.assertNotIn("symmetric", after)
        self.assertEqual(after["symmetric-sequential"], before["symmetric"])


if __name__ == "__main__":
    unittest.main()
