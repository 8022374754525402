#!/bin/bash
# The agent's PCP / NAT-PMP client against miniupnpd 2.3.1 in bob's
# router (profile openwrt-upnp; tests/integration/pcp-world.sh): per
# protocol, N trials of bob --serve --pcp (a new port each, the protocols
# in turn) and alice --connect to the mapped endpoint. Prints, per protocol, the trials, mappings granted,
# handshakes done, the mapping time ("pcp.ms": first request to the
# deciding answer) p50/p90/max, the requests sent, and the load average.
# Figures only, never a verdict. Needs root.
# Usage: bench/pcp-map.sh [N]   (default 20)
set -u
cd "$(dirname "$0")/.."
n=${1:-20}
B=${B:-build}
[ "$(id -u)" -eq 0 ] || { echo "SKIP: bench/pcp-map.sh needs root"; exit 4; }
[ -x /usr/sbin/miniupnpd ] || { echo "SKIP: miniupnpd not installed"; exit 4; }
make --no-print-directory B="$B" all >/dev/null || exit 1
PL=$B/bin/punchlab
PCA=$B/bin/punch-agent
out=$(mktemp -d /tmp/punchlab-pcpmap.XXXXXX)
. tests/integration/pcp-world.sh
pcpw_rid=
trap '[ -n "$pcpw_rid" ] && pcpw_down; rm -rf "$out"' EXIT
pcpw_up "$out/w"
[ -n "$pcpw_rid" ] || { cat "$out/w/up"; exit 1; }
# The protocols take turns, so that both meet a daemon with as many
# mappings (miniupnpd slows as they pile up).
port=22000
for i in $(seq 1 "$n"); do
	for proto in pcp natpmp; do
		port=$((port + 1))
		f=$out/$proto-$i
		pcpw_serve "$f.serve" $port --pcp-proto $proto --timeout-ms 5000
		ext=$pcpw_ext
		[ -n "$ext" ] && ip netns exec "$pcpw_alice" "$PCA" --connect "$ext" \
			--timeout-ms 3000 >"$f.dial" 2>/dev/null
		wait $pcpw_spid
		tail -n1 "$f.serve" >"$f.line"
	done
done
for proto in pcp natpmp; do
	/usr/bin/python3 - "$proto" "$out"/$proto-*.line <<'EOF'
import json, sys
proto, files = sys.argv[1], sys.argv[2:]
files.sort(key=lambda f: int(f.rsplit("-", 1)[1].split(".")[0]))
lines = [json.loads(open(f).read() or "{}") for f in files]
pcp = [l.get("pcp") or {} for l in lines]
ms = sorted(p["ms"] for p in pcp if p.get("ok"))
q = lambda f: ms[min(len(ms) - 1, int(f * len(ms)))] if ms else float("nan")
print(f"{proto:7s} trials {len(lines)}  mapped {len(ms)}  handshakes "
      f"{sum(l.get('outcome') == 'ok' for l in lines)}  mapping ms p50 "
      f"{q(0.5):.1f} p90 {q(0.9):.1f} max {ms[-1] if ms else float('nan'):.1f}  "
      f"requests {sum(p.get('requests', 0) for p in pcp)}")
# miniupnpd reads its whole nft chain on each request: does it slow
# down as its mappings pile up?
seq = [p.get("ms") for p in pcp if p.get("ok")]
h = len(seq) // 2
if h:
    med = lambda v: sorted(v)[len(v) // 2]
    print(f"        in request order: first half p50 {med(seq[:h]):.1f} ms, "
          f"second half p50 {med(seq[h:]):.1f} ms")
EOF
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
