# inject: an off-path party that knows both public endpoints and the
# punch start (the coordinator's --tap-fd) spoofs TCP between them.
#
#   [alice]--[router A 198.51.100.1]--[inet + injector]--[router B 203.0.113.1]--[bob]
#                                         |  (50 ms toward each router)
#                                     [charlie: coordinator --tap-fd -> injector]
#
# Evidence from the kernel: counters in router A (raw prerouting, before
# conntrack; forward, after it) count the spoofed segments by their shape
# (our SYNs carry only an MSS option, doff 6; our RSTs no ACK), the
# profile's syn_dropped counter, and router A's conntrack entry for
# alice's punch. The agents' outcomes are the effect.
. "$(dirname "${BASH_SOURCE[0]}")/inject-step.bash"
irid=$(inject_up inject)
if [ -n "$irid" ]; then
	ira=pl-$irid-c0-ra
	ip netns exec "$ira" nft -f - <<NFT
table inet punchlab_${irid}_injtest {
	counter rst_in {}
	counter syn_in {}
	counter syn_fwd {}
	chain inj_pre {
		type filter hook prerouting priority raw;
		ip saddr 203.0.113.1 tcp flags rst / rst,ack counter name rst_in
		ip saddr 203.0.113.1 tcp flags syn / syn,ack tcp doff 6 counter name syn_in
	}
	chain inj_fwd {
		type filter hook forward priority -10;
		ip saddr 203.0.113.1 tcp flags syn / syn,ack tcp doff 6 counter name syn_fwd
	}
}
NFT
	# inject_counter NAME [TABLE]: packets of a named counter in router A
	inject_counter() {
		ip netns exec "$ira" nft list counter "${2:-inet punchlab_${irid}_injtest}" "$1" |
			sed -n 's/.*packets \([0-9]*\).*/\1/p'
	}
	# rst 40 ms after the start the coordinator scheduled: the agents
	# start ~25 ms after it here (the delay is all toward the routers,
	# the coordinator assumes half the RTT each way), so the RSTs reach
	# router A while alice's entry is in SYN_SENT.
	inject_step "$irid" "$OUT/inject/rst" rst 40 24001
	check "inject: the tap line names both public endpoints as router A's conntrack shows alice's punch" \
		/usr/bin/python3 - "$OUT/inject/rst/tap.lines" <<PY
import re, subprocess, sys
line = open(sys.argv[1]).read().split()
ct = subprocess.run(["ip", "netns", "exec", "$ira", "cat",
                     "/proc/net/nf_conntrack"], capture_output=True,
                    text=True).stdout
ok = False
for l in ct.splitlines():
    f = re.findall(r"(src|dst|sport|dport)=(\S+)", l)
    if len(f) < 8 or f[0][1] != "10.0.1.2" or f[2][1] != "24001":
        continue
    orig, reply = dict(f[:4]), dict(f[4:8])
    if orig["dst"] == "203.0.113.1":
        # A is the initiator, whichever side registered first
        ok = (line[0] == "pair" and line[1] == "24001"
              and sorted(line[2:4]) == sorted(
                  ["%s:%s" % (reply["dst"], reply["dport"]),
                   "%s:%s" % (orig["dst"], orig["dport"])]))
print("  tap:", " ".join(line[:4]))
if not ok:
    print(ct)
sys.exit(0 if ok else 1)
PY
	check "inject: the spoofed RSTs reached router A from B's public endpoint, as many as the injector sent it" \
		/usr/bin/python3 - "$OUT/inject/rst/adv.jsonl" "$(inject_counter rst_in)" <<'PY'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
to_a = [e for e in ev if e["event"] == "inject"
        and e["src"] == "203.0.113.1:24001" and e["dst"] == "198.51.100.1:24001"]
print("  sent %s, counted %s" % ([e["count"] for e in to_a], sys.argv[2]))
sys.exit(0 if len(to_a) == 1 and to_a[0]["count"] == 4 == int(sys.argv[2]) else 1)
PY

	# syn 100 ms before the start: no entry in router A yet, so the
	# spoofed SYNs are unsolicited and the profile drops them.
	dropped=$(inject_counter syn_dropped "ip punchlab_$irid")
	inject_step "$irid" "$OUT/inject/early" syn -100 24002
	inject_early() {
		[ "$(inject_counter syn_in)" = 4 ] &&
			[ "$(inject_counter syn_fwd)" = 0 ] &&
			[ "$(inject_counter syn_dropped "ip punchlab_$irid")" -ge $((dropped + 4)) ] &&
			inject_ok "$OUT/inject/early"
	}
	check "inject: SYNs before alice's own find no conntrack entry: dropped by router A (syn_dropped), none forwarded, the pair connects" \
		inject_early

	# syn 50 ms after the scheduled start: between alice's SYN leaving
	# router A (~+25 ms) and bob's reaching it (~+75 ms). Conntrack takes
	# the first spoofed SYN for simultaneous open and forwards it; alice
	# answers its foreign ISN, bob's stack answers that SYN-ACK with a
	# RST at exactly the sequence alice expects, and the punch dies.
	inject_step "$irid" "$OUT/inject/mid" syn 50 24003
	inject_mid() {
		[ "$(inject_counter syn_fwd)" -ge 1 ] && ! inject_ok "$OUT/inject/mid"
	}
	check "inject: a spoofed SYN inside the window is forwarded to alice by router A's conntrack, and that pair fails" \
		inject_mid

	# A burst stops at SIGTERM: 32 RSTs toward A 100 ms apart (3.1 s),
	# SIGTERM once router A has counted the first; what the kernel counted
	# is what the stop event says was sent, fewer than 32, and the burst
	# toward B (due with it) never goes.
	d=$OUT/inject/term
	mkdir -p "$d"
	mkfifo "$d/tap"
	rst0=$(inject_counter rst_in)
	ip netns exec "pl-$irid-inet" "$(dirname "$PL")/punch-adversary" --role inject \
		--run-id "$irid" --events "$d/adv.jsonl" --duration-ms 20000 \
		--tap-fd 3 --inject rst --count 64 --spread-us 100000 \
		3<"$d/tap" 2>"$d/adv.err" &
	a=$!
	exec 5<>"$d/tap" # read-write: never blocks, even if the reader died
	echo "pair 24009 198.51.100.1:24009 203.0.113.1:24009 $(/usr/bin/python3 -c 'import time; print(time.monotonic_ns())')" >&5
	for _ in $(seq 100); do
		[ "$(inject_counter rst_in)" -gt "$rst0" ] && break
		sleep 0.1
	done
	kill "$a"
	wait "$a"
	exec 5>&-
	check "inject: SIGTERM ends a burst: router A counted as many RSTs as the injector reports (1..31 of 32), none sent toward B" \
		/usr/bin/python3 - "$d/adv.jsonl" $(($(inject_counter rst_in) - rst0)) <<'PY'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
inj = [e for e in ev if e["event"] == "inject"]
got = int(sys.argv[2])
print("  bursts %s, router A counted %d" % (
    [(e["dst"], e["count"]) for e in inj], got))
sys.exit(0 if len(inj) == 1 and inj[0]["dst"] == "198.51.100.1:24009"
         and 1 <= inj[0]["count"] < 32 and inj[0]["count"] == got else 1)
PY

	"$PL" down "$irid" >/dev/null
	check "inject: punchlab down leaves nothing" nothing_left "$irid"
else
	bad "punchlab up (inject): $(tail -n1 "$OUT/inject-up")"
fi
