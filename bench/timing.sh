#!/bin/bash
# The harness's own timing with 96 trials in flight (8 cells x 12 in
# parallel, 24 trials each, home-eim x home-eim at 20 ms RTT): start error
# p50/p90/p99/max, time to connect over the configured RTT (p50/p90) and
# the shaper's lateness (mean/max), printed against issue 11's goals
# (start error p99 <= 1 ms, ttc <= RTT + 1 ms at p90, shaper lateness mean
# <= 200 us) and against a baseline measured in the same invocation:
# realtime = off, the old behaviour (agents, coordinator and shaper under
# CFS, no busy wait before the start). Figures only, never a verdict.
# Needs root. Usage: bench/timing.sh [HOGS]
#   HOGS: CPU-bound busy loops for a second pair of runs (default 2; 0
#   skips them); they show which cells a loaded machine marks degraded.
set -u
cd "$(dirname "$0")/.."
hogs=${1:-2}
B=${B:-build}
[ "$(id -u)" -eq 0 ] || { echo "SKIP: bench/timing.sh needs root"; exit 4; }
make --no-print-directory B="$B" all >/dev/null || exit 1
PL=$B/bin/punchlab
out=$(mktemp -d /tmp/punchlab-timing.XXXXXX)
pids=()
stop_hogs() { [ ${#pids[@]} -gt 0 ] && kill "${pids[@]}" 2>/dev/null; pids=(); }
trap 'stop_hogs; rm -rf "$out"' EXIT

scenario() { # NAME REALTIME
	{
		echo "[scenario]"
		echo "description = 96 trials in flight, realtime $2"
		echo "trials = 24"
		echo "parallel = 12"
		echo "timeout_ms = 3000"
		echo "rtt_ms = 20"
		echo "realtime = $2"
		for c in 0 1 2 3 4 5 6 7; do
			printf '[cell c%d]\na = home-eim\nb = home-eim\nexpect = >= 0.5\n' "$c"
		done
	} >"$out/$1.ini"
}
run() { # NAME REALTIME
	scenario "$1" "$2"
	"$PL" run --results "$out/r" "$out/$1.ini" >"$out/$1.log" 2>&1 ||
		echo "($1: punchlab run exited $?, see below)"
	labels+=("$1" "$(ls -d "$out/r/$1"/*/ | head -n1)")
}
labels=()
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) CPUs"
run realtime on
run baseline off
if [ "$hogs" -gt 0 ]; then
	for _ in $(seq 1 "$hogs"); do sh -c 'while :; do :; done' & pids+=($!); done
	run "rt+${hogs}hogs" on
	run "base+${hogs}hogs" off
	stop_hogs
fi
echo "load average after:  $(cut -d' ' -f1-3 /proc/loadavg)"
echo
/usr/bin/python3 bench/timing-stats.py "${labels[@]}"
