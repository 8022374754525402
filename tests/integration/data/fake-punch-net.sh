#!/bin/sh
# A stand-in for punch-net, for testing punchlab's network plumbing only
# (PUNCHLAB_NET_PROGRAM=this): it checks its command line, that it runs
# in the run's inet namespace, and writes an empty but valid phase file
# at once (the real one writes at T0 + settle + blocks * 2 s + 2 s). Never shipped as punch-net.
set -eu
nodes= phase= part= epoch= out=
while [ $# -gt 0 ]; do
	case $1 in
	--nodes) nodes=$2 ;;
	--phase) phase=$2 ;;
	--part) part=$2 ;;
	--epoch-ns) epoch=$2 ;;
	--out) out=$2 ;;
	*) echo "fake-punch-net: unknown $1" >&2; exit 2 ;;
	esac
	shift 2
done
[ -r "$nodes" ] && [ -n "$phase" ] && [ -n "$out" ] && [ -n "$epoch" ] || exit 2
k=${part%/*} K=${part#*/}
# FAKE_NET_SLEEP=S: take S seconds first (a part that outlives its
# deadline, or one to interrupt)
[ -z "${FAKE_NET_SLEEP:-}" ] || sleep "$FAKE_NET_SLEEP"
# inet has the gateway address on its loopback
ip -4 addr show dev lo | grep -q 192.0.2.254 || { echo "fake-punch-net: not in inet" >&2; exit 1; }
printf '{"phase": "%s", "part": %s, "parts": %s, "connections": [], "punch_attempts": [], "evictions": [], "blocks": [], "addrman": []}\n' \
	"$phase" "$k" "$K" >"$out"
echo "fake-punch-net: $phase part $part epoch $epoch"
