#!/usr/bin/python3
"""timing-stats: the harness's timing over the trials of run folders —
start error (each side's first SYN minus when it was due), time to
connect over the configured RTT, shaper lateness — one line per label.

usage: bench/timing-stats.py LABEL RUN_DIR [LABEL RUN_DIR ...]
Reads only trials.jsonl; prints a table, never judges (bench/timing.sh
prints the goals beside it)."""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "harness", "py"))
from stats import percentile  # noqa: E402


def load(run_dir):
    se, over, late_sum, late_n, late_max = [], [], 0.0, 0, 0.0
    with open(os.path.join(run_dir, "trials.jsonl")) as f:
        for line in f:
            t = json.loads(line)
            for side in ("alice", "bob"):
                v = t.get(side, {}).get("start_error_us")
                if v is not None:
                    se.append(v)
            rtt = (t.get("params") or {}).get("rtt_ms", 0.0)
            if t.get("ttc_ms") is not None:
                over.append(t["ttc_ms"] - rtt)
            if t.get("shaper_late_us_mean") is not None:
                n = t.get("shaper_packets") or 0
                late_sum += t["shaper_late_us_mean"] * n
                late_n += n
                late_max = max(late_max, t["shaper_late_us_max"])
    degraded = ncells = 0
    try:
        with open(os.path.join(run_dir, "summary.json")) as f:
            for c in json.load(f)["cells"]:
                ncells += 1
                degraded += c.get("timing") == "degraded"
    except (OSError, ValueError, KeyError):
        pass
    return (se, over, (late_sum / late_n if late_n else None), late_max,
            "%d/%d" % (degraded, ncells))


def fmt(v, scale=1.0, digits=0):
    return "-" if v is None else f"{v / scale:.{digits}f}"


def main(argv):
    if len(argv) < 3 or len(argv) % 2 == 0 or argv[1] in ("-h", "--help"):
        print(__doc__)
        return 2 if len(argv) < 2 or argv[1] not in ("-h", "--help") else 0
    print(f"{'':14} {'start error (us)':>34}   {'ttc - rtt (ms)':>14}   "
          f"{'shaper late (us)':>16}")
    print(f"{'goal':14} {'':>8} {'':>8} {'<=1000':>8} {'':>8}   {'':>6} "
          f"{'<=1.00':>7}   {'<=200':>7}")
    print(f"{'':14} {'p50':>8} {'p90':>8} {'p99':>8} {'max':>8}   "
          f"{'p50':>6} {'p90':>7}   {'mean':>7} {'max':>8}   trials"
          f"  degraded cells")
    for label, d in zip(argv[1::2], argv[2::2]):
        se, over, lmean, lmax, deg = load(d)
        print(f"{label:14} " + " ".join(
            f"{fmt(percentile(se, p)):>8}" for p in (50, 90, 99, 100)) +
            f"   {fmt(percentile(over, 50), 1, 2):>6} "
            f"{fmt(percentile(over, 90), 1, 2):>7}   "
            f"{fmt(lmean):>7} {fmt(lmax if lmean is not None else None):>8}"
            f"   {len(se) // 2:6}  {deg}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
