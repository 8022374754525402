# agent-defences: punch-agent's --target-policy, its caps and
# --auth-secret (docs/adversaries.md section 4) in a real world, counted
# on the wire: nft counters in alice's namespace count every SYN she
# sends to each target, so "refused" means 0 SYNs left her host.
#
#   [alice 10.0.1.2]--[ra 10.0.1.1 | 198.51.100.1]--[inet]--[rb]--[bob]
#                                                      |
#                                 [charlie 192.0.2.1: coordinator :18444,
#                                  liecoord.py :18600..18603]
#
# The lying coordinator (tests/integration/data/liecoord.py) answers
# every registration with an hppunch naming its --target.

AGENT=${PUNCHLAB_BIN_DIR:-build/bin}/punch-agent
. tests/integration/data/defences-world.sh
# dworld_down after a failed up (no run id) removes nothing of anyone's:
# here in a scratch folder holding another run's results.
mkdir -p "$OUT/dwnone/results/agent-defences/0a0a0a"
(cd "$OUT/dwnone" && dd=$OUT/dwnone drid= && : >"$dd/liars" && dworld_down)
check "agent-defences: dworld_down without a run id leaves other runs' results" \
	[ -d "$OUT/dwnone/results/agent-defences/0a0a0a" ]
if ! dworld_up "$OUT/def"; then
	bad "punchlab up (agent-defences): $(tail -n1 "$OUT/def/up")"
	dworld_down
else
head -c 32 /dev/urandom >"$dd/s1"
head -c 32 /dev/urandom >"$dd/s2"
# "outcome syns_sent auth | error" of one agent report.
dfield() {
	/usr/bin/python3 -c 'import json,sys
j = json.loads(open(sys.argv[1]).readline())
print(j["outcome"], j.get("syns_sent"), j["auth"], "|", j["error"])' "$1"
}
dliar 18600 127.0.0.1:18443
dliar 18601 10.0.1.1:80
dliar 18602 192.0.2.1:18443
dliar 18603 203.0.113.1:8333 4294967295

# (a), (b): five punches each through the honest coordinator.
dpair() { # KEY SECRET_A SECRET_B
	ip netns exec "$dal" "$AGENT" --coordinator 192.0.2.1:18444 \
		--local-port $((20000 + $1)) --key "$1" --name alice \
		--target-policy --auth-secret "$2" >"$dd/a$1" 2>/dev/null &
	ip netns exec "$dbo" "$AGENT" --coordinator 192.0.2.1:18444 \
		--local-port $((20000 + $1)) --key "$1" --name bob \
		--target-policy --auth-secret "$3" >"$dd/b$1" 2>/dev/null
	wait $!
}
same=0 diff=0
for k in 1 2 3 4 5; do
	dpair $k "$dd/s1" "$dd/s1"
	[ "$(dfield "$dd/a$k" | cut -d' ' -f1,3)" = "ok ok" ] &&
		[ "$(dfield "$dd/b$k" | cut -d' ' -f1,3)" = "ok ok" ] &&
		same=$((same + 1))
	dpair $((k + 10)) "$dd/s1" "$dd/s2"
	for s in a b; do
		dfield "$dd/$s$((k + 10))"
	done | grep -c '^wrong-peer .* failed | auth: bad MAC' |
		grep -qx 2 && diff=$((diff + 1))
done
echo "agent-defences: auth ok $same/5 with one secret, both sides wrong-peer auth $diff/5 with two"
check "agent-defences: one secret: both ok with auth ok (5/5)" [ "$same" = 5 ]
check "agent-defences: two secrets: both wrong-peer 'auth: bad MAC', auth failed (5/5)" \
	[ "$diff" = 5 ]

