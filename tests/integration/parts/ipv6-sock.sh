# ipv6-sock: the agent and the coordinator over IPv6 (docs/alternatives.md
# section 5) in throw-away namespaces built here, before any dual-stack
# world exists: two homes behind IPv6 stateful firewalls (conntrack,
# address+port-dependent, unsolicited inbound dropped) punch through a
# coordinator on 2001:db8::1 with the connect strategy and with
# listen-connect; then a coordinator on ::1 that names ::1 is refused by
# --target-policy.
#
#   [alice]--lan-[ra]-wan--[inet]--wan-[rb]-lan--[bob]
#   2001:db8:1:1::2       |            2001:db8:2:1::2
#                    [charlie] 2001:db8::1 (punch-coordinator --listen6)
#
# Evidence: the agents' reports (peer = the other's IPv6 address and
# port), and in each router an nft set of the inbound packets its
# conntrack admitted as established: the peer's SYN (simultaneous open)
# crossed the filter only because our own SYN had made the entry.

v6s_bin=${PUNCHLAB_BIN_DIR:-build/bin}
v6s_ns="v6s$$"
v6s_dir="$OUT/ipv6-sock"
v6s_pids=()

# In the foreground only: started with & the function would run in a
# subshell whose pid ($!) is not the program's, and cleanup would miss
# it; background starts call ip netns exec themselves (it execs).
v6s_x() { ip netns exec "$v6s_ns-$1" "${@:2}"; }

v6s_cleanup() {
	local p n
	for p in "${v6s_pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	for n in alice bob ra rb inet charlie; do
		ip netns del "$v6s_ns-$n" 2>/dev/null
	done
	return 0
}

# Two namespaces joined by a veth: ns1 if1 addr1, ns2 if2 addr2 (/64).
v6s_link() {
	ip link add "$2" netns "$v6s_ns-$1" type veth peer name "$5" \
		netns "$v6s_ns-$4" || return 1
	v6s_x "$1" ip addr add "$3/64" dev "$2" nodad &&
		v6s_x "$4" ip addr add "$6/64" dev "$5" nodad &&
		v6s_x "$1" ip link set "$2" up && v6s_x "$4" ip link set "$5" up
}

# A router's filter: LAN out accepted, WAN in only as part of a tracked
# connection; every admitted inbound TCP packet's 4-tuple into @in_est.
v6s_filter() {
	v6s_x "$1" nft -f - <<'NFT'
table ip6 v6s_f6 {
	set in_est {
		type ipv6_addr . inet_service . ipv6_addr . inet_service
		flags dynamic
	}
	chain filter6 {
		type filter hook forward priority filter; policy drop;
		iifname "wan" ct state established,related meta l4proto tcp add @in_est { ip6 saddr . tcp sport . ip6 daddr . tcp dport } accept
		ct state established,related accept
		iifname "lan" accept
		iifname "wan" counter drop
	}
}
NFT
}

v6s_build() {
	local n
	for n in alice bob ra rb inet charlie; do
		ip netns add "$v6s_ns-$n" || return 1
		v6s_x "$n" ip link set lo up
		v6s_x "$n" sysctl -qw net.ipv6.conf.all.accept_dad=0 \
			net.ipv6.conf.default.accept_dad=0
	done
	v6s_link alice eth0 2001:db8:1:1::2 ra lan 2001:db8:1:1::1 &&
		v6s_link bob eth0 2001:db8:2:1::2 rb lan 2001:db8:2:1::1 &&
		v6s_link ra wan 2001:db8:ffa:1::1 inet ra 2001:db8:ffa:1::fe &&
		v6s_link rb wan 2001:db8:ffb:1::1 inet rb 2001:db8:ffb:1::fe &&
		v6s_link charlie eth0 2001:db8::1 inet charlie 2001:db8::fe ||
		return 1
	for n in ra rb inet; do
		v6s_x "$n" sysctl -qw net.ipv6.conf.all.forwarding=1 || return 1
	done
	v6s_x alice ip -6 route add default via 2001:db8:1:1::1 &&
		v6s_x bob ip -6 route add default via 2001:db8:2:1::1 &&
		v6s_x ra ip -6 route add default via 2001:db8:ffa:1::fe &&
		v6s_x rb ip -6 route add default via 2001:db8:ffb:1::fe &&
		v6s_x charlie ip -6 route add default via 2001:db8::fe &&
		v6s_x inet ip -6 route add 2001:db8:1:1::/64 via 2001:db8:ffa:1::1 &&
		v6s_x inet ip -6 route add 2001:db8:2:1::/64 via 2001:db8:ffb:1::1 &&
		v6s_filter ra && v6s_filter rb
}

