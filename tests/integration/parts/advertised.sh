# advertised: bob holds a light connection to charlie under the trial's
# key, alice seeks it and is punched to him (scenarios/advertised.ini).
# Evidence: charlie's events (a hold, then a seek on that same connection,
# which charlie drops only when bob's agent leaves), the trials (alice the
# initiator, registered after bob), and router b's conntrack as the
# trials left it (--capture): the light connection and the punched one
# leave bob's punch port through one public port, the one charlie saw.

"$PL" run --capture --results "$OUT/adv" scenarios/advertised.ini \
	>"$OUT/adv.log" 2>&1
check "advertised: every cell within its expectation" [ $? = 0 ]
arid=$(rid_of "$OUT/adv/advertised")
adir="$OUT/adv/advertised/$arid"

check "advertised: each seek punched to a held connection that stayed open through it (hold, seek, then bob's own eof)" \
	/usr/bin/python3 - "$adir/coordinator.jsonl" <<'PY'
import json, sys
evs = [json.loads(l) for l in open(sys.argv[1])]
held, seeks, bad = {}, 0, []
for i, e in enumerate(evs):
    if e["event"] == "hold":
        held[e["peer"]] = {"key": e["key"], "at": i, "punches": 0, "open": True}
    elif e["event"] == "seek":
        h = held.get(e["responder"])
        if not h or not h["open"] or h["key"] != e["key"]:
            bad.append(("seek on no open hold", e))
            continue
        h["punches"] += 1
        seeks += 1
        if e["holder_punches"] != h["punches"]:
            bad.append(("punch count", e))
    elif e["event"] in ("drop", "reject") and e["peer"] in held:
        h = held[e["peer"]]
        if h["open"] and e["event"] == "drop":
            h["open"] = False
            # punched holders leave on their own: eof after the seek
            if h["punches"] and e["reason"] != "eof":
                bad.append(("holder dropped by charlie", e))
# eim, full-cone and full-cone-both: one seek per trial; symmetric too
# (the match happens, the punch cannot)
print("  holds %d, seeks %d, problems %s" % (len(held), seeks, bad[:3]))
sys.exit(0 if seeks == 80 and len(held) == 80 and not bad else 1)
PY

check "advertised: alice seeks (initiator) after bob holds (responder), both report mode advertised" \
	/usr/bin/python3 - "$adir/trials.jsonl" <<'PY'
import json, sys
ts = [json.loads(l) for l in open(sys.argv[1])]
good = [t for t in ts
        if t["alice"]["mode"] == "advertised" and t["bob"]["mode"] == "advertised"
        and t["alice"]["role"] == "initiator" and t["bob"]["role"] == "responder"
        and t["bob"]["t_register_ns"] < t["alice"]["t_register_ns"]
        and t["alice"]["nonce"] == t["bob"]["nonce"]]
sys.exit(0 if len(ts) == 80 and len(good) == 80 else 1)
PY

check "advertised: router b holds bob's light connection and the punch from one public port (eim cell)" \
	/usr/bin/python3 - "$adir/trials.jsonl" \
	"$adir/snapshots/pl-$arid-c0-rb.conntrack.jsonl" <<'PY'
import json, sys
ts = [json.loads(l) for l in open(sys.argv[1])
      if json.loads(l)["cell"] == "eim"]
ct = [json.loads(l) for l in open(sys.argv[2])]
def entries(dst, dport):
    return [c for c in ct if c["proto"] == "tcp"
            and c["orig"]["dst"] == dst and c["orig"]["dport"] == dport
            and "ASSURED" in c["status"]]
ok = 0
for t in ts:
    if t["outcome"] != "ok":
        continue
    lport = t["bob"]["local_port"]
    pub_port = int(t["bob"]["public"].split(":")[1])
    aip, aport = t["alice"]["public"].split(":")
    light = [c for c in entries("192.0.2.1", 18444)
             if c["orig"]["sport"] == lport]
    punch = [c for c in entries(aip, int(aport))
             if c["orig"]["sport"] == lport]
    if light and punch and all(c["reply"]["dport"] == pub_port
                               for c in light + punch):
        ok += 1
print("  eim trials with both entries on one public port: %d of %d" % (ok, len(ts)))
sys.exit(0 if ok == len(ts) == 20 else 1)
PY
check "advertised: run leaves nothing behind" nothing_left "$arid"
