#!/usr/bin/python3
"""Writes the synthetic run folders under tests/py/data/ (deterministic:
fixed random seeds), shaped like what `punchlab run` writes. Rerun it only
when the fixtures must change; the tests read the files it wrote."""
import json
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "harness", "py"))

import stats  # noqa: E402

EXPECT = {">= 0.95": (0.95, 1.0), ">= 0.9": (0.9, 1.0), ">= 0.8": (0.8, 1.0),
          ">= 0.5": (0.5, 1.0), "<= 0.5": (0.0, 0.5), "== 0": (0.0, 0.0)}


def agent(rid, ci, side, t, outcome, role, attempts, t0, ttc_ms):
    port = 20000 + t
    pub = "198.51.100.1" if side == "alice" else "203.0.113.1"
    peer = "203.0.113.1" if side == "alice" else "198.51.100.1"
    ok = outcome == "ok"
    est = t0 + int(ttc_ms * 1e6) if ok else None
    return {
        "name": "%s-c%d-%s-t%d" % (rid, ci, side, t), "outcome": outcome,
        "error": None if ok else {
            "timeout": "no connection after %d waves (no answer to any)"
            % attempts,
            "refused": "connect: Connection refused (RST from peer's "
            "router)",
            "wrong-peer": "version nonce does not match the announced peer",
            "bind": "bind 0.0.0.0:%d: Address already in use" % port,
        }.get(outcome, outcome),
        "role": role, "attempts": attempts, "local_port": port,
        "public": "%s:%d" % (pub, port), "peer": "%s:%d" % (peer, port),
        "nonce": "%016x" % random.getrandbits(64), "delay_ms": 30,
        "rtt_coord_us": random.randint(80, 450),
        "t_register_ns": t0 - 75_000_000, "t_match_ns": t0 - 30_000_000,
        "t_start_ns": t0, "t_established_ns": est,
        "t_handshake_ns": est + 180_000 if ok else None,
        "syn_ns": [t0 + 30_000 + w * 1_500_000_000 for w in range(attempts)],
        "syn_retrans": 0 if ok else None,
        "peer_user_agent": "/punchlab-agent:0.1/" if ok else None,
    }


def write_run(root, scenario, rid, seed, cells, path=None):
    """cells: [dict(cell, a, b, params, outcomes, ttc, expect, reason,
    trial_params, side)] where outcomes is the per-trial outcome list and
    side(report, ok), when given, adds keys to each agent's report."""
    d = os.path.join(root, scenario, rid)
    os.makedirs(d, exist_ok=True)
    lines, summary = [], []
    t0 = 1_237_000_000_000
    for ci, c in enumerate(cells):
        ttcs = []
        fails = {}
        for t, outcome in enumerate(c["outcomes"]):
            t0 += 2_000_000_000
            ok = outcome == "ok"
            attempts = 1 if ok and random.random() < 0.93 else 2
            ttc = c["ttc"](attempts) if ok else None
            if ok:
                ttcs.append(ttc)
            else:
                fails[outcome] = fails.get(outcome, 0) + 1
            rec = {"scenario": scenario, "run_id": rid, "cell": c["cell"],
                   "a": c["a"], "b": c["b"], "trial": t, "seed": seed,
                   "outcome": outcome, "attempts": attempts,
                   "ttc_ms": ttc, "handshake_ms": ttc + 0.18 if ok else None,
                   "start_skew_us": random.randint(-90, 90)
                   + 1000 * c["params"].get("skew_ms", 0)}
            tp = c.get("trial_params", "all")
            if tp == "all" and c["params"]:
                rec["params"] = c["params"]
            elif tp == "partial":
                rec["params"] = {k: v for k, v in c["params"].items()
                                 if k == "skew_ms"}
            rec["alice"] = agent(rid, ci, "alice", t, outcome,
                                 "initiator" if t % 2 else "responder",
                                 attempts, t0, ttc or 0)
            rec["bob"] = agent(rid, ci, "bob", t, outcome,
                               "responder" if t % 2 else "initiator",
                               attempts, t0, ttc or 0)
            if c.get("side"):
                for who in ("alice", "bob"):
                    c["side"](rec[who], outcome == "ok")
            if c.get("adv"):
                rec["adv"] = c["adv"](t)
            lines.append(rec)
        n, k = len(c["outcomes"]), len(ttcs)
        lo, hi = stats.wilson(k, n)
        # An adversary cell may leave expect out (expect_effect instead).
        emin, emax = EXPECT[c["expect"]] if c["expect"] else (0.0, 1.0)
        cell = {"cell": c["cell"], "a": c["a"], "b": c["b"], "trials": n,
                "successes": k, "success_rate": k / n if n else 0.0,
                "wilson_low": lo, "wilson_high": hi,
                "ttc_ms_p50": stats.percentile(ttcs, 50),
                "ttc_ms_p90": stats.percentile(ttcs, 90),
                "failures": fails,
                "expect": {"text": c["expect"] or "", "min": emin,
                           "max": emax,
                           "reason": c["reason"]},
                "verdict": "pass" if n and hi >= emin - 1e-12
                and lo <= emax + 1e-12 else "fail"}
        if c["params"]:
            cell["params"] = c["params"]
        if c.get("adversary"):
            cell["adversary"] = c["adversary"]
            if c["adversary"].get("met") is False:
                cell["verdict"] = "fail"
        refused = fails.get("refused", 0)
        cell["nat_counters"] = {
            "a": {"syn_dropped": n + random.randint(0, n), "rst_sent":
                  refused if c["a"].endswith("-rst") else 0},
            "b": {"syn_dropped": n + random.randint(0, n), "rst_sent":
                  refused if c["b"].endswith("-rst") else 0}}
        summary.append(cell)
    # The harness writes trials as they finish, not in order.
    random.shuffle(lines)
    with open(os.path.join(d, "trials.jsonl"), "w") as f:
        for rec in lines:
            f.write(json.dumps(rec, separators=(",", ":")) + "\n")
    with open(os.path.join(d, "summary.json"), "w") as f:
        json.dump({"scenario": scenario, "run_id": rid, "seed": seed,
                   "cells": summary}, f, indent=2)
        f.write("\n")
    with open(os.path.join(d, "run.json"), "w") as f:
        json.dump({"scenario": scenario,
                   "path": path or "scenarios/%s.ini" % scenario,
                   "run_id": rid, "seed": seed,
                   "kernel": "6.18.44-fc-v657"}, f)
        f.write("\n")


