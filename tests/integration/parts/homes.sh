# homes: alice and bob behind one router (home = shared) connect through
# its NAT when it hairpins and are refused when it does not; extra hosts
# (hosts_a, hosts_b) have their own addresses and their background nodes'
# connections cross the same router, taking the trial's local port.
# Evidence: the routers' conntrack tables as the trials left them
# (punchlab run --capture writes them to snapshots/).

hplan=$("$PL" plan tests/integration/data/homes.ini)
check "homes: plan puts bob on router a's bridge (10.0.1.3)" \
	grep -q "^home c0 shared: router c0-ra (198.51.100.1) hosts c0-alice 10.0.1.2 (alice), c0-bob 10.0.1.3 (bob)$" <<<"$hplan"
check "homes: plan gives extra hosts the next addresses" \
	grep -q "^home c2 a: router c2-ra (198.51.100.3) hosts c2-alice 10.0.1.2 (alice), c2-a1 10.0.1.3 (background node), c2-a2 10.0.1.4 (background node)$" <<<"$hplan"
check "homes: a shared home loads one NAT, not two" \
	[ "$(grep -c '^nat c0-' <<<"$hplan")" = 1 ]

"$PL" run --capture --results "$OUT/homes" tests/integration/data/homes.ini \
	>"$OUT/homes.log" 2>&1
check "homes: every cell within its expectation" [ $? = 0 ]
hrid=$(rid_of "$OUT/homes/homes")
hdir="$OUT/homes/homes/$hrid"
snap="$hdir/snapshots/pl-$hrid"

check "homes: hairpin-on connects; charlie saw both at router a's one address; trials say shared" \
	/usr/bin/python3 - "$hdir/trials.jsonl" <<'PY'
import json, sys
ts = [json.loads(l) for l in open(sys.argv[1])]
on = [t for t in ts if t["cell"] == "hairpin-on"]
ok = [t for t in on if t["outcome"] == "ok"]
same = all(t["alice"]["public"].split(":")[0] == "198.51.100.1" and
           t["bob"]["public"].split(":")[0] == "198.51.100.1" and
           t["alice"]["peer"] == t["bob"]["public"] for t in ok)
homes = all(t["home"] == "shared" and t["hosts"] == {"a": 2, "b": 0}
            for t in on)
sys.exit(0 if len(ok) >= 4 and same and homes else 1)
PY
# A hairpinned connection is one conntrack entry of router a that both
# translated the destination (to the other host) and the source (to the
# public address): orig 10.0.1.x -> public, reply 10.0.1.y -> public.
check "homes: router a's conntrack holds the hairpin path (SRC_NAT and DST_NAT, 10.0.1.2 <-> 10.0.1.3)" \
	/usr/bin/python3 - "$snap-c0-ra.conntrack.jsonl" "$hdir/summary.json" <<'PY'
import json, sys
es = [json.loads(l) for l in open(sys.argv[1])]
hp = [e for e in es if e.get("proto") == "tcp"
      and {e["orig"]["src"], e["reply"]["src"]} == {"10.0.1.2", "10.0.1.3"}
      and e["orig"]["dst"] == e["reply"]["dst"] == "198.51.100.1"
      and {"SRC_NAT", "DST_NAT", "ASSURED"} <= set(e["status"])]
lan_direct = [e for e in es if e.get("proto") == "tcp"
              and e["orig"]["dst"] in ("10.0.1.2", "10.0.1.3")
              and e["orig"]["src"].startswith("10.0.1.")]
cells = {c["cell"]: c for c in json.load(open(sys.argv[2]))["cells"]}
sys.exit(0 if len(hp) >= cells["hairpin-on"]["successes"] >= 4
         and not lan_direct else 1)
PY
check "homes: hairpin-off is refused every time, and router a translated no destination" \
	/usr/bin/python3 - "$snap-c1-ra.conntrack.jsonl" "$hdir/summary.json" \
	"$hdir/trials.jsonl" <<'PY'
import json, sys
es = [json.loads(l) for l in open(sys.argv[1])]
cells = {c["cell"]: c for c in json.load(open(sys.argv[2]))["cells"]}
c = cells["hairpin-off"]
ts = [json.loads(l) for l in open(sys.argv[3])]
rsts = all(t["alice"]["rsts"] > 0 and t["bob"]["rsts"] > 0
           for t in ts if t["cell"] == "hairpin-off")
