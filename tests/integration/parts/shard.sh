# shard: `punchlab run --shard I/N` on three "machines" (three runs at
# once here) and `punchlab merge` of their folders give what one
# unsharded run gives: the same cells in the same order, trial counts,
# successes, failures and verdicts, and every trial the same seed and
# drawn conditions. Merging two of the three shards, a shard twice,
# mixed scenarios or seeds, or a trial whose draw was altered is refused
# with exit 2 naming what is wrong; the comparison itself fails on a
# verdict changed by hand.
#
#   [alice]--[router A]--[inet]--[router B]--[bob]   x 5 cells (data/shard.ini)
#                          |                          shard 0: cells 0,3
#                      [charlie]                      shard 1: cells 1,4; shard 2: cell 2

SHI=tests/integration/data/shard.ini
"$PL" run --results "$OUT/shu" "$SHI" >"$OUT/shu.log" 2>&1
check "shard: the unsharded run exits 0" [ $? = 0 ]
shu="$OUT/shu/shard/$(rid_of "$OUT/shu/shard")"
for i in 0 1 2; do
	("$PL" run --shard $i/3 --results "$OUT/sh$i" "$SHI" \
		>"$OUT/sh$i.log" 2>&1; echo $? >"$OUT/sh$i.rc") &
done
wait
shd=()
for i in 0 1 2; do
	check "shard: shard $i/3 exits 0" [ "$(cat "$OUT/sh$i.rc")" = 0 ]
	shd[i]="$OUT/sh$i/shard/$(rid_of "$OUT/sh$i/shard")"
	check "shard: shard $i/3 left nothing of run $(basename "${shd[$i]}")" \
		nothing_left "$(basename "${shd[$i]}")"
done
check "shard: each shard holds cells i, i+3 in file order, and says so" \
	/usr/bin/python3 - "${shd[@]}" <<'PY'
import json, sys
want = [["eim-eim", "adm-sym"], ["symseq-eim", "sym-sym"], ["eim-open-drawn"]]
for i, d in enumerate(sys.argv[1:]):
    s = json.load(open(d + "/summary.json"))
    got = [c["cell"] for c in s["cells"]]
    if got != want[i] or s["shard"] != {"index": i, "count": 3}:
        print("shard %d: cells %s, mark %s" % (i, got, s.get("shard")))
        sys.exit(1)
PY

"$PL" merge --results "$OUT/shm" "${shd[@]}" >"$OUT/shm.log" 2>&1
check "shard: merge of the three exits 0 (every cell inside)" [ $? = 0 ]
shm="$OUT/shm/shard/$(rid_of "$OUT/shm/shard")"
check "shard: merged == unsharded: cells, order, counts, failures, verdicts, every trial's seed, outcome and draw" \
	/usr/bin/python3 tests/integration/shardcmp.py "$shu" "$shm" 3
check "shard: every merged cell's summary equals its shard's own, field for field (timing, draws, NAT counters)" \
	/usr/bin/python3 - "$shm" "${shd[@]}" <<'PY'
import json, sys
mine = {}
for d in sys.argv[2:]:
    for c in json.load(open(d + "/summary.json"))["cells"]:
        mine[c["cell"]] = c
merged = json.load(open(sys.argv[1] + "/summary.json"))["cells"]
bad = [(c["cell"], k) for c in merged for k in set(c) | set(mine[c["cell"]])
       if c.get(k) != mine[c["cell"]].get(k)]
print("differ:", bad[:5])
sys.exit(1 if bad or len(merged) != len(mine) else 0)
PY
cp -r "$shm" "$OUT/shm-flip"
/usr/bin/python3 - "$OUT/shm-flip/summary.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
s["cells"][1]["verdict"] = "fail"
json.dump(s, open(sys.argv[1], "w"))
PY
check "shard: the comparison fails on a verdict changed by hand" \
	sh -c "! /usr/bin/python3 tests/integration/shardcmp.py '$shu' '$OUT/shm-flip' >/dev/null"

# What merge must refuse, each with exit 2 and the reason.
merge_refuses() { # WHAT PATTERN DIR...
	local what=$1 pat=$2 rc
	shift 2
	"$PL" merge --results "$OUT/shx" "$@" >"$OUT/shx.log" 2>&1
	rc=$?
	check "shard: merge refuses $what (exit 2: $pat)" \
		[ $rc = 2 -a -n "$(grep -- "$pat" "$OUT/shx.log")" ]
}
merge_refuses "a dropped shard" "cells missing: eim-open-drawn; shard 2/3 not given" \
	"${shd[0]}" "${shd[1]}"
merge_refuses "a shard given twice" "shard 1/3 given twice" \
	"${shd[0]}" "${shd[1]}" "${shd[1]}" "${shd[2]}"
merge_refuses "an unsharded run with shards" "mixed shardings" \
	"$shu" "${shd[0]}"
for k in scenario seed draw; do
	cp -r "${shd[2]}" "$OUT/sh-$k"
done
/usr/bin/python3 - "$OUT" <<'PY'
import json, sys
out = sys.argv[1]
p = out + "/sh-scenario/summary.json"
s = json.load(open(p)); s["scenario"] = "other"; json.dump(s, open(p, "w"))
p = out + "/sh-seed/summary.json"
s = json.load(open(p)); s["seed"] = 8; json.dump(s, open(p, "w"))
p = out + "/sh-draw/trials.jsonl"
ts = [json.loads(l) for l in open(p)]
ts[1]["cond"]["access_a_ms"] += 0.5
open(p, "w").write("".join(json.dumps(t) + "\n" for t in ts))
PY
merge_refuses "mixed scenarios" "mixed scenarios: .*'shard'.*'other'" \
	"${shd[0]}" "${shd[1]}" "$OUT/sh-scenario"
merge_refuses "mixed seeds" "mixed seeds" \
	"${shd[0]}" "${shd[1]}" "$OUT/sh-seed"
merge_refuses "a trial whose draw is not the seed's" \
	"of cell 'eim-open-drawn' drew other conditions" \
	"${shd[0]}" "${shd[1]}" "$OUT/sh-draw"
"$PL" run --shard 3/3 "$SHI" >"$OUT/shx.log" 2>&1
check "shard: --shard 3/3 is bad input (exit 2)" [ $? = 2 ]
"$PL" run --shard 5/6 --results "$OUT/sh-empty" "$SHI" >"$OUT/shx.log" 2>&1
check "shard: shard 5/6 of five cells skips (exit 4) and writes nothing" \
	[ $? = 4 -a ! -e "$OUT/sh-empty" ]
check "shard: the unsharded run left nothing" nothing_left "$(basename "$shu")"
