# network-eclipse: the eclipse attack at CI size
# (scenarios/network-eclipse-ci.ini, docs/adversaries.md section 7): 30
# homes, 10 reachable, 3 coordinators of which r0 lies, r7..r9 are the
# attacker's; rendezvous, handoff and advertised, each with the sybil
# mitigation on, then off.
#
#   [h<i>] -- [h<i>r: NAT] --+
#                             [inet] -- [r0: liar] [r1 r2] [r3..r6] [r7..r9: attacker]
#
# Evidence: the routers' conntrack after each phase (--capture). A
# punched flow leaves the host from the port of its coordinator session
# (sport of a flow to :18445), so the kernel alone says which coordinator
# introduced each punched peer. And the coordinators' own match events.

ecl_plan=$("$PL" plan scenarios/network-eclipse-ci.ini)
check "network-eclipse: plan marks r0 the liar, r7..r9 the attacker's, 6 phases" \
	[ "$(grep -c ' coordinator :18445 lies$' <<<"$ecl_plan")" = 1 -a \
	  "$(grep -c '^node [789] reachable .* attacker$' <<<"$ecl_plan")" = 3 -a \
	  "$(grep -c '^phase \(rendezvous\|handoff\|advertised\)-\(un\)\?mitigated ' <<<"$ecl_plan")" = 6 ]

printf '[network]\nhomes = 10\nadversary = eclipse\nmodes = off\n' \
	>"$OUT/eclipse-bad.ini"
"$PL" plan "$OUT/eclipse-bad.ini" >/dev/null 2>"$OUT/eclipse-bad.err"
ecl_bad=$?
check "network-eclipse: eclipse without a punching mode exits 2 naming file, line and key" \
	sh -c "[ $ecl_bad = 2 ] && grep -q 'eclipse-bad.ini:4: key .modes.: .*needs a mode that punches' '$OUT/eclipse-bad.err'"
# No modes key: the default modes punch, so the eclipse plans (7 phases).
printf '[network]\nhomes = 10\nreachable = 4\nadversary = eclipse\n' \
	>"$OUT/eclipse-default.ini"
ecl_def=$("$PL" plan "$OUT/eclipse-default.ini" 2>"$OUT/eclipse-default.err")
check "network-eclipse: eclipse without a modes key plans every mode (7 phases)" \
	[ "$(grep -c '^phase ' <<<"$ecl_def")" = 7 ]

if [ ! -x "$(dirname "$PL")/punch-net" ]; then
	skip "network-eclipse: $(dirname "$PL")/punch-net is not built"
else
	"$PL" run --capture --results "$OUT/eclipse" scenarios/network-eclipse-ci.ini \
		>"$OUT/eclipse.log" 2>&1
	erc=$?
	erid=$(rid_of "$OUT/eclipse/network-eclipse-ci")
	edir="$OUT/eclipse/network-eclipse-ci/$erid"
	check "network-eclipse: the run exits 0 ($erc)" [ "$erc" = 0 ]
	# Per home router: punched flows (host 10.0.0.2 to a WAN address at
	# neither 18444 nor 18445, source-NATed and answered) grouped by the
	# coordinator whose session left from the same port; each phase's
	# flows are those new since the snapshot of the phase before. Through
	# the liar: only attacker addresses. Mitigated rendezvous and
	# handoff: at most one per (home, coordinator) (an advertised holder
	# is punched by many seekers from one port). Unmitigated rendezvous:
	# some home has two or more through the liar.
	check "network-eclipse: conntrack: the liar's punched peers are all attacker nodes; the mitigation holds one per coordinator" \
		/usr/bin/python3 - "$edir" <<'PY'
import json, sys
d = sys.argv[1]
doc = json.load(open(d + "/nodes.json"))
nodes = doc["nodes"]
liar = {n["addr"] for n in nodes if n.get("coordinator", {}).get("lies")}
coords = {n["addr"] for n in nodes if n.get("coordinator")}
att = {n["addr"] for n in nodes if n.get("attacker")}
homes = [n for n in nodes if n["kind"] == "home"]
def flows(phase, router):
    es = [json.loads(l) for l in open("%s/snapshots/%s/%s.conntrack.jsonl"
                                      % (d, phase, router))]
    return [e for e in es if e.get("proto") == "tcp"
            and e["orig"]["src"] == "10.0.0.2"]
