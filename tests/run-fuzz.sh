#!/bin/sh
# run-fuzz.sh DIR TARGET...: runs each libFuzzer target DIR/fuzz_TARGET on
# its seed corpus (tests/fuzz/corpus/TARGET) plus what it found before
# (DIR/corpus/TARGET), for FUZZ_SECONDS each, or FUZZ_RUNS inputs when set.
# A crash, leak, sanitizer report or failed oracle stops the target; the
# input is kept as DIR/crashes/TARGET-* and the line names it. Prints
# PASS/FAIL per target with the inputs run and the rate; exit 0 all passed,
# 1 a target failed.
set -u
dir=$1
shift
secs=${FUZZ_SECONDS:-60}
runs=${FUZZ_RUNS:-}
rc=0
mkdir -p "$dir/crashes"
for t in "$@"; do
	mkdir -p "$dir/corpus/$t"
	log="$dir/$t.log"
	limit="-max_total_time=$secs"
	[ -n "$runs" ] && limit="-runs=$runs"
	start=$(date +%s)
	# -close_fd_mask=2: the parsers' error lines would drown the log.
	"$dir/fuzz_$t" $limit -close_fd_mask=2 -print_final_stats=1 \
		-artifact_prefix="$dir/crashes/$t-" \
		"$dir/corpus/$t" "tests/fuzz/corpus/$t" >"$log" 2>&1
	st=$?
	secs_used=$(($(date +%s) - start))
	n=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n1)
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n1)
	if [ $st -eq 0 ]; then
		echo "PASS fuzz $t: ${n:-?} inputs in ${secs_used} s (${rate:-?}/s)"
	else
		art=$(sed -n 's/.*Test unit written to \(.*\)/\1/p' "$log" | tail -n1)
		echo "FAIL fuzz $t: exit $st after ${n:-?} inputs; input ${art:-?}; log $log"
		rc=1
	fi
done
exit $rc