# The coordinator on 2001:db8::1:18444 (IPv6 only beside 127.0.0.1);
# waits for its "listening" event.
v6s_coord() {
	ip netns exec "$v6s_ns-charlie" "$v6s_bin/punch-coordinator" --listen 127.0.0.1:18444 \
		--listen6 '[2001:db8::1]:18444' --run-id v6s \
		>"$v6s_dir/coord.out" 2>"$v6s_dir/coord.err" &
	v6s_pids+=($!)
	for _ in $(seq 50); do
		grep -q '"addr6":"\[2001:db8::1\]:18444"' "$v6s_dir/coord.out" \
			2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# One pair with strategy $1, alice from port $2, bob from $3, key $4.
v6s_pair() {
	ip netns exec "$v6s_ns-alice" "$v6s_bin/punch-agent" --coordinator '[2001:db8::1]:18444' \
		--local-port "$2" --key "$4" --name alice --strategy "$1" \
		>"$v6s_dir/$1-alice.json" 2>"$v6s_dir/$1-alice.err" &
	local a=$!
	v6s_x bob "$v6s_bin/punch-agent" --coordinator '[2001:db8::1]:18444' \
		--local-port "$3" --key "$4" --name bob --strategy "$1" \
		>"$v6s_dir/$1-bob.json" 2>"$v6s_dir/$1-bob.err"
	wait "$a"
}

# Both reports ok, each naming the other's address and port; each
# router's @in_est holds the peer's packets to its host.
v6s_check_pair() {
	/usr/bin/python3 - "$v6s_dir" "$1" "$2" "$3" <<'PY' || return 1
import json, sys
d, s, pa, pb = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
a = json.load(open("%s/%s-alice.json" % (d, s)))
b = json.load(open("%s/%s-bob.json" % (d, s)))
ea, eb = "[2001:db8:1:1::2]:" + pa, "[2001:db8:2:1::2]:" + pb
ok = (a["outcome"] == b["outcome"] == "ok" and a["strategy"] == s and
      a["public"] == ea and b["public"] == eb and
      a["peer"] == eb and b["peer"] == ea and a["nonce"] == b["nonce"])
sys.exit(0 if ok else 1)
PY
	v6s_x ra nft list set ip6 v6s_f6 in_est |
		grep -q "2001:db8:2:1::2 \. $3 \. 2001:db8:1:1::2 \. $2" &&
		v6s_x rb nft list set ip6 v6s_f6 in_est |
		grep -q "2001:db8:1:1::2 \. $2 \. 2001:db8:2:1::2 \. $3"
}

# The filters drop what nobody asked for: a SYN from charlie to alice's
# (closed) port times out instead of drawing alice's RST.
v6s_unsolicited() {
	v6s_x charlie "$v6s_bin/punch-agent" --connect '[2001:db8:1:1::2]:20001' \
		--timeout-ms 1500 >"$v6s_dir/unsolicited.json" 2>/dev/null
	grep -q '"outcome":"timeout"' "$v6s_dir/unsolicited.json" &&
		! v6s_x ra nft list chain ip6 v6s_f6 filter6 |
		grep -q 'counter packets 0 '
}

# The policy: a coordinator on ::1 in charlie's namespace pairs two agents
# there and names [::1]:PORT; both refuse before any SYN.
v6s_policy() {
	ip netns exec "$v6s_ns-charlie" "$v6s_bin/punch-coordinator" --listen 127.0.0.1:18500 \
		--listen6 '[::1]:18500' >"$v6s_dir/lo.out" 2>/dev/null &
	v6s_pids+=($!)
	sleep 0.3
	ip netns exec "$v6s_ns-charlie" "$v6s_bin/punch-agent" --coordinator '[::1]:18500' \
		--local-port 21001 --key 9 --target-policy \
		>"$v6s_dir/lo-a.json" 2>/dev/null &
	local a=$!
	v6s_x charlie "$v6s_bin/punch-agent" --coordinator '[::1]:18500' \
		--local-port 21002 --key 9 --target-policy \
		>"$v6s_dir/lo-b.json" 2>/dev/null
	wait "$a"
	/usr/bin/python3 - "$v6s_dir" <<'PY'
import json, sys
js = [json.load(open(sys.argv[1] + "/lo-%s.json" % s)) for s in "ab"]
sys.exit(0 if all(j["outcome"] == "policy" and j["error"] == "loopback ::1"
                  and j["syns_sent"] == 0 for j in js) else 1)
PY
}

mkdir -p "$v6s_dir"
# Interrupted or failed half-way, the namespaces still go.
trap "v6s_cleanup; interrupted" INT TERM
trap v6s_cleanup EXIT
if ! v6s_build || ! v6s_coord; then
	bad "ipv6-sock: namespaces, filters and the IPv6 coordinator come up"
else
	v6s_pair connect 20001 20002 101
	check "ipv6-sock: connect punches through two IPv6 stateful filters (both ok, each router's conntrack admitted the peer)" \
		v6s_check_pair connect 20001 20002
	v6s_pair listen-connect 20011 20012 102
	check "ipv6-sock: listen-connect punches through two IPv6 stateful filters (both ok, each router's conntrack admitted the peer)" \
		v6s_check_pair listen-connect 20011 20012
	v6s_pair low-ttl 20021 20022 103
	check "ipv6-sock: low-ttl (IPV6_UNICAST_HOPS) punches through two IPv6 stateful filters (both ok, each router's conntrack admitted the peer)" \
		v6s_check_pair low-ttl 20021 20022
	check "ipv6-sock: an unsolicited SYN from the WAN is dropped (timeout, not refused; ra's drop counter moved)" \
		v6s_unsolicited
	check "ipv6-sock: the coordinator saw both homes' IPv6 endpoints" \
		grep -q 'match key 101: \[2001:db8:1:1::2\]:20001 .*<-> \[2001:db8:2:1::2\]:20002\|match key 101: \[2001:db8:2:1::2\]:20002 .*<-> \[2001:db8:1:1::2\]:20001' \
		"$v6s_dir/coord.err"
	check "ipv6-sock: --target-policy refuses the ::1 a coordinator names" \
		v6s_policy
fi
v6s_cleanup
trap - EXIT
trap interrupted INT TERM # run.sh's again
v6s_alive() {
	local p
	for p in "${v6s_pids[@]}"; do
		ps -o stat= -p "$p" 2>/dev/null | grep -qv Z && return 0
	done
	return 1
}
check "ipv6-sock: no namespace or process of the part is left (${#v6s_pids[@]} started)" \
	bash -c "[ ${#v6s_pids[@]} -ge 2 ] && ! ls /run/netns | grep -q '^$v6s_ns-' && ! $(v6s_alive && echo true || echo false)"
