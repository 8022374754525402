"""Tests for harness/py/report.py and junit.py on the run folders in
tests/py/data/ (written by make_fixtures.py, plus a real smoke run).
Run from the repo root: /usr/bin/python3 -m unittest discover -s tests/py"""
import contextlib
import csv
import io
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import unittest
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
PY = os.path.join(ROOT, "harness", "py")
DATA = os.path.join(HERE, "data")
sys.path.insert(0, PY)

import junit  # noqa: E402
import report  # noqa: E402
import runs  # noqa: E402
import stats  # noqa: E402

RUNS = {"gate": "gate/0a0b0c", "skew": "skew-sweep/5e1f0a",
        "rtt": "rtt-sweep/9c2d41", "empty": "empty/e0e0e0",
        "smoke": "smoke/b47a31", "strategies": "strategies/5a7e01"}
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def call(main, argv):
    """Run a script's main() in-process; returns (rc, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            rc = main(argv)
        except SystemExit as e:   # argparse
            rc = e.code
    return rc, out.getvalue(), err.getvalue()


def script(name, *args):
    return subprocess.run([sys.executable, os.path.join(PY, name)] +
                          list(args), capture_output=True, text=True,
                          timeout=60)


def read_trials(path):
    with open(os.path.join(path, "trials.jsonl")) as f:
        return [json.loads(line) for line in f if line.strip()]


class Tmp:
    """A scratch copy of the fixtures, so reports never land in the repo."""
    dir = None

    @classmethod
    def get(cls):
        if cls.dir is None:
            cls.dir = tempfile.mkdtemp(prefix="punchlab-report-test-")
            shutil.copytree(DATA, os.path.join(cls.dir, "data"))
        return cls.dir

    @classmethod
    def run(cls, key):
        return os.path.join(cls.get(), "data", RUNS[key])


def tearDownModule():
    if Tmp.dir:
        shutil.rmtree(Tmp.dir, ignore_errors=True)


class PngMixin:
    def assertPng(self, path):
        self.assertTrue(os.path.exists(path), path)
        with open(path, "rb") as f:
            data = f.read()
        self.assertEqual(data[:8], PNG_MAGIC, path)
        self.assertEqual(data[12:16], b"IHDR", path)
        w, h = struct.unpack(">II", data[16:24])
        self.assertGreater(w, 300, path)
        self.assertGreater(h, 200, path)
        self.assertGreater(len(data), 1024, path)
        self.assertEqual(data[-8:-4], b"IEND", path)

    def assertLinksExist(self, md_path):
        with open(md_path) as f:
            text = f.read()
        links = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text)
        self.assertTrue(links)
        for link in links:
            self.assertFalse(os.path.isabs(link), link)
            self.assertPng(os.path.join(os.path.dirname(md_path), link))
        return links


class TestStrategies(unittest.TestCase, PngMixin):
    """The strategies section: tables per strategy from the agents' own
    counts, and the birthday curve with SYNs per success."""

    @classmethod
    def setUpClass(cls):
        cls.dir = Tmp.run("strategies")
        cls.rc, cls.out, cls.err = call(report.main, ["--quiet", cls.dir])
        with open(os.path.join(cls.dir, "report.md")) as f:
            cls.md = f.read()

    def section(self):
        start = self.md.index("## Punch strategies")
        end = self.md.index("\n## ", start + 1)
        return self.md[start:end]

    def test_one_table_per_strategy(self):
        self.assertEqual(self.rc, 0, self.err)
        sec = self.section()
        for name in ("connect", "listen-connect", "birthday"):
            self.assertIn("### %s\n" % name, sec)
        self.assertLess(sec.index("### connect\n"),
                        sec.index("### birthday\n"))

    def test_listener_and_syn_counts(self):
        trials = read_trials(self.dir)
        fc = [t for t in trials if t["cell"] == "fc-fc-listen"]
        syns = sum(t[s]["syns_sent"] for t in fc for s in ("alice", "bob"))
        ok = sum(t["outcome"] == "ok" for t in fc)
        row = [ln for ln in self.section().splitlines()
               if ln.startswith("| fc-fc-listen |")][0].split(" | ")
        self.assertEqual(row[4], "%d/20" % ok)
        self.assertEqual(row[6], "%.1f" % (syns / ok))
        self.assertEqual(row[9].rstrip(" |"), "%d/%d" % (ok, ok))

    def test_birthday_curve(self):
        self.assertLinksExist(os.path.join(self.dir, "report.md"))
        self.assertPng(os.path.join(self.dir, "birthday.png"))
        line = [ln for ln in self.section().splitlines()
                if ln.startswith("- symmetric x home-eim, M = 256:")][0]
        trials = read_trials(self.dir)
        for n_sock in (16, 64, 256):
            ts = [t for t in trials if t["cell"] == "bday-n%d" % n_sock]
            ok = sum(t["outcome"] == "ok" for t in ts)
            self.assertIn("N = %d: %d/20" % (n_sock, ok), line)

    def test_old_runs_say_connect(self):
        rc, _, err = call(report.main, ["--quiet", Tmp.run("gate")])
        self.assertEqual(rc, 0, err)
        with open(os.path.join(Tmp.run("gate"), "report.md")) as f:
            self.assertIn("default strategy, `connect`", f.read())


class TestHomes(unittest.TestCase):
    """A shared home's b never pools with two routers of one profile, and
    report.md says which cells were not one host behind each router."""

    def cell(self, name, raw):
        c = runs.Cell(None, name, raw["a"], runs.b_label(raw))
        c.homes = runs.homes(raw)
        return c

    def test_labels_and_homes(self):
        shared = {"a": "full-cone", "b": "full-cone", "home": "shared",
                  "hosts": {"a": 3, "b": 0}}
        self.assertEqual(runs.b_label(shared), "full-cone (same router)")
        self.assertEqual(runs.homes(shared), ("shared", 3, 0))
        old = {"a": "home-eim", "b": "home-eim"}
        self.assertEqual(runs.b_label(old), "home-eim")
        self.assertEqual(runs.homes(old), ("separate", 1, 1))

    def test_section(self):
        cells = [self.cell("x", {"a": "full-cone", "b": "full-cone",
                                 "home": "shared",
                                 "hosts": {"a": 2, "b": 0}}),
                 self.cell("y", {"a": "home-eim", "b": "home-eim"}),
                 self.cell("z", {"a": "home-eim", "b": "home-eim",
                                 "home": "separate",
                                 "hosts": {"a": 3, "b": 1}})]
        text = "\n".join(report.homes_text(cells))
        self.assertIn("2 of 3 cells", text)
        self.assertIn("| x | shared: bob behind router a", text)
        self.assertIn("| z | separate | 3 | 1 |", text)
        self.assertNotIn("| y |", text)
        self.assertIn("Every cell", "\n".join(report.homes_text(cells[1:2])))


class TestStats(unittest.TestCase):
    def test_wilson_references(self):
        lo, hi = stats.wilson(0, 50)
        self.assertEqual(lo, 0.0)
        self.assertAlmostEqual(hi, 0.0713, places=4)
        lo, hi = stats.wilson(40, 50)
        self.assertAlmostEqual(lo, 0.6696, places=4)
        self.assertAlmostEqual(hi, 0.8876, places=4)
        lo, hi = stats.wilson(45, 50)   # README: [0.786, 0.957]
        self.assertAlmostEqual(lo, 0.786, places=3)
        self.assertAlmostEqual(hi, 0.957, places=3)
        self.assertEqual(stats.wilson(50, 50)[1], 1.0)
        self.assertEqual(stats.wilson(0, 0), (0.0, 1.0))

    def test_agrees_with_harness_summary(self):
        # The smoke fixture is a real run: its summary.json came from
        # harness/common/stats.c, whose z has more digits than 1.959964,
        # hence agreement to 1e-7 rather than to the last bit.
        with open(os.path.join(DATA, RUNS["smoke"], "summary.json")) as f:
            summary = json.load(f)
        trials = read_trials(os.path.join(DATA, RUNS["smoke"]))
        for c in summary["cells"]:
            lo, hi = stats.wilson(c["successes"], c["trials"])
            self.assertAlmostEqual(lo, c["wilson_low"], places=7)
            self.assertAlmostEqual(hi, c["wilson_high"], places=7)
            ttc = [t["ttc_ms"] for t in trials
                   if t["cell"] == c["cell"] and t["outcome"] == "ok"]
            if ttc:
                self.assertAlmostEqual(stats.percentile(ttc, 50),
                                       c["ttc_ms_p50"], places=9)
                self.assertAlmostEqual(stats.percentile(ttc, 90),
                                       c["ttc_ms_p90"], places=9)
        self.assertIsNone(stats.percentile([], 50))


class TestGateReport(unittest.TestCase, PngMixin):
    @classmethod
    def setUpClass(cls):
        cls.dir = Tmp.run("gate")
        cls.rc, cls.out, cls.err = call(report.main, [cls.dir])
        with open(os.path.join(cls.dir, "report.md")) as f:
            cls.md = f.read()

    def test_prints_path(self):
        self.assertEqual(self.rc, 0, self.err)
        self.assertEqual(self.out.strip(), os.path.join(self.dir,
                                                        "report.md"))

    def test_figures(self):
        for name in ("heatmap.png", "ttc-cdf.png", "failures.png"):
            self.assertPng(os.path.join(self.dir, name))
        links = self.assertLinksExist(os.path.join(self.dir, "report.md"))
        self.assertEqual(sorted(links), ["failures.png", "heatmap.png",
                                         "ttc-cdf.png"])

    def test_no_sweeps(self):
        self.assertFalse(os.path.exists(os.path.join(self.dir,
                                                     "sweep-skew_ms.png")))
        self.assertIn("no sweep over skew_ms", self.md)
        self.assertIn("no sweep over rtt_ms", self.md)

    def test_table_rows(self):
        rows = {line.split("|")[1].strip(): line for line in
                self.md.splitlines() if line.startswith("| ")}
        self.assertIn("| drop | home-eim-rst | home-eim | - | 40/50 | "
                      "0.800 | [0.670, 0.888] |", rows["drop"])
        self.assertIn("timeout 7, refused 3 | >= 0.95 | **FAIL** |",
                      rows["drop"])
        self.assertIn("| 0/50 | 0.000 | [0.000, 0.071] | - | - | "
                      "timeout 50 | == 0 | pass |", rows["never"])
        self.assertIn("| 50/50 | 1.000 | [0.929, 1.000] |", rows["all-ok"])
        self.assertIn("| 45/50 | 0.900 | [0.786, 0.957] |", rows["mixed"])
        self.assertIn("wrong-peer 2, bind 1", rows["mixed"])
        self.assertIn("1 of 4 cells fail their expectation: drop measured "
                      "40/50 = 0.800 [0.670, 0.888] outside >= 0.95",
                      self.md)

    def test_rerun_lines(self):
        trials = read_trials(self.dir)
        failed = [t for t in trials if t["outcome"] != "ok"]
        self.assertEqual(len(failed), 65)
        lines = re.findall(r"^- `punchlab run --cell \S+ --trial \d+ "
                           r"scenarios/gate.ini`", self.md, re.M)
        self.assertEqual(len(lines), len(failed))
        for t in failed:
            self.assertIn("`punchlab run --cell %s --trial %d "
                          "scenarios/gate.ini`" % (t["cell"], t["trial"]),
                          self.md)
        self.assertIn("seed 1", self.md)

    def test_facts(self):
        self.assertIn("The rest: cgnat × home-eim 45/50 = 90% "
                      "[0.786, 0.957]; "
                      "home-eim-rst × home-eim 40/50 = 80% [0.670, 0.888].",
                      self.md)
        self.assertIn("By reason: timeout 59", self.md)
        self.assertIn("135 successful trials", self.md)

    def test_results_csv(self):
        with open(os.path.join(self.dir, "results.csv")) as f:
            rows = list(csv.reader(f))
        self.assertEqual(rows[0], ["scenario", "run_id", "cell", "a", "b",
                                   "trial", "seed", "outcome", "attempts",
                                   "ttc_ms", "handshake_ms",
                                   "start_skew_us"])
        self.assertEqual(len(rows) - 1, len(read_trials(self.dir)))
        drop = [r for r in rows if r[2] == "drop"]
        self.assertEqual(len(drop), 50)
        self.assertEqual(sum(r[7] == "ok" for r in drop), 40)
        self.assertTrue(all(r[9] == "" for r in drop if r[7] != "ok"))


class TestSweepReports(unittest.TestCase, PngMixin):
    @classmethod
    def setUpClass(cls):
        cls.skew, cls.rtt = Tmp.run("skew"), Tmp.run("rtt")
        cls.results = [call(report.main, ["--quiet", d])
                       for d in (cls.skew, cls.rtt)]
        with open(os.path.join(cls.skew, "report.md")) as f:
            cls.md_skew = f.read()
        with open(os.path.join(cls.rtt, "report.md")) as f:
            cls.md_rtt = f.read()

    def test_quiet(self):
        for rc, out, err in self.results:
            self.assertEqual((rc, out, err), (0, "", ""))

    def test_skew_figure_and_facts(self):
        self.assertPng(os.path.join(self.skew, "sweep-skew_ms.png"))
        self.assertFalse(os.path.exists(os.path.join(self.skew,
                                                     "sweep-rtt_ms.png")))
        self.assertLinksExist(os.path.join(self.skew, "report.md"))
        self.assertIn("home-eim-rst × home-eim: success falls below 50% at "
                      "skew >= 1000 ms", self.md_skew)
        self.assertIn("home-eim × symmetric: below 50% at every skew",
                      self.md_skew)
        self.assertIn("home-eim × home-eim: at or above 50% across the "
                      "sweep (lowest 85% at 3000 ms)", self.md_skew)
        self.assertIn("no sweep over rtt_ms (every cell has rtt_ms = 40)",
                      self.md_skew)
        self.assertIn("one panel per combination (4)", self.md_skew)
        self.assertIn("| rst-eim-s100 | home-eim-rst | home-eim | "
                      "skew_ms=100, rtt_ms=40 | 15/20 | 0.750 | "
                      "[0.531, 0.888] |", self.md_skew)

    def test_rtt_figure_and_facts(self):
        self.assertPng(os.path.join(self.rtt, "sweep-rtt_ms.png"))
        self.assertIn("home-eim-rst × home-eim-rst: success falls below 50% "
                      "at RTT >= 800 ms", self.md_rtt)
        self.assertIn("no sweep over skew_ms (no cell sets skew_ms)",
                      self.md_rtt)

    def test_csv_param_columns(self):
        with open(os.path.join(self.skew, "results.csv")) as f:
            rows = list(csv.DictReader(f))
        self.assertEqual(len(rows), 240)
        self.assertEqual(list(rows[0])[-2:], ["skew_ms", "rtt_ms"])
        # rst cells carry only skew_ms per trial; the cell fills rtt_ms.
        rst = [r for r in rows if r["cell"] == "rst-eim-s1000"]
        self.assertEqual({(r["skew_ms"], r["rtt_ms"]) for r in rst},
                         {("1000", "40")})
        with open(os.path.join(self.rtt, "results.csv")) as f:
            rows = list(csv.DictReader(f))
        self.assertEqual(len(rows), 80)
        self.assertEqual(list(rows[0])[-2:], ["rtt_ms", "coord_delay_ms"])
        self.assertEqual({r["rtt_ms"] for r in rows if r["cell"] == "rst-r50"},
                         {"50"})


class TestEmptyRuns(unittest.TestCase, PngMixin):
    def test_no_success(self):
        d = Tmp.run("empty")
        rc, out, err = call(report.main, [d])
        self.assertEqual(rc, 0, err)
        self.assertPng(os.path.join(d, "ttc-cdf.png"))
        with open(os.path.join(d, "report.md")) as f:
            md = f.read()
        self.assertIn("No trial succeeded, so there is no time to connect",
                      md)
        self.assertIn("| dead | home-eim | home-eim | - | 0/10 | 0.000 | "
                      "[0.000, 0.278] |", md)

    def test_no_cells(self):
        d = os.path.join(Tmp.get(), "none", "000000")
        os.makedirs(d)
        with open(os.path.join(d, "summary.json"), "w") as f:
            json.dump({"scenario": "none", "run_id": "000000", "seed": 1,
                       "cells": []}, f)
        open(os.path.join(d, "trials.jsonl"), "w").close()
        rc, out, err = call(report.main, [d])
        self.assertEqual(rc, 0, err)
        for name in ("heatmap.png", "ttc-cdf.png", "failures.png"):
            self.assertPng(os.path.join(d, name))
        with open(os.path.join(d, "results.csv")) as f:
            self.assertEqual(len(f.read().splitlines()), 1)


class TestMultiRun(unittest.TestCase, PngMixin):
    def test_needs_out(self):
        rc, out, err = call(report.main, [Tmp.run("gate"), Tmp.run("smoke")])
        self.assertEqual(rc, 2)
        self.assertIn("--out", err)

    def test_combined(self):
        out_dir = os.path.join(Tmp.get(), "combined")
        rc, out, err = call(report.main, [Tmp.run("gate"), Tmp.run("smoke"),
                                          "--out", out_dir])
        self.assertEqual(rc, 0, err)
        md_path = os.path.join(out_dir, "report.md")
        self.assertEqual(out.strip(), md_path)
        self.assertLinksExist(md_path)
        with open(md_path) as f:
            md = f.read()
        self.assertIn("# punchlab report: gate, smoke", md)
        self.assertIn("| smoke | ok | home-eim | home-eim | - | 10/10 |", md)
        # all-ok (gate) and ok (smoke) are both home-eim x home-eim.
        self.assertIn("home-eim × home-eim pools 2 cells (all-ok, ok)", md)
        self.assertIn("`punchlab run --cell none --trial 0 "
                      "tests/integration/data/smoke.ini`", md)
        self.assertTrue(os.path.exists(os.path.join(Tmp.run("smoke"),
                                                     "results.csv")))

    def test_existing_csv_kept(self):
        d = os.path.join(Tmp.get(), "keep")
        shutil.copytree(os.path.join(DATA, RUNS["empty"]), d)
        with open(os.path.join(d, "results.csv"), "w") as f:
            f.write("mine\n")
        rc, _, err = call(report.main, ["--quiet", d])
        self.assertEqual(rc, 0, err)
        with open(os.path.join(d, "results.csv")) as f:
            self.assertEqual(f.read(), "mine\n")


class TestBadInput(unittest.TestCase):
    def copy(self, key):
        d = tempfile.mkdtemp(dir=Tmp.get())
        shutil.copytree(os.path.join(DATA, RUNS[key]), d, dirs_exist_ok=True)
        return d

    def test_garbled_trial_line(self):
        d = self.copy("gate")
        p = os.path.join(d, "trials.jsonl")
        with open(p) as f:
            lines = f.readlines()
        lines[2] = lines[2][:40] + "\n"
        with open(p, "w") as f:
            f.writelines(lines)
        r = script("report.py", d)
        self.assertEqual(r.returncode, 2)
        self.assertIn("%s:3: not valid JSON" % p, r.stderr)
        r = script("junit.py", d, "--out", os.path.join(d, "j.xml"))
        self.assertEqual(r.returncode, 2)
        self.assertIn("trials.jsonl:3:", r.stderr)

    def test_wrong_type_in_trial(self):
        d = self.copy("empty")
        p = os.path.join(d, "trials.jsonl")
        with open(p) as f:
            lines = f.readlines()
        rec = json.loads(lines[4])
        rec["ttc_ms"] = "fast"
        lines[4] = json.dumps(rec) + "\n"
        with open(p, "w") as f:
            f.writelines(lines)
        rc, _, err = call(report.main, [d])
        self.assertEqual(rc, 2)
        self.assertIn("trials.jsonl:5: 'ttc_ms' has a wrong type", err)

    def test_missing_summary(self):
        d = self.copy("empty")
        os.remove(os.path.join(d, "summary.json"))
        r = script("report.py", d)
        self.assertEqual(r.returncode, 2)
        self.assertIn(os.path.join(d, "summary.json") + ": missing",
                      r.stderr)

    def test_summary_cell_line(self):
        d = self.copy("gate")
        p = os.path.join(d, "summary.json")
        with open(p) as f:
            doc = json.load(f)
        doc["cells"][1]["successes"] = 99
        with open(p, "w") as f:
            json.dump(doc, f, indent=2)
        with open(p) as f:
            text = f.read().splitlines()
        line = text.index('      "cell": "drop",')   # 0-based: the "{"
        rc, _, err = call(report.main, [d])
        self.assertEqual(rc, 2)
        self.assertIn("%s:%d: cells[1]: successes (99) exceed trials (50)"
                      % (p, line), err)

    def test_garbled_summary(self):
        d = self.copy("empty")
        p = os.path.join(d, "summary.json")
        with open(p) as f:
            text = f.read()
        with open(p, "w") as f:
            f.write(text.replace('"trials": 10,', '"trials": 10', 1))
        rc, _, err = call(report.main, [d])
        self.assertEqual(rc, 2)
        self.assertRegex(err, re.escape(p) + r":\d+: not valid JSON")

    def test_no_such_dir(self):
        rc, _, err = call(report.main, [os.path.join(Tmp.get(), "nope")])
        self.assertEqual(rc, 2)
        self.assertIn("nope: not a run folder", err)

    def test_help(self):
        for name in ("report.py", "junit.py"):
            r = script(name, "--help")
            self.assertEqual(r.returncode, 0)
            self.assertIn("RUN_DIR", r.stdout)


class TestJunit(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.xml = os.path.join(Tmp.get(), "ci", "junit.xml")
        cls.rc, cls.out, cls.err = call(junit.main, [
            Tmp.run("gate"), Tmp.run("skew"), Tmp.run("smoke"),
            "--out", cls.xml])
        cls.root = ET.parse(cls.xml).getroot()   # raises if ill-formed

    def test_written(self):
        self.assertEqual(self.rc, 0, self.err)
        self.assertEqual(self.out.strip(), self.xml)

    def test_structure(self):
        suites = self.root.findall("testsuite")
        self.assertEqual([s.get("name") for s in suites],
                         ["gate", "skew-sweep", "smoke"])
        self.assertEqual([len(s.findall("testcase")) for s in suites],
                         [4, 12, 2])
        for s in suites:
            for tc in s.findall("testcase"):
                self.assertEqual(tc.get("classname"), s.get("name"))
                self.assertIn("punchlab run --cell %s " % tc.get("name"),
                              tc.find("system-out").text)
        self.assertEqual(self.root.get("tests"), "18")

    def test_failures(self):
        fails = self.root.findall("./testsuite/testcase/failure")
        self.assertEqual(len(fails), 2)
        self.assertEqual(self.root.get("failures"), "2")
        by_suite = [s.get("failures") for s in self.root.findall("testsuite")]
        self.assertEqual(by_suite, ["1", "1", "0"])
        drop = self.root.find("./testsuite/testcase[@name='drop']/failure")
        self.assertEqual(drop.get("message"), "measured 40/50 = 0.800 "
                         "[0.670, 0.888] outside expect >= 0.95")
        self.assertIn("timeout: 7\nrefused: 3\n", drop.text)
        out = self.root.find("./testsuite/testcase[@name='drop']/system-out")
        self.assertEqual(out.text.count("--trial"), 10)
        s100 = self.root.find(
            "./testsuite/testcase[@name='rst-eim-s100']/failure")
        self.assertIn("15/20 = 0.750 [0.531, 0.888] outside expect >= 0.9",
                      s100.get("message"))

    def test_needs_out(self):
        rc, _, err = call(junit.main, [Tmp.run("gate")])
        self.assertEqual(rc, 2)
        self.assertIn("--out", err)


class TestLoader(unittest.TestCase):
    def test_params_partial_and_absent(self):
        run = runs.load_run(os.path.join(DATA, RUNS["rtt"]))
        c = run.cell("rst-r200")
        self.assertEqual(c.params, {"rtt_ms": 200, "coord_delay_ms": 5})
        self.assertTrue(all(t.params == c.params for t in c.trials))
        self.assertEqual([t.trial for t in c.trials], list(range(10)))
        self.assertEqual(run.notes, [])

    def test_rerun_command_quotes(self):
        run = runs.load_run(os.path.join(DATA, RUNS["smoke"]))
        self.assertEqual(run.rerun_command("a b", 3),
                         "punchlab run --cell 'a b' --trial 3 "
                         "tests/integration/data/smoke.ini")


if __name__ == "__main__":
    unittest.main()