def outcomes(n, ok, **fails):
    out = ["ok"] * ok
    for reason, count in fails.items():
        out += [reason.replace("_", "-")] * count
    out += ["timeout"] * (n - len(out))
    random.shuffle(out)
    return out


def fast(base):
    return lambda attempts: round(base + random.expovariate(1 / (base / 4))
                                  + (attempts - 1) * 1000.0, 6)


def skew_sweep(root):
    random.seed(11)
    cells = []
    plan = {  # pair -> [(skew, ok of 20, refused)]
        ("home-eim", "home-eim", "eim-eim"):
            [(0, 20, 0), (100, 19, 0), (1000, 18, 0), (3000, 17, 0)],
        ("home-eim-rst", "home-eim", "rst-eim"):
            [(0, 19, 1), (100, 15, 5), (1000, 4, 16), (3000, 0, 20)],
        ("home-eim", "symmetric", "eim-sym"):
            [(0, 0, 0), (100, 0, 0), (1000, 0, 0), (3000, 0, 0)],
    }
    for (a, b, short), pts in plan.items():
        for skew, ok, refused in pts:
            if short == "eim-eim":
                exp, why = ">= 0.8", "EIM both sides: early SYNs are dropped"
            elif short == "eim-sym":
                exp, why = "== 0", "symmetric NAT on one side"
            elif skew <= 100:
                exp, why = ">= 0.9", ("RST from router A only when the "
                                      "peer's SYN arrives first")
            else:
                exp, why = "<= 0.5", "RST kills the peer's conntrack entry"
            cells.append({
                "cell": "%s-s%d" % (short, skew), "a": a, "b": b,
                "params": {"skew_ms": skew, "rtt_ms": 40},
                "outcomes": outcomes(20, ok, refused=refused),
                "ttc": fast(20.0 + skew), "expect": exp, "reason": why,
                "trial_params": "partial" if short == "rst-eim" else "all"})
    write_run(root, "skew-sweep", "5e1f0a", 7, cells)


