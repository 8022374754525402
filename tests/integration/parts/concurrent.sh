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
conc_pid=$!
$PL run --results "$OUT/conc" "$OUT/conc-2.ini" >"$OUT/conc-2.out" 2>&1
conc_rc2=$?
wait "$conc_pid"
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