def punched(es):
    via = {e["orig"]["sport"]: e["orig"]["dst"] for e in es
           if e["orig"]["dport"] == 18445 and e["orig"]["dst"] in coords}
    out = {}
    for e in es:
        o = e["orig"]
        if (o["dport"] not in (18444, 18445) and o["sport"] in via
                and {"SRC_NAT", "SEEN_REPLY"} <= set(e["status"])):
            out.setdefault(via[o["sport"]], set()).add(o["dst"])
    return out
key = lambda e: (e["orig"]["sport"], e["orig"]["dst"], e["orig"]["dport"])
bad, liar_peers, per_coord, two = [], {}, 0, 0
for h in homes:
    seen = set()
    for ph in doc["phases"]:
        es = [e for e in flows(ph["name"], h["router_netns"])
              if key(e) not in seen]
        seen |= {key(e) for e in es}
        p = punched(es)
        for c, peers in p.items():
            if c in liar and not peers <= att:
                bad.append((h["netns"], ph["name"], sorted(peers - att)))
            if c in liar:
                liar_peers[ph["name"]] = liar_peers.get(ph["name"], 0) + len(peers)
        # (advertised: a holder is punched by many seekers, the
        # attacker's among them, from one port: not counted here)
        if ph["sybil_mitigation"] and ph["mode"] != "advertised":
            per_coord = max([per_coord] + [len(v) for v in p.values()])
        elif ph["name"] == "rendezvous-unmitigated":
            two += sum(1 for c, v in p.items() if c in liar and len(v) >= 2)
print("punched peers through the liar:", liar_peers, "non-attacker:", bad[:3],
      "mitigated max per coordinator:", per_coord,
      "unmitigated homes with >= 2 through the liar:", two, file=sys.stderr)
sys.exit(0 if not bad and len(liar_peers) == 6 and min(liar_peers.values()) >= 5
         and per_coord == 1 and two >= 1 else 1)
PY
	# The liar's own events: each match (rendezvous) or handoff pairs one
	# attacker address with one home router's, each seek (advertised) of
	# an honest node goes to an attacker's holder; an honest coordinator
	# never pairs an attacker but as a seeker (the attacker's nodes pick
	# advertised entries too).
	check "network-eclipse: the liar paired only attacker and home, honest coordinators no attacker" \
		/usr/bin/python3 - "$edir" <<'PY'
import glob, json, sys
d = sys.argv[1]
nodes = json.load(open(d + "/nodes.json"))["nodes"]
att = {n["addr"] for n in nodes if n.get("attacker")}
ok, liar_pairs = True, {}
for f in glob.glob(d + "/coord-r*-*.jsonl"):
    r = int(f.split("coord-r")[1].split("-")[0])
    lies = bool(nodes[r].get("coordinator", {}).get("lies"))
    for e in (json.loads(l) for l in open(f)):
        if e.get("event") not in ("match", "handoff", "seek"):
            continue
        ini, rsp = [e[k].split(":")[0] in att for k in ("initiator", "responder")]
        if e["event"] == "seek":
            ok &= rsp if lies and not ini else not rsp or lies
        else:
            ok &= ini + rsp == (1 if lies else 0)
        if lies:
            liar_pairs[e["event"]] = liar_pairs.get(e["event"], 0) + 1
print("liar pairings:", liar_pairs, file=sys.stderr)
sys.exit(0 if ok and min(liar_pairs.get(k, 0) for k in ("match", "handoff", "seek")) >= 10 else 1)
PY
	check "network-eclipse: network.json: mitigated, no victim has two attacker punched peers" \
		/usr/bin/python3 - "$edir/network.json" <<'PY'
import json, sys
p = json.load(open(sys.argv[1]))["phases"]
m, u = p["rendezvous-mitigated"]["eclipse"], p["rendezvous-unmitigated"]["eclipse"]
sys.exit(0 if m["attacker_punched_per_victim"]["max"] == 1 and m["victims"] > 0
         and u["attacker_punched_per_victim"]["max"] >= 2 else 1)
PY
	check "network-eclipse: nothing of run $erid is left" nothing_left "$erid"
fi
