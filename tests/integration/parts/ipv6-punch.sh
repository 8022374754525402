# ipv6-punch: the trial engine punching over IPv6 in a dual-stack world
# (cell key family = 6): homes behind address+port-dependent IPv6 filters
# (mikrotik-defconf), 40 ms RTT between them, connect and listen-connect,
# through charlie's coordinator on [2001:db8::1]:18444 (its --listen6).
# Evidence: the coordinator's listening event, the agents' IPv6
# endpoints, their RTT to charlie (the link conditions shape IPv6 too),
# and each router's conntrack as the run left it (--capture snapshots):
# an IPv6 TCP entry between the two hosts' punch ports per ok trial.

"$PL" run --capture --results "$OUT/ipv6-punch" \
	tests/integration/data/ipv6-punch.ini >"$OUT/ipv6-punch.log" 2>&1
check "ipv6-punch: connect, listen-connect and an outside puncher over IPv6 within expectation (>= 19/20 each at 40 ms RTT)" \
	[ $? = 0 ]
i6rid=$(rid_of "$OUT/ipv6-punch/ipv6-punch")
i6dir="$OUT/ipv6-punch/ipv6-punch/$i6rid"

check "ipv6-punch: charlie's coordinator listened on [2001:db8::1]:18444 beside 192.0.2.1:18444" \
	grep -q '"event":"listening","addr":"192.0.2.1:18444".*"addr6":"\[2001:db8::1\]:18444"' \
	"$i6dir/coordinator.jsonl"

check "ipv6-punch: every trial punched between the homes' IPv6 addresses, 20 ms from charlie (rtt/2)" \
	/usr/bin/python3 - "$i6dir/trials.jsonl" <<'PY'
import json, sys
cells = {"v6-connect": 0, "v6-listen-connect": 1}
ts = [t for t in map(json.loads, open(sys.argv[1])) if t["cell"] in cells]
good = 0
for t in ts:
    i = cells[t["cell"]]
    a, b = t["alice"], t["bob"]
    ea = "[2001:db8:1:%x::2]:%d" % (i, a["local_port"]) if i else \
        "[2001:db8:1::2]:%d" % a["local_port"]
    eb = "[2001:db8:2:%x::2]:%d" % (i, b["local_port"]) if i else \
        "[2001:db8:2::2]:%d" % b["local_port"]
    if (t["params"].get("family") == "6" and t["outcome"] == "ok" and
            a["public"] == ea and a["peer"] == eb and b["peer"] == ea and
            a["rtt_coord_us"] >= 15000 and b["rtt_coord_us"] >= 15000):
        good += 1
sys.exit(0 if len(ts) == 40 and good >= 38 else 1)
PY

check "ipv6-punch: both routers' conntrack holds an IPv6 entry between the punch ports of each ok trial" \
	/usr/bin/python3 - "$i6dir/trials.jsonl" "$i6dir/snapshots/pl-$i6rid" <<'PY'
import json, sys
cells = {"v6-connect": 0, "v6-listen-connect": 1}
ts = [t for t in map(json.loads, open(sys.argv[1])) if t["cell"] in cells]
snap = sys.argv[2]

def entries(cell, r):
    return [json.loads(l) for l in open("%s-c%d-r%s.conntrack.jsonl"
                                         % (snap, cell, r))]

ok = 0
for t in ts:
    if t["outcome"] != "ok":
        continue
    i = cells[t["cell"]]
    pa, pb = t["alice"]["local_port"], t["bob"]["local_port"]
    seen = 0
    for r in "ab":
        for e in entries(i, r):
            o = e["orig"]
            if (e["family"] == "ipv6" and e["proto"] == "tcp" and
                    "ASSURED" in e["status"] and
                    {(o["sport"], o["dport"])} <= {(pa, pb), (pb, pa)} and
                    o["src"].startswith("2001:db8:") and
                    o["dst"].startswith("2001:db8:") and
                    "2001:db8::1" not in (o["src"], o["dst"])):
                seen += 1
                break
    ok += seen == 2
sys.exit(0 if ok >= 38 else 1)
PY
check "ipv6-punch: the outside puncher's trials were verified by both routers' conntrack" \
	/usr/bin/python3 - "$i6dir/trials.jsonl" <<'PY'
import json, sys
ts = [t for t in map(json.loads, open(sys.argv[1]))
      if t["cell"] == "v6-puncher"]
v = [t for t in ts if t["outcome"] == "ok" and
     t["alice"].get("verified") == t["bob"].get("verified") == "conntrack"
     and t["alice"]["peer"].startswith("[2001:db8:2:2::2]:")]
sys.exit(0 if len(ts) == 20 and len(v) >= 19 else 1)
PY
check "ipv6-punch: nothing of the run is left" nothing_left "$i6rid"
