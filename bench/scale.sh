#!/bin/bash
# World size: build and teardown time of home-eim x home-eim worlds of N
# cells (`punchlab up` / `punchlab down`), then a run of one trial per
# cell, printed beside the kernel's gc_thresh3. Needs root.
# Usage: bench/scale.sh [N...]   (default 100 500 1000; SCALE_RUN=0 skips
# the runs)
#
# Baseline (main before the point-to-point links): the host-wide
# neighbour table (gc_thresh3 = 1024) overflowed at 124-127 active cells,
# and the parser stopped at 250. Now every neighbour entry is permanent
# (not counted against gc_thresh3), so N is bounded by the file limit,
# namespaces, tasks and memory only (hostfit_check).
#
# Build time is `punchlab up` (namespaces, links, neighbours, routes, NAT
# rulesets, coordinator). Teardown is `punchlab down`; the kernel frees a
# namespace later in a kworker, which is in neither figure. "non-permanent"
# counts neighbour entries of any other state (ip neigh show nud all) in
# inet and in the first and last cell's namespaces while the world is up.
set -u
cd "$(dirname "$0")/.."
if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP: bench/scale.sh needs root"
	exit 4
fi
make --no-print-directory all >/dev/null || exit 1
PL=build/bin/punchlab
sizes=${*:-100 500 1000}
tmp=$(mktemp -d /tmp/punchlab-scale.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

now() { date +%s.%N; }
scenario() { # N TRIALS FILE
	{
		echo "[scenario]"
		echo "trials = $2"
		for ((c = 0; c < $1; c++)); do
			printf '[cell c%d]\na = home-eim\nb = home-eim\nexpect = == 1\n' "$c"
		done
	} >"$3"
}
non_permanent() { # RID N
	local n=0 ns
	for ns in inet c0-ra c0-alice "c$(($2 - 1))-rb" "c$(($2 - 1))-bob"; do
		n=$((n + $(ip -n "pl-$1-$ns" neigh show nud all | grep -vc PERMANENT)))
	done
	echo "$n"
}

echo "kernel $(uname -r), $(nproc) cores, gc_thresh3 $(cat /proc/sys/net/ipv4/neigh/default/gc_thresh3), RLIMIT_NOFILE hard $(ulimit -Hn)"
printf '%6s %7s %9s %10s %11s %13s %8s %s\n' cells netns "build s" "ms/cell" "teardown s" non-permanent "run s" "trials passed"
for n in $sizes; do
	f=$tmp/scale-$n.ini
	scenario "$n" 1 "$f"
	t0=$(now)
	out=$($PL up "$f" 2>&1)
	rc=$?
	t1=$(now)
	rid=$(echo "$out" | sed -n 's/.*punchlab down \([0-9a-f]\{6\}\).*/\1/p' | head -n1)
	if [ $rc -ne 0 ] || [ -z "$rid" ]; then
		echo "$n: punchlab up failed (rc $rc): $(echo "$out" | tail -n1)"
		continue
	fi
	nns=$(ls /run/netns | grep -c "^pl-$rid-")
	np=$(non_permanent "$rid" "$n")
	t2=$(now)
	$PL down "$rid" >/dev/null
	t3=$(now)
	run=0 res="(not run)"
	if [ "${SCALE_RUN:-1}" != 0 ]; then
		t4=$(now)
		if $PL run --results "$tmp/res" "$f" >"$tmp/run.log" 2>&1; then
			res="all $n"
		else
			res="NOT all: $(grep -c ' PASS$' "$tmp/run.log")/$n cells"
		fi
		run=$(echo "$(now) - $t4" | bc)
	fi
	build=$(echo "$t1 - $t0" | bc)
	printf '%6d %7d %9.2f %10.2f %11.2f %13d %8.1f %s\n' "$n" "$nns" "$build" \
		"$(echo "1000 * $build / $n" | bc -l)" "$(echo "$t3 - $t2" | bc)" \
		"$np" "$run" "$res"
done
