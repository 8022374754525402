# pcp-world.sh: sourced by tests/integration/parts/pcp-client.sh and
# bench/pcp-map.sh (kept outside parts/ so run.sh does not source it on
# its own). A scenarios/eim-vs-eim.ini world with miniupnpd (Debian
# miniupnpd-nftables 2.3.1) started by hand in bob's router, until the
# [pcp] profile keys of docs/alternatives.md section 2 do it:
#
#   [alice 10.0.1.2]--[ra 198.51.100.1]--[inet]--[rb 203.0.113.1]--[bob 10.0.2.2]
#                                          |      miniupnpd on 10.0.2.1:5351
#                       [charlie 192.0.2.1: stun-open.py on :3479]
#
# miniupnpd 2.3.1 refuses to map when its WAN address is reserved
# (203.0.113.0/24 is TEST-NET-3; ext_ip= with one is a start-up error,
# and ext_allow_private_ipv4 only came in a later release) unless
# ext_perform_stun says the WAN is public and unfiltered: four Binding
# answers, each naming its request's own source. stun-open.py gives them;
# coturn answers CHANGE-REQUEST with 420 (no RFC 5780), which miniupnpd
# reads as a restrictive NAT. Its chains live in table inet
# pl_<rid>_pcpc in rb; stopped by pid. Needs $PL and $PCA (punch-agent).

# pcpw_up DIR: the world (pcpw_rid; "" when punchlab up failed, its
# output in DIR/up). The daemon is not started yet.
pcpw_up() {
	pcpw_dir=$1
	mkdir -p "$pcpw_dir"
	$PL up scenarios/eim-vs-eim.ini >"$pcpw_dir/up" 2>&1
	pcpw_rid=$(sed -n 's/^run \([0-9a-f]\{6\}\) is up.*/\1/p' "$pcpw_dir/up")
	pcpw_rb=pl-$pcpw_rid-c0-rb
	pcpw_bob=pl-$pcpw_rid-c0-bob
	pcpw_alice=pl-$pcpw_rid-c0-alice
	pcpw_tab=pl_${pcpw_rid}_pcpc
	pcpw_mu= pcpw_stun=
}

# pcpw_daemon: the STUN responder, the table, miniupnpd; waits until it
# listens (10 s at most). Lets the forwarded connections through the
# home-eim filter, which drops every new inbound one, as a router with
# port forwarding does.
pcpw_daemon() {
	local d=$pcpw_dir
	cat >"$d/nft" <<-EOF
	table inet $pcpw_tab {
		chain forward { type filter hook forward priority -1; policy accept; jump miniupnpd; }
		chain miniupnpd { }
		chain prerouting { type nat hook prerouting priority -101; policy accept; jump prerouting_miniupnpd; }
		chain postrouting { type nat hook postrouting priority 99; policy accept; jump postrouting_miniupnpd; }
		chain prerouting_miniupnpd { }
		chain postrouting_miniupnpd { }
	}
	EOF
	cat >"$d/miniupnpd.conf" <<-EOF
	ext_ifname=$pcpw_rid-wan
	listening_ip=10.0.2.1/24
	enable_natpmp=yes
	enable_upnp=no
	secure_mode=yes
	min_lifetime=120
	max_lifetime=86400
	upnp_table_name=$pcpw_tab
	upnp_nat_table_name=$pcpw_tab
	upnp_forward_chain=miniupnpd
	upnp_nat_chain=prerouting_miniupnpd
	upnp_nat_postrouting_chain=postrouting_miniupnpd
	ext_perform_stun=yes
	ext_stun_host=192.0.2.1
	ext_stun_port=3479
	allow 1024-65535 10.0.2.0/24 1024-65535
	deny 0-65535 0.0.0.0/0 0-65535
	EOF
	ip netns exec "pl-$pcpw_rid-charlie" /usr/bin/python3 \
		tests/integration/stun-open.py 192.0.2.1 3479 &
	pcpw_stun=$!
	ip netns exec "$pcpw_rb" nft -f "$d/nft"
	ip netns exec "$pcpw_rb" /usr/sbin/miniupnpd -f "$d/miniupnpd.conf" \
		-d -P "$d/miniupnpd.pid" >"$d/miniupnpd.log" 2>&1 &
	pcpw_mu=$!
	for _ in $(seq 1 100); do
		grep -q "Listening for NAT-PMP/PCP" "$d/miniupnpd.log" && break
		sleep 0.1
	done
	ip netns exec "$pcpw_rb" nft insert rule ip "punchlab_$pcpw_rid" \
		forward iifname "\"$pcpw_rid-wan\"" ct status dnat accept
}

# pcpw_serve OUT PORT [ARG...]: bob --serve --local-port PORT --pcp
# 10.0.2.1 ARG... in the background (its lines in OUT, its pid in
# pcpw_spid), until its mapped event (5 s at most); pcpw_ext: the external
# endpoint it names, "" when none came.
pcpw_serve() {
	local out=$1 port=$2
	shift 2
	ip netns exec "$pcpw_bob" "$PCA" --serve --local-port "$port" \
		--pcp 10.0.2.1 "$@" >"$out" 2>"$out.err" &
	pcpw_spid=$!
	for _ in $(seq 1 50); do
		grep -qs '"event":"mapped"' "$out" && break
		sleep 0.1
	done
	pcpw_ext=$(sed -n 's/.*"external":"\([0-9.:]*\)".*/\1/p' "$out" | head -n1)
}

# pcpw_down: the daemon and the responder by pid, the table, the world.
# miniupnpd reads SIGTERM's flag between requests only, and one request
# can keep it busy for minutes (README: a denied port): SIGKILL after 3 s.
pcpw_down() {
	local p
	for p in $pcpw_mu $pcpw_stun; do
		kill "$p" 2>/dev/null
		for _ in $(seq 1 30); do
			ps -o stat= -p "$p" 2>/dev/null | grep -qv Z || break
			sleep 0.1
		done
		kill -KILL "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	ip netns exec "$pcpw_rb" nft delete table inet "$pcpw_tab" 2>/dev/null
	$PL down "$pcpw_rid" >/dev/null
	rm -rf "results/eim-vs-eim/$pcpw_rid"
}
