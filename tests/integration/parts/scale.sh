# Scale: point-to-point links with permanent neighbour entries, so a
# world does not depend on the host's shared ARP table (gc_thresh3).
#
#   [alice]--[ra]--[inet]--[rb]--[bob]             cell 0: home-eim x home-eim
#   [alice]--[ra]--[ca]--[inet]--[rb]--[bob]       cell 1: cgnat-eim x open-firewall
#                     |
#                 [charlie]
#
# A world with every kind of link (LAN, WAN, carrier, routed LAN) is put
# up, a punch runs in each cell, and every namespace's table (nud all)
# must hold only PERMANENT entries; then more cells than the old parser
# limit (250) run with one trial each while gc_thresh3 stays what it is.

# Neighbour entries of run $1 in any state but PERMANENT, and how many
# entries there are in all, as "OTHER TOTAL".
scale_neighs() {
	local other=0 total=0 ns t
	for ns in $(ls /run/netns | grep "^pl-$1-"); do
		# Loopback has no ARP: a packet to 0.0.0.0 (a local
		# destination) leaves a NOARP entry on lo in charlie, which
		# involves no link and no resolution.
		t=$(ip -n "$ns" neigh show nud all | grep -v ' dev lo ')
		[ -n "$t" ] || continue
		total=$((total + $(echo "$t" | wc -l)))
		other=$((other + $(echo "$t" | grep -vc ' PERMANENT')))
	done
	echo "$other $total"
}

cat >"$OUT/scale-kinds.ini" <<'INI'
[scenario]
trials = 1
[cell nat]
a = home-eim
b = home-eim
expect = == 1
[cell cgn-routed]
a = cgnat-eim
b = open-firewall
expect = == 1
INI
$PL up "$OUT/scale-kinds.ini" >"$OUT/scale-up" 2>&1
srid=$(sed -n 's/^run \([0-9a-f]\{6\}\) is up.*/\1/p' "$OUT/scale-up")
if [ -n "$srid" ]; then
	mkdir -p "$OUT/scale/kinds/$srid" # for the final leftover check
	read -r other total <<<"$(scale_neighs "$srid")"
	# charlie 2, per side 4, the carrier link 2 more: 2 + 4 * 4 + 2
	check "built world: 20 neighbour entries, all PERMANENT ($other others)" \
		[ "$total" -eq 20 -a "$other" -eq 0 ]
	check "every veth of the world is NOARP with a locally administered MAC" \
		sh -c "for ns in \$(ls /run/netns | grep '^pl-$srid-'); do
			ip -n \$ns -o link show type veth | grep -v 'NOARP' && exit 1
			ip -n \$ns -o link show type veth | grep -v 'link/ether 02:' && exit 1
		done; exit 0"
	for c in 0 1; do
		timeout 15 ip netns exec "pl-$srid-c$c-alice" "$(dirname "$PL")/punch-agent" \
			--coordinator 192.0.2.1:18444 --local-port 20000 \
			--key $((c + 1)) >"$OUT/scale-a$c" 2>&1 &
		timeout 15 ip netns exec "pl-$srid-c$c-bob" "$(dirname "$PL")/punch-agent" \
			--coordinator 192.0.2.1:18444 --local-port 20000 \
			--key $((c + 1)) >"$OUT/scale-b$c" 2>&1
		echo $? >"$OUT/scale-b$c.rc"
		wait $!
		echo $? >"$OUT/scale-a$c.rc"
	done
	check "a punch in each cell succeeds (NAT, carrier, routed LAN)" \
		[ "$(cat "$OUT"/scale-{a,b}{0,1}.rc | sort -u)" = 0 ]
	check "routed bob (cell 1) and alice behind the carrier reach charlie (ping)" \
		sh -c "ip netns exec pl-$srid-c1-bob ping -c1 -W2 192.0.2.1 >/dev/null &&
		       ip netns exec pl-$srid-c1-alice ping -c1 -W2 192.0.2.1 >/dev/null"
	read -r other total <<<"$(scale_neighs "$srid")"
	check "after the punches: still only the 20 PERMANENT entries ($other others)" \
		[ "$total" -eq 20 -a "$other" -eq 0 ]
	$PL down "$srid" >/dev/null
	check "punchlab down removes the scale world" nothing_left "$srid"
else
	bad "punchlab up (scale): $(tail -n1 "$OUT/scale-up")"
fi

