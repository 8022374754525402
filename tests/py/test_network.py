"""Tests for harness/py/network.py (and netinput, netgraph, netreport): a
hand-made run of 2 reachable and 4 home nodes whose every figure is worked
out by hand below, the input errors, report.py's Network section, and a
generated 2,000-home run whose analysis time is printed (not asserted).
Run from the repo root: /usr/bin/python3 -m unittest discover -s tests/py"""
import contextlib
import io
import json
import os
import random
import shutil
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "harness", "py"))

import netgraph  # noqa: E402
import network  # noqa: E402
import report  # noqa: E402

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
# netgroups: 0 -> 1, 1 -> 2, 10 -> 5, 11 -> 6, 12 -> 5, 13 -> 7
NODES = {
    "run_id": "feed01", "seed": 7, "outbound_full": 1, "outbound_block": 1,
    "inbound_slots": 6, "punch_target": 2, "blocks": 2, "block_bytes": 100,
    "settle_ms": 15000,
    "phases": [{"name": "off", "mode": "off", "sybil_mitigation": False},
               {"name": "adv-on", "mode": "advertised",
                "sybil_mitigation": True},
               {"name": "adv-off", "mode": "advertised",
                "sybil_mitigation": False}],
    "nodes": [
        {"id": 0, "kind": "reachable", "netgroup": 1,
         "coordinator": {"addr": "172.16.1.1", "port": 18445}},
        {"id": 1, "kind": "reachable", "netgroup": 2,
         "coordinator": {"addr": "172.16.2.1", "port": 18445}},
        {"id": 10, "kind": "home", "netgroup": 5, "profile": "home-eim"},
        {"id": 11, "kind": "home", "netgroup": 6, "profile": "home-eim"},
        {"id": 12, "kind": "home", "netgroup": 5, "profile": "home-eim"},
        {"id": 13, "kind": "home", "netgroup": 7, "profile": "home-eim"}]}


def conn(a, b, kind="full", via=None, t=500.0, open_=True):
    return {"a": a, "b": b, "kind": kind, "via": via, "t_ms": t,
            "open_at_end": open_}


# Open at the first block (15000): 10-0, 10-1, 11-0, 12-1, 13-0, 0-1.
# 13->1 closed before the end, 13->1 (block) opened after the first
# block, 12->0 is light: none of them is a peer.
BASE = [conn(10, 0), conn(10, 1, "block"), conn(11, 0), conn(12, 1),
        conn(13, 0), conn(0, 1), conn(13, 1, open_=False),
        conn(13, 1, "block", t=16000.0), conn(12, 0, "light")]
PUNCHED = [conn(10, 11, "punched", 0, 2500.0),
           conn(12, 10, "punched", 0, 2500.0),
           conn(13, 12, "punched", 1, 2600.0),
           conn(11, 13, "punched", 0, 2600.0, open_=False),
           conn(10, 0, "light", t=2000.0)]
ATTEMPTS = [
    {"node": 10, "coordinator": 0, "peer": 11, "outcome": "ok",
     "t_ms": 2400.0, "ttc_ms": 40.0},
    {"node": 12, "coordinator": 0, "peer": 10, "outcome": "ok",
     "t_ms": 2400.0, "ttc_ms": 60.0},
    {"node": 13, "coordinator": 1, "peer": 12, "outcome": "ok",
     "t_ms": 2400.0, "ttc_ms": 100.0},
    {"node": 11, "coordinator": 0, "peer": 13, "outcome": "ok",
     "t_ms": 2400.0, "ttc_ms": 80.0},
    {"node": 11, "coordinator": 0, "peer": 12, "outcome": "timeout",
     "t_ms": 2400.0, "ttc_ms": None},
    {"node": 0, "coordinator": 1, "peer": 12, "outcome": "refused",
     "t_ms": 2400.0, "ttc_ms": None}]
