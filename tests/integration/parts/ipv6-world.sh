# ipv6-world: a dual-stack world (docs/alternatives.md section 3). LAN
# hosts reach charlie at 2001:db8::1 over IPv6 with their own addresses
# (no NAT66), the routers' ip6 filters answer an unsolicited SYN as their
# profiles say (openwrt-fw4: RST; cgnat-eim-v6 behind a carrier that
# routes IPv6: silence), a home whose carrier has no IPv6 gets none, and
# the probe's IPv6 rows pass. Evidence: what charlie's and alice's TCP
# listeners accepted, the filters' named counters, kernel addresses.
#
#   c0: [alice 2001:db8:1::2]--[openwrt-fw4]--[inet 2001:db8::fe]--[carrier-eim-v6]--[cgnat-eim-v6]--[bob 2001:db8:2::2]
#   c1: [alice, a1 on a bridge]--[mikrotik-defconf]--[inet]--[carrier-eim]--[v6-behind-v4: no IPv6]--[bob]
#                                        |
#                              [charlie 2001:db8::1]

v6o="$OUT/ipv6"
mkdir -p "$v6o/prof"
cp nat-profiles/*.ini "$v6o/prof/"
# A home that asks for IPv6 behind a carrier that has none.
sed 's/^behind = .*/behind = carrier-eim/' nat-profiles/cgnat-eim-v6.ini \
	>"$v6o/prof/v6-behind-v4.ini"
cat >"$v6o/v6.ini" <<'INI'
[scenario]
trials = 1
timeout_ms = 3000
rtt_ms = 20

[cell c0]
a = openwrt-fw4
b = cgnat-eim-v6
expect = >= 0

[cell c1]
a = mikrotik-defconf
b = v6-behind-v4
hosts_a = 1
expect = >= 0
INI
# v6listen ADDR PORT SECONDS: accepts for SECONDS, one peer address a line.
cat >"$v6o/listen.py" <<'PY'
import socket, sys, time
s = socket.socket(socket.AF_INET6)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2])))
s.listen(16)
print("ready", flush=True)
end = time.monotonic() + float(sys.argv[3])
while time.monotonic() < end:
    s.settimeout(max(0.01, end - time.monotonic()))
    try:
        c, a = s.accept()
    except OSError:
        break
    print(a[0], flush=True)
    c.close()
PY
# v6dial ADDR PORT [SRC SPORT SECONDS]: "ok", "refused" or "timeout"
# within 1.5 s (or SECONDS), from [SRC]:SPORT when given.
cat >"$v6o/dial.py" <<'PY'
import socket, sys
a = sys.argv
try:
    socket.create_connection((a[1], int(a[2])),
                             timeout=float(a[5]) if len(a) > 5 else 1.5,
                             source_address=(a[3], int(a[4]))
                             if len(a) > 4 else None)
    print("ok")
except ConnectionRefusedError:
    print("refused")
except (TimeoutError, socket.timeout):
    print("timeout")
except OSError as e:
    print("error", e.errno)
PY

v6plan=$("$PL" plan --profiles "$v6o/prof" "$v6o/v6.ini" 2>&1)
check "ipv6-world: plan gives c0's homes their /64s and router WAN addresses" \
	grep -q "^home c0 a: .*; ipv6 2001:db8:1::/64 router WAN 2001:db8:ffa::1$" <<<"$v6plan"
check "ipv6-world: plan routes bob's /64 through his carrier (2001:db8:ffd::1)" \
	grep -q "^route inet: 2001:db8:2::/64 via 2001:db8:ffd::1 dev" <<<"$v6plan"
check "ipv6-world: plan says the home behind a carrier without IPv6 has none" \
	grep -q "^home c1 b: .*; no ipv6: behind carrier carrier-eim without IPv6$" <<<"$v6plan"

