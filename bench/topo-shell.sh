#!/bin/bash
# The topology `punchlab up tests/integration/data/smoke.ini` builds, built
# and removed by plain iproute2 + nft, as a baseline for bench/topo.sh.
# Needs root. Usage: bench/topo-shell.sh up|down RID
#
#   [c0-alice]--[c0-ra: home-eim]--[inet]--[c0-rb: home-eim ]--[c0-bob]
#   [c1-alice]--[c1-ra: home-eim]--[inet]--[c1-rb: symmetric]--[c1-bob]
#                                    |
#                              [charlie 192.0.2.1: punch-coordinator]
#
# Same namespaces (pl-RID-*), links, addresses, routes, sysctls and NAT
# rulesets (from `punchlab nat show`, with this run's names and addresses),
# and the same coordinator started in charlie and waited for, so both sides
# do the same work. Everything is named with RID; `down` stops the
# coordinator by its recorded pid and deletes the namespaces.
set -eu
cd "$(dirname "$0")/.."
PL=build/bin/punchlab
cmd=${1:-}
rid=${2:-}
if ! [[ $rid =~ ^[0-9a-f]{6}$ ]] || [[ $cmd != up && $cmd != down ]]; then
	echo "usage: bench/topo-shell.sh up|down RID (6 hex digits)" >&2
	exit 2
fi
state=/tmp/punchlab-topo-shell.$rid
ns() { echo "pl-$rid-$1"; }

# host NS FORWARD: namespace with IPv6 off, forwarding as asked, lo up
host() {
	local n; n=$(ns "$1")
	ip netns add "$n"
	if [ "$2" = 1 ]; then
		ip netns exec "$n" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1 net.ipv4.ip_forward=1 \
			net.ipv4.conf.all.send_redirects=0 \
			net.ipv4.conf.default.send_redirects=0
	else
		ip netns exec "$n" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1 net.ipv4.ip_forward=0
	fi
	ip -n "$n" link set lo up
}

# wan NS INET_TAG ADDR: veth to inet, /32 address, default via inet
wan() {
	local n i; n=$(ns "$1"); i=$(ns inet)
	ip -n "$i" link add "$rid-$2" type veth peer name "$rid-wan" netns "$n"
	ip -n "$i" link set "$rid-$2" up
	ip -n "$n" link set "$rid-wan" up
	ip -n "$n" addr add "$3/32" dev "$rid-wan"
	ip -n "$n" route add 192.0.2.254/32 dev "$rid-wan" proto static
	ip -n "$n" route add default via 192.0.2.254 dev "$rid-wan" onlink proto static
	ip -n "$i" route add "$3/32" dev "$rid-$2" proto static
}

# side CELL a|b PROFILE WAN_ADDR LAN_NET(10.0.N): router, home host, NAT
side() {
	local r h tag
	r=$(ns "c$1-r$2"); tag=$([ "$2" = a ] && echo alice || echo bob)
	h=$(ns "c$1-$tag")
	host "c$1-r$2" 1
	host "c$1-$tag" 0
	wan "c$1-r$2" "$1$2" "$4"
	ip -n "$r" link add "$rid-lan" type veth peer name "$rid-eth" netns "$h"
	ip -n "$r" link set "$rid-lan" up
	ip -n "$h" link set "$rid-eth" up
	ip -n "$r" addr add "$5.1/24" dev "$rid-lan"
	ip -n "$h" addr add "$5.2/24" dev "$rid-eth"
	ip -n "$h" route add default via "$5.1" dev "$rid-eth" proto static
	# The ruleset punchlab renders, with this run's names and addresses.
	$PL nat show "$3" |
		sed -e "s/000000/$rid/g" -e "s/198\.51\.100\.1/$4/g" \
		    -e "s|10\.0\.1\.0/24|$5.0/24|g" |
		ip netns exec "$r" nft -f -
}

up() {
	mkdir "$state"
	host inet 1
	ip -n "$(ns inet)" addr add 192.0.2.254/32 dev lo
	host charlie 0
	wan charlie ch 192.0.2.1
	side 0 a home-eim 198.51.100.1 10.0.1
	side 0 b home-eim 203.0.113.1 10.0.2
	side 1 a home-eim 198.51.100.2 10.0.1
	side 1 b symmetric 203.0.113.2 10.0.2
	ip netns exec "$(ns charlie)" setsid build/bin/punch-coordinator \
		--listen 192.0.2.1:18444 --run-id "$rid" \
		>"$state/coordinator.jsonl" 2>"$state/coordinator.log" </dev/null &
	echo "$!" >"$state/pid"
	for _ in $(seq 1 500); do
		grep -q '"listening"' "$state/coordinator.jsonl" && return 0
		sleep 0.01
	done
	echo "topo-shell: coordinator did not come up" >&2
	return 1
}

down() {
	local pid n
	if pid=$(cat "$state/pid" 2>/dev/null); then
		kill "$pid" 2>/dev/null || true
		while kill -0 "$pid" 2>/dev/null &&
			! grep -q '^State:.*zombie' "/proc/$pid/status" 2>/dev/null; do
			sleep 0.01
		done
	fi
	for n in $(ip netns list | sed -n "s/^\(pl-$rid-[^ ]*\).*/\1/p"); do
		ip netns del "$n"
	done
	rm -rf "$state"
}

$cmd
