# coord-limits: the coordinator's flood defences (docs/adversaries.md,
# section 5) against punch-adversary's flood role, in a real world:
#
#   [alice]--[router A]--[inet 192.0.2.254: the flooder]--[router B]--[bob]
#                                  |
#                   [charlie 192.0.2.1: coordinators at :18600, :18610, :18620]
#
# Evidence is kernel state and the wire: the sockets charlie's coordinator
# holds from the flooder's address (ss -p lists only accepted sockets,
# so a connection still in the accept queue is not counted as held), the
# agents' outcomes, the coordinator's events and the size of its log.
# Background programs run under `ip netns exec` directly (not through
# clns), so that $! is the program's own pid, which ss -p shows and kill
# stops.

"$PL" up scenarios/eim-vs-eim.ini >"$OUT/cl-up" 2>&1
clrid=$(sed -n 's/^run \([0-9a-f]\{6\}\) is up.*/\1/p' "$OUT/cl-up")
if [ -z "$clrid" ]; then
	bad "coord-limits: punchlab up"
else
	clb=${PUNCHLAB_BIN_DIR:-build/bin}
	cld=$OUT/coord-limits
	mkdir -p "$cld"
	clns() { ip netns exec "pl-$clrid-$1" "${@:2}"; }
	# Sockets punch-coordinator PID has accepted from ADDR on PORT.
	cl_held() {
		clns charlie ss -Htnp state established "( sport = :$3 )" |
			grep -F "$2:" | grep -c "pid=$1,"
	}
	# Polls (10 s at most) until FILE has a line matching PATTERN.
	cl_until() {
		for _ in $(seq 100); do
			grep -q "$2" "$1" && return 0
			sleep 0.1
		done
		return 1
	}
	# Polls (10 s at most) until the coordinator holds N or more from
	# ADDR (the flood's first burst accepted), then prints how many.
	cl_held_after() {
		for _ in $(seq 100); do
			[ "$(cl_held "$@")" -ge "$4" ] && break
			sleep 0.1
		done
		cl_held "$@"
	}

	# 1. --per-addr-limit 16: 400 idle connections from one address.
	ip netns exec "pl-$clrid-charlie" "$clb/punch-coordinator" \
		--listen 192.0.2.1:18600 --run-id "$clrid" \
		--per-addr-limit 16 --key-owner --log-rate 20 \
		>"$cld/ev" 2>"$cld/err" &
	clcp=$!
	cl_until "$cld/ev" '"listening"'
	ip netns exec "pl-$clrid-inet" "$clb/punch-adversary" --role flood \
		--run-id "$clrid" --target 192.0.2.1:18600 \
		--flood slowloris --count 400 --duration-ms 30000 \
		>"$cld/adv" 2>"$cld/adv.err" &
	clap=$!
	cl_until "$cld/adv" '"event":"flood"'
	n1=$(cl_held_after $clcp 192.0.2.254 18600 16)
	check "coord-limits: with --per-addr-limit 16 charlie's coordinator holds 16 connections from the flooder (saw $n1)" \
		[ "$n1" = 16 ]
	clagents=
	for i in 1 2 3 4 5 6; do
		for s in alice bob; do
			ip netns exec "pl-$clrid-c0-$s" "$clb/punch-agent" \
				--coordinator 192.0.2.1:18600 \
				--local-port $((21000 + i)) --key $((7000 + i)) \
				--timeout-ms 5000 --match-timeout-ms 20000 \
				--name "$clrid-cl-$s$i" >"$cld/$s$i" 2>/dev/null &
			clagents="$clagents $!"
		done
	done
	wait $clagents
	clok=0
	for i in 1 2 3 4 5 6; do
		grep -q '"outcome":"ok"' "$cld/alice$i" &&
			grep -q '"outcome":"ok"' "$cld/bob$i" && clok=$((clok + 1))
	done
	check "coord-limits: 6 of 6 legitimate pairs punched through while the flood went on (saw $clok)" \
		[ "$clok" = 6 ]
	n2=$(cl_held $clcp 192.0.2.254 18600)
	check "coord-limits: still 16 from the flooder after the pairs (saw $n2)" \
		[ "$n2" = 16 ]
	kill $clap; wait $clap
	check "coord-limits: the flooder saw refusals and reported bytes at its stop" \
		/usr/bin/python3 - "$cld/adv" <<'PY'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
fl = [e for e in ev if e["event"] == "flood"]
# ready comes once every connection was up or refused once (after the
# first once-a-second report on a loaded machine)
sys.exit(0 if any(e["event"] == "ready" for e in ev) and fl and fl[-1]["refused"] > 100
         and ev[-1]["event"] == "stop" and "bytes_sent" in ev[-1] else 1)