"$PL" up --profiles "$v6o/prof" "$v6o/v6.ini" >"$v6o/up" 2>&1
v6rid=$(sed -n 's/^run \([0-9a-f]\{6\}\) is up.*/\1/p' "$v6o/up")
if [ -n "$v6rid" ]; then
	v6ns() { echo "pl-$v6rid-$1"; }
	ip netns exec "$(v6ns charlie)" /usr/bin/python3 "$v6o/listen.py" \
		2001:db8::1 8333 8 >"$v6o/charlie.seen" &
	v6lpid=$!
	ip netns exec "$(v6ns c0-alice)" /usr/bin/python3 "$v6o/listen.py" \
		2001:db8:1::2 9999 6 >"$v6o/alice.seen" &
	v6apid=$!
	for i in $(seq 50); do
		[ "$(grep -c ready "$v6o/charlie.seen" "$v6o/alice.seen" |
			grep -c ':1$')" = 2 ] && break
		sleep 0.1
	done
	for h in c0-alice c0-bob c1-alice c1-a1; do
		echo "$h $(ip netns exec "$(v6ns $h)" /usr/bin/python3 \
			"$v6o/dial.py" 2001:db8::1 8333)"
	done >"$v6o/out.dials"
	check "ipv6-world: four LAN hosts (one behind a CGNAT, one on a bridge) reach charlie over IPv6" \
		[ "$(grep -c ' ok$' "$v6o/out.dials")" = 4 ]
	wait "$v6lpid"
	check "ipv6-world: charlie saw each host's own address (no NAT66)" \
		[ "$(grep -v ready "$v6o/charlie.seen" | sort | tr '\n' ' ')" = \
		  "2001:db8:1:1::2 2001:db8:1:1::3 2001:db8:1::2 2001:db8:2::2 " ]
	in_a=$(ip netns exec "$(v6ns charlie)" /usr/bin/python3 "$v6o/dial.py" \
		2001:db8:1::2 9999)
	in_b=$(ip netns exec "$(v6ns charlie)" /usr/bin/python3 "$v6o/dial.py" \
		2001:db8:2::2 9999)
	wait "$v6apid"
	v6ctr() { ip netns exec "$(v6ns "$1")" nft list counter ip6 \
		"punchlab_${v6rid}_f6" "$2" | awk '/packets/ { print $2 }'; }
	# One function per check: check runs its arguments only, so a chain
	# of tests after the first [ ] would go unchecked.
	v6_fw4_refused() {
		[ "$in_a" = refused ] && [ "$(v6ctr c0-ra syn_dropped)" = 1 ] &&
			[ "$(v6ctr c0-ra rst_sent)" = 1 ] &&
			[ "$(grep -vc ready "$v6o/alice.seen")" = 0 ]
	}
	v6_cgnat_dropped() {
		[ "$in_b" = timeout ] && [ "$(v6ctr c0-rb syn_dropped)" -ge 1 ] &&
			[ "$(v6ctr c0-rb rst_sent)" = 0 ] &&
			ip netns exec "$(v6ns c0-cb)" true &&
			! ip netns exec "$(v6ns c0-cb)" nft list table ip6 \
				"punchlab_${v6rid}_f6" >/dev/null 2>&1
	}
	check "ipv6-world: openwrt-fw4 refuses an unsolicited SYN with a RST (syn_dropped 1, rst_sent 1), alice's listener saw nothing" \
		v6_fw4_refused
	check "ipv6-world: cgnat-eim-v6 drops it silently (syn_dropped >= 1, rst_sent 0); its carrier has no IPv6 table" \
		v6_cgnat_dropped
	# IPv6 punching by hand: alice's SYN leaves first and dies at bob's
	# silent filter, but opens hers; bob's SYN crosses it as a reply and
	# the two connect (simultaneous open, RFC 6092 REC-31).
	ip netns exec "$(v6ns c0-alice)" /usr/bin/python3 "$v6o/dial.py" \
		2001:db8:2::2 7001 2001:db8:1::2 7000 4 >"$v6o/punch.a" &
	v6ppid=$!
	sleep 0.3
	ip netns exec "$(v6ns c0-bob)" /usr/bin/python3 "$v6o/dial.py" \
		2001:db8:1::2 7000 2001:db8:2::2 7001 4 >"$v6o/punch.b"
	wait "$v6ppid"
	check "ipv6-world: alice and bob punch over IPv6 through both filters (both connect)" \
		[ "$(cat "$v6o/punch.a" "$v6o/punch.b" | tr '\n' ' ')" = "ok ok " ]
	# A function: a redirect after check's arguments would swallow its
	# PASS/FAIL line too.
	v6_shapes6() {
		ip netns exec "$(v6ns inet)" nft list table ip6 \
			"punchlab_shape_$v6rid" >/dev/null 2>&1
	}
	check "ipv6-world: inet shapes IPv6 too (table ip6 punchlab_shape_<rid> beside the ip one)" \
		v6_shapes6
	check "ipv6-world: the home behind carrier-eim has no global IPv6 address" \
		[ -z "$(ip -n "$(v6ns c1-bob)" -6 addr show scope global)" ]
	"$PL" down "$v6rid" >/dev/null
	check "ipv6-world: punchlab down leaves nothing" nothing_left "$v6rid"
else
	bad "punchlab up (ipv6-world): $(tail -n1 "$v6o/up")"
fi

for p in openwrt-fw4 cgnat-eim-v6; do
	"$PL" probe --json "$p" >"$v6o/probe-$p.json" 2>"$v6o/probe-$p.err"
	check "ipv6-world: probe $p: the IPv6 rows PASS" \
		/usr/bin/python3 - "$v6o/probe-$p.json" <<'PY'
import json, sys
rows = {r["axis"]: r for r in json.load(open(sys.argv[1]))["axes"]}
sys.exit(0 if all(rows.get(a, {}).get("verdict") == "PASS"
                  for a in ("IPv6 filtering", "IPv6 unsolicited SYN")) else 1)
PY
done
