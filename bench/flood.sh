#!/bin/bash
# Flooding the coordinator (README, Threats): legitimate pairs matched
# while punch-adversary floods a coordinator on charlie, with and without
# the defences, and the bytes the coordinator logs. Needs root and a
# world that is up: `punchlab up scenarios/eim-vs-eim.ini`.
# Usage: bench/flood.sh RID slowloris|pairs on|off [LOGRATE] [NLEGIT]
# Environment: PRE (s before the first wave, 3), GAP (s between the three
# waves, 0), EXTRA (more coordinator options, e.g. --max-clients 4096),
# AEXTRA (more flood options, e.g. --in-flight 8).
#
# The coordinator listens on 192.0.2.1:18600 (`on`: --per-addr-limit 16
# --key-owner); the flooder runs in inet (192.0.2.254) with 1,100
# slowloris connections or 1,000 pairs; NLEGIT (33) pairs of punch-agent
# between alice and bob go in three waves. One line: pairs the
# coordinator matched and pairs whose both agents said ok, the
# flooder's last counts, log and event bytes, the load average.
set -u
R=${1:?run id} KIND=${2:?slowloris or pairs} LIM=${3:?on or off}
LOGRATE=${4:-0} N=${5:-33}
B=${PUNCHLAB_BIN_DIR:-build/bin}
D=$(mktemp -d /tmp/punchlab-flood.XXXXXX)
CP="" AP=""
# Ctrl-C or an error: the coordinator and the flooder stop by pid, the
# folder goes (the world is the caller's: punchlab down R).
trap 'kill $CP $AP 2>/dev/null; rm -rf "$D"' EXIT INT TERM
FL=""
[ "$LIM" = on ] && FL="--per-addr-limit 16 --key-owner"
[ "$LOGRATE" != 0 ] && FL="$FL --log-rate $LOGRATE"
FL="$FL ${EXTRA:-}"
# shellcheck disable=SC2086
ip netns exec "pl-$R-charlie" "$B/punch-coordinator" \
	--listen 192.0.2.1:18600 --run-id "$R" $FL >"$D/ev" 2>"$D/err" &
CP=$!
for _ in $(seq 50); do grep -q listening "$D/ev" && break; sleep 0.1; done
COUNT=1000
[ "$KIND" = slowloris ] && COUNT=1100
# shellcheck disable=SC2086
ip netns exec "pl-$R-inet" "$B/punch-adversary" --role flood --run-id "$R" \
	--target 192.0.2.1:18600 --flood "$KIND" --count $COUNT \
	${AEXTRA:-} --duration-ms 90000 >"$D/adv" 2>"$D/adv.err" &
AP=$!
sleep "${PRE:-3}"
for w in 0 1 2; do
	pids=
	for j in $(seq 1 11); do
		i=$((w * 11 + j))
		[ $i -gt "$N" ] && continue
		for s in alice bob; do
			ip netns exec "pl-$R-c0-$s" "$B/punch-agent" \
				--coordinator 192.0.2.1:18600 \
				--local-port $((21000 + i)) --key $((7000 + i)) \
				--timeout-ms 5000 --match-timeout-ms 20000 \
				--name "$R-flood-$s$i" >"$D/$s$i" 2>/dev/null &
			pids="$pids $!"
		done
	done
	[ -n "$pids" ] && wait $pids
	sleep "${GAP:-0}"
done
kill $AP
wait $AP
kill $CP
wait $CP
ok=0 matched=0
for i in $(seq 1 "$N"); do
	grep -q '"outcome":"ok"' "$D/alice$i" &&
		grep -q '"outcome":"ok"' "$D/bob$i" && ok=$((ok + 1))
	grep -q "\"event\":\"match\",\"key\":$((7000 + i))," "$D/ev" &&
		matched=$((matched + 1))
done
echo "$KIND limits=$LIM log-rate=$LOGRATE ${EXTRA:-} ${AEXTRA:-}:" \
	"matched $matched/$N, ok $ok/$N;" \
	"flood $(grep '"flood"' "$D/adv" | tail -1 | tr -d '\n');" \
	"log $(stat -c %s "$D/err") B, events $(stat -c %s "$D/ev") B;" \
	"load $(cut -d' ' -f1-3 /proc/loadavg)"
rm -rf "$D"
