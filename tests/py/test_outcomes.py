"""The outcome vocabulary exists once in C (harness/common/outcomes.c);
harness/py/runs.py must name the same failure reasons, and the agent must
print only names from that table."""
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


if __name__ == "__main__":
    unittest.main()