dnat = [e for e in es if "DST_NAT" in e.get("status", [])]
sys.exit(0 if c["successes"] == 0 and c["failures"] == {"refused": 5}
         and c["home"] == "shared" and rsts and not dnat
         and c["nat_counters"]["a"]["rst_sent"] == 0 else 1)
PY
# Background nodes register from the trial's local port: router a holds
# for one such port two connections to charlie from two hosts, the second
# given another public port (the first keeps it).
check "homes: extra hosts' own addresses cross router a and b to charlie, one trial port from two hosts" \
	/usr/bin/python3 - "$snap-c2-ra.conntrack.jsonl" \
	"$snap-c2-rb.conntrack.jsonl" "$hdir/summary.json" <<'PY'
import collections, json, sys
def toch(path):
    return [e for e in map(json.loads, open(path))
            if e.get("proto") == "tcp" and e["orig"]["dst"] == "192.0.2.1"
            and e["orig"]["dport"] == 18444 and "SRC_NAT" in e["status"]]
a, b = toch(sys.argv[1]), toch(sys.argv[2])
srcs_a = {e["orig"]["src"] for e in a}
srcs_b = {e["orig"]["src"] for e in b}
byport = collections.defaultdict(set)
for e in a:
    byport[e["orig"]["sport"]].add((e["orig"]["src"], e["reply"]["dport"]))
shared_port = [p for p, s in byport.items() if 20000 <= p < 20005
               and len({h for h, _ in s}) >= 2
               and len({q for _, q in s}) == len(s)]
cells = {c["cell"]: c for c in json.load(open(sys.argv[3]))["cells"]}
ok = ({"10.0.1.2", "10.0.1.3", "10.0.1.4"} <= srcs_a
      and {"10.0.2.2", "10.0.2.3"} <= srcs_b
      and all(e["reply"]["dst"] == "198.51.100.3" for e in a)
      and shared_port and cells["busy"]["hosts"] == {"a": 3, "b": 2})
sys.exit(0 if ok else 1)
PY
check "homes: background nodes ran under the run id, one per extra host and trial" \
	[ "$(grep -oE "$hrid-c2-(a1|a2|b1)-t[0-4]" "$hdir/agents.log" | sort -u | wc -l)" = 15 ]
check "homes: run leaves nothing behind" nothing_left "$hrid"

# A packet routed back out the port it came in on makes the kernel send
# an ICMP redirect whenever net.ipv4.conf.all.send_redirects is 1 (it is
# in every new namespace; the world sets only the links' own, by
# netlink). Alice's ping to bob through router A must not teach her to
# skip the router: the router's ruleset counts the redirect its stack
# made and drops it, and alice's kernel received none.
"$PL" up tests/integration/data/homes.ini >"$OUT/homes-up" 2>&1
urid=$(sed -n 's/^run \([0-9a-f]\{6\}\) is up.*/\1/p' "$OUT/homes-up")
if [ -n "$urid" ]; then
	mkdir -p "$OUT/homes/up/$urid"
	ha=pl-$urid-c0-alice hr=pl-$urid-c0-ra
	ip -n "$ha" route add 10.0.1.3/32 via 10.0.1.1
	ip netns exec "$ha" ping -c2 -i0.2 -W2 10.0.1.3 >/dev/null
	check "homes: a hairpinned ping's redirect is dropped in router A (counted), none reaches alice" \
		sh -c "ip netns exec $hr nft list ruleset | grep -q 'icmp type redirect counter packets [1-9]' &&
		       ip netns exec $ha awk '/^Icmp:/ && !seen { for (i = 1; i <= NF; i++) h[i] = \$i; seen = 1; next }
				/^Icmp:/ { for (i = 1; i <= NF; i++) if (h[i] == \"InRedirects\") exit \$i != 0; exit 1 }' /proc/net/snmp"
	"$PL" down "$urid" >/dev/null
	check "homes: punchlab down after the redirect check leaves nothing" nothing_left "$urid"
else
	bad "punchlab up (homes): $(tail -n1 "$OUT/homes-up")"
fi
