# pcp-router: a PCP/NAT-PMP server (Debian's miniupnpd 2.3.1) in router A
# (profile openwrt-upnp), none in router B (openwrt-fw4, [pcp] off).
# From alice: a NAT-PMP external-address request, a NAT-PMP map and PCP
# MAPs (tests/integration/pcp-client.py, independent of punchlab's codec),
# the answers checked, the dnat rules read back from the router's nft
# table, a connection from bob to the mapped endpoint arriving at alice's
# listener; nothing of the daemon left after down, or after SIGKILL of
# punchlab run + punchlab clean.
#
#   [alice 10.0.1.2]--[ra: openwrt-upnp, miniupnpd on 10.0.1.1:5351]--[inet]--[rb: openwrt-fw4]--[bob]
#                       198.51.100.1                                          203.0.113.1
PCPC=$(pwd)/tests/integration/pcp-client.py
if [ ! -x /usr/sbin/miniupnpd ] && [ -z "${PUNCHLAB_MINIUPNPD:-}" ]; then
	skip "miniupnpd not installed (tools/deps.sh installs miniupnpd-nftables): PCP router checks"
else
	. tests/integration/pcp-world.sh
	pcpw_ini "$OUT/pcp-router.ini" openwrt-upnp openwrt-fw4 40 \
		"the trials only keep the run going for the SIGKILL check"
	prid=$(pcpw_upini "$OUT/pcp-router.ini" "$OUT/pcp-up")
	if [ -z "$prid" ]; then
		bad "punchlab up with a PCP router: $(cat "$OUT/pcp-up")"
	else
		st=/run/punchlab/$prid
		ra=pl-$prid-c0-ra rb=pl-$prid-c0-rb
		alice() { ip netns exec "pl-$prid-c0-alice" "$@"; }
		mpid=$(cat "$st/miniupnpd-c0-ra.pid" 2>/dev/null)
		check "miniupnpd runs in router A's namespace with the run's config" sh -c \
			"[ -n '$mpid' ] && [ \"\$(readlink /proc/$mpid/ns/net)\" = \"\$(ip netns exec $ra readlink /proc/self/ns/net)\" ] &&
			 tr '\0' ' ' </proc/$mpid/cmdline | grep -q -- '-f $st/miniupnpd-c0-ra.conf'"
		check "it listens on 10.0.1.1:5351/udp only: no UPnP (HTTP, SSDP), nothing on the WAN" sh -c \
			"[ \"\$(ip netns exec $ra ss -Hlnup | grep -c 'pid=$mpid,')\" = 1 ] &&
			 ip netns exec $ra ss -Hlnup | grep 'pid=$mpid,' | grep -q '10\.0\.1\.1:5351 ' &&
			 ! ip netns exec $ra ss -Hlntp | grep -q 'pid=$mpid,'"
		check "the run waited for its first answer (pcpd.jsonl)" \
			grep -q '"router": "c0-ra", "external": "198.51.100.1"' \
			"results/pcp-router/$prid/pcpd.jsonl"
		# its STUN check is answered inside the router: nothing of the
		# start (nor anything else yet) has left router A by its WAN
		tx=$(ip netns exec "$ra" cat "/sys/class/net/$prid-wan/statistics/tx_packets")
		check "router A sent nothing on its WAN while miniupnpd started (tx_packets $tx)" [ "$tx" = 0 ]
		alice /usr/bin/python3 "$PCPC" 10.0.1.1 addr >"$OUT/pcp-addr" 2>&1
		check "NAT-PMP external address from alice: 198.51.100.1 ($(head -n1 "$OUT/pcp-addr"))" \
			grep -q '^op=128 result=0 external=198\.51\.100\.1$' "$OUT/pcp-addr"
		alice /usr/bin/python3 "$PCPC" 10.0.1.1 natpmp 8333 8333 3600 >"$OUT/pcp-nmap" 2>&1
		check "NAT-PMP map TCP 8333 -> 8333 for 3600 s ($(head -n1 "$OUT/pcp-nmap"))" \
			grep -q '^op=130 result=0 iport=8333 eport=8333 lifetime=3600$' "$OUT/pcp-nmap"
		alice /usr/bin/python3 "$PCPC" 10.0.1.1 pcp 9333 9333 100000 >"$OUT/pcp-pmap" 2>&1
		check "PCP MAP TCP 9333: granted, lifetime cut to lifetime_max 86400 ($(head -n1 "$OUT/pcp-pmap"))" \
			grep -q '^version=2 op=129 result=0 lifetime=86400 iport=9333 eport=9333 external=198\.51\.100\.1 nonce=same$' "$OUT/pcp-pmap"
		# ports = 1024-65535: a request below is moved to the first free
		# allowed port (1024), not refused
		alice env PCP_TIMEOUT=10 /usr/bin/python3 "$PCPC" 10.0.1.1 pcp 443 443 60 >"$OUT/pcp-low" 2>&1
		check "PCP MAP TCP 443 (outside ports): moved to 1024, lifetime raised to 120 ($(head -n1 "$OUT/pcp-low"))" \
			grep -q '^version=2 op=129 result=0 lifetime=120 iport=443 eport=1024 ' "$OUT/pcp-low"
		ip netns exec "$ra" nft list table inet "punchlab_${prid}_pcp" >"$OUT/pcp-nft" 2>&1
		check "router A's table inet punchlab_${prid}_pcp holds the three dnat rules" sh -c \
			"grep -q 'th dport 8333 dnat ip to 10\.0\.1\.2:8333' '$OUT/pcp-nft' &&
			 grep -q 'th dport 9333 dnat ip to 10\.0\.1\.2:9333' '$OUT/pcp-nft' &&
			 grep -q 'th dport 1024 dnat ip to 10\.0\.1\.2:443' '$OUT/pcp-nft'"
		# on the wire: bob's connection to the mapped endpoint reaches
		# alice's listener through router A's APDF + REJECT filter
		alice timeout 8 /usr/bin/python3 -c '
