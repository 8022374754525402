# profile-keys: the NAT profile keys of issue 11, each probed on and off
# with the test profiles in tests/unit/data/keys/: port_overloading,
# simultaneous_open, [timeouts] syn_sent and refresh. Each probe must
# pass (the probe measured what the profile declares), the two values of
# a key must measure differently, and where a key drops packets the
# router's own counter shows it (runs kept up with --keep, read, removed).
#
#   [h1 10.0.1.2]--+                                 +--[srv 192.0.2.10
#                  +--[router]----------------[inet]-+        192.0.2.11]
#   [h2 10.0.1.3]--+  br 10.0.1.1  WAN 198.51.100.1  +--[t 192.0.2.20]

KEYS=tests/unit/data/keys

# key_axis FILE.json AXIS FIELD: one field of one axis of a probe report.
key_axis() {
	/usr/bin/python3 -c 'import json, sys
print(next(a[sys.argv[3]] for a in json.load(open(sys.argv[1]))["axes"]
           if a["axis"] == sys.argv[2]))' "$1" "$2" "$3" 2>/dev/null
}
key_rid() { sed -n 's/^  "run_id": "\([0-9a-f]\{6\}\)",$/\1/p' "$1"; }

# key_probe NAME [OPTIONS]: probes $KEYS/NAME.ini; PASS expected.
key_probe() {
	local name=$1 rc
	shift
	$PL probe "$@" "$KEYS/$name.ini" --json="$OUT/keys-$name.json" \
		>"$OUT/keys-$name.txt" 2>&1
	rc=$?
	check "probe $name: every axis as declared" [ $rc -eq 0 ]
	[ $rc -eq 0 ] || cat "$OUT/keys-$name.txt"
}

# key_measured AXIS NAME=VALUE...: each probe NAME measured VALUE on AXIS.
key_measured() {
	local axis=$1 nv
	shift
	for nv in "$@"; do
		[ "$(key_axis "$OUT/keys-${nv%%=*}.json" "$axis" measured)" = "${nv#*=}" ] ||
			return 1
	done
}

# key_kept NAME COUNTER WHAT: the kept probe run of NAME counted packets
# in its router's COUNTER; then the run is removed and must leave nothing.
key_kept() {
	local rid n
	rid=$(key_rid "$OUT/keys-$1.json")
	n=$(ip netns exec "pl-$rid-r" nft list counter ip "punchlab_$rid" "$2" 2>/dev/null |
		sed -n 's/.*packets \([0-9]*\).*/\1/p')
	check "$3: the router's $2 counted them (${n:-none})" [ "${n:-0}" -ge 1 ]
	[ -n "$rid" ] && $PL down "$rid" >/dev/null 2>&1
	check "probe $1 --keep removed by down (${rid:-no run id})" nothing_left "$rid"
}

# --- port_overloading: H2 from H1's port gets H1's public port or not ---
key_probe keys-overload-on
key_probe keys-overload-off
key_probe keys-overload-off-apdm
check "port_overloading: on measured on, off measured off (EIM and APDM)" \
	key_measured 'port overloading' keys-overload-on=on keys-overload-off=off \
	keys-overload-off-apdm=off
check "port_overloading: the same for UDP" \
	key_measured 'UDP port overloading' keys-overload-on=on keys-overload-off=off \
	keys-overload-off-apdm=off
# and off keeps what EIM means for the host that got in first
check "port_overloading off: still EIM, ports still preserved for H1" sh -c "
	[ \"$(key_axis "$OUT/keys-keys-overload-off.json" mapping measured)\" = endpoint-independent ] &&
	[ \"$(key_axis "$OUT/keys-keys-overload-off.json" 'port assignment' measured)\" = preserve ]"
# The default of a shipped preserve profile is on, as the kernel does it.
check "home-eim overloads (kernel masquerade with preserved ports)" \
	[ "$(key_axis "$OUT/probe-home-eim.json" 'port overloading' measured)" = on ]
check "symmetric does not (random ports)" \
	[ "$(key_axis "$OUT/probe-symmetric.json" 'port overloading' measured)" = off ]

# --- simultaneous_open: T's SYN back while H1's SYN is unanswered -------
key_probe keys-simopen-pass
key_probe keys-simopen-drop --keep
check "simultaneous_open: pass measured pass, drop measured drop" \
	key_measured 'simultaneous open' keys-simopen-pass=pass keys-simopen-drop=drop
key_kept keys-simopen-drop simopen_dropped "simultaneous_open = drop: T's SYN back"

# --- syn_sent: a mapping made by one unanswered SYN lives that long -----
key_probe keys-syn-sent
key_probe keys-syn-sent-6
# PASS means every probe T sent before the declared time got in and none
# after (judged by when each left, so a late wake-up moves no verdict).
check "syn_sent: 3 s and 6 s each hold as declared" sh -c "
	[ \"$(key_axis "$OUT/keys-keys-syn-sent.json" 'SYN_SENT timeout' declared)\" = '3 s' ] &&
	[ \"$(key_axis "$OUT/keys-keys-syn-sent.json" 'SYN_SENT timeout' verdict)\" = PASS ] &&
	[ \"$(key_axis "$OUT/keys-keys-syn-sent-6.json" 'SYN_SENT timeout' declared)\" = '6 s' ] &&
	[ \"$(key_axis "$OUT/keys-keys-syn-sent-6.json" 'SYN_SENT timeout' verdict)\" = PASS ]"

# --- refresh: do inbound-only datagrams keep the mapping? ---------------
key_probe keys-refresh-both --timeouts
key_probe keys-refresh-outbound --keep
check "refresh: both measured both, outbound measured outbound" \
	key_measured 'UDP refresh' keys-refresh-both=both keys-refresh-outbound=outbound
key_kept keys-refresh-outbound refresh_dropped "refresh = outbound: S's late datagrams"

for f in "$OUT"/keys-*.json; do
	r=$(key_rid "$f")
	check "probe $(basename "$f" .json) left nothing (${r:-no run id})" nothing_left "$r"
done
