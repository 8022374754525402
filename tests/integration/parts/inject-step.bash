# inject-step.bash: one injected punch in a world that is up, for the
# parts inject.sh and inject-defences.sh (sourced by them; not a part:
# run.sh sources *.sh only).
#
# inject_step RID DIR KIND OFFSET_MS PORT [AGENT OPTIONS...]: a coordinator
# on charlie at 192.0.2.1:18600 whose tap (--tap-fd) is kept in
# DIR/tap.lines and, unless KIND is "-", fed to punch-adversary --role
# inject in inet (events in DIR/adv.jsonl); then one pair of agents on
# PORT (key = PORT) with the options given, reports in DIR/alice.json and
# DIR/bob.json. Waits for both agents; stops the coordinator.
inject_step() {
	local rid=$1 d=$2 kind=$3 off=$4 port=$5 bin a= c pa pb side
	shift 5
	bin=$(dirname "$PL")
	mkdir -p "$d"
	if [ "$kind" != - ]; then
		mkfifo "$d/tap"
		ip netns exec "pl-$rid-inet" "$bin/punch-adversary" --role inject \
			--run-id "$rid" --events "$d/adv.jsonl" --duration-ms 20000 \
			--tap-fd 3 --inject "$kind" --offset-ms "$off" \
			3<"$d/tap" 2>"$d/adv.err" &
		a=$!
	else
		: >"$d/tap" # a plain file: the tee below writes it away
	fi
	ip netns exec "pl-$rid-charlie" "$bin/punch-coordinator" \
		--listen 192.0.2.1:18600 --run-id "$rid" --margin-ms 150 \
		--tap-fd 4 4> >(tee "$d/tap.lines" >"$d/tap") \
		>"$d/coord.jsonl" 2>"$d/coord.err" &
	c=$!
	for _ in $(seq 50); do
		grep -q listening "$d/coord.err" 2>/dev/null && break
		sleep 0.1
	done
	for side in alice bob; do
		ip netns exec "pl-$rid-c0-$side" "$bin/punch-agent" \
			--coordinator 192.0.2.1:18600 --local-port "$port" \
			--key "$port" --timeout-ms 2500 "$@" \
			>"$d/$side.json" 2>"$d/$side.err" &
		[ "$side" = alice ] && pa=$! || pb=$!
	done
	wait "$pa" "$pb"
	kill "$c" 2>/dev/null
	wait "$c" 2>/dev/null
	[ -n "$a" ] && wait "$a" 2>/dev/null
	return 0
}

# inject_ok DIR: both agents connected
inject_ok() { grep -q '"outcome":"ok"' "$1/alice.json" && grep -q '"outcome":"ok"' "$1/bob.json"; }

# inject_up NAME [LINE...]: the parts' world, home-eim on both sides at
# RTT 100 ms with the cell's extra lines, brought up from $OUT/NAME.ini
# (punchlab up's output in $OUT/NAME-up); prints its run id, "" when up
# failed.
inject_up() {
	local name=$1
	shift
	{
		printf '[scenario]\ndescription = %s: spoofed segments at punch time\n' "$name"
		printf 'trials = 1\n[cell c0]\na = home-eim\nb = home-eim\n'
		printf 'expect = >= 0\nrtt_ms = 100\n'
		printf '%s\n' "$@"
	} >"$OUT/$name.ini"
	"$PL" up "$OUT/$name.ini" >"$OUT/$name-up" 2>&1
	sed -n 's/^run \([0-9a-f]\{6\}\) is up.*/\1/p' "$OUT/$name-up"
}
