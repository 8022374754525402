#!/usr/bin/python3
"""network: the figures of a network run (docs/network.md section 5) from
RUN_DIR/nodes.json and every RUN_DIR/phase-<name>-part<k>.json; writes
RUN_DIR/network.json, PNG plots and network.md (the report's "Network"
section, which report.py includes in report.md).

Definitions, per phase (README "Network figures" says the same):

- first block: the earliest t_mined_ms of the phase's blocks (settle_ms of
  nodes.json when the phase has none). A connection is OPEN AT THE FIRST
  BLOCK when its t_ms <= first block and it was still open then: it
  closed later, the close time being its t_closed_ms when the record
  carries one, else, for a connection not open_at_end, the first eviction
  of its pair (either order) at or after its t_ms; without any close
  time, open_at_end decides (the part format has no close time, so a
  connection closed for another reason counts as closed before the first
  block).
- peers of a node: the distinct other ends of its open connections of
  kind full, block or punched (light coordinator connections carry no
  blocks and are not peers). Every figure below uses only these.
- direct home peer: a peer of a home node that is a home node itself.
  home_with_home_peer = homes with >= 1 / homes; home_peers_per_node =
  per home node the number of direct home peers (mean, p50, p90, and the
  histogram: element i = homes with i).
- inbound: used = open connections whose b (accepting side) is a
  reachable node; total = reachable nodes x (inbound_slots - outbound_full
  - outbound_block); added = open punched connections (peers carried by
  home-node sockets the reachable slots did not provide), added_vs_total
  = added / total.
- diversity: per home node the number of distinct netgroups (nodes.json
  "netgroup", a /24 in the lab) among its peers (0 without peers); mean,
  p50, p10.
- partition: the undirected graph of open peer connections; reachable
  nodes removed at 0, 10, ..., 100% (count rounded half up) in two orders:
  "random" (the sorted ids shuffled by random.Random(seed of nodes.json),
  the same order in every phase) and "degree" (most distinct neighbours in
  this phase first, ties by lower id). Figure: home nodes in the component
  with the most home nodes among components that hold at least one
  remaining reachable node (among all components once none remains),
  divided by all home nodes.
- propagation: per block, over all nodes of nodes.json (the miner has it
  at t = 0 unless its part says otherwise), the time after t_mined_ms at
  which ceil(q x nodes) nodes have it, q = 50%, 90%, 100%; null when
  fewer ever got it, with the count missing. mean = mean over the blocks
  where it is not null (t100: null when any block's is, the count said).
  h50/h90/h100: the same quantiles of the hop count from the miner over
  the open peer connections (shortest paths, breadth first): the relay
  path length, which, unlike the times, no CPU load of the lab moves.
- coordinator_exposure: per home node with >= 1 peer, the largest number
  of its peers reached through one coordinator (an open punched
  connection with via = that coordinator) divided by its peers; mean,
  p90, max; homes without peers are counted apart.
- eclipse (eclipse runs only): neteclipse.py's figures.
- punch: every attempt of every part; successes = outcome "ok"; ttc p50
  and p90 (linear interpolation, as stats.percentile) over the ok
  attempts that carry ttc_ms; homes_with_success = home nodes with an ok
  attempt.
Percentiles are stats.percentile's (numpy's default)."""
import argparse
import json
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import neteclipse  # noqa: E402
import netgraph  # noqa: E402
import netinput  # noqa: E402
import stats  # noqa: E402

PEER_KINDS = ("full", "block", "punched")


def first_block(world, phase):
    ts = [b["t_mined_ms"] for b in phase.blocks.values()]
    return min(ts) if ts else world.settle_ms


def eviction_times(phase):
    """{(lower id, higher id): sorted eviction times}: an eviction is the
    one close a part records with a time."""
    out = {}
    for e in phase.evictions:
        key = (min(e["node"], e["evicted"]), max(e["node"], e["evicted"]))
        out.setdefault(key, []).append(e["t_ms"])
    for v in out.values():
        v.sort()
    return out


def closed_ms(c, evicted):
    """When c closed: its t_closed_ms, else the first eviction of its pair
    after it opened, else None (open at the end, or closed at a time the
    part did not write)."""
    if c["t_closed_ms"] is not None or c["open_at_end"]:
        return c["t_closed_ms"]
    key = (min(c["a"], c["b"]), max(c["a"], c["b"]))
    return next((t for t in evicted.get(key, ()) if t >= c["t_ms"]), None)


def is_open(c, t_first, evicted=None):
    if t_first is None:
        return c["open_at_end"]
    if c["t_ms"] > t_first:
        return False
    t = closed_ms(c, evicted or {})
    if t is not None:
        return t > t_first
    return c["open_at_end"]


def summary(values, *qs):
    out = {"mean": sum(values) / len(values) if values else None}
    for q in qs:
        out["p%d" % q] = stats.percentile(values, q)
    return out


