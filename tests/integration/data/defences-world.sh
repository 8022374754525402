# defences-world.sh: the world of the agent-defences part and bench, to
# source (bash): dworld_up brings tests/integration/data/agent-defences.ini
# up and puts nft counters of alice's SYNs per target in her namespace
# (table punchlab_<rid>_def, gone with the namespace);
# dliar starts a lying coordinator on charlie; dworld_down removes it all.
# Needs $PL (punchlab) and $AGENT (punch-agent); sets drid, dal, dbo, dch.

# dworld_up DIR: 0 and drid set, or 1 with the reason in DIR/up.
dworld_up() {
	dd=$1
	mkdir -p "$dd"
	: >"$dd/liars"
	"$PL" up tests/integration/data/agent-defences.ini >"$dd/up" 2>&1
	drid=$(sed -n 's/^[Rr]un \([0-9a-f]\{6\}\) is up.*/\1/p' "$dd/up")
	[ -n "$drid" ] || return 1
	dal=pl-$drid-c0-alice dbo=pl-$drid-c0-bob dch=pl-$drid-charlie
	ip netns exec "$dal" nft -f - <<NFT
table inet punchlab_${drid}_def {
	counter lo_syn {}
	counter lan_syn {}
	counter rst_syn {}
	counter drop_syn {}
	chain out {
		type filter hook output priority 0;
		tcp flags & (syn | ack) == syn ip daddr 127.0.0.1 tcp dport 18443 counter name lo_syn
		tcp flags & (syn | ack) == syn ip daddr 10.0.1.1 tcp dport 80 counter name lan_syn
		tcp flags & (syn | ack) == syn ip daddr 192.0.2.1 tcp dport 9 counter name rst_syn
		tcp flags & (syn | ack) == syn ip daddr 203.0.113.1 tcp dport 8333 counter name drop_syn
	}
}
NFT
}

# dsyns COUNTER: the SYNs alice sent to its target since the last call.
dsyns() {
	ip netns exec "$dal" nft reset counter inet "punchlab_${drid}_def" "$1" |
		awk '/packets/ { print $2; exit }'
}

# dliar PORT TARGET [DELAY_MS]: liecoord.py on 192.0.2.1:PORT, ready on
# return (its "ready" line).
dliar() {
	ip netns exec "$dch" /usr/bin/python3 tests/integration/data/liecoord.py \
		--listen "192.0.2.1:$1" --target "$2" --delay-ms "${3:-0}" \
		>"$dd/liar-$1.log" 2>&1 &
	echo $! >>"$dd/liars"
	for _ in $(seq 50); do
		grep -q ready "$dd/liar-$1.log" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

dworld_down() {
	local p
	while read -r p; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done <"$dd/liars"
	# no run id (up failed): nothing of ours to remove, and an empty
	# $drid would name every run's results
	if [ -n "$drid" ]; then
		"$PL" down "$drid" >/dev/null 2>&1
		rm -rf "results/agent-defences/$drid"
		rmdir results/agent-defences 2>/dev/null
	fi
	return 0
}
