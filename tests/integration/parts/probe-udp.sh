# probe-udp: `punchlab probe` measures UDP as well as TCP and judges it by
# the profile's UDP declaration (udp_filtering, udp_unsolicited, the
# mapping shared with TCP). Reads the JSON of run.sh's probe of every
# shipped profile, then probes a profile whose UDP differs from its TCP
# and reads the router's udp_dropped counter after a silent drop.
#
#   [h1 10.0.1.2]--+                                 +--[srv 192.0.2.10
#                  +--[router]----------------[inet]-+        192.0.2.11]
#   [h2 10.0.1.3]--+  br 10.0.1.1  WAN 198.51.100.1  +--[t 192.0.2.20]

# udp_axes FILE.json: every UDP axis is there, measured and PASS.
udp_axes() {
	/usr/bin/python3 - "$1" <<'EOF'
import json, sys
want = ["UDP mapping", "UDP port assignment", "UDP filtering", "UDP unsolicited"]
try:
    axes = json.load(open(sys.argv[1]))["axes"]
except (OSError, ValueError, KeyError) as e:
    sys.exit("%s: %s" % (sys.argv[1], e))
udp = {a["axis"]: a for a in axes if a.get("proto") == "udp"}
bad = [w for w in want if w not in udp]
bad += ["%s: %s" % (k, a["verdict"]) for k, a in udp.items()
        if a["verdict"] != "PASS" or a["declared"] != a["measured"]
        and not k.endswith("port range")]
if bad:
    sys.exit("; ".join(bad))
EOF
}

# measured FILE.json AXIS: what the probe measured on AXIS.
measured() {
	/usr/bin/python3 -c 'import json, sys
print(next(a["measured"] for a in json.load(open(sys.argv[1]))["axes"]
           if a["axis"] == sys.argv[2]))' "$1" "$2" 2>/dev/null
}

for f in nat-profiles/*.ini; do
	p=$(basename "$f" .ini)
	why=$(udp_axes "$OUT/probe-$p.json" 2>&1)
	check "probe $p: UDP mapping, ports, filtering, unsolicited measured as declared${why:+ ($why)}" \
		[ -z "$why" ]
done
# Different profiles, different UDP verdicts: the rows follow the rules.
check "probe: UDP filtering full-cone EIF, restricted ADF, home-eim APDF" sh -c "
	[ \"$(measured "$OUT/probe-full-cone.json" 'UDP filtering')\" = endpoint-independent ] &&
	[ \"$(measured "$OUT/probe-restricted.json" 'UDP filtering')\" = address-dependent ] &&
	[ \"$(measured "$OUT/probe-home-eim.json" 'UDP filtering')\" = address+port-dependent ]"
check "probe: unsolicited datagram home-eim-rst ICMP, home-eim dropped" sh -c "
	[ \"$(measured "$OUT/probe-home-eim-rst.json" 'UDP unsolicited')\" = icmp ] &&
	[ \"$(measured "$OUT/probe-home-eim.json" 'UDP unsolicited')\" = drop ]"
check "probe: UDP mapping symmetric APDM, adm ADM" sh -c "
	[ \"$(measured "$OUT/probe-symmetric.json" 'UDP mapping')\" = address+port-dependent ] &&
	[ \"$(measured "$OUT/probe-adm.json" 'UDP mapping')\" = address-dependent ]"

# A profile whose UDP is full cone with ICMP to strays while its TCP is
# APDF with silent drops: each protocol is measured on its own.
mkdir -p "$OUT/udp-profiles"
cat >"$OUT/udp-profiles/udp-split.ini" <<'EOF'
[nat]
description = probe-udp test: TCP as home-eim, UDP full cone with ICMP
mapping = endpoint-independent
port_assignment = preserve
filtering = address+port-dependent
unsolicited_syn = drop
udp_filtering = endpoint-independent
udp_unsolicited = icmp
EOF
$PL probe "$OUT/udp-profiles/udp-split.ini" --json="$OUT/probe-udp-split.json" \
	>"$OUT/probe-udp-split.txt" 2>&1
rc=$?
check "probe udp-split.ini: every axis as declared" [ $rc -eq 0 ]
[ $rc -eq 0 ] || cat "$OUT/probe-udp-split.txt"
check "probe udp-split.ini: TCP APDF and drop, UDP EIF and ICMP" sh -c "
	[ \"$(measured "$OUT/probe-udp-split.json" filtering)\" = address+port-dependent ] &&
	[ \"$(measured "$OUT/probe-udp-split.json" 'unsolicited SYN')\" = drop ] &&
	[ \"$(measured "$OUT/probe-udp-split.json" 'UDP filtering')\" = endpoint-independent ] &&
	[ \"$(measured "$OUT/probe-udp-split.json" 'UDP unsolicited')\" = icmp ]"
urid=$(sed -n 's/^  "run_id": "\([0-9a-f]\{6\}\)",$/\1/p' "$OUT/probe-udp-split.json")
check "probe udp-split.ini left nothing (${urid:-no run id})" nothing_left "$urid"

# What the probe saw as silence is the router's drop rule: a:p2's, b:p1's
# and T's datagrams, three, in udp_dropped.
$PL probe home-eim --keep >"$OUT/probe-udp-keep" 2>&1
urid=$(sed -n 's/^probe topology \([0-9a-f]\{6\}\) is up:$/\1/p' "$OUT/probe-udp-keep")
if [ -z "$urid" ]; then
	bad "probe home-eim --keep for the udp_dropped counter: $(tail -n3 "$OUT/probe-udp-keep")"
else
	n=$(ip netns exec "pl-$urid-r" nft list counter ip "punchlab_$urid" udp_dropped |
		sed -n 's/.*packets \([0-9]*\).*/\1/p')
	check "probe home-eim: udp_dropped counted the 3 datagrams the probe saw dropped (${n:-none})" \
		[ "${n:-0}" -eq 3 ]
	$PL down "$urid" >/dev/null 2>&1
	check "punchlab down removes the kept UDP probe" nothing_left "$urid"
fi
