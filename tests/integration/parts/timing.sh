# timing: every trial and cell carries the harness's timing, consistent
# with the agent's own stamps in the same record; the first SYNs are where
# the capture saw them; a cell past a tiny timing_error_max_ms is marked
# degraded in summary.json, report.md and junit.xml and one under a
# generous one is not; a per-trial RTT written to the shaper's board
# (--trial-rtt-ms) is the delay the trial's packets met.

"$PL" run --capture --trial-rtt-ms 20,200 --report \
	--junit "$OUT/timing-gen.xml" --results "$OUT/timing" \
	tests/integration/data/timing-generous.ini >"$OUT/timing-gen.log" 2>&1
check "timing: generous run exits 0" [ $? = 0 ]
trid=$(rid_of "$OUT/timing/timing-generous")
tdir="$OUT/timing/timing-generous/$trid"

check "timing: every trial carries its timing, consistent with syn_ns and t_punch_ns" \
	/usr/bin/python3 - "$tdir/trials.jsonl" <<'PY'
import json, sys
ts = [json.loads(l) for l in open(sys.argv[1])]
bad = []
for t in ts:
    first = {}
    for s in ("alice", "bob"):
        r = t[s]
        syn = r["syn_ns"][0]
        first[s] = syn
        if (r["t_first_syn_ns"] != syn or r["t_punch_ns"] < r["t_start_ns"]
                or abs(r["start_error_us"] - (syn - r["t_punch_ns"]) / 1e3)
                > 1e-3 or r["rt"] not in ("fifo", "unavailable", "demoted")):
            bad.append((t["trial"], s))
    gap = (first["bob"] - first["alice"]) / 1e3
    skew = int((t["bob"]["t_start_ns"] - t["alice"]["t_start_ns"]) / 1000)
    if (abs(t["first_syn_gap_us"] - gap) > 1e-3 or t["start_skew_us"] != skew
            or not t["shaper_packets"] or t["shaper_late_us_mean"] is None
            or t["shaper_late_us_max"] < t["shaper_late_us_mean"]):
        bad.append((t["trial"], "trial"))
if bad:
    print("    inconsistent: %s" % bad)
sys.exit(0 if len(ts) == 4 and not bad else 1)
PY
check "timing: the cell's percentiles come from its trials; not degraded at 60 s" \
	/usr/bin/python3 - "$tdir/summary.json" "$tdir/trials.jsonl" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
c = s["cells"][0]
ts = [json.loads(l) for l in open(sys.argv[2])]
se = [t[x]["start_error_us"] for t in ts for x in ("alice", "bob")]
gap = [abs(t["first_syn_gap_us"]) for t in ts]
keys = ["start_error_us_p50", "start_error_us_p90", "start_error_us_p99",
        "start_error_us_max"]
ok = (all(c[a] <= c[b] for a, b in zip(keys, keys[1:]))
      and abs(c["start_error_us_max"] - max(se)) < 1e-3
      and abs(c["first_syn_gap_us_max"] - max(gap)) < 1e-3
      and c["first_syn_gap_us_p50"] <= c["first_syn_gap_us_p90"]
      and c["shaper_late_us_mean"] is not None
      and c["shaper_late_us_max"] >= c["shaper_late_us_mean"]
      and c["timing_error_max_ms"] == 60000 and c["timing"] == "ok"
      and "timing_note" not in c and s["realtime"] is True)
sys.exit(0 if ok else 1)
PY
check "timing: run.json says realtime was asked for, and the agents got what it found" \
	/usr/bin/python3 - "$tdir/run.json" "$tdir/trials.jsonl" <<'PY'
import json, sys
rt = json.load(open(sys.argv[1]))["realtime"]
want = {"fifo", "demoted"} if rt["available"] else {"unavailable"}
got = {json.loads(l)[s]["rt"] for l in open(sys.argv[2])
       for s in ("alice", "bob")}
sys.exit(0 if rt["requested"] is True and got <= want else 1)
PY
# The capture's clock is CLOCK_REALTIME, mapped by run.json's offset; a
# SYN must leave after the agent stamped it (1 ms allowed for the
# mapping) and before its connection was established.
check "timing: each recorded first SYN is in the capture, after syn_ns and before established" \
	/usr/bin/python3 - "$tdir" <<'PY'
