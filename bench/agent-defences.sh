#!/bin/bash
# Agent defences (punch-agent --target-policy, its caps, --auth-secret):
# what an attack costs with and without each, per request, counted on the
# wire (nft counters of alice's SYNs in her namespace). Needs root.
# Usage: bench/agent-defences.sh [REQUESTS]   (default 5)
#
# World: tests/integration/data/agent-defences.ini (one home-eim pair,
# charlie at 192.0.2.1), the agents at their defaults (--timeout-ms 5000,
# --wave-ms 1500); the lying coordinator is
# tests/integration/data/liecoord.py. Rows:
#   loopback / router LAN   hppunch names 127.0.0.1:18443 / 10.0.1.1:80
#   WAN RST / WAN silent    the agent is given 192.0.2.1:9 (RST) /
#                           203.0.113.1:8333 (router B drops the SYN)
#                           with --connect --local-port: a victim the
#                           policy allows, bounded by --max-syns 16
#   delay 0xffffffff        hppunch's delay_ms 4294967295: ms from the
#                           agent's start to its report (without the
#                           bound it is stopped after 10 s, still waiting)
#   auth                    one secret / two secrets, via the coordinator
set -u
cd "$(dirname "$0")/.."
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root"; exit 4; }
N=${1:-5}
PL=${PUNCHLAB_BIN_DIR:-build/bin}/punchlab
AGENT=${PUNCHLAB_BIN_DIR:-build/bin}/punch-agent
. tests/integration/data/defences-world.sh
tmp=$(mktemp -d /tmp/punchlab-bench-def.XXXXXX)
trap 'dworld_down; rm -rf "$tmp"' EXIT
dworld_up "$tmp" || { tail -n1 "$tmp/up"; exit 1; }
dliar 18600 127.0.0.1:18443
dliar 18601 10.0.1.1:80
dliar 18602 203.0.113.1:8333 4294967295
port=30000

# row NAME COUNTER MODE TARGET: mean SYNs per request, off / on.
row() {
	local name=$1 counter=$2 mode=$3 target=$4 pol sum out
	printf '%-22s' "$name"
	for pol in "" --target-policy; do
		sum=0
		dsyns "$counter" >/dev/null
		for _ in $(seq "$N"); do
			port=$((port + 1))
			if [ "$mode" = liar ]; then
				ip netns exec "$dal" "$AGENT" --coordinator \
					"192.0.2.1:$target" --local-port $port \
					$pol >"$tmp/out" 2>/dev/null
			else
				ip netns exec "$dal" "$AGENT" --connect "$target" \
					--local-port $port $pol >"$tmp/out" 2>/dev/null
			fi
		done
		out=$(dsyns "$counter")
		printf ' %12s' "$(awk -v s="$out" -v n="$N" 'BEGIN { printf "%.1f", s / n }')"
	done
	echo "   $(sed -n 's/.*"outcome":"\([a-z-]*\)","error":"\([^"]*\)".*/\1: \2/p' "$tmp/out")"
}

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg); $N requests per cell"
printf '%-22s %12s %12s   %s\n' target "SYNs/req off" "SYNs/req on" "last outcome with the policy"
row "loopback (hppunch)" lo_syn liar 18600
row "router LAN (hppunch)" lan_syn liar 18601
row "WAN RST (given)" rst_syn given 192.0.2.1:9
row "WAN silent (given)" drop_syn given 203.0.113.1:8333

t0=$(date +%s%N)
ip netns exec "$dal" "$AGENT" --coordinator 192.0.2.1:18602 \
	--local-port 31000 --target-policy >"$tmp/d-on" 2>/dev/null
t1=$(date +%s%N)
ip netns exec "$dal" "$AGENT" --coordinator 192.0.2.1:18602 \
	--local-port 31001 >"$tmp/d-off" 2>/dev/null &
dpid=$!
sleep 10
alive=no
kill -0 "$dpid" 2>/dev/null && alive=yes
kill "$dpid" 2>/dev/null
wait "$dpid" 2>/dev/null
echo "delay 0xffffffff: with --target-policy gave up after $(((t1 - t0) / 1000000)) ms ($(sed -n 's/.*"error":"\([^"]*\)".*/\1/p' "$tmp/d-on")); without: still waiting after 10 s: $alive, SYNs 0 (stopped: $(sed -n 's/.*"error":"\([^"]*\)".*/\1/p' "$tmp/d-off"))"

head -c 32 /dev/urandom >"$tmp/s1"
head -c 32 /dev/urandom >"$tmp/s2"
ok=0 det=0
for k in $(seq "$N"); do
	for pair in same diff; do
		port=$((port + 1))
		sb=$tmp/s1
		[ $pair = diff ] && sb=$tmp/s2
		ip netns exec "$dal" "$AGENT" --coordinator 192.0.2.1:18444 \
			--local-port $port --key $port --auth-secret "$tmp/s1" \
			>"$tmp/a" 2>/dev/null &
		ip netns exec "$dbo" "$AGENT" --coordinator 192.0.2.1:18444 \
			--local-port $port --key $port --auth-secret "$sb" \
			>"$tmp/b" 2>/dev/null
		wait $!
		n=$(cat "$tmp/a" "$tmp/b" | grep -c '"auth":"ok"')
		[ $pair = same ] && [ "$n" = 2 ] && ok=$((ok + 1))
		n=$(cat "$tmp/a" "$tmp/b" | grep -c '"outcome":"wrong-peer","error":"auth: ')
		[ $pair = diff ] && [ "$n" = 2 ] && det=$((det + 1))
	done
done
echo "auth: one secret, both sides ok $ok/$N; two secrets, both sides wrong-peer auth $det/$N"
