# alternatives: the ladder (docs/alternatives.md section 6) on the wire.
# alice behind home-eim tries direct, pcp, ipv6-direct, ipv6-punch and
# ipv4-punch to bob behind home-eim (drops unsolicited SYNs), home-eim-rst
# (answers them with a RST), openwrt-upnp (a PCP server) and symmetric (a
# fresh port per destination); alice behind openwrt-fw4 to bob behind
# mikrotik-defconf (both with an APDF IPv6 filter) and open6 (a test
# profile: unfiltered IPv6), 3 trials each
# (tests/integration/data/alternatives-ci.ini).

mkdir -p "$OUT/alt-profiles"
cp nat-profiles/*.ini tests/integration/data/ladder-profiles/*.ini \
	"$OUT/alt-profiles/"
"$PL" run --profiles "$OUT/alt-profiles" --results "$OUT/alt" \
	tests/integration/data/alternatives-ci.ini >"$OUT/alt.log" 2>&1
arc=$?
check "alternatives: the ladder cells meet their expectations" [ $arc -eq 0 ]
[ $arc -eq 0 ] || tail -n 20 "$OUT/alt.log"
arid=$(rid_of "$OUT/alt/alternatives-ci")
adir="$OUT/alt/alternatives-ci/$arid"
check "alternatives: every trial record carries every listed mechanism in order" \
	/usr/bin/python3 - "$adir/trials.jsonl" <<'PY'
import json, sys
want = {"sym": ["direct", "ipv4-punch"],
        "open6": ["direct", "ipv6-direct", "ipv4-punch"]}
full = ["direct", "pcp", "ipv6-direct", "ipv6-punch", "ipv4-punch"]
ts = [json.loads(l) for l in open(sys.argv[1])]
ok = len(ts) == 18
for t in ts:
    steps = t["ladder"]
    ok &= [s["mechanism"] for s in steps] == want.get(t["cell"], full)
    ok &= all(set(s) == {"mechanism", "ok", "ms", "outcome", "why"}
              for s in steps)
    firsts = [s["mechanism"] for s in steps if s["ok"]]
    ok &= t["first"] == (firsts[0] if firsts else None)
    ok &= (t["outcome"] == "ok") == bool(firsts)
sys.exit(0 if ok else 1)
PY
# timing: what the harness judges of its own timing is the ipv4-punch
# step (every trial here runs one): the sides are its reports (a punch's
# t_punch_ns), the shaper figures span it; no cell is n/a.
check "alternatives: each record's timing is its ipv4-punch step's (timing_step, the sides' punch reports), no cell n/a" \
	/usr/bin/python3 - "$adir" <<'PY'
import json, sys
d = sys.argv[1]
cells = json.load(open(d + "/summary.json"))["cells"]
ts = [json.loads(l) for l in open(d + "/trials.jsonl")]
ok = len(ts) == 18
for t in ts:
    ok &= t.get("timing_step") == "ipv4-punch"
    ok &= all("t_punch_ns" in t[s] and "start_error_us" in t[s]
              for s in ("alice", "bob"))
ok &= all(c["timing"] in ("ok", "degraded") for c in cells)
sys.exit(0 if ok else 1)
PY
# direct: alice's SYN to bob's port meets his router with no mapping for
# it: home-eim drops it (no answer, SYNs counted as dropped there),
# home-eim-rst refuses it (a RST counted as sent there).
check "alternatives: direct to home-eim: no answer, SYNs dropped at bob's router; to home-eim-rst: RST sent by it" \
	/usr/bin/python3 - "$adir" <<'PY'
import json, sys
d = sys.argv[1]
cells = {c["cell"]: c for c in json.load(open(d + "/summary.json"))["cells"]}
ts = [json.loads(l) for l in open(d + "/trials.jsonl")]
def direct(cell):
    return {s["outcome"] for t in ts if t["cell"] == cell
            for s in t["ladder"] if s["mechanism"] == "direct"}
eim, rst = cells["ladder:home-eim:home-eim"], cells["ladder:home-eim:home-eim-rst"]
ok = direct("ladder:home-eim:home-eim") == {"timeout"}
ok &= direct("ladder:home-eim:home-eim-rst") == {"refused"}
ok &= eim["nat_counters"]["b"]["syn_dropped"] >= 3
ok &= rst["nat_counters"]["b"]["rst_sent"] >= 3
ok &= eim["ladder"]["direct"]["successes"] == 0
sys.exit(0 if ok else 1)
PY
# pcp: bob's --serve --pcp maps his port at openwrt-upnp's miniupnpd and
# alice dials the endpoint of his mapped event; ipv6-punch: both IPv6
# filters (APDF) let the crossing SYNs in. Each counts as first where it
# comes before ipv4-punch in the order.
check "alternatives: pcp connects through openwrt-upnp (first), ipv6-punch through two APDF IPv6 filters (first), ipv4-punch the EIM pairs, not the symmetric one; pcp tried and failed (outcome pcp) where no server runs" \
	/usr/bin/python3 - "$adir" <<'PY'
import json, sys
d = sys.argv[1]
cells = {c["cell"]: c for c in json.load(open(d + "/summary.json"))["cells"]}
ok = True
for name in ("ladder:home-eim:home-eim", "ladder:home-eim:home-eim-rst",
             "ladder:home-eim:openwrt-upnp", "v6"):
    lad = cells[name]["ladder"]
    ok &= lad["ipv4-punch"]["successes"] >= 2
for name in ("ladder:home-eim:home-eim", "ladder:home-eim:home-eim-rst"):
    lad = cells[name]["ladder"]
    ok &= lad["first"]["ipv4-punch"] == lad["ipv4-punch"]["successes"]
upnp = cells["ladder:home-eim:openwrt-upnp"]["ladder"]
ok &= upnp["pcp"]["successes"] >= 2
ok &= upnp["first"]["pcp"] == upnp["pcp"]["successes"]
v6 = cells["v6"]["ladder"]
ok &= v6["ipv6-punch"]["successes"] >= 2
ok &= v6["first"]["ipv6-punch"] == v6["ipv6-punch"]["successes"]
ok &= cells["sym"]["ladder"]["ipv4-punch"]["successes"] <= 1
why = {}
for l in open(d + "/trials.jsonl"):
    t = json.loads(l)
    for s in t["ladder"]:
        if s["outcome"] == "unavailable":
            ok &= bool(s["why"]) and s["ok"] is False and s["ms"] is None
            why.setdefault((t["cell"], s["mechanism"]), set()).add(s["why"])
# home-eim runs no PCP server: bob's mapping was tried and failed
steps = [s for l in open(d + "/trials.jsonl") for s in json.loads(l)["ladder"]
         if json.loads(l)["cell"] == "ladder:home-eim:home-eim"
         and s["mechanism"] == "pcp"]
ok &= len(steps) == 3 and all(s["outcome"] == "pcp" and not s["ok"]
                              and s["why"].startswith("bob not ready")
                              for s in steps)
ok &= all(w.startswith("alice's home has no IPv6")
          for w in why[("ladder:home-eim:home-eim", "ipv6-direct")])
ok &= ("v6", "ipv6-direct") not in why and ("v6", "ipv6-punch") not in why
ok &= ("ladder:home-eim:openwrt-upnp", "pcp") not in why
sys.exit(0 if ok else 1)
PY
# ipv6-direct: bob's own address is dialled; mikrotik-defconf's IPv6 filter
# (APDF, drop) lets no SYN in, open6 has none: the dial connects, first.
check "alternatives: ipv6-direct dropped by bob's IPv6 filter, connected (first) to an unfiltered home" \
	/usr/bin/python3 - "$adir" <<'PY'
import json, sys
d = sys.argv[1]
ts = [json.loads(l) for l in open(d + "/trials.jsonl")]
ok = True
for t in ts:
    s = {x["mechanism"]: x for x in t["ladder"]}
    if t["cell"] == "v6":
        ok &= s["ipv6-direct"]["outcome"] == "timeout"
    if t["cell"] == "open6":
        ok &= s["ipv6-direct"]["ok"] and t["first"] == "ipv6-direct"
        ok &= s["direct"]["outcome"] == "timeout"
        ok &= t["outcome"] == "ok"
sys.exit(0 if ok else 1)
PY
"$PL" report --out "$OUT/alt-report" "$adir" >/dev/null 2>"$OUT/alt-report.err"
check "alternatives: report.md has \"Which mechanism connects\", one row per home pair" \
	/usr/bin/python3 - "$OUT/alt-report/report.md" <<'PY'
import sys
md = open(sys.argv[1]).read()
sec = md[md.index("## Which mechanism connects"):]
sec = sec[:sec.index("\n## ")]
rows = [l.split(" | ")[0] for l in sec.splitlines()
        if " × " in l and not l.startswith("| home pair")]
sys.exit(0 if sorted(rows) == [
    "| home-eim × home-eim", "| home-eim × home-eim-rst",
    "| home-eim × openwrt-upnp", "| home-eim × symmetric",
    "| openwrt-fw4 × mikrotik-defconf", "| openwrt-fw4 × open6"] else 1)
PY
check "alternatives: run leaves nothing behind" nothing_left "$arid"
