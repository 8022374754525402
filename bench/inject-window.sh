#!/bin/bash
# Spoofed packets at punch time (issue 13, inject): the fraction of
# punches an off-path party kills when the coordinator leaks both public
# endpoints and the start (--tap-fd), by the offset of its burst from the
# scheduled start, for RSTs and SYNs, at each RTT between the homes.
# The injector runs in inet (the WAN's middle, as mallory would), one
# honest coordinator per cell on charlie at 192.0.2.1:(18600+cell) with a
# 150 ms margin so that offsets down to -150 ms are still ahead. Figures
# only, never a verdict; the load average is printed beside them.
# Columns: killed = pairs where either side did not connect; sent_offset
# = the bursts' actual send times from START (min..max); ttc_p50/p90 =
# the time from the START the coordinator scheduled to alice's
# connection (her start jitter included), over the survivors.
# Needs root. Usage: bench/inject-window.sh
#   env: RTTS="0 100" KINDS="rst syn" OFFSETS="-60 ... 100" TRIALS=10
#        COUNT=8 (segments per pair) SPREAD=0 (us between a burst's
#        segments: a spray) KEEP=1 (keep the capture folder)
#        PROFILE=home-eim (both routers' profile)
#        DEFEND=rst-guard (or rst-noack): the cells' rst_guard = on, so
#        both routers drop RSTs without ACK from the WAN before conntrack
#        sees them (testbed/rstguard.c, the one source of the rule)
#        JITTER=J: each pair shares a fresh secret and starts
#        --start-jitter-ms J late (the defence against SYNs)
set -u
cd "$(dirname "$0")/.."
B=${B:-build}
RTTS=${RTTS:-"0 100"}
KINDS=${KINDS:-"rst syn"}
OFFSETS=${OFFSETS:-"-60 -40 -20 -10 0 10 20 40 60 100"}
TRIALS=${TRIALS:-10}
COUNT=${COUNT:-8}
SPREAD=${SPREAD:-0}
JITTER=${JITTER:-0}
PROFILE=${PROFILE:-home-eim}
[ "$(id -u)" -eq 0 ] || { echo "SKIP: bench/inject-window.sh needs root"; exit 4; }
make --no-print-directory B="$B" all >/dev/null || exit 1
out=$(mktemp -d /tmp/punchlab-inject.XXXXXX)
rid= coord= adv=
stop_pair() {
	[ -n "$coord" ] && kill "$coord" 2>/dev/null && wait "$coord" 2>/dev/null
	[ -n "$adv" ] && kill "$adv" 2>/dev/null && wait "$adv" 2>/dev/null
	coord= adv=
}
cleanup() {
	stop_pair
	[ -n "$rid" ] && "$B/bin/punchlab" down "$rid" >/dev/null 2>&1
	[ "${KEEP:-0}" = 1 ] && echo "kept $out" || rm -rf "$out"
}
trap cleanup EXIT

