#!/bin/bash
# netengine-world: a small world for punch-net, built by hand (the real
# one is punchlab's), and one phase each of `off` and `rendezvous`.
#
#   [h0]-[h0r]\                     /[r0 + punch-coordinator :18445]
#   [h1]-[h1r]-+---- pl-RID-inet ---+-[r1]
#   [h2]-[h2r]-+     (bridge br0,   \-[r2]
#   [h3]-[h3r]/       172.16.0.0/12)
#
# Homes: host 10.0.0.2/24 behind a router with an nft masquerade that
# drops unsolicited inbound (as nat-profiles/home-eim; a router that
# answers them with RST, home-eim-rst, defeats punch-net's plain
# simultaneous open: each side's RST kills the other's mapping);
# reachable nodes and routers' WAN sides: one /24 netgroup each.
# Usage: netengine-world.sh OUTDIR   (root; prints PASS/FAIL lines, exit
# 0 all passed, 1 a check failed, 4 skipped). Everything it creates is
# named pl-<rid>-* and removed on exit.
set -u
cd "$(dirname "$0")/../../.."
BIN=${PUNCHLAB_BIN_DIR:-build/bin}
OUT=${1:?usage: netengine-world.sh OUTDIR}
PY=/usr/bin/python3
RID=${NE_RID:-ne$(od -An -N2 -tx2 /dev/urandom | tr -d ' ')}
HOMES=${NE_HOMES:-4}
REACH=${NE_REACH:-3}
fail=0
pids=()

[ "$(id -u)" -eq 0 ] || { echo "SKIP: netengine world needs root"; exit 4; }
command -v nft >/dev/null || { echo "SKIP: nft missing"; exit 4; }
mkdir -p "$OUT"

cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
	for ns in $(ls /run/netns 2>/dev/null | grep "^pl-$RID-"); do
		ip netns del "$ns"
	done
}
trap cleanup EXIT

ok() { echo "PASS: netengine: $*"; }
bad() { echo "FAIL: netengine: $*"; fail=1; }
inns() { ip netns exec "pl-$RID-$1" "${@:2}"; }

# --- the world ---------------------------------------------------------
ip netns add "pl-$RID-inet"
inns inet ip link add br0 type bridge
inns inet ip link set br0 up
inns inet ip link set lo up
# wan_link NS IFNAME ADDR: a veth from NS into the bridge, ADDR/12.
wan_link() {
	local ns=$1 dev=$2 addr=$3 peer="v$4"
	ip link add "$dev" netns "pl-$RID-$ns" type veth peer name "$peer" \
		netns "pl-$RID-inet"
	inns inet ip link set "$peer" master br0 up
	inns "$ns" ip addr add "$addr/12" dev "$dev"
	inns "$ns" ip link set "$dev" up
	inns "$ns" ip link set lo up
}
for j in $(seq 0 $((REACH - 1))); do
	ip netns add "pl-$RID-r$j"
	wan_link "r$j" wan "172.16.$j.1" "r$j"
done
for i in $(seq 0 $((HOMES - 1))); do
	ip netns add "pl-$RID-h$i"
	ip netns add "pl-$RID-h${i}r"
	wan_link "h${i}r" wan "172.16.$((10 + i)).1" "h$i"
	ip link add lan netns "pl-$RID-h${i}r" type veth peer name eth0 \
		netns "pl-$RID-h$i"
	inns "h${i}r" ip addr add 10.0.0.1/24 dev lan
	inns "h${i}r" ip link set lan up
	inns "h${i}r" sysctl -qw net.ipv4.ip_forward=1
	inns "h${i}r" nft -f - <<NFT
table ip nat {
	chain post { type nat hook postrouting priority 100; oifname "wan" masquerade; }
	chain input { type filter hook input priority 0; iifname "wan" ct state new drop; }
	chain forward { type filter hook forward priority 0; iifname "wan" ct state new drop; }
}
NFT
	inns "h$i" ip addr add 10.0.0.2/24 dev eth0
	inns "h$i" ip link set eth0 up
	inns "h$i" ip link set lo up
	inns "h$i" ip route add default via 10.0.0.1
done

# --- the nodes file ------------------------------------------------------
# nodes.json: the phases; nodes-small.json: 5 inbound slots (2 after
# 3 outbound) for one short phase that must evict.
$PY - "$RID" "$REACH" "$HOMES" "$OUT" <<'PYEOF'
import json, sys
rid, reach, homes, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
nodes = []
for j in range(reach):
    n = {"id": j, "kind": "reachable", "netns": f"pl-{rid}-r{j}",
         "addr": f"172.16.{j}.1", "port": 18444, "netgroup": j}
    if j == 0:
        n["coordinator"] = {"addr": "172.16.0.1", "port": 18445}
    nodes.append(n)
