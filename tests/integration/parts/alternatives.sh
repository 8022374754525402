# alternatives: the ladder (docs/alternatives.md section 6) on the wire.
# alice behind home-eim tries direct, pcp, ipv6-direct, ipv6-punch and
# ipv4-punch to bob behind home-eim (drops unsolicited SYNs), home-eim-rst
# (answers them with a RST) and symmetric (a fresh port per destination),
# 3 trials each (tests/integration/data/alternatives-ci.ini).

"$PL" run --results "$OUT/alt" tests/integration/data/alternatives-ci.ini \
	>"$OUT/alt.log" 2>&1
check "alternatives: the ladder cells meet their expectations" [ $? -eq 0 ]
arid=$(rid_of "$OUT/alt/alternatives-ci")
adir="$OUT/alt/alternatives-ci/$arid"
check "alternatives: every trial record carries every listed mechanism in order" \
	/usr/bin/python3 - "$adir/trials.jsonl" <<'PY'
import json, sys
want = {"sym": ["direct", "ipv4-punch"]}
full = ["direct", "pcp", "ipv6-direct", "ipv6-punch", "ipv4-punch"]
ts = [json.loads(l) for l in open(sys.argv[1])]
ok = len(ts) == 9
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
check "alternatives: ipv4-punch connects home-eim pairs, not the symmetric one; pcp and IPv6 unavailable with why" \
	/usr/bin/python3 - "$adir" <<'PY'
import json, sys
d = sys.argv[1]
cells = {c["cell"]: c for c in json.load(open(d + "/summary.json"))["cells"]}
ok = True
for name in ("ladder:home-eim:home-eim", "ladder:home-eim:home-eim-rst"):
    lad = cells[name]["ladder"]
    ok &= lad["ipv4-punch"]["successes"] >= 2
    ok &= lad["first"]["ipv4-punch"] == lad["ipv4-punch"]["successes"]
ok &= cells["sym"]["ladder"]["ipv4-punch"]["successes"] <= 1
ts = [json.loads(l) for l in open(d + "/trials.jsonl")]
for t in ts:
    for s in t["ladder"]:
        if s["mechanism"] in ("pcp", "ipv6-direct", "ipv6-punch"):
            ok &= s["outcome"] == "unavailable" and bool(s["why"]) \
                and s["ok"] is False and s["ms"] is None
sys.exit(0 if ok else 1)
PY
"$PL" report --out "$OUT/alt-report" "$adir" >/dev/null 2>"$OUT/alt-report.err"
check "alternatives: report.md has \"Which mechanism connects\", one row per home pair" \
	/usr/bin/python3 - "$OUT/alt-report/report.md" <<'PY'
import sys
md = open(sys.argv[1]).read()
sec = md[md.index("## Which mechanism connects"):]
rows = [l for l in sec.splitlines() if l.startswith("| home-eim × ")]
sys.exit(0 if sorted(r.split(" | ")[0] for r in rows) == [
    "| home-eim × home-eim", "| home-eim × home-eim-rst",
    "| home-eim × symmetric"] else 1)
PY
check "alternatives: run leaves nothing behind" nothing_left "$arid"