# off: block 0 (miner 10, part 0) reaches all six at 0, 10, 20, 30, 50,
# 100 ms; block 1 (miner 1, part 1; part 0's 17001 is not the miner's
# clock) reaches only 0 (5 ms) and 10 (40 ms) besides its miner.
OFF_BLOCKS = {
    0: [{"block": 0, "miner": 10, "t_mined_ms": 15000.0,
         "received": {"10": 15000.0, "0": 15010.0, "12": 15050.0}},
        {"block": 1, "miner": 1, "t_mined_ms": 17001.0,
         "received": {"0": 17005.0, "10": 17040.0}}],
    1: [{"block": 0, "miner": 10, "t_mined_ms": 14999.0,
         "received": {"1": 15030.0, "11": 15020.0, "13": 15100.0}},
        {"block": 1, "miner": 1, "t_mined_ms": 17000.0, "received": {}}]}
ADV_BLOCK = {"block": 0, "miner": 0, "t_mined_ms": 15000.0, "received": {
    str(n): 15000.0 + i for i, n in enumerate((0, 1, 10, 11, 12, 13))}}


def split(records, key, k, parts):
    return [r for r in records if r[key] % parts == k]


def write_run(d, drop=None):
    with open(os.path.join(d, "nodes.json"), "w") as f:
        json.dump(NODES, f)
    if not os.path.exists(os.path.join(d, "run.json")):
        with open(os.path.join(d, "run.json"), "w") as f:
            json.dump({"scenario": "net-hand", "seed": 7}, f)
    files = {}
    for k in range(2):
        files["phase-off-part%d.json" % k] = {
            "phase": "off", "part": k, "parts": 2,
            "connections": split(BASE, "a", k, 2), "punch_attempts": [],
            "evictions": [], "blocks": OFF_BLOCKS[k], "addrman": []}
        blk = dict(ADV_BLOCK, received={
            n: t for n, t in ADV_BLOCK["received"].items()
            if int(n) % 2 == k})
        files["phase-adv-on-part%d.json" % k] = {
            "phase": "adv-on", "part": k, "parts": 2,
            "connections": split(BASE + PUNCHED, "a", k, 2),
            "punch_attempts": split(ATTEMPTS, "node", k, 2),
            "evictions": ([{"node": 0, "evicted": 13, "t_ms": 900.0}]
                          if k == 0 else []),
            "blocks": [blk],
            "addrman": split([{"node": 10, "reachable": 2, "advertised": 3},
                              {"node": 11, "reachable": 2,
                               "advertised": 1}], "node", k, 2)}
    # The same phase once more, written by a single process.
    files["phase-adv-off-part0.json"] = {
        "phase": "adv-off", "part": 0, "parts": 1,
        "connections": BASE + PUNCHED, "punch_attempts": ATTEMPTS,
        "evictions": [], "blocks": [ADV_BLOCK]}
    for name, doc in files.items():
        if name != drop:
            with open(os.path.join(d, name), "w") as f:
                json.dump(doc, f)


def call(main, argv):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            rc = main(argv)
        except SystemExit as e:
            rc = e.code
    return rc, out.getvalue(), err.getvalue()


