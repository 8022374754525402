#!/usr/bin/python3
"""strategy-tables.py RUN_DIR: prints the README's matrix tables from a run
of scenarios/strategies.ini, one k/n table per strategy and RTT (alice's
profile per row, bob's per column), then the cells outside their
expectation, so that the README's figures can be regenerated from the
run folder they came from.

  /usr/bin/python3 tools/strategy-tables.py results/strategies/<run-id>
  /usr/bin/python3 tools/strategy-tables.py --combined RUN_DIR
      (one table per strategy, each square 'at 0 ms / at 40 ms')
"""
import json
import os
import sys

ORDER = ["home-eim", "home-eim-rst", "full-cone", "restricted",
         "cgnat-eim", "open-firewall", "adm", "symmetric",
         "symmetric-sequential", "cgnat"]


def load(run_dir):
    path = os.path.join(run_dir, "summary.json")
    try:
        with open(path) as f:
            return json.load(f)["cells"]
    except (OSError, ValueError, KeyError) as e:
        sys.exit("strategy-tables: %s: %s" % (path, e))


def table(cells, strategy, rtt):
    got = {}
    for c in cells:
        p = c.get("params") or {}
        if c.get("strategy") != strategy or p.get("rtt_ms", 0) != rtt:
            continue
        if "birthday_sockets" in p:
            continue
        got[(c["a"], c["b"])] = c
    if not got:
        return None
    lines = ["| a \\ b | " + " | ".join(ORDER) + " |",
             "|---" * (len(ORDER) + 1) + "|"]
    for a in ORDER:
        row = []
        for b in ORDER:
            c = got.get((a, b))
            if not c:
                row.append("-")
                continue
            t = "%d/%d" % (c["successes"], c["trials"])
            if c.get("verdict") == "fail":
                t = "**%s**" % t
            row.append(t)
        lines.append("| **%s** | %s |" % (a, " | ".join(row)))
    return "\n".join(lines)


def combined(cells, strategy, rtts):
    """One table for a strategy: each square 'k at rtts[0] / k at
    rtts[1]' (of the cell's trials), bold where a cell failed."""
    got = {}
    for c in cells:
        p = c.get("params") or {}
        if c.get("strategy") == strategy and "birthday_sockets" not in p:
            got[(c["a"], c["b"], p.get("rtt_ms", 0))] = c
    lines = ["| a \\ b | " + " | ".join(ORDER) + " |",
             "|---" * (len(ORDER) + 1) + "|"]
    for a in ORDER:
        row = []
        for b in ORDER:
            parts = []
            for r in rtts:
                c = got.get((a, b, r))
                t = "%d" % c["successes"] if c else "-"
                if c and c.get("verdict") == "fail":
                    t = "**%s**" % t
                parts.append(t)
            row.append(" / ".join(parts))
        lines.append("| **%s** | %s |" % (a, " | ".join(row)))
    return "\n".join(lines)


def main(argv):
    if len(argv) == 3 and argv[1] == "--combined":
        cells = load(argv[2])
        for s in dict.fromkeys(c.get("strategy") for c in cells
                               if "birthday_sockets" not in
                               (c.get("params") or {})):
            print("#### %s (successes of 20 at 0 ms / 40 ms RTT)\n\n%s\n"
                  % (s, combined(cells, s, (0, 40))))
        return 0
    if len(argv) != 2 or argv[1] in ("-h", "--help"):
        print(__doc__.strip())
        return 0 if len(argv) == 2 else 2
    cells = load(argv[1])
    seen = []
    for c in cells:
        key = (c.get("strategy"), (c.get("params") or {}).get("rtt_ms", 0))
        if key not in seen and "birthday_sockets" not in (c.get("params")
                                                           or {}):
            seen.append(key)
    for strategy, rtt in seen:
        t = table(cells, strategy, rtt)
        if t:
            print("#### %s, %g ms RTT\n\n%s\n" % (strategy, rtt, t))
    bd = [c for c in cells if "birthday_sockets" in (c.get("params") or {})]
    if bd:
        print("| birthday cell | N | M | k/n | verdict |\n|---|---|---|---|---|")
        for c in bd:
            p = c["params"]
            print("| %s x %s | %g | %g | %d/%d | %s |" % (
                c["a"], c["b"], p["birthday_sockets"],
                p.get("birthday_ports", "-"), c["successes"], c["trials"],
                c.get("verdict", "-")))
        print()
    bad = [c for c in cells if c.get("verdict") == "fail"]
    print("%d of %d cells outside their expectation%s" % (
        len(bad), len(cells), ":" if bad else "."))
    for c in bad:
        print("- %s: %d/%d, expected %s" % (
            c["cell"], c["successes"], c["trials"],
            (c.get("expect") or {}).get("text", "?")))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
