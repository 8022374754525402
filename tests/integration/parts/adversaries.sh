# adversaries: how a run plays adversary cells (docs/adversaries.md
# sections 2, 3, 6), checked in kernel state while the run is up and in
# its records after: mallory and victim exist during the run and are gone
# after it; the cells' own coordinators listen on charlie at 18500+i and
# the lying ones on mallory; every redirect trial's victim counters saw
# SYNs; a cell whose punch-adversary is missing fails the run at once,
# naming the program, and leaves nothing behind.
#
#   [alice]--[router A]--[inet]--[router B]--[bob]        x 8 cells
#                          |
#      [charlie :18444, :18500+i]  [mallory 192.0.2.66:18500+i]
#                 [victim 192.0.2.99:8333, counted]

# ADV_INI: another scenario with the same cells (a helper's check without
# the defences' flags)
adv_ini=${ADV_INI:-tests/integration/data/adversaries-spine.ini}
adv_name=$(basename "$adv_ini" .ini)
BIN=$(dirname "$PL")

# A bin folder without punch-adversary: the first adversary cell cannot
# start; the run ends with exit 1, the error names the program. punchlab
# finds its programs next to its own file, so that one is a copy.
mkdir -p "$OUT/adv-nobin"
for f in "$BIN"/*; do
	case "$(basename "$f")" in
	punch-adversary) ;;
	punchlab) cp "$f" "$OUT/adv-nobin/" ;;
	*) ln -s "$(readlink -f "$f")" "$OUT/adv-nobin/" ;;
	esac
done
"$OUT/adv-nobin/punchlab" run --results "$OUT/adv-missing" "$adv_ini" \
	>"$OUT/adv-missing.log" 2>&1
arc=$?
arid=$(rid_of "$OUT/adv-missing/$adv_name")
check "adversaries: a missing punch-adversary fails the run (exit $arc)" [ "$arc" -eq 1 ]
check "adversaries: the error names the program" \
	grep -q "cannot start .*/punch-adversary: No such file" "$OUT/adv-missing.log"
check "adversaries: the failed run leaves nothing (run $arid)" nothing_left "$arid"

if [ ! -x "$BIN/punch-adversary" ]; then
	skip "adversaries: no $BIN/punch-adversary (issue 13's program)"
else
	ad="$OUT/adv"
	$PL run --results "$ad" "$adv_ini" >"$OUT/adv.log" 2>&1 &
	apid=$!
	# Kernel state while the run is up: the namespaces (there for the
	# whole run), the victim's counter.
	: >"$OUT/adv-seen"
	while kill -0 "$apid" 2>/dev/null; do
		rid=$(rid_of "$ad/$adv_name")
		if [ -n "$rid" ]; then
			ls /run/netns 2>/dev/null | grep "^pl-$rid-\(mallory\|victim\)$" >>"$OUT/adv-seen"
			ip netns exec "pl-$rid-victim" nft list counter inet \
				"punchlab_${rid}_adv" victim_syn 2>/dev/null |
				grep -o "packets [0-9]*" | sed 's/^/victim_syn /' >>"$OUT/adv-seen"
		fi
		sleep 0.05
	done
	wait "$apid"
	arc=$?
	rid=$(rid_of "$ad/$adv_name")
	adir="$ad/$adv_name/$rid"
	check "adversaries: the spine run passes (exit $arc)" [ "$arc" -eq 0 ]
	check "adversaries: mallory and victim exist during the run" \
		sh -c "grep -qx 'pl-$rid-mallory' '$OUT/adv-seen' && grep -qx 'pl-$rid-victim' '$OUT/adv-seen'"
	check "adversaries: the victim's counter in the kernel counted SYNs" \
		sh -c "grep '^victim_syn packets' '$OUT/adv-seen' | awk '\$3 > 0 { n++ } END { exit !n }'"
	# The cells' own coordinators say where they listened and who
	# registered: the hijack and flood cells' agents, at 18503 and 18504.
	for i in 3 4; do
		check "adversaries: cell $i's agents registered at its own coordinator 192.0.2.1:1850$i" \
			sh -c "grep -q '\"event\":\"listening\",\"addr\":\"192.0.2.1:1850$i\"' '$adir/coordinator-$i.jsonl' &&
				[ \$(grep -c '\"event\":\"register\",\"key\":$((i + 1))00000[12],' '$adir/coordinator-$i.jsonl') -ge 4 ]"
	done
	check "adversaries: the lying coordinators were started on mallory at 18501, 18502" \
		sh -c "grep -q '^cell 1: punch-adversary --role redirect --victim 192.0.2.99:8333 --listen 192.0.2.66:18501 ' '$adir/adversary.cmdlines' &&
			grep -q '^cell 2: punch-adversary --role redirect --victim 192.0.2.99:8333 --listen 192.0.2.66:18502 ' '$adir/adversary.cmdlines'"
	check "adversaries: the flood cell's coordinator got its limits" \
		grep -q -- "^cell 4: punch-coordinator --listen 192.0.2.1:18504 --run-id $rid --max-clients 256 --per-addr-limit 16 --key-owner --log-rate 20" "$adir/adversary.cmdlines"
	check "adversaries: every trial recorded; redirect trials counted victim SYNs, wan-listen's carried data" \
		/usr/bin/python3 - "$adir/trials.jsonl" <<'PY'
import json, sys
ts = [json.loads(l) for l in open(sys.argv[1])]
by = {}
for t in ts:
    by.setdefault(t["cell"], []).append(t)
ok = len(ts) == 16 and all(len(v) == 2 for v in by.values())
ok = ok and all("adv" not in t for t in by["honest"])
per_syn = {}
for c in ("redirect-wan", "redirect-listen"):
    syns = nbytes = 0
    for t in by[c]:
        a = t["adv"]
        # a SYN is at least 40 bytes of IP and TCP header
        ok = ok and a["attack"] == "redirect" and a["victim_syns"] >= 1 \
            and a["victim_bytes"] >= 40 * a["victim_syns"]
        syns += a["victim_syns"]
        nbytes += a["victim_bytes"]
    per_syn[c] = nbytes / max(syns, 1)
# nothing listens at wan: SYNs only; the listener accepts, data follows
ok = ok and per_syn["redirect-listen"] > per_syn["redirect-wan"]
for t in by["hijack"]:
    ok = ok and {"played", "detected", "paired"} <= set(t["adv"])
for t in by["flood"]:
    ok = ok and "paired" in t["adv"] and "played" not in t["adv"]
sys.exit(0 if ok else 1)
PY
	check "adversaries: mallory, victim and everything else gone after the run" nothing_left "$rid"
fi