PY
	kill $clcp; wait $clcp
	cllog=$(stat -c %s "$cld/err")
	# Only the 16 it held (and took back) leave events; the hundreds
	# it refused leave a count a second.
	clevs=$(grep -c '"peer":"192.0.2.254:' "$cld/ev")
	check "coord-limits: refusals are counted, not logged one by one ($cllog bytes of log, $clevs events about the flooder)" \
		sh -c "grep -q 'refused [0-9]* connections over the per-address limit of 16' '$cld/err' &&
		       [ $cllog -lt 20000 ] && [ $clevs -le 64 ]"

	# 2. --max-clients 8 and --log-rate 5: the table holds 8; the lines
	# about the rest are counted once a second.
	ip netns exec "pl-$clrid-charlie" "$clb/punch-coordinator" \
		--listen 192.0.2.1:18610 --run-id "$clrid" \
		--max-clients 8 --log-rate 5 >"$cld/ev2" 2>"$cld/err2" &
	clcp=$!
	cl_until "$cld/ev2" '"listening"'
	ip netns exec "pl-$clrid-inet" "$clb/punch-adversary" --role flood \
		--run-id "$clrid" --target 192.0.2.1:18610 \
		--flood slowloris --count 40 --duration-ms 30000 \
		>"$cld/adv2" 2>/dev/null &
	clap=$!
	cl_until "$cld/ev2" '"reason":"full"'
	n3=$(cl_held_after $clcp 192.0.2.254 18610 8)
	# The lines over the rate are reported at the next second's turn.
	cl_until "$cld/err2" 'suppressed [0-9]* lines'
	check "coord-limits: with --max-clients 8 the coordinator holds 8 connections (saw $n3)" \
		[ "$n3" = 8 ]
	kill $clap; wait $clap
	kill $clcp; wait $clcp
	check "coord-limits: --log-rate 5: the connections over the cap are dropped as full, the log says how many lines it suppressed" \
		sh -c "grep -q '\"reason\":\"full\"' '$cld/ev2' &&
		       grep -q 'suppressed [0-9]* lines' '$cld/err2'"

	# 3. --key-owner in advertised mode: bob holds key 42; alice's HOLD
	# of the same key from another connection is refused (hpreject 3,
	# with key-owner's reason) and bob stays the holder.
	ip netns exec "pl-$clrid-charlie" "$clb/punch-coordinator" \
		--listen 192.0.2.1:18620 --run-id "$clrid" \
		--mode advertised --key-owner >"$cld/ev3" 2>"$cld/err3" &
	clcp=$!
	cl_until "$cld/ev3" '"listening"'
	ip netns exec "pl-$clrid-c0-bob" "$clb/punch-agent" --hold \
		--coordinator 192.0.2.1:18620 --local-port 22000 --key 42 \
		--timeout-ms 3000 --match-timeout-ms 6000 \
		--name "$clrid-cl-holder" >"$cld/holder" 2>/dev/null &
	clhp=$!
	cl_until "$cld/ev3" '"event":"hold"'
	clns c0-alice "$clb/punch-agent" --hold \
		--coordinator 192.0.2.1:18620 --local-port 22000 --key 42 \
		--timeout-ms 3000 --match-timeout-ms 6000 \
		--name "$clrid-cl-thief" >"$cld/thief" 2>/dev/null
	n4=$(cl_held $clcp 203.0.113.1 18620)
	kill $clhp; wait $clhp
	kill $clcp; wait $clcp
	check "coord-limits: --key-owner: a second HOLD of a held key is rejected (code 3, key-owned) and the holder keeps its connection ($n4 held from router B)" \
		/usr/bin/python3 - "$cld/ev3" "$n4" <<'PY'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
holds = [e for e in ev if e["event"] == "hold"]
rej = [e for e in ev if e["event"] == "reject"]
drops = [e for e in ev if e["event"] == "drop"]
sys.exit(0 if len(holds) == 1 and holds[0]["peer"].startswith("203.0.113.1:")
         and len(rej) == 1 and rej[0]["code"] == 3
         and rej[0]["peer"].startswith("198.51.100.1:")
         and rej[0]["reason"] == "key bound to another connection"
         and any(d["reason"] == "key-owned" for d in drops)
         and sys.argv[2] == "1" else 1)
PY
	"$PL" down "$clrid" >/dev/null
	check "coord-limits: punchlab down leaves nothing" nothing_left "$clrid"
fi
