#!/bin/bash
# How late punch-shaper's packets leave against the hold it scheduled, idle
# and beside CPU-bound load, measured in this one run: figures only, never a
# verdict (the tests assert what load cannot move; this is how much it
# moves). Needs root. Usage: bench/shaper-precision.sh [LOAD_PROCS] [ROUNDS]
#
# Each round runs test_linkcond's root suite (rtt 20/50/100 ms, jitter,
# rate) and keeps its report: the baseline rounds with no extra load, then
# the same with LOAD_PROCS busy loops (default: one per CPU), whose pids
# are killed afterwards.
set -u
cd "$(dirname "$0")/.."
procs=${1:-$(nproc)}
rounds=${2:-3}
B=${B:-build}
out=$(mktemp -d /tmp/punchlab-shaperbench.XXXXXX)
loads=()
stop_load() { [ ${#loads[@]} -gt 0 ] && kill "${loads[@]}" 2>/dev/null; loads=(); }
trap 'stop_load; rm -rf "$out"' EXIT
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root"; exit 4; }
make --no-print-directory B="$B" "$B/tests/test_linkcond" "$B/bin/punch-shaper" >/dev/null || exit 1

round() { # label i
	PUNCHLAB_BIN_DIR=$B/bin "$B/tests/test_linkcond" >"$out/$1-$2.txt" 2>&1
}
for i in $(seq 1 "$rounds"); do round idle "$i"; done
for _ in $(seq 1 "$procs"); do sh -c 'while :; do :; done' & loads+=($!); done
for i in $(seq 1 "$rounds"); do round load "$i"; done
stop_load

# Columns of the report: configured RTT, median, min, max, one-way,
# release late mean/max (us); jitter line: wire min/max.
/usr/bin/python3 - "$out" "$rounds" "$procs" <<'PY'
import glob, os, re, sys
out, rounds, procs = sys.argv[1], int(sys.argv[2]), sys.argv[3]
def rows(label):
    r = {}
    for f in sorted(glob.glob(os.path.join(out, label + "-*.txt"))):
        for l in open(f):
            m = re.match(r"\s+(20|50|100)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+(\d+)/(\d+)", l)
            if m:
                k = int(m.group(1))
                r.setdefault(k, []).append(dict(med=float(m.group(2)) - k,
                    max=float(m.group(4)) - k, late_mean=int(m.group(6)),
                    late_max=int(m.group(7))))
            m = re.search(r"rate (\d+) kbit/s: TCP goodput (\d+)", l)
            if m:
                r.setdefault("rate", []).append(int(m.group(2)) / int(m.group(1)))
            m = re.search(r"on the wire min ([\d.]+) max ([\d.]+)", l)
            if m:
                r.setdefault("jit", []).append(float(m.group(2)))
    return r
idle, load = rows("idle"), rows("load")
print("shaper precision, %d round(s) each; load = %s busy loop(s) on %d CPU(s)"
      % (rounds, procs, os.cpu_count()))
print("  %-22s %-28s %s" % ("", "idle (baseline, this run)", "under load"))
def fmt(v, f):
    return ("%s" % f(v)) if v else "n/a"
for k in (20, 50, 100):
    for name, key, unit in (("RTT median over", "med", "ms"),
                            ("RTT max over", "max", "ms"),
                            ("release late mean", "late_mean", "us"),
                            ("release late max", "late_max", "us")):
        g = lambda r: [x[key] for x in r.get(k, [])]
        f = lambda v: "%.3f..%.3f %s" % (min(v), max(v), unit)
        print("  %-22s %-28s %s" % ("%d ms %s" % (k, name), fmt(g(idle), f), fmt(g(load), f)))
f = lambda v: "%.3f..%.3f" % (min(v), max(v))
print("  %-22s %-28s %s" % ("goodput / rate", fmt(idle.get("rate"), f), fmt(load.get("rate"), f)))
print("  %-22s %-28s %s" % ("jitter 25+-5 wire max", fmt(idle.get("jit"), f), fmt(load.get("jit"), f)))
PY
grep -h "FAIL\|asserts" "$out"/*.txt | sort | uniq -c
