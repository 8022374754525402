#!/usr/bin/python3
"""headline-tables.py RUN_DIR: prints the README's headline tables from a
run of scenarios/headline.ini (unordered pairs of home profiles x punch
strategies at drawn conditions): one table per strategy with successes
of n per pair (the lower triangle left empty: b x a is a x b), a mark on
cells whose harness timing was degraded, the pairs per strategy that
connected in >= 19 of 20, the best strategy per pair, and the cells
outside their expectation, so that the README's figures can be
regenerated from the run folder they came from.

  /usr/bin/python3 tools/headline-tables.py results/headline/<run-id>

Exit codes: 0 printed, 2 usage or unreadable run.
"""
import importlib.util
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

_spec = importlib.util.spec_from_file_location(
    "gen_headline", os.path.join(HERE, "gen-headline.py"))
gen = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(gen)
short = gen.model.short


def load(run_dir):
    with open(os.path.join(run_dir, "summary.json")) as f:
        cells = json.load(f)["cells"]
    out = {}
    for c in cells:
        strategy = c.get("strategy") or c.get("params", {}).get(
            "strategy", "connect")
        out[(strategy, c["a"], c["b"])] = c
    return out


def table(cells, strategy, profiles):
    head = "| | " + " | ".join(short(p) for p in profiles) + " |"
    rows = [head, "|" + "---|" * (len(profiles) + 1)]
    for i, a in enumerate(profiles):
        row = ["**%s**" % short(a)]
        for j, b in enumerate(profiles):
            c = cells.get((strategy, a, b)) or cells.get((strategy, b, a))
            if j < i or c is None:
                row.append("")
                continue
            mark = "*" if c.get("timing") == "degraded" else ""
            row.append("%d%s" % (c["successes"], mark))
        rows.append("| " + " | ".join(row) + " |")
    return "\n".join(rows)


def main(argv):
    if len(argv) != 2 or argv[1] in ("-h", "--help"):
        sys.stdout.write(__doc__)
        return 0 if len(argv) == 2 else 2
    try:
        cells = load(argv[1])
    except (OSError, ValueError, KeyError) as e:
        sys.stderr.write("headline-tables: %s: %s\n" % (argv[1], e))
        return 2
    profiles = [p for p in gen.PROFILES
                if any(k[1] == p or k[2] == p for k in cells)]
    strategies = [s for s in gen.STRATEGIES
                  if any(k[0] == s for k in cells)]
    names = ", ".join("%s = %s" % (short(p), p) for p in profiles)
    print("Names: %s. `*`: the cell's harness timing was degraded "
          "(start error p90 over its threshold).\n" % names)
    for s in strategies:
        print("#### %s (successes of 20)\n\n%s\n" % (
            s, table(cells, s, profiles)))
    pairs = sorted({(k[1], k[2]) for k in cells})
    print("Pairs (of %d) that connected in >= 19 of 20:" % len(pairs))
    for s in strategies:
        n = sum(1 for (a, b) in pairs
                if cells.get((s, a, b), {}).get("successes", 0) >= 19)
        print("- %s: %d" % (s, n))
    best = sum(1 for (a, b) in pairs
               if max(cells.get((s, a, b), {}).get("successes", 0)
                      for s in strategies) >= 19)
    print("- best of the strategies per pair: %d" % best)
    degraded = [c for c in cells.values() if c.get("timing") == "degraded"]
    print("\nCells with degraded harness timing: %d of %d" % (
        len(degraded), len(cells)))
    bad = [c["cell"] for c in cells.values() if c.get("verdict") != "pass"]
    print("Cells outside their expectation: %s" % (
        ", ".join(bad) if bad else "none"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
