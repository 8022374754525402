# conditions: a cell whose RTT, access delays and coordinator delay are
# distributions draws them per trial (recorded in trials.jsonl), the
# shaper applies each trial's draw (time to connect and the agents'
# coordinator RTTs follow it), the cell runs one trial at a time, and
# replaying one trial draws the same values.

cini=tests/integration/data/conditions.ini
"$PL" plan "$cini" >"$OUT/cond-plan.txt"
check "conditions: plan shows the specs and forces parallel 1" \
	sh -c "grep -q '^cond rtt_ms=lognormal:median=40,p90=120 .*coord_delay_b_ms=uniform:0,40 access_a_ms=uniform:1,5 access_b_ms=uniform:1,5 \[cell drawn\]' '$OUT/cond-plan.txt' &&
	grep -q '^parallel \[cell drawn\]: 1, not 4' '$OUT/cond-plan.txt'"

"$PL" run --results "$OUT/cond" "$cini" >"$OUT/cond.log" 2>&1
check "conditions: the drawn cell meets its expectation" [ $? -eq 0 ]
crid=$(rid_of "$OUT/cond/conditions")
cdir="$OUT/cond/conditions/$crid"

check "conditions: every trial records its own draw; summary has the spec and the draws' p50/p90" \
	/usr/bin/python3 - "$cdir" <<'PY'
import json, sys
ts = [json.loads(l) for l in open(sys.argv[1] + "/trials.jsonl")]
c = json.load(open(sys.argv[1] + "/summary.json"))["cells"][0]
rtts = [t["cond"]["rtt_ms"] for t in ts]
keys = {"rtt_ms", "jitter_ms", "access_a_ms", "access_b_ms",
        "coord_delay_b_ms"}
ok = (len(ts) == 12 and len(set(rtts)) == 12
      and all(set(t["cond"]) == keys for t in ts)
      and all(1 <= t["cond"]["access_a_ms"] <= 5 for t in ts)
      and c["cond_spec"]["rtt_ms"] == "lognormal:median=40,p90=120"
      and c["params"]["rtt_ms"] == "lognormal:median=40,p90=120"
      and min(rtts) <= c["cond_drawn"]["rtt_ms"]["p50"] <= max(rtts)
      and c["parallel"] == 1)
print("  drawn RTTs (ms):", " ".join("%.1f" % r for r in sorted(rtts)))
sys.exit(0 if ok else 1)
PY

# One-way delays (docs/link-conditions.md): a<->b rtt/2 + access_a +
# access_b, so the peer RTT is rtt + 2 (access_a + access_b); bob<->charlie
# rtt/2 + 2 (coord_delay_b + access_b). Each packet meets the jitter once
# (+-0.2 ms), so a measured RTT is at least the drawn one minus 0.4 ms.
check "conditions: each trial's time to connect and bob's coordinator RTT follow its draw" \
	/usr/bin/python3 - "$cdir/trials.jsonl" <<'PY'
import json, sys
ts = [json.loads(l) for l in open(sys.argv[1])]
def corr(x, y):
    mx, my = sum(x) / len(x), sum(y) / len(y)
    sxy = sum((a - mx) * (b - my) for a, b in zip(x, y))
    sxx = sum((a - mx) ** 2 for a in x)
    syy = sum((b - my) ** 2 for b in y)
    return sxy / (sxx * syy) ** 0.5
okt = [t for t in ts if t["outcome"] == "ok"]
peer = [t["cond"]["rtt_ms"] + 2 * (t["cond"]["access_a_ms"] +
        t["cond"]["access_b_ms"]) for t in okt]
ttc = [t["ttc_ms"] for t in okt]
coord = [t["cond"]["rtt_ms"] / 2 + 2 * (t["cond"]["coord_delay_b_ms"] +
         t["cond"]["access_b_ms"]) for t in okt]
bob = [t["bob"]["rtt_coord_us"] / 1000 for t in okt]
over = [b - a for a, b in zip(peer, ttc)]
print("  ttc - drawn peer RTT (ms): min %.2f max %.2f; corr %.4f; "
      "bob-charlie corr %.4f" % (min(over), max(over), corr(peer, ttc),
                                  corr(coord, bob)))
sys.exit(0 if len(okt) >= 11 and min(over) >= -0.4
         and corr(peer, ttc) >= 0.95 and corr(coord, bob) >= 0.95
         and all(b >= c - 0.4 for b, c in zip(bob, coord)) else 1)
PY

"$PL" run --results "$OUT/cond-replay" --cell drawn --trial 7 "$cini" \
	>"$OUT/cond-replay.log" 2>&1
rrid=$(rid_of "$OUT/cond-replay/conditions")
check "conditions: --cell drawn --trial 7 replays trial 7's draw" \
	/usr/bin/python3 - "$cdir/trials.jsonl" \
	"$OUT/cond-replay/conditions/$rrid/trials.jsonl" <<'PY'
import json, sys
first = [json.loads(l) for l in open(sys.argv[1])]
again = [json.loads(l) for l in open(sys.argv[2])]
t7 = [t for t in first if t["trial"] == 7][0]
sys.exit(0 if len(again) == 1 and again[0]["trial"] == 7
         and again[0]["cond"] == t7["cond"] else 1)
PY
cond_left() { nothing_left "$crid" && nothing_left "$rrid"; }
check "conditions: the runs left nothing" cond_left
