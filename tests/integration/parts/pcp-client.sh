# pcp-client: punch-agent's PCP / NAT-PMP client (--pcp) and --serve,
# against the miniupnpd of bob's router (profile openwrt-upnp;
# tests/integration/pcp-world.sh draws the world).
#
# Alice's router has no daemon: her mapping fails with outcome pcp, result
# timeout, after the router's ICMP port unreachable. With miniupnpd, for
# PCP, NAT-PMP and auto: bob's --serve gets a mapping, miniupnpd's DNAT rule for it is in
# rb's kernel ruleset, alice dials the external endpoint bob's mapped
# event names and both sides complete the handshake, and bob's exit
# deletes the mapping (gone from the kernel); auto picks PCP.
PCA=${PUNCHLAB_BIN_DIR:-build/bin}/punch-agent
. tests/integration/pcp-world.sh

# pcpc_trial PROTO PORT WANT [ARG...]: bob serves PORT with a mapping
# (--pcp-proto PROTO; WANT: the protocol that must answer), alice dials
# the external endpoint of bob's mapped event.
pcpc_trial() {
	local proto=$1 port=$2 want=$3 out=$pcpw_dir/serve-$1.out ext rc
	shift 3
	pcpw_serve "$out" "$port" --name bob --pcp-proto "$proto" "$@" \
		--timeout-ms 5000
	ext=$pcpw_ext
	check "$proto: the mapped event names 203.0.113.1:$port, $want, port honoured ($(head -n1 "$out"))" sh -c \
		"[ '$ext' = '203.0.113.1:$port' ] &&
		 head -n1 '$out' | grep -q '\"proto\":\"$want\".*\"port_honoured\":true'"
	check "$proto: rb's kernel ruleset forwards TCP $port to 10.0.2.2:$port" sh -c \
		"ip netns exec '$pcpw_rb' nft list chain inet '$pcpw_tab' prerouting_miniupnpd |
		 grep -q 'dport $port dnat ip to 10.0.2.2:$port'"
	ip netns exec "$pcpw_alice" "$PCA" --connect \
		"${ext:-203.0.113.1:$port}" --timeout-ms 3000 >"$out.dial" 2>&1
	wait "$pcpw_spid"
	rc=$?
	check "$proto: alice's handshake with bob through the mapping" \
		grep -q '"outcome":"ok"' "$out.dial"
	check "$proto: bob's --serve: exit 0, outcome ok, the peer came from router A, pcp ok" sh -c \
		"[ $rc = 0 ] && tail -n1 '$out' | grep -q '\"outcome\":\"ok\".*\"peer\":\"198\.51\.100\.1:' &&
		 tail -n1 '$out' | grep -q '\"pcp\":{\"proto\":\"$want\",\"ok\":true'"
	check "$proto: bob released the mapping on exit: gone from rb's kernel ruleset" sh -c \
		"tail -n1 '$out' | grep -q '\"released\":true' &&
		 ! ip netns exec '$pcpw_rb' nft list table inet '$pcpw_tab' | grep -q 'dport $port '"
}

if [ ! -x /usr/sbin/miniupnpd ]; then
	skip "miniupnpd not installed (tools/deps.sh installs miniupnpd-nftables): PCP client checks"
else
	pcpw_up "$OUT/pcpc"
fi
if [ -x /usr/sbin/miniupnpd ] && [ -z "$pcpw_rid" ]; then
	bad "punchlab up for the PCP client checks: $(cat "$OUT/pcpc/up")"
elif [ -n "${pcpw_rid:-}" ]; then
	pcd=$pcpw_dir
	ip netns exec "$pcpw_alice" "$PCA" --serve --local-port 21000 \
		--name alice --pcp 10.0.1.1 --timeout-ms 800 \
		>"$pcd/nod.out" 2>"$pcd/nod.err"
	pcrc=$?
	check "no daemon (alice's router): exit 1, outcome pcp, result timeout, the router's ICMP seen ($(cat "$pcd/nod.out"))" sh -c \
		"[ $pcrc = 1 ] && grep -q '\"outcome\":\"pcp\"' '$pcd/nod.out' &&
		 grep -q '\"result\":\"timeout\"' '$pcd/nod.out' &&
		 grep -q '\"error\":\"pcp: timeout' '$pcd/nod.out' &&
		 ! grep -q '\"refused\":0' '$pcd/nod.out' &&
		 ! grep -q '\"event\"' '$pcd/nod.out'"
	check "bob's router runs miniupnpd, listening on 10.0.2.1:5351" sh -c \
		"[ -n '$pcpw_mu' ] && ip netns exec '$pcpw_rb' ss -Hlnup |
		 grep 'pid=$pcpw_mu,' | grep -q '10\.0\.2\.1:5351 '"
	pcpc_trial pcp 21001 pcp
	pcpc_trial natpmp 21002 natpmp
	pcpc_trial auto 21003 pcp --pcp-lifetime 300
	check "auto: the lifetime asked for (300 s) is the one granted" \
		sh -c "head -n1 '$pcd/serve-auto.out' | grep -q '\"lifetime\":300'"
	pcpc_mu=$pcpw_mu
	pcpw_down
	check "miniupnpd stopped with the world" sh -c \
		"[ -n '$pcpc_mu' ] && ! ps -o stat= -p '$pcpc_mu' | grep -qv Z"
	check "nothing of the PCP client run $pcpw_rid is left" \
		nothing_left "$pcpw_rid"
fi
