"""Tests for harness/py/security.py (report.md's Security section) and
the adversary parts of junit.py and runs.py, on the adversaries fixture
(tests/py/data/adversaries/, written by make_fixtures.py).
Run from the repo root: /usr/bin/python3 -m unittest discover -s tests/py"""
import json
import os
import shutil
import sys
import tempfile
import unittest
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "harness", "py"))
sys.path.insert(0, HERE)

import junit  # noqa: E402
import report  # noqa: E402
import runs  # noqa: E402
import security  # noqa: E402
from test_report import PngMixin, call  # noqa: E402

DATA = os.path.join(HERE, "data")
ADV = os.path.join("adversaries", "ad0e13")
GATE = os.path.join("gate", "0a0b0c")


def table_rows(text, head):
    """{first column: [columns]} of the markdown table under head."""
    lines = text[text.index(head):].splitlines()
    rows, started = {}, False
    for ln in lines:
        if ln.startswith("|---"):
            continue
        if ln.startswith("|"):
            started = True
            cols = [c.strip() for c in ln.strip("|").split(" | ")]
            rows[cols[0]] = cols
        elif started:
            break
    return rows


class TestSecuritySection(unittest.TestCase, PngMixin):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="punchlab-security-test-")
        shutil.copytree(DATA, os.path.join(cls.tmp, "data"))
        cls.dir = os.path.join(cls.tmp, "data", ADV)
        cls.rc, _, cls.err = call(report.main, ["--quiet", cls.dir])
        with open(os.path.join(cls.dir, "report.md")) as f:
            cls.md = f.read()
        cls.sec = cls.md[cls.md.index("## Security"):
                         cls.md.index("\n## ", cls.md.index("## Security"))]

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def test_one_row_per_adversary_cell(self):
        self.assertEqual(self.rc, 0, self.err)
        rows = table_rows(self.sec, "| cell | attack |")
        with open(os.path.join(self.dir, "summary.json")) as f:
            cells = json.load(f)["cells"]
        self.assertEqual(sorted(k for k in rows if k != "cell"),
                         sorted(c["cell"] for c in cells))

    def test_defence_holds_row(self):
        row = table_rows(self.sec, "| cell | attack |")["redirect-lan-on"]
        self.assertEqual(row[1], "redirect (victim lan)")
        self.assertEqual(row[2], "target_policy on")
        self.assertTrue(row[3].startswith("victim_syns_per_request = 0 SYNs"),
                        row[3])
        self.assertEqual(row[4], "== 0")
        self.assertEqual(row[5], "pass — defence holds: victim got 0 SYNs "
                         "in 10 requests")

    def test_measurement_and_failure_rows(self):
        rows = table_rows(self.sec, "| cell | attack |")
        off = rows["redirect-lan-off"]
        self.assertEqual(off[2], "target_policy off")
        self.assertIn("amplification 3.00", off[3])
        self.assertEqual(off[4], "none")
        self.assertTrue(off[5].startswith("pass — measured: "), off[5])
        imp = rows["impersonate-secret"]
        self.assertEqual(imp[2], "peer_auth secret")
        self.assertTrue(imp[3].startswith("detected_rate = 1.000"), imp[3])
        flood = rows["flood-slowloris-on"]
        self.assertEqual(flood[1], "flood (slowloris × 1100)")
        self.assertEqual(flood[3], "legit_matched_rate = 0.900 (9 paired)")
        self.assertTrue(flood[5].startswith("**FAIL** — defence fails: "),
                        flood[5])
        self.assertIn("failing: flood-slowloris-on.", self.sec)
        inj = rows["inject-rst--5"]
        self.assertEqual((inj[1], inj[2]), ("inject (rst at -5 ms)", "none"))

    def test_cells_verdict_names_the_effect(self):
        self.assertIn("1 of 10 cells fail their expectation: "
                      "flood-slowloris-on measured legit_matched_rate = "
                      "0.900 (9 paired) against expect_effect >= 0.95",
                      self.md)
        row = table_rows(self.md, "| cell | a | b |")["flood-slowloris-on"]
        self.assertEqual(row[10], "effect >= 0.95")

    def test_inject_by_offset(self):
        rows = table_rows(self.sec, "| offset (ms) |")
        self.assertEqual(rows["offset (ms)"][1:], ["rst", "syn"])
        self.assertEqual(rows["-5"][1:], ["0/10 = 0.00", "-"])
        self.assertEqual(rows["+0"][1:], ["3/10 = 0.30", "1/10 = 0.10"])
        self.assertEqual(rows["+5"][1:], ["8/10 = 0.80", "-"])
        self.assertEqual(rows["+20"][1:], ["10/10 = 1.00", "2/10 = 0.20"])
        self.assertPng(os.path.join(self.dir, "inject-offsets.png"))
        self.assertIn("(inject-offsets.png)", self.sec)

    def test_results_csv_adv_columns(self):
        import csv
        with open(os.path.join(self.dir, "results.csv")) as f:
            rows = list(csv.DictReader(f))
        self.assertEqual(len(rows), 100)
        red = [r for r in rows if r["cell"] == "redirect-lan-off"]
        self.assertEqual({r["adv_victim_syns"] for r in red}, {"6"})
        self.assertEqual({r["adv_attack"] for r in red}, {"redirect"})
        inj = [r for r in rows if r["cell"] == "inject-rst-5"]
        self.assertEqual(sum(int(r["adv_killed"]) for r in inj), 8)
        self.assertEqual({r["adv_paired"] for r in red}, {""})
        gate = os.path.join(self.tmp, "data", GATE, "results.csv")
        call(report.main, ["--quiet", os.path.dirname(gate)])
        with open(gate) as f:
            self.assertNotIn("adv_", f.readline())

    def test_no_section_without_adversaries(self):
        d = os.path.join(self.tmp, "data", GATE)
        rc, _, err = call(report.main, ["--quiet", d])
        self.assertEqual(rc, 0, err)
        with open(os.path.join(d, "report.md")) as f:
            self.assertNotIn("## Security", f.read())