def rtt_sweep(root):
    random.seed(12)
    cells = []
    for rtt, ok_eim, ok_rst in ((10, 10, 10), (50, 10, 9), (200, 10, 6),
                                (800, 9, 2)):
        cells.append({"cell": "eim-r%d" % rtt, "a": "home-eim",
                      "b": "home-eim",
                      "params": {"rtt_ms": rtt, "coord_delay_ms": 5},
                      "outcomes": outcomes(10, ok_eim),
                      "ttc": fast(rtt / 2 + 1), "expect": ">= 0.8",
                      "reason": "EIM both sides"})
        cells.append({"cell": "rst-r%d" % rtt, "a": "home-eim-rst",
                      "b": "home-eim-rst",
                      "params": {"rtt_ms": rtt, "coord_delay_ms": 5},
                      "outcomes": outcomes(10, ok_rst, refused=10 - ok_rst),
                      "ttc": fast(rtt / 2 + 1), "expect": ">= 0.5",
                      "reason": "RST races the punch more at long RTT",
                      "trial_params": "none"})
    write_run(root, "rtt-sweep", "9c2d41", 3, cells)


def gate(root):
    random.seed(13)
    cells = [
        {"cell": "all-ok", "a": "home-eim", "b": "home-eim", "params": {},
         "outcomes": outcomes(50, 50), "ttc": fast(0.3),
         "expect": ">= 0.95", "reason": "EIM both sides"},
        {"cell": "drop", "a": "home-eim-rst", "b": "home-eim", "params": {},
         "outcomes": outcomes(50, 40, refused=3), "ttc": fast(0.4),
         "expect": ">= 0.95", "reason": "a regression: should be EIM-like"},
        {"cell": "never", "a": "home-eim", "b": "symmetric", "params": {},
         "outcomes": outcomes(50, 0), "ttc": fast(1),
         "expect": "== 0", "reason": "symmetric NAT on one side"},
        {"cell": "mixed", "a": "cgnat", "b": "home-eim", "params": {},
         "outcomes": outcomes(50, 45, wrong_peer=2, bind=1),
         "ttc": fast(0.5), "expect": ">= 0.95",
         "reason": "carrier NAT with port blocks, EIM inside"},
    ]
    write_run(root, "gate", "0a0b0c", 1, cells)


def empty(root):
    random.seed(14)
    cells = [{"cell": "dead", "a": "home-eim", "b": "home-eim",
              "params": {}, "outcomes": outcomes(10, 0), "ttc": fast(1),
              "expect": ">= 0.9", "reason": "coordinator unreachable"}]
    write_run(root, "empty", "e0e0e0", 5, cells)