# Same home: the peer's endpoint is our own public address (a hairpin at
# the router), not one of our addresses: the policy lets it through.
dsame=""
for s in alice bob; do
	ip netns exec "pl-$drid-c1-$s" "$AGENT" --coordinator 192.0.2.1:18444 \
		--local-port $((20100 + ${#s})) --key 100 --name $s \
		--strategy listen-connect --target-policy >"$dd/same-$s" \
		2>/dev/null &
	dsame="$dsame $!"
done
wait $dsame # not the liars
check "agent-defences: same home: a hairpin to our own public address punches under the policy" \
	/usr/bin/python3 - "$dd/same-alice" "$dd/same-bob" <<'PY'
import json, sys
a, b = (json.loads(open(p).readline()) for p in sys.argv[1:])
ip = lambda e: e.rsplit(":", 1)[0]
sys.exit(0 if a["outcome"] == b["outcome"] == "ok"
         and ip(a["peer"]) == ip(a["public"]) == ip(b["public"]) else 1)
PY

# (c) a coordinator names a refused target: with the policy 0 SYNs and
# outcome policy naming the rule; without it the agent sends SYNs.
dlie() { # PORT NAME LOCAL_PORT ARGS...
	local port=$1 name=$2 lp=$3
	shift 3
	ip netns exec "$dal" "$AGENT" --coordinator "192.0.2.1:$port" \
		--local-port "$lp" --name alice --timeout-ms 2000 "$@" \
		>"$dd/$name" 2>/dev/null
}
dsyns lo_syn >/dev/null; dsyns lan_syn >/dev/null
dlie 18600 lo-on 21001 --target-policy
lo_on=$(dsyns lo_syn)
dlie 18600 lo-off 21002
lo_off=$(dsyns lo_syn)
dlie 18601 lan-on 21003 --target-policy
lan_on=$(dsyns lan_syn)
dlie 18601 lan-off 21004
lan_off=$(dsyns lan_syn)
dlie 18602 coord-on 21005 --target-policy
echo "agent-defences: SYNs to 127.0.0.1:18443 $lo_on with the policy, $lo_off without; to router A's 10.0.1.1:80 $lan_on with, $lan_off without"
check "agent-defences: loopback target: 0 SYNs and outcome policy 'loopback', SYNs without the policy" \
	sh -c "[ '$lo_on' = 0 ] && [ '${lo_off:-0}' -gt 0 ] &&
	       grep -q '\"outcome\":\"policy\",\"error\":\"loopback 127.0.0.1\"' '$dd/lo-on'"
check "agent-defences: router LAN target: 0 SYNs, policy 'private 10.0.1.1 not in --wan-allow', SYNs without" \
	sh -c "[ '$lan_on' = 0 ] && [ '${lan_off:-0}' -gt 0 ] &&
	       grep -q '\"outcome\":\"policy\".*private 10.0.1.1 not in --wan-allow' '$dd/lan-on'"
check "agent-defences: the coordinator's own address is refused" \
	grep -q '"outcome":"policy","error":"coordinator'"'"'s own address 192.0.2.1"' "$dd/coord-on"

# A delay of 0xffffffff ms: refused at once with the bound; without it
# the agent is still waiting when stopped (SIGTERM: timeout, 0 SYNs).
# Load can only make "still running after 2 s" more likely, never less:
# the check cannot fail because the machine is busy.
dlie 18603 delay-on 21006 --max-delay-ms 5000
ip netns exec "$dal" "$AGENT" --coordinator 192.0.2.1:18603 \
	--local-port 21007 --name alice >"$dd/delay-off" 2>/dev/null &
dpid=$!
sleep 2
kill -0 "$dpid" 2>/dev/null && dwaiting=1 || dwaiting=0
kill "$dpid" 2>/dev/null
wait "$dpid" 2>/dev/null
check "agent-defences: delay_ms 4294967295 refused (policy) under --max-delay-ms, still waiting without" \
	sh -c "grep -q '\"outcome\":\"policy\",\"error\":\"delay 4294967295 ms > --max-delay-ms 5000\"' '$dd/delay-on' &&
	       [ $dwaiting = 1 ] && grep -q '\"error\":\"terminated\"' '$dd/delay-off'"

# --max-syns is a hard cap on the wire: an RST target (charlie, no
# listener) and a silent one (router B drops unsolicited SYNs: the
# kernel's retransmission after 1 s must not pass the cap).
dsyns rst_syn >/dev/null; dsyns drop_syn >/dev/null
dgiven() { # TARGET NAME LOCAL_PORT ARGS...
	local t=$1 name=$2 lp=$3
	shift 3
	ip netns exec "$dal" "$AGENT" --connect "$t" --local-port "$lp" \
		--name alice "$@" >"$dd/$name" 2>/dev/null
}
dgiven 192.0.2.1:9 rst-cap 21010 --timeout-ms 3000 --max-syns 6
rst_cap=$(dsyns rst_syn)
dgiven 192.0.2.1:9 rst-free 21011 --timeout-ms 3000
rst_free=$(dsyns rst_syn)
dgiven 203.0.113.1:8333 drop-cap 21012 --timeout-ms 4000 --max-syns 3
drop_cap=$(dsyns drop_syn)
echo "agent-defences: SYNs to an RST target in 3 s: $rst_cap with --max-syns 6, $rst_free without; to a silent one in 4 s with --max-syns 3: $drop_cap"
check "agent-defences: --max-syns 6 to an RST target: 6 SYNs on the wire (reported 6, cap hit), more without" \
	sh -c "[ '$rst_cap' = 6 ] && [ '${rst_free:-0}' -gt 6 ] &&
	       grep -q '\"syns_sent\":6,' '$dd/rst-cap' &&
	       grep -q '\"syn_budget_hit\":true' '$dd/rst-cap'"
check "agent-defences: --max-syns 3 to a silent target: 3 SYNs on the wire, retransmissions included" \
	sh -c "[ '$drop_cap' = 3 ] && grep -q '\"syns_sent\":3,' '$dd/drop-cap'"

dworld_down
check "agent-defences: punchlab down leaves nothing" nothing_left "$drid"
fi
