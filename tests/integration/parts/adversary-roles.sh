# adversary-roles: punch-adversary's lying coordinator and hijacker,
# driven by hand in an eim-vs-eim world (docs/adversaries.md, sections 2
# and 3; the scenario wiring runs them in mallory later). Here mallory is
# charlie's namespace on other ports:
#
#   [alice 10.0.1.2]--[ra 198.51.100.1]--[inet]--[rb 203.0.113.1]--[bob 10.0.2.2]
#                                          |
#                         [charlie 192.0.2.1: coordinator :18444,
#                          punch-adversary :18600-18604, victim :18699]
#
# Evidence: an nft counter in charlie for the victim endpoint nobody
# listens on (redirect), the agents' own reports, the routers' conntrack
# tables (impersonate, withhold, delay) and the adversary's events.

ADV=${PUNCHLAB_BIN_DIR:-build/bin}/punch-adversary
AGENT=${PUNCHLAB_BIN_DIR:-build/bin}/punch-agent
AO=$OUT/advroles
mkdir -p "$AO"

# A hard RLIMIT_NOFILE below flood's spare descriptors: the role says so
# and exits 1 with no socket opened (it took rlim - spare, a size_t that
# wrapped, and crashed). In a network namespace of its own, with only a
# loopback that is down, so nothing could leave even if it tried.
unshare -n sh -c 'ulimit -n 20; exec "$0" --role flood \
	--target 192.0.2.1:9 --count 10 --duration-ms 1000' "$ADV" \
	>"$AO/flood-nofile.events" 2>"$AO/flood-nofile.err"
frc=$?
check "adversary roles: flood under a hard limit of 20 fds exits 1 naming RLIMIT_NOFILE, no connection ($frc)" \
	sh -c "[ $frc = 1 ] && grep -q 'RLIMIT_NOFILE' '$AO/flood-nofile.err' &&
	       grep -q '\"open\":0,.*\"refused\":0,' '$AO/flood-nofile.events'"
# A role's usage error (exit 2) leaves no events file behind: the file
# did not exist before, and nothing happened to record.
"$ADV" --role flood --events "$AO/usage.events" --target 192.0.2.1:9 \
	--count 0 2>"$AO/usage.err"
urc=$?
check "adversary roles: a bad role option exits 2 and creates no events file ($urc)" \
	sh -c "[ $urc = 2 ] && [ ! -e '$AO/usage.events' ] && grep -q 'count' '$AO/usage.err'"
"$PL" up scenarios/eim-vs-eim.ini >"$AO/up" 2>&1
vrid=$(sed -n 's/^run \([0-9a-f]\{6\}\) is up.*/\1/p' "$AO/up")

# adv_start TAG ROLE-ARGS...: punch-adversary in charlie, its events in
# $AO/TAG.events; waits for its ready event.
adv_start() {
	local tag=$1 i
	shift
	ip netns exec "pl-$vrid-charlie" "$ADV" --run-id "$vrid" \
		--events "$AO/$tag.events" --duration-ms 60000 "$@" \
		2>"$AO/$tag.err" &
	eval "advpid_$tag=$!"
	for i in $(seq 50); do
		grep -q '"ready"' "$AO/$tag.events" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}
adv_stop() {
	local pid
	eval "pid=\${advpid_$1:-}"
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid"
}
# agent TAG SIDE COORD KEY LOCAL-PORT [OPTS]: one agent in alice's or
# bob's namespace, its report in $AO/TAG-SIDE.json. Run it with & : the
# job's pid is then the agent's own (exec).
agent() {
	local tag=$1 side=$2 coord=$3 key=$4 lport=$5
	shift 5
	exec ip netns exec "pl-$vrid-c0-$side" "$AGENT" --coordinator "$coord" \
		--key "$key" --local-port "$lport" --name "$vrid-$tag-$side" \
		--timeout-ms 5000 "$@" >"$AO/$tag-$side.json" 2>"$AO/$tag-$side.err"
}
conntrack_of() { ip netns exec "pl-$vrid-c0-$1" cat /proc/net/nf_conntrack; }

if [ -z "$vrid" ]; then
	bad "punchlab up (adversary roles): $(tail -n1 "$AO/up")"
else
	C=pl-$vrid-charlie
	ip netns exec "$C" nft -f - <<NFT
