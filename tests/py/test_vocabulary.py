"""The vocabularies exist once, in C: outcomes in harness/common/outcomes.c,
condition parameters in testbed/cellcond.c. harness/py/runs.py must name
the same ones."""
import os
import re
import subprocess
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "harness", "py"))

import runs  # noqa: E402


def c_names():
    with open(os.path.join(ROOT, "harness", "common", "outcomes.c")) as f:
        text = f.read()
    table = re.search(r"outcome_names\[OUTCOME_N\] = \{(.*?)\};", text, re.S)
    return re.findall(r'\[OUTCOME_[A-Z_]+\] = "([a-z-]+)"', table.group(1))


def c_codes():
    with open(os.path.join(ROOT, "harness", "common", "outcomes.h")) as f:
        text = f.read()
    body = re.search(r"enum outcome_code \{(.*?)\};", text, re.S).group(1)
    return [c for c in re.findall(r"\b(OUTCOME_[A-Z_]+)\b", body)
            if c != "OUTCOME_N"]


class Outcomes(unittest.TestCase):
    def test_python_reasons_are_the_c_failures(self):
        names = c_names()
        self.assertEqual(names[0], "ok")
        self.assertEqual(sorted(runs.REASONS), sorted(names[1:]))
        self.assertEqual(len(set(runs.REASONS)), len(runs.REASONS))

    def test_every_code_has_a_name(self):
        self.assertEqual(len(c_codes()), len(c_names()))

    def test_only_common_table_spells_names(self):
        # No other C file keeps its own copy of the vocabulary.
        out = subprocess.run(
            ["grep", "-rlE", r'"wrong-peer"', "--include=*.c",
             "harness", "testbed"], cwd=ROOT, capture_output=True,
            text=True).stdout.split()
        self.assertEqual(out, ["harness/common/outcomes.c"])


def c_params():
    with open(os.path.join(ROOT, "testbed", "cellcond.c")) as f:
        text = f.read()
    table = re.search(r"cellcond_params\[CELLCOND_NPARAMS\] = \{(.*?)\n\};",
                      text, re.S).group(1)
    return re.findall(r'\{ "([a-z_]+)",', table)


class Params(unittest.TestCase):
    def test_python_order_names_the_c_parameters(self):
        names = c_params()
        self.assertEqual(len(names), 18)
        self.assertEqual(sorted(runs.PARAM_ORDER), sorted(names))

    def test_no_other_table_of_ranges(self):
        out = subprocess.run(
            ["grep", "-rlE", r'"coord_delay_a_ms"', "--include=*.c",
             "harness", "testbed"], cwd=ROOT, capture_output=True,
            text=True).stdout.split()
        self.assertEqual(out, ["testbed/cellcond.c"])


if __name__ == "__main__":
    unittest.main()
