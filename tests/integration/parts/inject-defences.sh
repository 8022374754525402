# inject-defences: the two answers to a spoofed segment at punch time
# (docs/adversaries.md, cell keys rst_guard and start_jitter_ms).
#
#   [alice]--[router A 198.51.100.1]--[inet + injector]--[router B 203.0.113.1]--[bob]
#             rst_guard table            |  (50 ms toward each router)   rst_guard table
#                                    [charlie: coordinator --tap-fd]
#
# rst_guard: the world's routers get punchlab_<rid>_rstguard from the
# scenario key (testbed/rstguard.c, loaded with the NAT profile). Evidence:
# its rst_dropped counter in both routers counts the injector's RSTs, the
# profile's syn_dropped does not move (bob's real SYN found alice's entry
# alive), and alice's socket never retransmitted its SYN (the 1 s penalty
# a RST costs without the guard is that retransmission).
# start_jitter_ms: the agents' reports carry the jitter, equal on both
# sides and equal to HMAC-SHA256(secret, label || nonce) mod (J + 1)
# computed here from the secret file; neither side's first SYN left
# before the coordinator's start (its tap line) + that jitter.
. "$(dirname "${BASH_SOURCE[0]}")/inject-step.bash"
jrid=$(inject_up injdef "rst_guard = on")
if [ -n "$jrid" ]; then
	# injdef_counter ROUTER NAME [TABLE]: packets of a named counter
	injdef_counter() {
		ip netns exec "pl-$jrid-c0-$1" nft list counter \
			${3:-inet punchlab_${jrid}_rstguard} "$2" |
			sed -n 's/.*packets \([0-9]*\).*/\1/p'
	}
	check "inject-defences: rst_guard = on gives both routers the guard table (raw prerouting, the WAN's bare RSTs)" \
		sh -c "for r in ra rb; do ip netns exec pl-$jrid-c0-\$r nft list table inet punchlab_${jrid}_rstguard |
			grep -q 'iifname \"$jrid-wan\" tcp flags rst / rst,ack counter name \"rst_dropped\" drop' || exit 1; done"

	# a punch without an attacker: the guard drops nothing of it
	inject_step "$jrid" "$OUT/injdef/plain" - 0 24101
	check "inject-defences: a plain punch through the guarded routers connects, no RST dropped" \
		sh -c "[ $(injdef_counter ra rst_dropped) = 0 ] && [ $(injdef_counter rb rst_dropped) = 0 ]" &&
		inject_ok "$OUT/injdef/plain"

	# RSTs inside the window (+40 ms, as inject.sh's rst step): without
	# the guard router A's conntrack would close alice's entry
	dropped=$(injdef_counter ra syn_dropped "ip punchlab_$jrid")
	inject_step "$jrid" "$OUT/injdef/rst" rst 40 24102
	check "inject-defences: the guard drops the 4 spoofed RSTs at each router, bob's SYN is not dropped as unsolicited, alice never resends her SYN" \
		/usr/bin/python3 - "$OUT/injdef/rst" "$(injdef_counter ra rst_dropped)" \
		"$(injdef_counter rb rst_dropped)" "$dropped" \
		"$(injdef_counter ra syn_dropped "ip punchlab_$jrid")" <<'PY'
import json, sys
d, ra, rb, before, after = sys.argv[1], *map(int, sys.argv[2:])
ev = [json.loads(l) for l in open(d + "/adv.jsonl")]
sent = sum(e["count"] for e in ev if e["event"] == "inject")
rep = {s: json.loads(open("%s/%s.json" % (d, s)).readline())
       for s in ("alice", "bob")}
print("  sent %d, dropped A %d B %d, syn_dropped %d -> %d, alice syn_retrans %s"
      % (sent, ra, rb, before, after, rep["alice"]["syn_retrans"]))
ok = (sent == 8 and ra == 4 and rb == 4 and after == before
      and all(r["outcome"] == "ok" for r in rep.values())
      and rep["alice"]["syn_retrans"] == 0)
sys.exit(0 if ok else 1)
PY

	# the start jitter: both agents share a secret the coordinator never
	# sees; J = 2000 ms
	head -c 32 /dev/urandom >"$OUT/injdef-secret"
	inject_step "$jrid" "$OUT/injdef/jitter" - 0 24103 --auth-secret "$OUT/injdef-secret" \
		--start-jitter-ms 2000
	check "inject-defences: both agents add the same jitter, the HMAC of the secret and hppunch's nonce mod 2001, and neither SYNs before the coordinator's start + that jitter" \
		/usr/bin/python3 - "$OUT/injdef/jitter" "$OUT/injdef-secret" <<'PY'
import hashlib, hmac, json, struct, sys
d, key = sys.argv[1], open(sys.argv[2], "rb").read()
rep = {s: json.loads(open("%s/%s.json" % (d, s)).readline())
       for s in ("alice", "bob")}
tap = open(d + "/tap.lines").read().split()
start = int(tap[4])
nonce = int(rep["alice"]["nonce"], 16)
mac = hmac.new(key, b"punchlab-start-jitter" + struct.pack("<Q", nonce),
               hashlib.sha256).digest()
want = struct.unpack("<Q", mac[:8])[0] % 2001
got = [rep[s].get("start_jitter_ms") for s in ("alice", "bob")]
first = [min(rep[s]["syn_ns"]) - start for s in ("alice", "bob")]
print("  jitter want %d, got %s; first SYNs at START + %s ms"
      % (want, got, ["%.1f" % (x / 1e6) for x in first]))
ok = (got == [want, want] and rep["bob"]["nonce"] == rep["alice"]["nonce"]
      and all(r["outcome"] == "ok" for r in rep.values())
      and all(x >= want * 1e6 for x in first))
sys.exit(0 if ok else 1)
PY

	"$PL" down "$jrid" >/dev/null
	check "inject-defences: punchlab down leaves nothing" nothing_left "$jrid"
else
	bad "punchlab up (inject-defences): $(tail -n1 "$OUT/injdef-up")"
fi