for i in range(homes):
    nodes.append({"id": reach + i, "kind": "home", "netns": f"pl-{rid}-h{i}",
                  "addr": "10.0.0.2", "wan_addr": f"172.16.{10 + i}.1",
                  "netgroup": 10 + i, "profile": "home-eim"})
cfg = {"run_id": rid, "seed": 7, "outbound_full": 2,
       "outbound_block": 1, "inbound_slots": 125,
       "punch_target": 1, "blocks": 3, "block_bytes": 2000,
       "settle_ms": 6000,
       "phases": [{"name": "off", "mode": "off"},
                  {"name": "rendezvous", "mode": "rendezvous"},
                  {"name": "handoff", "mode": "handoff"},
                  {"name": "advertised", "mode": "advertised",
                   "sybil_mitigation": True}],
       "nodes": nodes}
json.dump(cfg, open(f"{out}/nodes.json", "w"), indent=1)
cfg.update(inbound_slots=5, settle_ms=2500, blocks=1,
           phases=[{"name": "evict", "mode": "off"}])
json.dump(cfg, open(f"{out}/nodes-small.json", "w"), indent=1)
PYEOF

# --- one phase: both parts, same T0 -------------------------------------
run_phase() {
	local phase=$1 nodes=${2:-nodes.json} t0 p1 p2 t_start
	t0=$($PY -c 'import time; print(time.monotonic_ns() + 1500000000)')
	t_start=$(date +%s.%N)
	"$BIN/punch-net" --nodes "$OUT/$nodes" --phase "$phase" \
		--part 0/2 --epoch-ns "$t0" --out "$OUT/$phase-0.json" \
		2>"$OUT/$phase-0.log" &
	p1=$!
	"$BIN/punch-net" --nodes "$OUT/$nodes" --phase "$phase" \
		--part 1/2 --epoch-ns "$t0" --out "$OUT/$phase-1.json" \
		2>"$OUT/$phase-1.log" &
	p2=$!
	pids=("${pids[@]}" "$p1" "$p2")
	wait "$p1"; r1=$?
	wait "$p2"; r2=$?
	echo "phase $phase: wall $($PY -c "import time; print(round(time.time() - $t_start, 1))") s"
	cat "$OUT/$phase-0.log" "$OUT/$phase-1.log" | grep -v '^$' | tail -n 4
	[ "$r1" = 0 ] && [ "$r2" = 0 ] && ok "$phase: both parts exit 0" ||
		bad "$phase: parts exit $r1 and $r2"
}

# check_phase PHASE WANT_PUNCHED: what the parts' files show.
check_phase() {
	$PY - "$OUT" "$1" "$2" "$HOMES" "$REACH" <<'PYEOF'
import json, sys
out, phase, want_punched, homes, reach = sys.argv[1], sys.argv[2], sys.argv[3] == "1", int(sys.argv[4]), int(sys.argv[5])
parts = [json.load(open(f"{out}/{phase}-{k}.json")) for k in (0, 1)]
nn = homes + reach
conns = [c for p in parts for c in p["connections"]]
bad = 0
def check(what, cond):
    global bad
    print(("PASS" if cond else "FAIL") + f": netengine: {phase}: {what}")
    bad |= not cond
opened = {c["a"] for c in conns if c["kind"] in ("full", "block") and c["open_at_end"]}
check(f"every node has an open outbound ({len(opened)}/{nn})", len(opened) == nn)
punched = [c for c in conns if c["kind"] == "punched"]
home_ids = set(range(reach, nn))
pairs = {(c["a"], c["b"]) for c in punched if c["open_at_end"]}
if want_punched:
    check(f"punched home-home connections open ({len(pairs)}: {sorted(pairs)})",
          len(pairs) >= 1 and all(a in home_ids and b in home_ids for a, b in pairs))
    att = [a for p in parts for a in p["punch_attempts"]]
    oks = [a for a in att if a["outcome"] == "ok"]
    check(f"punch attempts recorded ({len(att)}, {len(oks)} ok, ttc {sorted(a['ttc_ms'] for a in oks)})",
          len(oks) >= 1 and all(a["ttc_ms"] is not None for a in oks))
    check("punched connections name their coordinator",
          all(c["via"] == 0 for c in punched))
else:
    check("no punching in off", not punched and not any(p["punch_attempts"] for p in parts))
for b in range(len(parts[0]["blocks"])):
    got = {}
    for p in parts:
        got.update(p["blocks"][b]["received"])
    t0 = parts[0]["blocks"][b]["t_mined_ms"]
    delays = sorted(v - t0 for v in got.values())
    check(f"block {b} (miner {parts[0]['blocks'][b]['miner']}) reached {len(got)}/{nn} nodes, "
          f"last after {delays[-1] if delays else None:.1f} ms", len(got) == nn)
sys.exit(bad)
PYEOF
	[ $? = 0 ] || fail=1
}

