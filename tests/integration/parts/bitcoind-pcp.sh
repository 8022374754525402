# bitcoind-pcp: unmodified bitcoind -natpmp=1 behind a router with PCP
# (miniupnpd), behind one without, and behind PCP with a neighbour's node
# holding the port (scenarios/bitcoind-pcp.ini, 3 trials per cell here). Evidence: alice's own debug.log (bitcoind's mapport and
# PCP client say what the router answered), the records, and the peer
# from charlie that alice's node lists as inbound (getpeerinfo).

if ! [ -x "${BITCOIND:-}" ] || ! [ -x "${BITCOIN_CLI:-}" ]; then
	skip "bitcoind-pcp: needs BITCOIND and BITCOIN_CLI (your bitcoind build)"
	skip "bitcoind-pcp: the off router's refusal line needs BITCOIND"
else
	sed 's/^trials = .*/trials = 3/' scenarios/bitcoind-pcp.ini \
		>"$OUT/bitcoind-pcp.ini"
	"$PL" run --results "$OUT/bpcp" "$OUT/bitcoind-pcp.ini" \
		>"$OUT/bpcp.log" 2>&1
	check "bitcoind-pcp: every cell within its expectation" [ $? = 0 ]
	brid=$(rid_of "$OUT/bpcp/bitcoind-pcp")
	bdir="$OUT/bpcp/bitcoind-pcp/$brid"

	check "bitcoind-pcp: behind PCP every trial's node logged its mapping (the requested port), and charlie's node came in to it" \
		/usr/bin/python3 - "$bdir" <<'PY'
import glob, json, sys
d = sys.argv[1]
ts = [json.loads(l) for l in open(d + "/trials.jsonl") if '"cell":"pcp"' in l]
logs = "".join(open(f).read() for f in
               glob.glob(d + "/bitcoind-c0-alice/regtest/debug-t*.log"))
good = [t for t in ts
        if t["pcp"]["ok"] and t["pcp"]["port_honoured"]
        and t["inbound"]["ok"] and t["inbound"]["peer"].startswith("192.0.2.1:")
        and t["pcp"]["log"].split(" ", 1)[1] in logs]
print("  %d of %d trials mapped and inbound" % (len(good), len(ts)))
sys.exit(0 if len(ts) == 3 and len(good) == 3 else 1)
PY

	check "bitcoind-pcp: without PCP no trial mapped, the WAN node's dial was refused, and bitcoind's log says why (Connection refused on 5351)" \
		/usr/bin/python3 - "$bdir" <<'PY'
import glob, json, sys
d = sys.argv[1]
why = "[net] pcp: Could not receive response: Connection refused (111)"
ts = [json.loads(l) for l in open(d + "/trials.jsonl") if '"cell":"off"' in l]
logs = [open(f).read() for f in
        glob.glob(d + "/bitcoind-c1-alice/regtest/debug-t*.log")]
good = [t for t in ts
        if not t["pcp"]["ok"] and not t["inbound"]["ok"]
        and t["outcome"] == "refused" and why in t["pcp"]["log"]
        # the dial to the port bitcoind asked for met fw4's RST
        and "failed after wait: Connection refused" in (t["inbound"]["wan_log"] or "")]
print("  %d of %d trials refused; %d of %d logs hold the line"
      % (len(good), len(ts), sum(why in l for l in logs), len(logs)))
sys.exit(0 if len(ts) == 3 and len(good) == 3 and len(logs) == 3
         and all(why in l and "portmap: Added mapping" not in l
                 for l in logs) else 1)
PY
	check "bitcoind-pcp: a neighbour's node holds 18444, so alice's gets another external port (not honoured) and charlie's node still comes in" \
		/usr/bin/python3 - "$bdir" <<'PY'
import json, sys
ts = [json.loads(l) for l in open(sys.argv[1] + "/trials.jsonl")
      if '"cell":"neighbour"' in l]
good = [t for t in ts
        if t["neighbour"]["ok"] and t["neighbour"]["external"].endswith(":18444")
        and t["pcp"]["ok"] and t["pcp"]["port_honoured"] is False
        and t["pcp"]["external"] != t["neighbour"]["external"]
        and t["inbound"]["ok"] and t["inbound"]["dialled"] == t["pcp"]["external"]]
print("  %d of %d trials: %s" % (len(good), len(ts),
      sorted({t["pcp"]["external"] for t in ts if t["pcp"]["external"]})))
sys.exit(0 if len(ts) == 3 and len(good) == 3 else 1)
PY
	check "bitcoind-pcp: natpmp.json folds the cells as the records say (3/3 mapped and inbound; 0/3 with the refusal counted 3 times; 0/3 ports honoured behind a neighbour)" \
		/usr/bin/python3 - "$bdir/natpmp.json" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
why = "[net] pcp: Could not receive response: Connection refused (111)"
p, o, n = j["pcp"], j["off"], j["neighbour"]
sys.exit(0 if (p["mapped"], p["inbound"], p["port_honoured"]) == (3, 3, 3)
         and (o["mapped"], o["inbound"], o["why"].get(why)) == (0, 0, 3)
         and (n["mapped"], n["inbound"], n["port_honoured"]) == (3, 3, 0)
         and p["map_ms_p50"] is not None else 1)
PY
	check "bitcoind-pcp: nothing left of run $brid" nothing_left "$brid"
fi