class HandRun(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        write_run(cls.tmp.name)
        cls.doc, _ = network.analyse(cls.tmp.name)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def near(self, got, want):
        """got == want, floats to 9 places, through dicts and lists."""
        if isinstance(want, dict):
            for k, v in want.items():
                self.near(got[k], v)
        elif isinstance(want, list):
            self.assertEqual(len(got), len(want))
            for g, w in zip(got, want):
                self.near(g, w)
        elif isinstance(want, float):
            self.assertAlmostEqual(got, want, places=9)
        else:
            self.assertEqual(got, want)

    def test_world(self):
        self.near(self.doc, {"run_id": "feed01", "seed": 7, "homes": 4,
                             "reachable": 2, "coordinators": 2,
                             "scenario": "net-hand", "population": None})
        self.assertEqual(list(self.doc["phases"]),
                         ["off", "adv-on", "adv-off"])

    def test_off(self):
        f = self.doc["phases"]["off"]
        self.near(f, {
            "first_block_ms": 15000.0, "parts": 2,
            "connections_open": {"full": 5, "block": 1},
            "home_with_home_peer": 0.0,
            "home_peers_per_node": {"mean": 0.0, "p50": 0, "p90": 0,
                                    "histogram": [4]},
            # 6 inbound on 2 x (6 - 1 - 1) slots
            "inbound": {"used": 6, "total": 8, "fraction": 0.75,
                        "added": 0, "added_vs_total": 0.0},
            # netgroups per home 2, 1, 1, 1
            "diversity": {"mean": 1.25, "p50": 1, "p10": 1},
            "coordinator_exposure": {"mean": 0.0, "p90": 0.0, "max": 0.0,
                                     "homes_without_peers": 0},
            "punch": {"attempts": 0, "successes": 0, "outcomes": {},
                      "ttc_ms_p50": None, "ttc_ms_p90": None,
                      "homes_with_success": 0},
            "evictions": 0, "addrman": None})

    def test_off_propagation(self):
        p = self.doc["phases"]["off"]["propagation"]
        # Hops over the open peers 10-0, 10-1, 11-0, 12-1, 13-0, 0-1:
        # from 10: 0 (10), 1 (0, 1), 2 (11, 13, 12) -> h50 = 3rd = 1,
        # h90 = 6th = 2; from 1: 0 (1), 1 (10, 12, 0), 2 (11, 13).
        self.near(p, {"nodes": 6, "blocks_not_everywhere": 1, "blocks": [
            {"block": 0, "miner": 10, "missing": 0, "t50_ms": 20.0,
             "t90_ms": 100.0, "t100_ms": 100.0,
             "h50": 1, "h90": 2, "h100": 2},
            {"block": 1, "miner": 1, "missing": 3, "t50_ms": 40.0,
             "t90_ms": None, "t100_ms": None,
             "h50": 1, "h90": 2, "h100": 2}],
            "mean": {"t50_ms": 30.0, "t90_ms": 100.0, "t100_ms": None,
                     "h50": 1.0, "h90": 2.0, "h100": 2.0}})

    def test_off_partition(self):
        # Without 0: {1, 10, 12} holds 2 of 4 homes; without 1: {0, 10,
        # 11, 13} holds 3; without both: a single home. 1 of 2 removed
        # from 30% to 70% (rounded half up), both from 80%.
        p = self.doc["phases"]["off"]["partition"]
        self.assertEqual(p["steps"], list(range(0, 101, 10)))
        self.assertEqual(p["degree"], [1.0] * 3 + [0.5] * 5 + [0.25] * 3)
        order = list(range(2))
        random.Random(7).shuffle(order)
        mid = 0.5 if order[0] == 0 else 0.75
        self.assertEqual(p["random"], [1.0] * 3 + [mid] * 5 + [0.25] * 3)

    def test_advertised(self):
        f = self.doc["phases"]["adv-on"]
        self.near(f, {
            "mode": "advertised", "sybil_mitigation": True,
            "connections_open": {"full": 5, "block": 1, "punched": 3},
            # home peers 10: 11, 12; 11: 10; 12: 10, 13; 13: 12
            "home_with_home_peer": 1.0,
            "home_peers_per_node": {"mean": 1.5, "p50": 1.5, "p90": 2,
                                    "histogram": [0, 2, 2]},
            "inbound": {"used": 6, "total": 8, "fraction": 0.75,
                        "added": 3, "added_vs_total": 0.375},
            # netgroups 10: 1, 2, 6, 5; 11: 1, 5; 12: 2, 5, 7; 13: 1, 5
            "diversity": {"mean": 2.75, "p50": 2.5, "p10": 2},
            # 10: 2 of 4 via 0; 11: 1 of 2; 12: 1 of 3; 13: 1 of 2
            "coordinator_exposure": {"mean": (1.5 + 1 / 3) / 4, "p90": 0.5,
                                     "max": 0.5, "homes_without_peers": 0},
            "punch": {"attempts": 6, "successes": 4,
                      "outcomes": {"ok": 4, "refused": 1, "timeout": 1},
                      "ttc_ms_p50": 70.0, "ttc_ms_p90": 94.0,
                      "homes_with_success": 4},
            "partition": {"random": [1.0] * 11, "degree": [1.0] * 11},
            "propagation": {"mean": {"t50_ms": 2.0, "t90_ms": 5.0,
                                     "t100_ms": 5.0}},
            "evictions": 1,
            "addrman": {"nodes": 2, "reachable_mean": 2.0,
                        "advertised_mean": 2.0}})
        self.assertEqual(list(f["punch"]["outcomes"]),
                         ["ok", "refused", "timeout"])

    def test_one_part_equals_two(self):
        on, off = (self.doc["phases"][n] for n in ("adv-on", "adv-off"))
        for key in ("home_peers_per_node", "diversity", "partition",
                    "coordinator_exposure", "punch", "inbound"):
            self.assertEqual(on[key], off[key], key)


class OpenAtFirstBlock(unittest.TestCase):
    def test_close_times(self):
        ev = network.eviction_times(type("P", (), {"evictions": [
            {"node": 0, "evicted": 13, "t_ms": 900.0},
            {"node": 0, "evicted": 13, "t_ms": 16000.0},
            {"node": 1, "evicted": 12, "t_ms": 400.0}]})())
        c = dict(conn(13, 0, open_=False), t_closed_ms=None)
        # opened at 500: evicted at 900, before the first block
        self.assertFalse(network.is_open(c, 15000.0, ev))
        # opened again at 1000: evicted at 16000, after it
        self.assertTrue(network.is_open(dict(c, t_ms=1000.0), 15000.0, ev))
        # an eviction before it opened is not its close: no close time
        c = dict(conn(12, 1, open_=False), t_closed_ms=None)
        self.assertFalse(network.is_open(c, 15000.0, ev))
        self.assertTrue(network.is_open(dict(c, t_closed_ms=15001.0),
                                        15000.0, ev))
        self.assertFalse(network.is_open(dict(c, open_at_end=True,
                                              t_closed_ms=14000.0),
                                         15000.0, ev))
        # opened after the first block
        self.assertFalse(network.is_open(dict(c, open_at_end=True,
                                              t_ms=15000.5), 15000.0, ev))


class Graph(unittest.TestCase):
    def test_removed_count(self):
        self.assertEqual([netgraph.removed_count(p, 15)
                          for p in (0, 10, 50, 100)], [0, 2, 8, 15])

    def test_orders(self):
        edges = [(1, 10), (2, 10), (2, 11), (3, 10), (3, 11), (3, 12)]
        self.assertEqual(netgraph.degree_order([1, 2, 3, 4], edges),
                         [3, 2, 1, 4])
        a = netgraph.random_order([4, 3, 2, 1], 5)
        self.assertEqual(a, netgraph.random_order([1, 2, 3, 4], 5))
        self.assertEqual(sorted(a), [1, 2, 3, 4])

    def test_component_needs_a_reachable_node(self):
        # Homes 10, 11 hang off reachable 1; 12, 13, 14 only on each
        # other: the larger group counts only once no reachable is left.
        edges = [(1, 10), (1, 11), (12, 13), (13, 14)]
        homes = [10, 11, 12, 13, 14]
        self.assertEqual(netgraph.home_share(homes, [1], edges, []), 0.4)
        self.assertEqual(netgraph.home_share(homes, [1], edges, [1]), 0.6)


    def test_one_pass_curve_is_the_definition(self):
        # partition_curve adds nodes back in one pass; home_share is the
        # definition applied step by step: they agree on random graphs.
        rnd = random.Random(11)
        for _ in range(30):
            reach = list(range(rnd.randrange(1, 12)))
            homes = list(range(100, 100 + rnd.randrange(1, 30)))
            ids = reach + homes
            edges = [tuple(rnd.sample(ids, 2))
                     for _ in range(rnd.randrange(0, 60))]
            order = netgraph.random_order(reach, rnd.randrange(1000))
            for p, share in netgraph.partition_curve(homes, reach, edges,
                                                     order):
                k = netgraph.removed_count(p, len(reach))
                self.assertEqual(share, netgraph.home_share(
                    homes, reach, edges, order[:k]), (p, edges))


class Errors(unittest.TestCase):
    def run_dir(self, **kw):
        d = tempfile.TemporaryDirectory()
        self.addCleanup(d.cleanup)
        write_run(d.name, **kw)
        return d.name

    def fails(self, d, *parts):
        rc, _, err = call(network.main, [d, "--quiet"])
        self.assertEqual(rc, 2, err)
        for p in parts:
            self.assertIn(p, err)
        return err

    def edit(self, path, fn):
        with open(path) as f:
            doc = json.load(f)
        fn(doc)
        with open(path, "w") as f:
            json.dump(doc, f)

    def test_missing_part(self):
        d = self.run_dir(drop="phase-adv-on-part1.json")
        self.fails(d, "phase-adv-on-part1.json: missing",
                   "has 2 parts")

    def test_missing_phase(self):
        d = self.run_dir(drop="phase-off-part0.json")
        self.fails(d, "phase-off-part0.json: missing",
                   "found phase-off-part1.json")

    def test_bad_keys(self):
        d = self.run_dir()
        self.edit(os.path.join(d, "phase-off-part1.json"),
                  lambda doc: doc["connections"][0].pop("b"))
        self.fails(d, "phase-off-part1.json: connections[0].b: missing")
        self.edit(os.path.join(d, "phase-off-part1.json"),
                  lambda doc: doc["connections"][0].update(b=99))
        self.fails(d, "connections[0].b: 99 is no node of nodes.json")
        self.edit(os.path.join(d, "phase-off-part1.json"),
                  lambda doc: doc.update(phase="adv-on"))
        self.fails(d, "phase-off-part1.json: phase: 'adv-on'")

    def test_bad_nodes(self):
        d = self.run_dir()
        self.edit(os.path.join(d, "nodes.json"),
                  lambda doc: doc["nodes"][3].update(kind="router"))
        self.fails(d, "nodes.json: nodes[3].kind: 'router'")
        self.edit(os.path.join(d, "nodes.json"), lambda doc: doc.pop("seed"))
        self.fails(d, "nodes.json.seed: missing")
        with open(os.path.join(d, "nodes.json"), "w") as f:
            f.write("{\n\"seed\": 1,,\n")
        self.fails(d, "nodes.json:2: not valid JSON")


class Outputs(unittest.TestCase):
    def report(self, d, extra=("--quiet",)):
        """report.py on run folder d; its report.md."""
        rc, _, err = call(report.main, [d] + list(extra))
        self.assertEqual(rc, 0, err)
        with open(os.path.join(d, "report.md")) as f:
            return f.read()

    def test_network_py_and_report(self):
        with tempfile.TemporaryDirectory() as d:
            write_run(d)
            rc, out, err = call(network.main, [d])
            self.assertEqual(rc, 0, err)
            self.assertEqual(out.strip(), os.path.join(d, "network.json"))
            with open(os.path.join(d, "network.json")) as f:
                self.assertIn("adv-off", json.load(f)["phases"])
            for k in ("home-peers", "partition", "propagation", "exposure"):
                with open(os.path.join(d, "network-%s.png" % k), "rb") as f:
                    self.assertEqual(f.read(8), PNG_MAGIC)
            text = self.report(d, [])
            self.assertIn("## Network", text)
            self.assertIn("| advertised | mitigation on (adv-on) | off "
                          "(adv-off) |", text)
            self.assertIn("| punch ttc p50 / p90 (ms) | - / - | 70 / 94 | "
                          "70 / 94 |", text)
            self.assertIn("| punch attempts: outcomes | none | 4/6 ok (ok 4,"
                          " refused 1, timeout 1) |", text)
            self.assertIn("| off | 20 / 100 / 100 | 40 / - / - (3 never) |",
                          text)
            self.assertIn("| adv-on | 2 / 5 / 5 | - |", text)

    def test_summary_without_cells_and_cells_with_network(self):
        with tempfile.TemporaryDirectory() as d:
            net = os.path.join(d, "net")
            os.makedirs(net)
            write_run(net)
            with open(os.path.join(net, "summary.json"), "w") as f:
                json.dump({"scenario": "network", "run_id": "feed01",
                           "cells": []}, f)
            text = self.report(net)
            self.assertIn("## Network", text)
            self.assertNotIn("## Cells", text)
            # A cell run that also holds a network run gets both.
            both = os.path.join(d, "both")
            shutil.copytree(os.path.join(HERE, "data", "gate", "0a0b0c"),
                            both)
            write_run(both)
            text = self.report(both)
            self.assertIn("## Cells", text)
            self.assertIn("## Network", text)


# The default scenario's phases (modes off, rendezvous, handoff,
# advertised; sybil_mitigation both).
PHASES = [{"name": n, "mode": m, "sybil_mitigation": s} for n, m, s in (
    ("off", "off", False), ("rendezvous", "rendezvous", False),
    ("handoff", "handoff", False), ("advertised", "advertised", False),
    ("advertised-mitigated", "advertised", True))]


def big_run(d, homes=2000, reach=400, parts=2, seed=3):
    """A random network: every node 8 full + 2 block outbound to random
    reachable nodes, every home 2 punch attempts to random homes (70% ok)
    when punching, 5 blocks reaching 99.9% of nodes; the five default
    phases."""
    rnd = random.Random(seed)
    nodes = [{"id": j, "kind": "reachable", "netgroup": rnd.randrange(256),
              **({"coordinator": {"addr": "x", "port": 18445}}
                 if j < reach // 10 else {})} for j in range(reach)]
    nodes += [{"id": reach + i, "kind": "home",
               "netgroup": rnd.randrange(256)} for i in range(homes)]
    phases = PHASES
    with open(os.path.join(d, "nodes.json"), "w") as f:
        json.dump(dict(NODES, seed=seed, outbound_full=8, outbound_block=2,
                       inbound_slots=125, phases=phases, nodes=nodes), f)
    ids = list(range(reach + homes))
    for ph in phases:
        conns, att = [], []
        for n in ids:
            for k, p in enumerate(rnd.sample(range(reach), 10)):
                if p != n:
                    conns.append(conn(n, p, "full" if k < 8 else "block"))
            if n >= reach and ph["mode"] != "off":
                for _ in range(2):
                    p, c = rnd.randrange(reach, len(ids)), rnd.randrange(40)
                    ok = p != n and rnd.random() < 0.7
                    att.append({"node": n, "coordinator": c, "peer": p,
                                "outcome": "ok" if ok else "timeout",
                                "t_ms": 2300.0, "ttc_ms": 50.0})
                    if ok:
                        conns.append(conn(n, p, "punched", c, 2400.0))
        blocks = [(b, rnd.randrange(len(ids)), 15000.0 + 2000 * b,
                   {n: 15000.0 + 2000 * b + rnd.expovariate(0.005)
                    for n in ids if rnd.random() > 0.001}) for b in range(5)]
        for k in range(parts):
            with open(os.path.join(d, "phase-%s-part%d.json"
                                   % (ph["name"], k)), "w") as f:
                json.dump({
                    "phase": ph["name"], "part": k, "parts": parts,
                    "connections": split(conns, "a", k, parts),
                    "punch_attempts": split(att, "node", k, parts),
                    "blocks": [{"block": b, "miner": m, "t_mined_ms": t,
                                "received": {str(n): v for n, v in r.items()
                                             if n % parts == k}}
                               for b, m, t, r in blocks]}, f)
    return len(conns)


class Large(unittest.TestCase):
    def test_2000_homes(self):
        with tempfile.TemporaryDirectory() as d:
            n = big_run(d)
            t0, c0 = time.monotonic(), time.process_time()
            doc, _ = network.analyse(d)
            t1, c1 = time.monotonic(), time.process_time()
            rc, _, err = call(network.main, [d, "--quiet"])
            t2 = time.monotonic()
            self.assertEqual(rc, 0, err)
            adv = doc["phases"]["advertised"]
            self.assertEqual(adv["partition"]["random"][0], 1.0)
            self.assertGreater(adv["home_with_home_peer"], 0.8)
            load = os.getloadavg()[0]
            print("\n[network] 2,000 homes, 400 reachable, 5 phases x 2 "
                  "parts, ~%d connections in the last phase: analysis %.2f "
                  "s (CPU %.2f s), with network.json + 4 PNGs + network.md "
                  "%.2f s (load average %.2f)" % (n, t1 - t0, c1 - c0,
                                                  t2 - t1, load),
                  file=sys.stderr)


if __name__ == "__main__":
    unittest.main()
