# estimate: `punchlab estimate` on a real two-profile matrix gives, to the
# digit, what the run's own summary.json says a population of home-eim and
# symmetric homes should see; unmeasured pairs are bounded and named; a
# bad population exits 2 naming file, line and key.

"$PL" run --results "$OUT/est" tests/integration/data/estimate.ini \
	>"$OUT/est.log" 2>&1
erid=$(rid_of "$OUT/est/estimate")
edir="$OUT/est/estimate/$erid"
cat >"$OUT/est-pop.csv" <<'CSV'
# source: [t] the integration test
# sample_size: 1000
profile,share,source
home-eim,0.75,t
symmetric,0.25,t
CSV
"$PL" estimate "$OUT/est-pop.csv" "$edir" --json >"$OUT/est.json" \
	2>"$OUT/est.err"
check "estimate: exits 0 on the run (run $erid)" [ $? = 0 ]
check "estimate: point = sum of share_a share_b k/n from summary.json, coverage 1, interval around it" \
	/usr/bin/python3 - "$edir/summary.json" "$OUT/est.json" <<'PY'
import json, sys
cells = json.load(open(sys.argv[1]))["cells"]
w = {"home-eim": 0.75, "symmetric": 0.25}
want = sum(w[c["a"]] * w[c["b"]] * c["successes"] / c["trials"]
           for c in cells)
est = json.load(open(sys.argv[2]))["estimates"]
e = [e for e in est if e["strategy"] == "connect"]
ok = (len(cells) == 4 and len(e) == 1 and
      abs(e[0]["point"] - want) < 1e-6 and e[0]["coverage"] == 1.0 and
      e[0]["interval"][0] <= want <= e[0]["interval"][1])
print("estimate %s, from summary.json %.6f" % (e and e[0]["point"], want))
sys.exit(0 if ok else 1)
PY
check "estimate: the failure list carries the run's own k/n per order" \
	/usr/bin/python3 - "$edir/summary.json" "$OUT/est.json" <<'PY'
import json, sys
kn = {(c["a"], c["b"]): [c["successes"], c["trials"]]
      for c in json.load(open(sys.argv[1]))["cells"]}
e = json.load(open(sys.argv[2]))["estimates"][0]
seen = {(o["a"], o["b"]): [o["k"], o["n"]]
        for f in e["top_failures"] for o in f["orders"]}
sys.exit(0 if seen == kn else 1)
PY

# A third profile the run never measured: bounded by 0..1, named, and
# refused with --strict.
cat >"$OUT/est-pop3.csv" <<'CSV'
# source: [t] the integration test
profile,count,source
home-eim,6,t
symmetric,2,t
full-cone,2,t
CSV
"$PL" estimate "$OUT/est-pop3.csv" "$edir" --json >"$OUT/est3.json" 2>&1
check "estimate: unmeasured full-cone pairs named, coverage 0.64, bounds 0.36 apart" \
	/usr/bin/python3 - "$OUT/est3.json" <<'PY'
import json, sys
e = json.load(open(sys.argv[1]))["estimates"][0]
lo, hi = e["point_bounds"]
sys.exit(0 if len(e["unmeasured"]) == 5 and
         abs(e["coverage"] - 0.64) < 1e-9 and abs(hi - lo - 0.36) < 1e-9
         and all("full-cone" in p for p in e["unmeasured"]) else 1)
PY
"$PL" estimate --strict "$OUT/est-pop3.csv" "$edir" >/dev/null 2>&1
check "estimate: --strict refuses unmeasured pairs (exit 1)" [ $? = 1 ]

printf '# source: [t] x\n# sample_size: 5\nprofile,share,source\nhome-eim,0.5,t\nno-such-nat,0.5,t\n' \
	>"$OUT/est-bad.csv"
"$PL" estimate "$OUT/est-bad.csv" "$edir" >/dev/null 2>"$OUT/est-bad.err"
check "estimate: unknown profile exits 2" [ $? = 2 ]
check "estimate: the error names file, line and key" \
	grep -q "est-bad.csv:5: profile: no NAT profile 'no-such-nat'" \
	"$OUT/est-bad.err"