table inet punchlab_${vrid}_adv {
	counter victim_syn {}
	counter victim_bytes {}
	counter victim_syn_homes {}
	chain in {
		type filter hook input priority 0;
		ip daddr 192.0.2.1 tcp dport 18699 tcp flags & (syn | ack) == syn counter name victim_syn
		ip daddr 192.0.2.1 tcp dport 18699 counter name victim_bytes
		ip saddr { 198.51.100.1, 203.0.113.1 } ip daddr 192.0.2.1 tcp dport 18699 tcp flags & (syn | ack) == syn counter name victim_syn_homes
	}
}
NFT
	# Four lying coordinators at once: each pair of agents has its own
	# key, ports and adversary, so nothing is shared but the clock.
	adv_start redirect --role redirect --listen 192.0.2.1:18600 \
		--victim 192.0.2.1:18699 &&
	adv_start withhold --role withhold --listen 192.0.2.1:18602 &&
	adv_start delay2s --role delay --listen 192.0.2.1:18603 --delay-ms 2000 &&
	adv_start delaymax --role delay --listen 192.0.2.1:18604
	check "adversary roles: four lying coordinators ready" [ $? = 0 ]
	agent redirect alice 192.0.2.1:18600 101 20101 & p1=$!
	agent redirect bob 192.0.2.1:18600 101 20101 & p2=$!
	agent withhold alice 192.0.2.1:18602 102 20102 --match-timeout-ms 3000 & p3=$!
	agent withhold bob 192.0.2.1:18602 102 20102 --match-timeout-ms 3000 & p4=$!
	agent delay2s alice 192.0.2.1:18603 103 20103 & p5=$!
	agent delay2s bob 192.0.2.1:18603 103 20103 & p6=$!
	agent delaymax alice 192.0.2.1:18604 104 20104 & p7=$!
	agent delaymax bob 192.0.2.1:18604 104 20104 & p8=$!
	wait $p1 $p2 $p3 $p4 $p5 $p6
	# The 2^32-1 ms wait: still waiting past its 5 s trial timeout; the
	# routers' tables then, before it is stopped.
	sleep 2
	conntrack_of ra >"$AO/ra.ct"
	conntrack_of rb >"$AO/rb.ct"
	alive=0
	kill -0 $p7 2>/dev/null && kill -0 $p8 2>/dev/null && alive=1
	ip netns exec "$C" nft -j list counters table inet "punchlab_${vrid}_adv" \
		>"$AO/victim.json"
	kill $p7 $p8
	wait $p7 $p8
	for t in redirect withhold delay2s delaymax; do adv_stop $t; done

	check "redirect: both agents punched the victim named in hppunch: its nft SYN counter = their syns_sent (> 0), all from the homes' public addresses" \
		/usr/bin/python3 - "$AO" <<'PY'
import json, sys
d = sys.argv[1]
c = {x["counter"]["name"]: x["counter"]
     for x in json.load(open(d + "/victim.json"))["nftables"] if "counter" in x}
a = [json.load(open("%s/redirect-%s.json" % (d, s))) for s in ("alice", "bob")]
ev = [json.loads(l) for l in open(d + "/redirect.events")]
punch = [e for e in ev if e["event"] == "punch"]
stop = [e for e in ev if e["event"] == "stop"][0]
syns = sum(r["syns_sent"] for r in a)
print("  victim syns %d bytes %d; agents' syns_sent %d, outcomes %s, peers %s;"
      " attacker: %d hppunch of %s bytes, %d bytes in all; amplification"
      " victim bytes / attacker bytes = %.1f" % (
          c["victim_syn"]["packets"], c["victim_bytes"]["bytes"], syns,
          [r["outcome"] for r in a], [r["peer"] for r in a], len(punch),
          [e["bytes"] for e in punch], stop["bytes_sent"],
          c["victim_bytes"]["bytes"] / stop["bytes_sent"]))
sys.exit(0 if len(punch) == 2 and syns > 0
         and c["victim_syn"]["packets"] == syns
         and c["victim_syn_homes"]["packets"] == syns
         and all(r["peer"] == "192.0.2.1:18699" for r in a) else 1)
PY
	check "withhold: both agents held until their deadline (5 s: the match deadline is never before the setup one), outcome coordinator, 0 SYNs, no flow but the one to mallory" \
		/usr/bin/python3 - "$AO" <<'PY'
import json, sys
d = sys.argv[1]
a = [json.load(open("%s/withhold-%s.json" % (d, s))) for s in ("alice", "bob")]
ev = [json.loads(l) for l in open(d + "/withhold.events")]
held = [e for e in ev if e["event"] == "held"]
rel = [e for e in ev if e["event"] == "released"]
flows = [l for l in open(d + "/ra.ct") if "sport=20102 " in l]
print("  outcomes %s (%s), syns %s; held %d, released after %s ms; ra flows"
      " from port 20102: %d" % ([r["outcome"] for r in a], a[0]["error"],
      [r["syns_sent"] for r in a], len(held), [e["held_ms"] for e in rel],
      len(flows)))
sys.exit(0 if all(r["outcome"] == "coordinator" and r["syns_sent"] == 0
                  for r in a) and len(held) == 2 and len(rel) == 2
         and flows  # else all() below holds for an empty table
         and all("dst=192.0.2.1 " in l and "dport=18602 " in l for l in flows)
         else 1)
PY
	check "delay: 2000 ms is obeyed (start = match + 2000 ms, then ok); 2^32-1 ms outlives the 5 s timeout with 0 SYNs" \
		/usr/bin/python3 - "$AO" "$alive" <<'PY'
import json, sys
d, alive = sys.argv[1], sys.argv[2] == "1"
a = [json.load(open("%s/delay2s-%s.json" % (d, s))) for s in ("alice", "bob")]
m = [json.load(open("%s/delaymax-%s.json" % (d, s))) for s in ("alice", "bob")]
waits = [(r["t_start_ns"] - r["t_match_ns"]) / 1e6 for r in a]
ct = open(d + "/ra.ct").read() + open(d + "/rb.ct").read()
to_peer = [l for l in ct.splitlines() if "sport=20104 " in l
           and "dport=18604 " not in l]
