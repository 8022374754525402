# pcp-world.sh: sourced by tests/integration/parts/pcp-client.sh,
# parts/pcp-router.sh (pcpw_ini, pcpw_upini) and bench/pcp-map.sh (kept
# outside parts/ so run.sh does not source it on its own). A one-cell world whose bob sits behind a PCP router (profile
# openwrt-upnp: miniupnpd PCP + NAT-PMP, started by the world, part P)
# and alice behind the same router without one (openwrt-fw4, [pcp] off):
#
#   [alice 10.0.1.2]--[ra: openwrt-fw4]--[inet]--[rb: openwrt-upnp]--[bob 10.0.2.2]
#                      198.51.100.1        |      203.0.113.1, miniupnpd
#                                      [charlie]  on 10.0.2.1:5351
#
# Needs $PL and $PCA (punch-agent).

# pcpw_ini FILE A B TRIALS REASON: the one-cell scenario, cell pcp with
# alice behind profile A and bob behind B (one of them openwrt-upnp);
# pcp-router.sh draws the mirror world (alice behind the PCP router).
pcpw_ini() {
	cat >"$1" <<-INI
	# one router with PCP (openwrt-upnp), one without (openwrt-fw4)
	[scenario]
	description = PCP/NAT-PMP router world
	trials = $4
	seed = 1
	parallel = 1
	timeout_ms = 3000

	[cell pcp]
	a = $2
	b = $3
	expect = >= 0.0
	reason = $5
	INI
}

# pcpw_upini INI OUT: punchlab up INI (its output in OUT); prints the
# run id, nothing when the world did not come up.
pcpw_upini() {
	$PL up "$1" >"$2" 2>&1
	sed -n 's/^run \([0-9a-f]\{6\}\) is up.*/\1/p' "$2"
}

# pcpw_up DIR: the world (pcpw_rid; "" when punchlab up failed, its
# output in DIR/up).
pcpw_up() {
	pcpw_dir=$1
	mkdir -p "$pcpw_dir"
	pcpw_ini "$pcpw_dir/pcp-client.ini" openwrt-fw4 openwrt-upnp 1 \
		"only the world is used"
	pcpw_rid=$(pcpw_upini "$pcpw_dir/pcp-client.ini" "$pcpw_dir/up")
	pcpw_rb=pl-$pcpw_rid-c0-rb
	pcpw_bob=pl-$pcpw_rid-c0-bob
	pcpw_alice=pl-$pcpw_rid-c0-alice
	pcpw_tab=punchlab_${pcpw_rid}_pcp
	pcpw_mu=$(cat "/run/punchlab/$pcpw_rid/miniupnpd-c0-rb.pid" 2>/dev/null)
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

# pcpw_down: the world, its miniupnpd with it.
pcpw_down() {
	$PL down "$pcpw_rid" >/dev/null
	rm -rf "results/pcp-client/$pcpw_rid"
}