def strategy_side(strategy, syns, rsts=0, icmps=0, accepted=False):
    def add(rep, ok):
        rep.update({"strategy": strategy,
                    "syns_sent": syns + random.randint(0, syns // 4),
                    "rsts": rsts, "icmps": icmps,
                    "accepted": accepted and ok and rep["role"] ==
                    "responder"})
    return add


def strategies(root):
    random.seed(15)
    cells = [
        {"cell": "fc-fc-connect", "a": "full-cone", "b": "full-cone",
         "params": {"strategy": "connect"},
         "outcomes": outcomes(20, 2, refused=18), "ttc": fast(0.4),
         "expect": "<= 0.5", "reason": "the early SYN meets a closed port",
         "side": strategy_side("connect", 8, rsts=6)},
        {"cell": "fc-fc-listen", "a": "full-cone", "b": "full-cone",
         "params": {"strategy": "listen-connect"},
         "outcomes": outcomes(20, 20), "ttc": fast(0.4),
         "expect": ">= 0.95", "reason": "the listener takes the early SYN",
         "side": strategy_side("listen-connect", 1, accepted=True)},
    ]
    for n_sock, ok in ((16, 1), (64, 4), (256, 12)):
        cells.append({
            "cell": "bday-n%d" % n_sock, "a": "symmetric", "b": "home-eim",
            "params": {"strategy": "birthday", "birthday_sockets": n_sock,
                       "birthday_ports": 256},
            "outcomes": outcomes(20, ok), "ttc": fast(50.0),
            "expect": "<= 0.5", "reason": "about N*M/64512 per trial",
            "side": strategy_side("birthday", n_sock + 256)})
    write_run(root, "strategies", "5a7e01", 9, cells)


def adv_obj(attack, setting, defences, effect, value, unit, metrics,
            expect, verdict):
    """A summary.json "adversary" object as results/advfold.c writes it;
    met follows from the verdict's lead words."""
    on = {"target_policy": "on", "peer_auth": "secret", "coord_limits": "on"}
    met = (None if expect is None else
           not verdict.startswith(("defence fails", "expectation missed")))
    return {"attack": attack,
            "defences": {k: (on[k] if k in defences else
                             "off") for k in on},
            "effect": {"name": effect, "value": value, "unit": unit},
            "metrics": metrics, "expect_effect": expect, "met": met,
            "verdict": verdict, "setting": setting}


def adversaries(root):
    random.seed(16)
    n = 10
    red = "victim_syns_per_request"
    cells = [
        {"cell": "redirect-lan-off", "params": {}, "reason":
         "a measurement: how many SYNs a lie buys without the policy",
         "outcomes": outcomes(n, 0),
         "adv": lambda t: {"attack": "redirect", "victim_syns": 6,
                           "victim_bytes": 360, "attacker_bytes": 120,
                           "syns_sent": 6},
         "adversary": adv_obj(
             "redirect", {"victim": "lan"}, (), red, 6.0, "SYNs",
             {"trials": n, "victim_syns_per_request_mean": 6.0,
              "victim_syns_per_trial_max": 6.0,
              "victim_bytes_per_request": 360.0,
              "attacker_bytes_per_request": 120.0, "amplification": 3.0},
             None, "measured: victim got 6.0 SYNs per request (max 6) in "
             "10 requests, amplification 3.00")},
        {"cell": "redirect-lan-on", "params": {}, "reason":
         "the policy refuses a private target before any SYN",
         "outcomes": outcomes(n, 0),
         "adv": lambda t: {"attack": "redirect", "victim_syns": 0,
                           "victim_bytes": 0, "attacker_bytes": 120,
                           "syns_sent": 0},
         "adversary": adv_obj(
             "redirect", {"victim": "lan"}, ("target_policy",), red, 0.0,
             "SYNs", {"trials": n, "victim_syns_per_request_mean": 0.0,
                      "victim_syns_per_trial_max": 0.0,
                      "amplification": 0.0},
             "== 0", "defence holds: victim got 0 SYNs in 10 requests")},
        {"cell": "impersonate-secret", "params": {}, "reason":
         "mallory has no secret: its hpauth MAC cannot be right",
         "outcomes": outcomes(n, 0, wrong_peer=n),
         "adv": lambda t: {"attack": "impersonate", "played": 1,
                           "detected": 1},
         "adversary": adv_obj(
             "impersonate", {}, ("peer_auth",), "detected_rate", 1.0,
             "ratio", {"trials": n, "played": n, "detected": n,
                       "detected_rate": 1.0},
             "== 1", "defence holds: detected 10 of 10 impersonations "
             "(mallory played the peer in 10 of 10 trials)")},
        {"cell": "flood-slowloris-on", "params": {}, "reason":
         "the per-address limit keeps slots for legitimate nodes",
         "outcomes": outcomes(n, 9),
         "adv": lambda t: {"attack": "flood", "paired": int(t != 3)},
         "adversary": adv_obj(
             "flood", {"flood": "slowloris", "flood_count": 1100},
             ("coord_limits",), "legit_matched_rate", 0.9, "ratio",
             {"trials": n, "paired": 9, "legit_matched_rate": 0.9},
             ">= 0.95", "defence fails: 9 of 10 legitimate trials paired "
             "under the flood (expect_effect >= 0.95)")},
    ]
    for kind, off, killed in (("rst", -5, 0), ("rst", 0, 3), ("rst", 5, 8),
                              ("rst", 20, 10), ("syn", 0, 1),
                              ("syn", 20, 2)):
        cells.append({
            "cell": "inject-%s-%s" % (kind, off), "params": {},
            "reason": "a measurement: when a spoofed packet kills the punch",
            "outcomes": outcomes(n, n - killed, refused=killed),
            "adv": (lambda o, k: lambda t: {"attack": "inject",
                                            "inject_offset_ms": o,
                                            "killed": int(t < k)})(off,
                                                                   killed),
            "adversary": adv_obj(
                "inject", {"inject": kind, "inject_offset_ms": off}, (),
                "killed_rate", killed / n, "ratio",
                {"trials": n, "killed": killed, "killed_rate": killed / n,
                 "by_offset": [{"offset_ms": off, "trials": n,
                                "killed": killed,
                                "killed_rate": killed / n}]},
                None, "measured: %d of %d punches killed at %+d ms"
                % (killed, n, off))})
    for c in cells:
        c.update({"a": "home-eim", "b": "home-eim", "ttc": fast(0.4),
                  "expect": None})
    write_run(root, "adversaries", "ad0e13", 21, cells)


def main():
    root = os.path.join(HERE, "data")
    skew_sweep(root)
    rtt_sweep(root)
    gate(root)
    empty(root)
    strategies(root)
    adversaries(root)


if __name__ == "__main__":
    main()
