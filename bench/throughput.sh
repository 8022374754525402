#!/bin/bash
# Trial throughput: the 2,000-trial matrix (scenarios/nat-matrix.ini, 100
# cells x 20 trials, timeout 3 s) timed three ways in one invocation:
#   base       punchlab built from BASE (default 4820df1: 96 trials in
#              flight, a mount namespace copied per agent)
#   cap 96     this build with PUNCHLAB_INFLIGHT=96 (the old cap alone)
#   this       this build (trials in flight from the machine)
# Each line: trials recorded, seconds of the whole `punchlab run` (world,
# trials, teardown), seconds of the trials alone (its last progress
# line), trials/s, trials in flight, cells within their expectation,
# cells whose harness timing was degraded; the load average and the
# host's mount count (every run's network namespaces are mounts) before
# each. Goal (issue 12): <= 30 s on 2 cores. Needs root.
# Usage: bench/throughput.sh [SCENARIO]   BASE=rev (empty: no base run),
# RUNS=n (each way, default 1)
set -u
cd "$(dirname "$0")/.."
if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP: bench/throughput.sh needs root"
	exit 4
fi
make --no-print-directory all >/dev/null || exit 1
scen=$(realpath "${1:-scenarios/nat-matrix.ini}")
base=${BASE-4820df1}
tmp=$(mktemp -d /tmp/punchlab-thru.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

if [ -n "$base" ]; then
	mkdir -p "$tmp/base"
	git archive "$base" | tar -x -C "$tmp/base" || exit 1
	make --no-print-directory -C "$tmp/base" -j"$(nproc)" all \
		>"$tmp/base.build" 2>&1 || {
		echo "base $base does not build: $tmp/base.build"
		exit 1
	}
fi

# LABEL DIR ENV... : one run of $scen with DIR's punchlab, one line.
one() {
	local label=$1 dir=$2 t0 t1 rc out sum
	shift 2
	local load mounts
	load=$(cut -d' ' -f1-3 /proc/loadavg)
	mounts=$(wc -l </proc/self/mountinfo)
	out=$tmp/run-$RANDOM
	t0=$(date +%s.%N)
	(cd "$dir" && env "$@" build/bin/punchlab run --results "$out" \
		"$scen" >"$out.log" 2>&1)
	rc=$?
	t1=$(date +%s.%N)
	sum=$(ls "$out"/*/*/summary.json 2>/dev/null | head -n1)
	/usr/bin/python3 - "$label" "$rc" "$t0" "$t1" "$out.log" "$sum" \
		"$load" "$mounts" <<'PY'
import json, re, sys
label, rc, t0, t1, log, path, load, mounts = sys.argv[1:]
wall = float(t1) - float(t0)
text = open(log).read()
el = re.findall(r"trials, \d+ ok, (\d+) s elapsed", text)
fl = re.findall(r"up to (\d+) trials in flight", text)
trials = cells = inside = degraded = 0
if path:
    s = json.load(open(path))
    cells = len(s["cells"])
    trials = sum(c["trials"] for c in s["cells"])
    inside = sum(1 for c in s["cells"] if c.get("verdict") == "pass")
    degraded = sum(1 for c in s["cells"] if c.get("timing") == "degraded")
print(f"{label:8} {trials:6d} {wall:7.1f} {el[-1] if el else '?':>8} "
      f"{trials / wall:9.1f} {fl[-1] if fl else '96':>9} "
      f"{inside:4d}/{cells:<4d} {degraded:8d}   rc {rc}, load {load}, "
      f"{mounts} mounts")
PY
}

echo "$(uname -r), $(nproc) cores, $(sed -n 's/MemTotal: *//p' /proc/meminfo), RLIMIT_NOFILE hard $(ulimit -Hn), pid_max $(cat /proc/sys/kernel/pid_max); ${scen#"$PWD"/}; goal <= 30 s"
printf '%-8s %6s %7s %8s %9s %9s %9s %8s\n' way trials "run s" "trials s" \
	trials/s "in flight" "cells ok" degraded
for ((i = 0; i < ${RUNS:-1}; i++)); do
	[ -n "$base" ] && one base "$tmp/base"
	one "cap 96" . PUNCHLAB_INFLIGHT=96
	one this .
done