class TestJunit(unittest.TestCase):
    def setUp(self):
        run = runs.load_runs([os.path.join(DATA, ADV)])[0]
        self.cases = {tc.get("name"): tc
                      for tc in junit.build([run]).iter("testcase")}

    def props(self, name):
        return {p.get("name"): p.get("value")
                for p in self.cases[name].iter("property")}

    def test_failing_effect(self):
        tc = self.cases["flood-slowloris-on"]
        f = tc.find("failure")
        self.assertIsNotNone(f)
        self.assertEqual(f.get("message"),
                         "effect misses its expectation: flood (slowloris "
                         "× 1100): legit_matched_rate = 0.900 (9 paired), "
                         "expect_effect >= 0.95")
        self.assertTrue(f.text.startswith("adversary: defence fails: "))
        p = self.props("flood-slowloris-on")
        self.assertEqual(p["legit_matched_rate"], "0.9")
        self.assertEqual(p["defences"], "coord_limits on")

    def test_passing_effect_and_measurement(self):
        tc = self.cases["redirect-lan-on"]
        self.assertIsNone(tc.find("failure"))
        p = self.props("redirect-lan-on")
        self.assertEqual(p["expect_effect"], "== 0")
        self.assertEqual(p["victim_syns_per_request"], "0")
        self.assertIn("verdict: defence holds: victim got 0 SYNs",
                      tc.find("system-out").text)
        self.assertEqual(self.props("inject-syn-20")["expect_effect"],
                         "none")

    def test_counts(self):
        run = runs.load_runs([os.path.join(DATA, ADV)])[0]
        root = junit.build([run])
        self.assertEqual(root.get("failures"), "1")
        self.assertEqual(root.get("tests"), "10")
        ET.tostring(root)


class TestPieces(unittest.TestCase):
    def adv(self, **kw):
        base = {"attack": "hijack", "defences": {
            "target_policy": "off", "peer_auth": "secret",
            "coord_limits": "off"}, "effect": {
            "name": "hijacked_rate", "value": 0.25, "unit": "ratio"},
            "metrics": {"played": 4, "detected": 3}}
        base.update(kw)
        return base

    def test_defences_shown(self):
        self.assertEqual(security.defences_text(self.adv()),
                         "peer_auth secret, coord_limits off")
        inj = self.adv(attack="inject")
        self.assertEqual(security.defences_text(inj), "peer_auth secret")

    def test_inject_defences_shown(self):
        # each kind's own defence on or off; a jitter of 0 is off
        d = {"target_policy": "off", "peer_auth": "off",
             "coord_limits": "off", "start_jitter_ms": 0,
             "rst_guard": "off"}
        syn = self.adv(attack="inject", defences=d,
                       setting={"inject": "syn", "inject_offset_ms": 0})
        self.assertEqual(security.defences_text(syn), "start_jitter_ms 0")
        rst = self.adv(attack="inject", defences=dict(d, rst_guard="on"),
                       setting={"inject": "rst", "inject_offset_ms": 0})
        self.assertEqual(security.defences_text(rst), "rst_guard on")
        on = dict(d, peer_auth="secret", start_jitter_ms=1000)
        syn = self.adv(attack="inject", defences=on,
                       setting={"inject": "syn", "inject_offset_ms": 0})
        self.assertEqual(security.defences_text(syn),
                         "peer_auth secret, start_jitter_ms 1000")
        # another attack shows them only when on
        self.assertEqual(security.defences_text(self.adv(defences=on)),
                         "peer_auth secret, coord_limits off, "
                         "start_jitter_ms 1000")

    def test_effect_and_setting(self):
        self.assertEqual(security.effect_text(self.adv()),
                         "hijacked_rate = 0.250 (played 4, detected 3)")
        d = self.adv(attack="delay", setting={"attack_delay_ms": 30000},
                     effect={"name": "cost_ms_per_request",
                             "value": 10012.4, "unit": "ms"},
                     metrics={"cost_ms_p90": 10020.0})
        self.assertEqual(security.effect_text(d),
                         "cost_ms_per_request = 10012 ms (p90 10020 ms)")
        self.assertEqual(security.setting_text(d), "delay (delay_ms 30000)")
        none = self.adv(effect={"name": "hijacked_rate", "value": None,
                                "unit": "ratio"}, metrics={})
        self.assertEqual(security.effect_text(none), "hijacked_rate = -")

    def test_single_offset_no_table(self):
        c = runs.Cell(None, "i", "a", "b")
        c.adversary = {"attack": "inject", "setting": {"inject": "rst"},
                       "defences": {}, "metrics": {"by_offset": [
                           {"offset_ms": 0, "trials": 5, "killed": 1}]}}
        self.assertEqual(security.inject_section(None, [c], "/nonexistent",
                                                 "x.png", "t"), [])

    def test_garbled_adversary_is_input_error(self):
        tmp = tempfile.mkdtemp(prefix="punchlab-security-bad-")
        try:
            d = os.path.join(tmp, "run")
            shutil.copytree(os.path.join(DATA, ADV), d)
            p = os.path.join(d, "summary.json")
            with open(p) as f:
                doc = json.load(f)
            doc["cells"][0]["adversary"] = "redirect"
            with open(p, "w") as f:
                json.dump(doc, f, indent=2)
            with self.assertRaises(runs.InputError) as e:
                runs.load_run(d)
            self.assertIn("'adversary' must be an object", str(e.exception))
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()