# coord_start MODE: the coordinator for the next phase (punchlab, too,
# restarts it per phase). ip netns exec itself, not the inns function
# (whose subshell would be what $! names): the pid is the coordinator's.
coord_pid=
coord_start() {
	if [ -n "$coord_pid" ]; then
		kill "$coord_pid"
		wait "$coord_pid" 2>/dev/null
	fi
	ip netns exec "pl-$RID-r0" "$BIN/punch-coordinator" \
		--listen 172.16.0.1:18445 --mode "$1" --run-id "$RID" \
		${2:+--inbound-limit "$2"} \
		--pair-timeout-ms 4000 >>"$OUT/coord.jsonl" 2>>"$OUT/coord.log" &
	coord_pid=$!
	pids=("${pids[@]}" "$coord_pid")
	for k in $(seq 50); do
		inns r0 ss -ltn | grep -q ':18445 ' && return 0
		sleep 0.1
	done
}
coord_start rendezvous
echo "rid $RID"
run_phase off
check_phase off 0
run_phase rendezvous
check_phase rendezvous 1
run_phase evict nodes-small.json
$PY - "$OUT" <<'PYEOF' || fail=1
import json, sys
parts = [json.load(open(f"{sys.argv[1]}/evict-{k}.json")) for k in (0, 1)]
ev = [e for p in parts for e in p["evictions"]]
inb = {}
for p in parts:
    for c in p["connections"]:
        if c["open_at_end"] and c["kind"] in ("full", "block"):
            inb[c["b"]] = inb.get(c["b"], 0) + 1
ok = ev and all(e["evicted"] is not None for e in ev) and max(inb.values()) <= 2
print(("PASS" if ok else "FAIL") + f": netengine: evict: {len(ev)} evictions, "
      f"inbound per reachable at the end {sorted(inb.items())} (limit 2)")
sys.exit(not ok)
PYEOF
# handoff (NE_HANDOFF=1): the daemon holds one registration and hands
# each newcomer and the held one to each other.
if [ -n "${NE_HANDOFF:-}" ]; then
	coord_start handoff 1
	run_phase handoff
	check_phase handoff 1
fi
# advertised (NE_ADVERTISED=1): with a coordinator that knows the mode
# (section 4), else in rendezvous mode, where HOLD/SEEK are ignored and a
# holder and a seeker of one key meet as a rendezvous pair. Checked:
# hpaddr gossip fills the address managers, holders keep light
# connections, the phase runs to its end.
if [ -n "${NE_ADVERTISED:-}" ]; then
	if "$BIN/punch-coordinator" --help 2>&1 | grep -q advertised; then
		coord_start advertised
	fi
	run_phase advertised
	$PY - "$OUT" <<'PYEOF' || fail=1
import json, sys
parts = [json.load(open(f"{sys.argv[1]}/advertised-{k}.json")) for k in (0, 1)]
am = [a for p in parts for a in p["addrman"]]
att = [a for p in parts for a in p["punch_attempts"]]
light = [c for p in parts for c in p["connections"] if c["kind"] == "light"]
# Gossip reaches a node only through the 2 peers each reachable node
# forwards to, so in 7 nodes one may hear nothing; most must, every home
# holds a light connection, and a seeker's punch must work.
homes = 4
ok = (2 * sum(a["advertised"] > 0 for a in am) > len(am) and
      len(light) >= homes and any(a["outcome"] == "ok" for a in att))
print(("PASS" if ok else "FAIL") + f": netengine: advertised: advertised entries per node "
      f"{sorted(a['advertised'] for a in am)}, {len(light)} light connections, "
      f"attempts {sorted(set(a['outcome'] for a in att))}")
sys.exit(not ok)
PYEOF
fi
exit $fail
