#!/bin/bash
# netengine-flat: punch-net's own cost at the network scenario's size,
# without the world: every node in ONE namespace (reachable addresses
# as /32s on its loopback), so only the `off` phase means anything
# (no NAT, no punching; homes all connect from the reachable addresses'
# namespace). Prints per part: nodes, sockets, peak fds, CPU time, and
# block propagation (time until 50/90/100% of nodes had each block),
# with the load average. The real world is punchlab's (netrun branch).
# Usage: bench/netengine-flat.sh [HOMES [REACHABLE [PARTS]]]   (root)
set -u
cd "$(dirname "$0")/.."
HOMES=${1:-2000} REACH=${2:-400} PARTS=${3:-4}
BIN=${PUNCHLAB_BIN_DIR:-build/bin}
PY=/usr/bin/python3
RID=nf$(od -An -N2 -tx2 /dev/urandom | tr -d ' ')
NS="pl-$RID-flat"
OUT=$(mktemp -d /tmp/netengine-flat.XXXXXX)
pids=()
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root"; exit 4; }
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	ip netns del "$NS" 2>/dev/null
	[ -n "${KEEP:-}" ] && echo "kept $OUT" || rm -rf "$OUT"
}
trap cleanup EXIT

ip netns add "$NS"
ip -n "$NS" link set lo up
$PY - "$REACH" <<'PYEOF' | ip -n "$NS" -batch -
import sys
for j in range(int(sys.argv[1])):
    print(f"addr add 172.16.{j % 256}.{1 + j // 256}/32 dev lo")
PYEOF
$PY - "$RID" "$NS" "$HOMES" "$REACH" >"$OUT/nodes.json" <<'PYEOF'
import json, os, sys
rid, ns, homes, reach = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
nodes = [{"id": j, "kind": "reachable", "netns": ns, "port": 18444,
          "addr": f"172.16.{j % 256}.{1 + j // 256}", "netgroup": j % 256}
         for j in range(reach)]
nodes += [{"id": reach + i, "kind": "home", "netns": ns, "addr": "10.0.0.2",
           "netgroup": 256 + i % 256} for i in range(homes)]
print(json.dumps({"run_id": rid, "seed": 1, "settle_ms": int(os.environ.get("SETTLE_MS", 15000)), "blocks": 5,
                  "phases": [{"name": "off", "mode": "off"}], "nodes": nodes}))
PYEOF
t0=$($PY -c 'import time; print(time.monotonic_ns() + 3000000000)')
for k in $(seq 0 $((PARTS - 1))); do
	/usr/bin/time -f "part $k: %e s wall, %U s user, %S s sys, %M KiB max RSS" \
		"$BIN/punch-net" --nodes "$OUT/nodes.json" --phase off \
		--part "$k/$PARTS" --epoch-ns "$t0" --out "$OUT/off-$k.json" \
		2>"$OUT/log-$k" &
	pids+=($!)
done
rc=0
for p in "${pids[@]}"; do wait "$p" || rc=1; done
pids=()
cat "$OUT"/log-*
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
$PY - "$OUT" "$PARTS" "$((HOMES + REACH))" <<'PYEOF'
import json, sys
out, parts, nn = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
ps = [json.load(open(f"{out}/off-{k}.json")) for k in range(parts)]
conns = [c for p in ps for c in p["connections"]]
print(f"{nn} nodes, {len(conns)} connections recorded, "
      f"{sum(c['open_at_end'] for c in conns)} open at the end, "
      f"{sum(len(p['evictions']) for p in ps)} evictions")
for b in range(len(ps[0]["blocks"])):
    got = {}
    for p in ps:
        got.update(p["blocks"][b]["received"])
    t0 = ps[0]["blocks"][b]["t_mined_ms"]
    d = sorted(v - t0 for v in got.values())
    q = lambda f: "%.1f ms" % d[int(f * nn) - 1] if len(d) >= f * nn else "never"
    print(f"block {b}: {len(got)}/{nn} nodes; first {d[1] if len(d) > 1 else 0:.1f} ms, 50% {q(.5)}, 90% {q(.9)}, 100% {q(1)}")
PYEOF
exit $rc