class Graph:
    """One phase's open peer connections: neighbour sets and, per home
    node, the coordinators each punched peer came through."""

    def __init__(self, world, conns):
        self.nbrs = {n: set() for n in world.nodes}
        self.via = {}
        self.edges = set()
        for c in conns:
            a, b = c["a"], c["b"]
            self.nbrs[a].add(b)
            self.nbrs[b].add(a)
            self.edges.add((min(a, b), max(a, b)))
            if c["kind"] == "punched" and c["via"] is not None:
                for x, y in ((a, b), (b, a)):
                    self.via.setdefault(x, {}).setdefault(
                        y, set()).add(c["via"])


def home_peer_figures(world, g):
    counts = [sum(1 for p in g.nbrs[h] if world.nodes[p].home)
              for h in world.homes]
    hist = [0] * (max(counts) + 1)
    for k in counts:
        hist[k] += 1
    s = summary(counts, 50, 90)
    s["histogram"] = hist
    return sum(1 for k in counts if k) / len(counts), s


def inbound_figures(world, conns):
    cap = world.inbound_slots - world.outbound_full - world.outbound_block
    total = cap * len(world.reachable)
    used = sum(1 for c in conns if not world.nodes[c["b"]].home)
    added = sum(1 for c in conns if c["kind"] == "punched")
    return {"used": used, "total": total,
            "fraction": used / total if total > 0 else None,
            "added": added,
            "added_vs_total": added / total if total > 0 else None}


def diversity_figures(world, g):
    d = [len({world.nodes[p].netgroup for p in g.nbrs[h]})
         for h in world.homes]
    return summary(d, 50, 10)


def exposure_figures(world, g):
    shares, lonely = [], 0
    for h in world.homes:
        peers = g.nbrs[h]
        if not peers:
            lonely += 1
            continue
        per = {}
        for p, coords in g.via.get(h, {}).items():
            if p in peers:
                for c in coords:
                    per[c] = per.get(c, 0) + 1
        shares.append(max(per.values(), default=0) / len(peers))
    s = summary(shares, 90)
    s["max"] = max(shares) if shares else None
    s["homes_without_peers"] = lonely
    return s, sorted(shares)


def partition_figures(world, g):
    homes, reach = world.homes, world.reachable
    rnd = netgraph.random_order(reach, world.seed)
    deg = netgraph.degree_order(reach, g.edges)
    return {"steps": list(netgraph.STEPS),
            "random": [s for _, s in netgraph.partition_curve(
                homes, reach, g.edges, rnd)],
            "degree": [s for _, s in netgraph.partition_curve(
                homes, reach, g.edges, deg)]}


def block_times(world, b):
    """Sorted times after mining at which nodes had block b."""
    got = dict(b["received"])
    got.setdefault(b["miner"], b["t_mined_ms"])
    return sorted(t - b["t_mined_ms"] for t in got.values())


def hops_from(g, start):
    """Sorted hop counts from start to every node it reaches over the
    open peer connections (breadth first)."""
    dist = {start: 0}
    frontier = [start]
    while frontier:
        nxt = []
        for x in frontier:
            for y in g.nbrs[x]:
                if y not in dist:
                    dist[y] = dist[x] + 1
                    nxt.append(y)
        frontier = nxt
    return sorted(dist.values())


def propagation_figures(world, phase, g):
    n = len(world.nodes)
    rows, pooled = [], []
    for idx in sorted(phase.blocks):
        b = phase.blocks[idx]
        times = block_times(world, b)
        hops = hops_from(g, b["miner"])
        pooled += times
        row = {"block": idx, "miner": b["miner"], "missing": n - len(times)}
        for q in (50, 90, 100):
            k = math.ceil(q * n / 100)
            row["t%d_ms" % q] = times[k - 1] if k <= len(times) else None
            row["h%d" % q] = hops[k - 1] if k <= len(hops) else None
        rows.append(row)
    mean = {}
    for q in (50, 90, 100):
        hv = [r["h%d" % q] for r in rows]
        mean["h%d" % q] = (sum(hv) / len(hv)
                           if hv and None not in hv else None)
        vals = [r["t%d_ms" % q] for r in rows]
        have = [v for v in vals if v is not None]
        if q == 100 and len(have) < len(vals):
            have = []
        mean["t%d_ms" % q] = sum(have) / len(have) if have else None
    return ({"nodes": n, "blocks": rows, "mean": mean,
             "blocks_not_everywhere": sum(1 for r in rows if r["missing"])},
            (sorted(pooled), n * len(rows)))


def punch_figures(world, phase):
    outcomes = {}
    for a in phase.attempts:
        outcomes[a["outcome"]] = outcomes.get(a["outcome"], 0) + 1
    ok = [a for a in phase.attempts if a["outcome"] == "ok"]
    ttc = [a["ttc_ms"] for a in ok if a["ttc_ms"] is not None]
    return {"attempts": len(phase.attempts), "successes": len(ok),
            "outcomes": dict(sorted(outcomes.items(),
                                    key=lambda kv: (-kv[1], kv[0]))),
            "ttc_ms_p50": stats.percentile(ttc, 50),
            "ttc_ms_p90": stats.percentile(ttc, 90),
            "homes_with_success": len({a["node"] for a in ok
                                       if world.nodes[a["node"]].home})}