print("  2 s: outcomes %s, waited %s ms; max: delay_ms %s, alive at 7 s %s,"
      " then %s (%s), syns %s, flows to a peer %d" % (
          [r["outcome"] for r in a], ["%.0f" % w for w in waits],
          [r["delay_ms"] for r in m], alive, [r["outcome"] for r in m],
          m[0]["error"], [r["syns_sent"] for r in m], len(to_peer)))
sys.exit(0 if all(r["outcome"] == "ok" for r in a)
         and all(1999 <= w <= 2001 for w in waits) and alive
         and all(r["delay_ms"] == 4294967295 and r["syns_sent"] == 0
                 for r in m) and not to_peer else 1)
PY

	# impersonate: mallory names itself to both and plays each one's peer.
	adv_start imp --role impersonate --listen 192.0.2.1:18601
	agent imp alice 192.0.2.1:18601 105 20105 & p1=$!
	agent imp bob 192.0.2.1:18601 105 20105 & p2=$!
	wait $p1 $p2
	conntrack_of ra >"$AO/ra.ct"
	conntrack_of rb >"$AO/rb.ct"
	adv_stop imp
	check "impersonate: both agents ok, their peer is mallory (charlie), the routers hold flows to mallory and none to each other" \
		/usr/bin/python3 - "$AO" <<'PY'
import json, sys
d = sys.argv[1]
a = [json.load(open("%s/imp-%s.json" % (d, s))) for s in ("alice", "bob")]
ev = [json.loads(l) for l in open(d + "/imp.events")]
played = [e for e in ev if e["event"] == "played" and e["handshake"]]
ra = [l for l in open(d + "/ra.ct") if "sport=20105 " in l]
rb = [l for l in open(d + "/rb.ct") if "sport=20105 " in l]
def to_mallory(lines, port):
    return any("dst=192.0.2.1 " in l and "dport=%s " % port in l
               and "ASSURED" in l for l in lines)
cross = [l for l in ra if "203.0.113.1" in l] + [l for l in rb if "198.51.100.1" in l]
print("  outcomes %s, peers %s, played %d, flows ra %d rb %d, cross %d" % (
    [r["outcome"] for r in a], [r["peer"] for r in a], len(played),
    len(ra), len(rb), len(cross)))
sys.exit(0 if all(r["outcome"] == "ok" and r["peer"].startswith("192.0.2.1:")
                  for r in a) and len(played) == 2
         and to_mallory(ra, a[0]["peer"].split(":")[1])
         and to_mallory(rb, a[1]["peer"].split(":")[1])
         and not cross else 1)
PY

	# hijack: mallory registers keys 201..205 at the honest coordinator
	# first; each pair of nodes registering one of them later is played.
	adv_start hijack --role hijack --target 192.0.2.1:18444 --keys 201:5
	for i in $(seq 50); do
		[ "$(grep -c '"registered"' "$AO/hijack.events")" -ge 5 ] && break
		sleep 0.1
	done
	for k in 201 202 203 204 205; do
		agent "hj$k" alice 192.0.2.1:18444 "$k" $((20000 + k)) & p1=$!
		agent "hj$k" bob 192.0.2.1:18444 "$k" $((20000 + k)) & p2=$!
		wait $p1 $p2
	done
	adv_stop hijack
	# A node registering while mallory's pair is still in flight is
	# refused KEY_BUSY by the honest coordinator (two registrations hold
	# the key): so a trial is hijacked when one node is played and none
	# met its real peer (docs/adversaries.md: hijacked_rate).
	check "hijack: 5 of 5 trials hijacked (a node ok with mallory as its peer, none with its real peer)" \
		/usr/bin/python3 - "$AO" <<'PY'
import json, sys
d = sys.argv[1]
n = both = nodes = 0
for k in range(201, 206):
    a = [json.load(open("%s/hj%d-%s.json" % (d, k, s))) for s in ("alice", "bob")]
    played = [r for r in a if r["outcome"] == "ok"
              and r["peer"].startswith("192.0.2.1:")]
    real = [r for r in a if r["outcome"] == "ok" and r not in played]
    n += bool(played) and not real
    both += len(played) == 2
    nodes += len(played)
ev = [json.loads(l) for l in open(d + "/hijack.events")]
played = [e for e in ev if e["event"] == "played" and e["handshake"]]
print("  hijacked %d/5 trials (both nodes in %d), %d/10 nodes, %d plays;"
      " the others: %s" % (n, both, nodes, len(played), sorted({
          r["error"] for k in range(201, 206) for s in ("alice", "bob")
          for r in [json.load(open("%s/hj%d-%s.json" % (d, k, s)))]
          if r["outcome"] != "ok"})))
sys.exit(0 if n == 5 and len(played) == nodes else 1)
PY
	"$PL" down "$vrid" >/dev/null
	check "adversary roles: punchlab down leaves nothing" nothing_left "$vrid"
fi
