# Concurrent runs share nothing: two 100-cell worlds, each with a link
# condition on every cell (200 shaper queues each), run at the same time.
#
#   run 1:  [alice]--[ra]--[inet 1 + punch-shaper]--[rb]--[bob]   x 100
#   run 2:  [alice]--[ra]--[inet 2 + punch-shaper]--[rb]--[bob]   x 100
#
# Both must pass every cell (home-eim x home-eim punches every time),
# shape through their own shaper, write no "neighbor table overflow" to
# the kernel log after the start, and leave nothing behind.

conc_ini() { # FILE
	{
		echo "[scenario]"
		echo "trials = 2"
		echo "parallel = 2"
		echo "rtt_ms = 4"
		for ((c = 0; c < 100; c++)); do
			printf '[cell c%d]\na = home-eim\nb = home-eim\nexpect = == 1\n' "$c"
		done
	} >"$1"
}

conc_ini "$OUT/conc-1.ini"
conc_ini "$OUT/conc-2.ini"
conc_dmesg0=$(dmesg 2>/dev/null | wc -l)
$PL run --results "$OUT/conc" "$OUT/conc-1.ini" >"$OUT/conc-1.out" 2>&1 &
conc_pid1=$!
$PL run --results "$OUT/conc" "$OUT/conc-2.ini" >"$OUT/conc-2.out" 2>&1 &
conc_pid2=$!

# The mount namespaces of run $1's live processes (its pids file), one
# per line, sorted and unique.
conc_mntns() {
	local pid
	while read -r pid _; do
		readlink "/proc/$pid/ns/mnt" 2>/dev/null
	done <"/run/punchlab/$1/pids" | sort -u
}
# While both run trials: each run's processes (daemons, agents) share
# one mount namespace of the run's own, neither the host's nor the other
# run's. Polled: the check runs when both have started trials.
conc_ns1="" conc_ns2=""
for ((i = 0; i < 600; i++)); do
	r1=$(sed -n 's/.*(run \([0-9a-f]\{6\}\),.*/\1/p' "$OUT/conc-1.out" | head -n1)
	r2=$(sed -n 's/.*(run \([0-9a-f]\{6\}\),.*/\1/p' "$OUT/conc-2.out" | head -n1)
	if [ -n "$r1" ] && [ -n "$r2" ] &&
		grep -q 'trials in flight' "$OUT/conc-1.out" &&
		grep -q 'trials in flight' "$OUT/conc-2.out"; then
		conc_ns1=$(conc_mntns "$r1" 2>/dev/null)
		conc_ns2=$(conc_mntns "$r2" 2>/dev/null)
		[ -n "$conc_ns1" ] && [ -n "$conc_ns2" ] && break
	fi
	sleep 0.1
done
check "each run's processes share one mount namespace of its own ($r1: $(echo $conc_ns1), $r2: $(echo $conc_ns2), after $i polls)" \
	[ "$(echo "$conc_ns1" | wc -l)" -eq 1 -a "$(echo "$conc_ns2" | wc -l)" -eq 1 \
	  -a -n "$conc_ns1" -a -n "$conc_ns2" -a "$conc_ns1" != "$conc_ns2" \
	  -a "$conc_ns1" != "$(readlink /proc/self/ns/mnt)" ]
wait "$conc_pid2"
conc_rc2=$?
wait "$conc_pid1"
conc_rc1=$?
for i in 1 2; do
	rc=conc_rc$i
	check "concurrent run $i: 100 cells x 2 trials, every cell passes" \
		[ "${!rc}" -eq 0 -a "$(grep -c ' PASS$' "$OUT/conc-$i.out")" -eq 100 ]
	d=$(ls -d "$OUT"/conc/conc-$i/*/ 2>/dev/null | head -n1)
	check "concurrent run $i: 200 trials ok through its own shaper" \
		/usr/bin/python3 -c "
import json, sys
s = json.load(open('$d/summary.json'))
ok = sum(c['successes'] for c in s['cells'])
sys.exit(0 if ok == 200 and s['link_conditions'] in ('nfqueue', 'netem') else 1)"
	check "concurrent run $i left nothing" nothing_left "$(rid_of "$OUT/conc/conc-$i")"
done
check "the two runs had different run ids" \
	[ "$(rid_of "$OUT/conc/conc-1")" != "$(rid_of "$OUT/conc/conc-2")" ]
if dmesg >/dev/null 2>&1; then
	check "no 'neighbor table overflow' in the kernel log since the start" \
		sh -c "! dmesg | tail -n +$((conc_dmesg0 + 1)) | grep -q 'neighbor table overflow'"
else
	skip "kernel log not readable: neighbour table overflow not checked"
fi