# More cells than the old limit of 250, one trial each: every cell
# passes and the host's neighbour table limit is untouched.
gc3=$(cat /proc/sys/net/ipv4/neigh/default/gc_thresh3)
{
	echo "[scenario]"
	echo "trials = 1"
	for ((c = 0; c < 260; c++)); do
		printf '[cell c%d]\na = home-eim\nb = home-eim\nexpect = == 1\n' "$c"
	done
} >"$OUT/scale-260.ini"
$PL run --results "$OUT/scale" "$OUT/scale-260.ini" >"$OUT/scale-260.out" 2>&1
rc=$?
check "260 cells x 1 trial: every cell passes (gc_thresh3 $gc3)" \
	[ $rc -eq 0 -a "$(grep -c ' PASS$' "$OUT/scale-260.out")" -eq 260 ]
check "cell 259 used 172.16.0.10 and 172.17.0.10 (past the /24s)" \
	grep -q '"public":"172.16.0.10:' "$(ls -d "$OUT"/scale/scale-260/*/ | head -n1)/trials.jsonl"
check "the 260-cell run left nothing" nothing_left "$(rid_of "$OUT/scale/scale-260")"

# A 300-cell world built by namespace visits (world.c: each namespace's
# steps in one setns, veth peers made in their namespace by fd): every
# link carries its forwarding and IPv6 settings, every link is up, every
# neighbour entry is permanent, and `punchlab down` leaves nothing.
{
	echo "[scenario]"
	echo "trials = 1"
	for ((c = 0; c < 300; c++)); do
		printf '[cell c%d]\na = home-eim\nb = home-eim\nexpect = == 1\n' "$c"
	done
} >"$OUT/scale-300.ini"
$PL up "$OUT/scale-300.ini" >"$OUT/scale-300-up" 2>&1
vrid=$(sed -n 's/^run \([0-9a-f]\{6\}\) is up.*/\1/p' "$OUT/scale-300-up")
if [ -n "$vrid" ]; then
	mkdir -p "$OUT/scale/visits/$vrid" # for the final leftover check
	check "300 cells: 1,202 namespaces" \
		[ "$(ls /run/netns | grep -c "^pl-$vrid-")" -eq 1202 ]
	read -r other total <<<"$(scale_neighs "$vrid")"
	# 2,402 entries when this was written (20 for two cells above)
	check "300 cells: only PERMANENT neighbour entries ($other others of $total)" \
		[ "$other" -eq 0 -a "$total" -gt 2400 ]
	check "300 cells: no link is down" \
		sh -c "for ns in \$(ls /run/netns | grep '^pl-$vrid-'); do
			ip -n \$ns -o link show | grep -q 'state DOWN' && exit 1
		done; exit 0"
	# Set per link by netlink (nlreq_link_up_conf), read back here from
	# the kernel: forwarding is per device (the one a packet comes in
	# on), ICMP redirects die in the routers' ruleset (all.send_redirects
	# stays 1 and is or-ed with the device's), IPv6 has no address
	# (IFLA_INET6_ADDR_GEN_MODE none) and sent or received nothing.
	check "300 cells: routers forward on every link and drop redirects, hosts do not forward" \
		sh -c "for c in 0 150 299; do
			for d in $vrid-wan $vrid-lan lo; do
				[ \$(ip netns exec pl-$vrid-c\$c-ra cat /proc/sys/net/ipv4/conf/\$d/forwarding) = 1 ] || exit 1
			done
			[ \$(ip netns exec pl-$vrid-c\$c-alice cat /proc/sys/net/ipv4/conf/$vrid-eth/forwarding) = 0 ] &&
			[ \$(ip netns exec pl-$vrid-c\$c-rb cat /proc/sys/net/ipv4/conf/$vrid-lan/send_redirects) = 0 ] &&
			ip netns exec pl-$vrid-c\$c-rb nft list ruleset | grep -q 'icmp type redirect counter packets [0-9]* bytes [0-9]* drop' || exit 1
		done; exit 0"
	check "300 cells: IPv6 is silent (no address but lo's ::1, no IPv6 packet in or out)" \
		sh -c "for ns in \$(ls /run/netns | grep '^pl-$vrid-c1[0-9]-'); do
			ip -n \$ns -6 -o addr | grep -v ' lo .* ::1/128' | grep -q . && exit 1
			ip netns exec \$ns awk '\$1 ~ /^Ip6(InReceives|OutRequests)\$/ && \$2 != 0 { bad = 1 } END { exit bad }' /proc/net/snmp6 || exit 1
		done; exit 0"
	check "300 cells: the last cell's hosts reach charlie through their NATs (ping)" \
		sh -c "ip netns exec pl-$vrid-c299-alice ping -c1 -W2 192.0.2.1 >/dev/null &&
		       ip netns exec pl-$vrid-c299-bob ping -c1 -W2 192.0.2.1 >/dev/null"
	$PL down "$vrid" >/dev/null
	check "300 cells: punchlab down leaves nothing" nothing_left "$vrid"
else
	bad "punchlab up (300 cells): $(tail -n1 "$OUT/scale-300-up")"
fi