{
	printf '[scenario]\ndescription = inject window\ntrials = 1\n'
	i=0
	for r in $RTTS; do
		printf '[cell c%d]\na = %s\nb = %s\nexpect = >= 0\nrtt_ms = %s\n' "$i" "$PROFILE" "$PROFILE" "$r"
		case "${DEFEND:-}" in
		rst-guard | rst-noack) echo "rst_guard = on" ;;
		esac
		i=$((i + 1))
	done
} >"$out/world.ini"
rid=$("$B/bin/punchlab" up "$out/world.ini" 2>&1 | sed -n 's/^run \([0-9a-f]*\) is up.*/\1/p')
[ -n "$rid" ] || { echo "FAIL: punchlab up"; exit 1; }
ns() { echo "pl-$rid-$1"; }
# start_pair CELL KIND OFFSET: the coordinator's tap into the injector.
start_pair() {
	local dir=$out/$1-$2-$3
	mkdir -p "$dir"
	rm -f "$dir/tap"
	mkfifo "$dir/tap"
	ip netns exec "$(ns inet)" "$B/bin/punch-adversary" --role inject \
		--run-id "$rid" --events "$dir/adv.jsonl" --duration-ms 60000 \
		--tap-fd 3 --inject "$2" --offset-ms "$3" --count "$COUNT" \
		--spread-us "$SPREAD" \
		3<"$dir/tap" 2>"$dir/adv.err" &
	adv=$!
	ip netns exec "$(ns charlie)" "$B/bin/punch-coordinator" \
		--listen "192.0.2.1:$((18600 + $1))" --run-id "$rid" \
		--margin-ms 150 --tap-fd 4 4>"$dir/tap" \
		>"$dir/coord.jsonl" 2>"$dir/coord.err" &
	coord=$!
	for _ in $(seq 50); do
		grep -q listening "$dir/coord.err" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

key=0 # advanced by the main loop: trials runs in a subshell
# trials CELL DIR RTT: TRIALS pairs at once; prints how many were killed.
# Each pair gets ports of its own: a killed pair leaves conntrack entries
# and sockets behind that would poison the next pair on the same ports.
trials() {
	local t pids=() killed=0 tmo=$((3000 + 4 * $3)) def
	for t in $(seq "$TRIALS"); do
		key=$((key + 1))
		def=()
		if [ "$JITTER" -gt 0 ]; then
			head -c 32 /dev/urandom >"$2/$t.key"
			def=(--auth-secret "$2/$t.key" --start-jitter-ms "$JITTER")
		fi
		for side in alice bob; do
			ip netns exec "$(ns c$1-$side)" "$B/bin/punch-agent" \
				--coordinator "192.0.2.1:$((18600 + $1))" \
				--local-port $((20000 + key % 40000)) --key "$key" \
				--timeout-ms "$tmo" "${def[@]}" \
				>"$2/$t-$side.json" 2>/dev/null &
			pids+=($!)
		done
	done
	wait "${pids[@]}"
	for t in $(seq "$TRIALS"); do
		grep -q '"outcome":"ok"' "$2/$t-alice.json" &&
			grep -q '"outcome":"ok"' "$2/$t-bob.json" ||
			killed=$((killed + 1))
	done
	echo "$killed"
}

echo "# count $COUNT spread_us $SPREAD jitter_ms $JITTER defend ${DEFEND:-none} profile $PROFILE trials $TRIALS run $rid"
printf '%-6s %-4s %8s %8s %14s %9s %9s  %s\n' rtt_ms kind offset killed \
	sent_offset_ms ttc_p50_ms ttc_p90_ms load
i=0
for r in $RTTS; do
	for k in $KINDS; do
		for o in $OFFSETS; do
			dir=$out/$i-$k-$o
			start_pair "$i" "$k" "$o" || { echo "FAIL: coordinator"; exit 1; }
			n=$(trials "$i" "$dir" "$r")
			key=$((key + TRIALS))
			stop_pair
			fig=$(/usr/bin/python3 - "$dir" <<'PY'
import glob, json, statistics, sys
d = sys.argv[1]
v = [json.loads(l)["offset_ns"] / 1e6 for l in open(d + "/adv.jsonl")
     if '"inject"' in l]
ttc = []
for f in glob.glob(d + "/*-alice.json"):
    try:
        j = json.loads(open(f).readline())
    except ValueError:
        continue
    if j.get("outcome") == "ok":
        ttc.append((j["t_established_ns"] - j["t_start_ns"]) / 1e6
                   + (j.get("start_jitter_ms") or 0))
ttc.sort()
print("%14s %9s %9s" % ("%.1f..%.1f" % (min(v), max(v)) if v else "none",
                        "%.0f" % statistics.median(ttc) if ttc else "-",
                        "%.0f" % ttc[min(len(ttc) - 1, int(0.9 * len(ttc)))]
                        if ttc else "-"))
PY
)
			printf '%-6s %-4s %8s %5s/%-2s %s  %s\n' "$r" "$k" "$o" \
				"$n" "$TRIALS" "$fig" "$(cut -d' ' -f1-3 /proc/loadavg)"
		done
	done
	i=$((i + 1))
done
