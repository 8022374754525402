# stun: the run's STUN server (coturn on charlie, 192.0.2.1:3478) and the
# run's names. A Binding from alice over UDP and over TCP must come back
# with router A's public address; a process the run started resolves
# stun.punchlab.test, the host does not; nothing of the run is left,
# also after SIGKILL + punchlab clean.
#
#   [alice]--[ra: home-eim 198.51.100.1]--[inet]--[rb]--[bob]
#                                            |
#                              [charlie 192.0.2.1: coordinator, turnserver]
STUNC=$(pwd)/tests/integration/stun-binding.py
if ! command -v turnserver >/dev/null; then
	skip "coturn not installed (tools/deps.sh installs it): STUN checks"
else
	$PL up scenarios/eim-vs-eim.ini >"$OUT/stun-up" 2>&1
	srid=$(sed -n 's/^run \([0-9a-f]\{6\}\) is up.*/\1/p' "$OUT/stun-up")
	if [ -z "$srid" ]; then
		bad "punchlab up for the STUN checks: $(cat "$OUT/stun-up")"
	else
		tpid=$(cat "results/eim-vs-eim/$srid/turnserver.pid" 2>/dev/null)
		check "turnserver runs in charlie's namespace only" sh -c \
			"[ -n '$tpid' ] && [ \"\$(readlink /proc/$tpid/ns/net)\" = \"\$(ip netns exec pl-$srid-charlie readlink /proc/self/ns/net)\" ]"
		check "turnserver listens on 192.0.2.1:3478 only (UDP and TCP)" sh -c \
			"ip netns exec pl-$srid-charlie ss -Hlnu | grep -q '192.0.2.1:3478' &&
			 ip netns exec pl-$srid-charlie ss -Hlnt | grep -q '192.0.2.1:3478' &&
			 ! ip netns exec pl-$srid-charlie ss -Hlnut | grep -v '192.0.2.1:' | grep -q ':3478'"
		for proto in udp tcp; do
			ip netns exec pl-$srid-c0-alice /usr/bin/python3 "$STUNC" \
				$proto 192.0.2.1 3478 >"$OUT/stun-$proto" 2>&1
			check "STUN Binding over $proto from alice returns router A's public address ($(cat "$OUT/stun-$proto"))" \
				grep -q '^198\.51\.100\.1:[0-9]* ' "$OUT/stun-$proto"
		done
		# router A's conntrack holds alice's Binding, translated to the
		# port STUN reported
		uport=$(sed -n 's/^198\.51\.100\.1:\([0-9]*\) .*/\1/p' "$OUT/stun-udp")
		check "router A's conntrack shows the UDP mapping STUN reported" sh -c \
			"ip netns exec pl-$srid-c0-ra conntrack -L -p udp 2>/dev/null | grep -q 'dport=$uport' ||
			 ip netns exec pl-$srid-c0-ra cat /proc/net/nf_conntrack 2>/dev/null | grep -q 'dport=$uport'"
		cpid=$(grep -l -a -- "$srid" /proc/[0-9]*/cmdline 2>/dev/null |
			sed -n 's#/proc/\([0-9]*\)/cmdline#\1#p' |
			while read -r p; do { tr '\0' ' ' </proc/$p/cmdline; } 2>/dev/null | grep -q '^[^ ]*punch-coordinator' && echo "$p"; done | head -n1)
		check "a process of the run resolves stun.punchlab.test to 192.0.2.1" sh -c \
			"[ -n '$cpid' ] && nsenter -t $cpid -m getent hosts stun.punchlab.test | grep -q '^192\.0\.2\.1 '"
		check "inside alice, with the run's mounts, the name reaches the STUN server" sh -c \
			"nsenter --mount=/proc/$cpid/ns/mnt --net=/run/netns/pl-$srid-c0-alice /usr/bin/python3 '$STUNC' udp stun.punchlab.test 3478 | grep -q '^198\.51\.100\.1:'"
		check "the host does not resolve stun.punchlab.test" \
			sh -c "! getent hosts stun.punchlab.test >/dev/null"
		check "the hosts file lives in the run's state folder" \
			grep -q "punchlab run $srid" "/run/punchlab/$srid/hosts"
		$PL down "$srid" >/dev/null
		rm -rf "results/eim-vs-eim/$srid"
		# gone, or a zombie left for PID 1 to reap (nothing runs)
		check "punchlab down stops turnserver" sh -c \
			"! ps -o stat= -p '$tpid' | grep -qv Z"
		check "punchlab down leaves nothing of the run (hosts file included)" \
			nothing_left "$srid"
	fi

	# SIGKILL: turnserver survives its parent's death only until clean
	kill_run "$OUT/stunkill" scenarios/eim-vs-eim.ini stun.jsonl 100
	$PL clean "${krid:-000000}" >/dev/null
	check "after SIGKILL + punchlab clean no turnserver, namespace or hosts file of the run is left (${krid:-no run})" \
		nothing_left "$krid"
fi
