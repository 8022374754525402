"""Tests for harness/py/alternatives.py (report.md's "Which mechanism
connects" section) and the ladder parts of junit.py, trialcsv.py and
runs.py, on a real CI run of tests/integration/data/alternatives-ci.ini
(tests/py/data/alternatives/c525df: home-eim against home-eim,
home-eim-rst, openwrt-upnp and symmetric, openwrt-fw4 against
mikrotik-defconf and open6, 3 trials each).
Run from the repo root: /usr/bin/python3 -m unittest discover -s tests/py"""
import csv
import os
import shutil
import sys
import tempfile
import unittest
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "harness", "py"))
sys.path.insert(0, HERE)

import alternatives  # noqa: E402
import junit  # noqa: E402
import report  # noqa: E402
import runs  # noqa: E402
from test_report import call  # noqa: E402
from test_security import table_rows  # noqa: E402

RUN = os.path.join(HERE, "data", "alternatives", "c525df")
HEAD = "## Which mechanism connects"


class TestAlternatives(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="punchlab-alternatives-test-")
        cls.dir = os.path.join(cls.tmp, "c525df")
        shutil.copytree(RUN, cls.dir)
        cls.rc, _, cls.err = call(report.main, ["--quiet", cls.dir])
        with open(os.path.join(cls.dir, "report.md")) as f:
            cls.md = f.read()

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def test_report_written(self):
        self.assertEqual(self.rc, 0, self.err)
        self.assertIn(HEAD, self.md)

    def test_rows_and_columns(self):
        rows = table_rows(self.md, HEAD)
        head = rows.pop("home pair (a × b)")
        self.assertEqual(head[1:], ["direct", "pcp", "ipv6-direct",
                                    "ipv6-punch", "ipv4-punch",
                                    "connected first"])
        self.assertEqual(sorted(rows), [
            "home-eim × home-eim", "home-eim × home-eim-rst",
            "home-eim × openwrt-upnp", "home-eim × symmetric",
            "openwrt-fw4 × mikrotik-defconf", "openwrt-fw4 × open6"])
        eim = rows["home-eim × home-eim"]
        self.assertEqual(eim[1], "0/3 0.000")
        self.assertEqual(eim[2:5], ["unavailable"] * 3)
        self.assertTrue(eim[5].startswith("3/3 1.000 · p50 "))
        self.assertEqual(eim[6], "ipv4-punch 3, none 0")
        sym = rows["home-eim × symmetric"]
        self.assertEqual(sym[2], "-")   # the cell does not list pcp
        self.assertEqual(sym[6], "none 3")
        v6 = rows["openwrt-fw4 × mikrotik-defconf"]
        self.assertEqual(v6[3], "0/3 0.000")  # tried: dropped
        open6 = rows["openwrt-fw4 × open6"]
        self.assertTrue(open6[3].startswith("3/3 1.000 · p50 "))
        self.assertEqual(open6[6], "ipv6-direct 3, none 0")

    def test_unavailable_named(self):
        sec = self.md[self.md.index(HEAD):]
        self.assertIn("- pcp unavailable: bob's router runs no PCP server "
                      "([pcp] server = off) (3 cells); punch-agent --serve "
                      "--pcp (part pcpc) is not in this build (1 cell)", sec)
        self.assertIn("- ipv6-punch unavailable: IPv6 agents and "
                      "coordinator (part v6sock)", sec)
        self.assertIn("- direct failed as refused 6, timeout 12", sec)

    def test_junit_properties(self):
        out = os.path.join(self.tmp, "j.xml")
        self.assertEqual(call(junit.main, ["--quiet", "--out", out,
                                           self.dir])[0], 0)
        props = {}
        for tc in ET.parse(out).getroot().iter("testcase"):
            # a cell's name may end in " [timing degraded]"
            props[tc.get("name").split(" ")[0]] = {
                p.get("name"): p.get("value")
                for p in tc.iter("property")}
        p = props["ladder:home-eim:home-eim"]
        self.assertEqual(p["ladder_ipv4-punch_successes"], "3")
        self.assertEqual(p["ladder_direct_rate"], "0")
        self.assertEqual(p["ladder_direct_expect"], "== 0 (pass)")
        self.assertEqual(p["ladder_first_ipv4-punch"], "3")

    def test_csv_columns(self):
        run = runs.load_runs([self.dir])[0]
        import trialcsv
        rows = trialcsv.rows(run)
        head = rows[0]
        for col in ("ladder_first", "ladder_direct_ok",
                    "ladder_ipv4_punch_ms", "ladder_pcp_outcome"):
            self.assertIn(col, head)
        recs = [dict(zip(head, r)) for r in rows[1:]]
        rst = [r for r in recs if r["cell"] == "ladder:home-eim:home-eim-rst"]
        self.assertEqual({r["ladder_direct_outcome"] for r in rst},
                         {"refused"})
        self.assertEqual({r["ladder_pcp_outcome"] for r in rst},
                         {"unavailable"})
        self.assertEqual({r["ladder_first"] for r in rst}, {"ipv4-punch"})
        self.assertEqual({r["ladder_ipv4_punch_ok"] for r in rst}, {"1"})
        path = os.path.join(self.tmp, "r.csv")
        trialcsv.write(run, path)
        with open(path) as f:
            self.assertEqual(len(list(csv.reader(f))), 19)

    def test_missed_expectation_text(self):
        lad = {"order": ["direct"], "direct": {
            "successes": 0, "trials": 3, "expect": ">= 0.9",
            "verdict": "fail"}}
        self.assertEqual(alternatives.missed(lad),
                         ["direct 0/3 outside expect_direct >= 0.9"])

    def test_no_ladder_no_section(self):
        self.assertEqual(alternatives.section([]), [])


if __name__ == "__main__":
    unittest.main()
