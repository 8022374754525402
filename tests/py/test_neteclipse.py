"""Tests for harness/py/neteclipse.py: a hand-made phase of one lying and
one honest coordinator, two attacker nodes and four homes whose eclipse
figures are worked out by hand below.
Run from the repo root: /usr/bin/python3 -m unittest discover -s tests/py"""
import os
import sys
import types
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "harness", "py"))

import neteclipse  # noqa: E402


def node(home=False, lies=False, attacker=False):
    return types.SimpleNamespace(home=home, lies=lies, attacker=attacker)


# 0 lies, 1 is honest, 2 and 3 are the attacker's; homes 10..13.
WORLD = types.SimpleNamespace(
    adversary={"attack": "eclipse", "eclipse_coordinators": 1,
               "attackers": 2},
    nodes={0: node(lies=True), 1: node(), 2: node(attacker=True),
           3: node(attacker=True), 10: node(True), 11: node(True),
           12: node(True), 13: node(True)},
    homes=[10, 11, 12, 13])
# 10 and 11 asked the liar (victims); 12 asked the honest one only.
PHASE = types.SimpleNamespace(attempts=[
    {"node": 10, "coordinator": 0}, {"node": 10, "coordinator": 1},
    {"node": 11, "coordinator": 0}, {"node": 12, "coordinator": 1}])
# 10: peers 1, 2, 3, 11; punched 2 (through 0) and 11 (through 1).
# 11: peers 2, 3 (both the attacker's); punched 3 (through 0).
# 12: peers 1, 2 (2 by an outbound pick); 13: none.
GRAPH = types.SimpleNamespace(
    nbrs={10: {1, 2, 3, 11}, 11: {2, 3, 10}, 12: {1, 2}, 13: set(),
          0: set(), 1: {10, 12}, 2: {10, 11, 12}, 3: {10, 11}},
    via={10: {2: {0}, 11: {1}}, 11: {3: {0}, 10: {1}},
         2: {10: {0}}, 3: {11: {0}}})


class EclipseFigures(unittest.TestCase):
    def test_by_hand(self):
        f, shares = neteclipse.figures(WORLD, PHASE, GRAPH)
        self.assertEqual(f["victims"], 2)
        self.assertEqual((f["attackers"], f["attackers_used"],
                          f["attacker_punched"]), (2, 2, 2))
        # 10: 2 of 4 peers; 11: 2 of 3 (10 is a home peer)
        self.assertAlmostEqual(f["share_all"]["mean"], (0.5 + 2 / 3) / 2)
        self.assertEqual(f["share_all"]["eclipsed"], 0)
        # punched: 10 has 1 of 2, 11 has 1 of 2 (3 and 10)
        self.assertEqual(f["share_punched"]["mean"], 0.5)
        self.assertEqual(f["attacker_punched_per_victim"],
                         {"mean": 1.0, "max": 1})
        self.assertEqual(f["others"]["n"], 1)
        self.assertEqual(f["others"]["mean"], 0.5)
        self.assertEqual(f["homes_share_punched"]["n"], 2)
        self.assertEqual(shares, [0.5, 0.5])

    def test_fully_eclipsed(self):
        g = types.SimpleNamespace(nbrs=dict(GRAPH.nbrs), via=dict(GRAPH.via))
        g.nbrs[11] = {2, 3}
        g.via[11] = {3: {0}}
        f, shares = neteclipse.figures(WORLD, PHASE, g)
        self.assertEqual(f["share_all"]["eclipsed"], 1)
        self.assertEqual(f["share_all"]["max"], 1.0)
        self.assertEqual(f["share_punched"]["eclipsed"], 1)
        self.assertEqual(shares, [0.5, 1.0])

    def test_honest_run(self):
        w = types.SimpleNamespace(**dict(vars(WORLD), adversary=None))
        self.assertEqual(neteclipse.figures(w, PHASE, GRAPH), (None, None))


if __name__ == "__main__":
    unittest.main()