import socket, sys
s = socket.socket(); s.bind(("10.0.1.2", 8333)); s.listen(1); s.settimeout(6)
print("listening", flush=True)
c, a = s.accept(); c.settimeout(3)
print("from=%s:%d data=%s" % (a[0], a[1], c.recv(16).decode()), flush=True)' >"$OUT/pcp-listen" 2>&1 &
		lpid=$!
		for _ in $(seq 1 50); do grep -q listening "$OUT/pcp-listen" && break; sleep 0.05; done
		ip netns exec "pl-$prid-c0-bob" timeout 5 /usr/bin/python3 -c '
import socket
s = socket.create_connection(("198.51.100.1", 8333), timeout=3); s.sendall(b"via-pcp")' >"$OUT/pcp-dial" 2>&1
		wait $lpid
		check "bob -> 198.51.100.1:8333 arrives at alice's listener from 203.0.113.1 ($(tail -n1 "$OUT/pcp-listen"))" \
			grep -q '^from=203\.0\.113\.1:[0-9]* data=via-pcp$' "$OUT/pcp-listen"
		check "router A's profile table lets what miniupnpd dnat'ed pass its APDF REJECT" sh -c \
			"ip netns exec $ra nft list chain ip punchlab_$prid forward | grep -q 'iifname \"$prid-wan\" ct status dnat accept'"
		# lifetime 0 deletes (RFC 6886 3.4): the rule leaves the kernel
		alice /usr/bin/python3 "$PCPC" 10.0.1.1 natpmp 8333 0 0 >"$OUT/pcp-del" 2>&1
		check "NAT-PMP lifetime 0 removes the mapping's dnat rule ($(head -n1 "$OUT/pcp-del"))" sh -c \
			"grep -q '^op=130 result=0 iport=8333 ' '$OUT/pcp-del' &&
			 ! ip netns exec $ra nft list table inet punchlab_${prid}_pcp | grep -q 'dport 8333 dnat'"
		ip netns exec "pl-$prid-c0-bob" /usr/bin/python3 "$PCPC" 10.0.2.1 addr >"$OUT/pcp-off" 2>&1
		check "router B ([pcp] off): no daemon, no table, no files, no answer ($(head -n1 "$OUT/pcp-off"))" sh -c \
			"grep -q '^refused\$\|^timeout\$' '$OUT/pcp-off' &&
			 [ ! -e '$st/miniupnpd-c0-rb.conf' ] &&
			 ! ip netns exec $rb nft list table inet punchlab_${prid}_pcp >/dev/null 2>&1 &&
			 ! ip netns exec $rb ss -Hlnup | grep -q ':5351 '"
		$PL down "$prid" >/dev/null
		rm -rf "results/pcp-router/$prid"; rmdir results/pcp-router 2>/dev/null
		check "punchlab down stops miniupnpd" sh -c \
			"! ps -o stat= -p '$mpid' | grep -qv Z"
		check "punchlab down leaves no miniupnpd file, table or namespace of the run" sh -c \
			"[ ! -e '$st' ] && ! ip netns list | grep -q '^$ra'"
		check "punchlab down leaves nothing of the PCP run" nothing_left "$prid"
	fi

	# SIGKILL of punchlab run once the daemon answered: clean removes it
	# The daemon's pid is read before the kill: it removes its pid file
	# when PDEATHSIG stops it.
	pcp_kmpid() { kmpid=$(cat "/run/punchlab/$krid/miniupnpd-c0-ra.pid" 2>/dev/null); }
	kill_run "$OUT/pcpkill" "$OUT/pcp-router.ini" pcpd.jsonl 200 pcp_kmpid
	# The daemon dies with punchlab (PDEATHSIG) before any clean; the
	# clean of a daemon that outlived its run is the kept run below.
	kgone=no
	for _ in $(seq 1 40); do
		ps -o stat= -p "${kmpid:-0}" 2>/dev/null | grep -qv Z || { kgone=yes; break; }
		sleep 0.05
	done
	check "SIGKILL of punchlab run takes its miniupnpd ($kmpid) with it (PDEATHSIG)" \
		sh -c "[ -n '$kmpid' ] && [ $kgone = yes ]"
	$PL clean "${krid:-000000}" >/dev/null
	check "after SIGKILL of punchlab run + punchlab clean: no miniupnpd ($kmpid), file or namespace of the run (${krid:-no run})" sh -c \
		"[ -n '$kmpid' ] && ! ps -o stat= -p '$kmpid' | grep -qv Z && [ ! -e '/run/punchlab/${krid:-x}' ]"
	check "after SIGKILL + clean nothing of the run is left" nothing_left "$krid"

	# A daemon only its pid file names (its line taken out of the run's
	# pids registry, as when punchlab dies between exec and recording):
	# punchlab clean finds it by miniupnpd-<router>.pid and its cmdline
	urid=$(pcpw_upini "$OUT/pcp-router.ini" "$OUT/pcp-up2")
	umpid=$(cat "/run/punchlab/$urid/miniupnpd-c0-ra.pid" 2>/dev/null)
	[ -n "$urid" ] && [ -n "$umpid" ] &&
		sed -i "/^$umpid /d" "/run/punchlab/$urid/pids"
	$PL clean --force "${urid:-000000}" >/dev/null
	rm -rf "results/pcp-router/$urid"; rmdir results/pcp-router 2>/dev/null
	check "punchlab clean stops a miniupnpd known only by its pid file ($umpid) and leaves nothing (${urid:-no run})" sh -c \
		"[ -n '$umpid' ] && ! ps -o stat= -p '$umpid' | grep -qv Z && [ ! -e '/run/punchlab/${urid:-x}' ]"
	check "after that clean nothing of the run is left" nothing_left "$urid"
fi