def addrman_figures(phase):
    if not phase.addrman:
        return None
    n = len(phase.addrman)
    return {"nodes": n,
            "reachable_mean": sum(a["reachable"] for a in phase.addrman) / n,
            "advertised_mean": sum(a["advertised"]
                                   for a in phase.addrman) / n}


def analyse_phase(world, phase):
    """(figures for network.json, series the plots draw)."""
    t_first = first_block(world, phase)
    evicted = eviction_times(phase)
    conns = [c for c in phase.connections
             if c["kind"] in PEER_KINDS and is_open(c, t_first, evicted)]
    g = Graph(world, conns)
    share, per_node = home_peer_figures(world, g)
    exposure, shares = exposure_figures(world, g)
    prop, cdf = propagation_figures(world, phase, g)
    kinds = {}
    for c in conns:
        kinds[c["kind"]] = kinds.get(c["kind"], 0) + 1
    fig = {"mode": phase.mode, "sybil_mitigation": phase.sybil_mitigation,
           "parts": phase.parts, "first_block_ms": t_first,
           "connections_open": kinds,
           "home_with_home_peer": share,
           "home_peers_per_node": per_node,
           "inbound": inbound_figures(world, conns),
           "diversity": diversity_figures(world, g),
           "partition": partition_figures(world, g),
           "propagation": prop,
           "coordinator_exposure": exposure,
           "punch": punch_figures(world, phase),
           "evictions": len(phase.evictions),
           "addrman": addrman_figures(phase)}
    ecl, victims = neteclipse.figures(world, phase, g)
    if ecl is not None:
        fig["eclipse"] = ecl
    return fig, {"cdf": cdf, "shares": shares, "eclipse": victims}


def run_meta(world, run_dir, key):
    """nodes.json's scenario/population, else run.json's (punchlab writes
    run.json for every run; nodes.json need not repeat them)."""
    if getattr(world, key):
        return getattr(world, key)
    try:
        with open(os.path.join(run_dir, "run.json"), encoding="utf-8") as f:
            v = json.load(f).get(key)
        return v if isinstance(v, str) else None
    except (OSError, ValueError, AttributeError):
        return None


def analyse(run_dir):
    """(network.json's object, {phase: plot series}); raises
    netinput.InputError on bad input."""
    world, phases = netinput.load(run_dir)
    doc = {"scenario": run_meta(world, run_dir, "scenario"),
           "run_id": world.run_id, "seed": world.seed,
           "homes": len(world.homes), "reachable": len(world.reachable),
           "coordinators": len(world.coordinators),
           "adversary": world.adversary,
           "population": run_meta(world, run_dir, "population"),
           "phases": {}}
    series = {}
    for p in phases:
        doc["phases"][p.name], series[p.name] = analyse_phase(world, p)
    return doc, series


def write_json(doc, path):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    os.replace(tmp, path)


def has_network(path):
    return os.path.exists(os.path.join(path, "nodes.json"))


def is_network_run(path):
    """A run folder of the network scenario: nodes.json and no cells (no
    summary.json, or one whose "cells" is empty or absent)."""
    if not has_network(path):
        return False
    try:
        with open(os.path.join(path, "summary.json"), encoding="utf-8") as f:
            summary = json.load(f)
    except FileNotFoundError:
        return True
    except (OSError, ValueError):
        return False     # report.py's summary reader says what is wrong
    return not (isinstance(summary, dict) and summary.get("cells"))


def section(run_dir, out, figures, prefix=""):
    """Analyse run_dir, write its network.json, the plots into out (names
    starting with prefix) and return the report's markdown lines."""
    import netreport  # late: only the report needs the text
    doc, series = analyse(run_dir)
    write_json(doc, os.path.join(run_dir, "network.json"))
    return netreport.section(doc, series, out, figures, prefix)


def main(argv=None):
    ap = argparse.ArgumentParser(
        prog="network.py",
        description="Figures of a network run (docs/network.md section 5): "
        "writes RUN_DIR/network.json, PNG plots and network.md (the "
        "report's Network section).",
        epilog="Exit status: 0 written, 2 usage or bad input (the message "
        "names the file and key), 4 matplotlib missing.")
    ap.add_argument("run", metavar="RUN_DIR",
                    help="run folder holding nodes.json and phase files")
    ap.add_argument("--out", metavar="DIR",
                    help="where the plots and network.md go (default "
                    "RUN_DIR)")
    ap.add_argument("--quiet", action="store_true")
    args = ap.parse_args(argv)
    out = args.out or args.run
    try:
        import netfigures
    except ImportError as e:
        print("network.py: %s: install python3-matplotlib" % e,
              file=sys.stderr)
        return 4
    try:
        os.makedirs(out, exist_ok=True)
        lines = section(args.run, out, netfigures)
        path = os.path.join(out, "network.md")
        with open(path, "w", encoding="utf-8") as f:
            f.write("\n".join(lines).rstrip("\n") + "\n")
    except netinput.InputError as e:
        print("network.py: %s" % e, file=sys.stderr)
        return 2
    except OSError as e:
        print("network.py: %s: %s" % (e.filename or out, e.strerror),
              file=sys.stderr)
        return 2
    if not args.quiet:
        print(os.path.join(args.run, "network.json"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