import json, subprocess, sys
out = subprocess.run(["/usr/bin/python3", "tools/syn-wire.py", sys.argv[1],
                      "--json"], capture_output=True, text=True)
d = json.loads(out.stdout)
sides = d["sides"]
ok = (len(sides) == 8 and d["unmatched"] == 0 and all(
    s["syn_ns"] - 1000000 <= s["wire_ns"] <= s["t_established_ns"]
    for s in sides))
diffs = sorted(s["wire_minus_syn_us"] for s in sides)
print("    wire - syn_ns: %s us" % ", ".join("%.0f" % x for x in diffs))
sys.exit(0 if ok else 1)
PY
# RTT is a floor for time to connect: a trial at 200 ms cannot connect
# sooner, and one at 20 ms that took 200 ms did not get its 20 ms.
check "timing: a per-trial RTT on the board is the trial's (trials 1, 3: >= 200 ms; 0, 2: < 200 ms)" \
	/usr/bin/python3 - "$tdir/trials.jsonl" <<'PY'
import json, sys
ts = {t["trial"]: t for t in map(json.loads, open(sys.argv[1]))}
ok = all(ts[i]["outcome"] == "ok" and ts[i]["trial_rtt_ms"] == (
    200 if i % 2 else 20) for i in range(4))
ok = ok and all(ts[i]["ttc_ms"] >= 200 and ts[i]["handshake_ms"] >= 200
                for i in (1, 3))
ok = ok and all(ts[i]["ttc_ms"] < 200 for i in (0, 2))
sys.exit(0 if ok else 1)
PY
check "timing: generous cell is plain in junit.xml and report.md" \
	sh -c "grep -q '<testcase name=\"generous\"' '$OUT/timing-gen.xml' &&
	grep -q 'name=\"timing\" value=\"ok\"' '$OUT/timing-gen.xml' &&
	grep -q '^## Harness timing' '$tdir/report.md' &&
	! grep -q 'timing degraded' '$tdir/report.md'"
check "timing: generous run leaves nothing behind" nothing_left "$trid"

"$PL" run --report --junit "$OUT/timing-tiny.xml" --results "$OUT/timing" \
	tests/integration/data/timing-tiny.ini >"$OUT/timing-tiny.log" 2>&1
check "timing: degraded cell keeps its verdict (exit 0)" [ $? = 0 ]
ttid=$(rid_of "$OUT/timing/timing-tiny")
tydir="$OUT/timing/timing-tiny/$ttid"
check "timing: 1 us threshold, realtime off: degraded in summary.json, with why" \
	/usr/bin/python3 - "$tydir/summary.json" "$tydir/trials.jsonl" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
c = s["cells"][0]
rts = {json.loads(l)[x]["rt"] for l in open(sys.argv[2])
       for x in ("alice", "bob")}
sys.exit(0 if c["timing"] == "degraded" and c["verdict"] == "pass"
         and "not the NAT's" in c["timing_note"]
         and s["realtime"] is False and rts == {"off"} else 1)
PY
check "timing: degraded in report.md (row mark, column, section)" \
	sh -c "grep -q '^| tiny ⚠ timing degraded |.*| \*\*degraded\*\* |' '$tydir/report.md' &&
	grep -q 'Degraded here:' '$tydir/report.md' &&
	[ -s '$tydir/timing-cdf.png' ]"
check "timing: degraded in junit.xml (name, property, system-out)" \
	sh -c "grep -q '<testcase name=\"tiny \[timing degraded\]\"' '$OUT/timing-tiny.xml' &&
	grep -q 'name=\"timing\" value=\"degraded\"' '$OUT/timing-tiny.xml' &&
	grep -q 'timing degraded: ' '$OUT/timing-tiny.xml'"
check "timing: the run's table line says degraded" \
	grep -q '\[timing degraded\]  expect >= 0.5 *PASS$' "$OUT/timing-tiny.log"
check "timing: tiny run leaves nothing behind" nothing_left "$ttid"
