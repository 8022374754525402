# punchers: outside punchers ([puncher NAME]) are judged by the harness,
# never by their own word. One run of tests/integration/data/punchers.ini
# (7 cells of 20 trials): the Python listen+connect puncher by token and by
# conntrack, the built-in agent's command line by conntrack, a program that
# lies (exits 0 without connecting) by token and by conntrack, a program
# that does not exist, and one that leaves a child behind; then a program
# that echoes its own token (punchers-echo.ini).

pd="$OUT/punchers"
$PL run --results "$pd" tests/integration/data/punchers.ini >"$OUT/punchers.log" 2>&1
prc=$?
prid=$(rid_of "$pd/punchers")
pdir="$pd/punchers/$prid"
check "punchers: the run meets its expectations (exit $prc)" [ "$prc" -eq 0 ]

# cell -> "successes trials failures" from summary.json
pcell() {
	/usr/bin/python3 - "$pdir/summary.json" "$1" <<'PY'
import json, sys
for c in json.load(open(sys.argv[1]))["cells"]:
    if c["cell"] == sys.argv[2]:
        f = ",".join("%s=%d" % kv for kv in sorted(c["failures"].items()))
        print(c["successes"], c["trials"], f or "-", c["puncher_a"], c["puncher_b"])
PY
}
for c in py-token py-conntrack agent-conntrack; do
	set -- $(pcell $c)
	check "punchers: $c punches ${1:-?}/${2:-?} (>= 19/20, ${3:-?})" \
		[ "${1:-0}" -ge 19 -a "${2:-0}" -eq 20 ]
done
set -- $(pcell py-token)
check "punchers: summary names the puncher of each side (${4:-?}, ${5:-?})" \
	[ "${4:-}" = pyhp -a "${5:-}" = pyhp ]
for c in liar-token liar-conntrack leaver; do
	set -- $(pcell $c)
	check "punchers: $c is ${1:-?}/${2:-?}, all unverified (${3:-?})" \
		[ "${1:-1}" -eq 0 -a "${3:-}" = "unverified=${2:-x}" ]
done
set -- $(pcell ghost)
check "punchers: a missing program is setup (${3:-?})" \
	[ "${1:-1}" -eq 0 -a "${3:-}" = "setup=${2:-x}" ]

# On the record: every ok token trial saw the peer's token on both sides'
# stdout; every ok conntrack trial was verified in the routers (the liar's
# conntrack cell was looked up and found nothing).
check "punchers: trials.jsonl shows how each success was verified" \
	/usr/bin/python3 - "$pdir/trials.jsonl" <<'PY'
import json, sys
bad = []
for line in open(sys.argv[1]):
    t = json.loads(line)
    sides = [t["alice"], t["bob"]]
    if t["puncher_a"] != sides[0].get("puncher"):
        bad.append("puncher name %s" % t["cell"])
    if t["outcome"] != "ok":
        if t["cell"] == "liar-conntrack" and any(s.get("verified") != "no" for s in sides):
            bad.append("liar-conntrack not looked up: %s" % t["trial"])
        continue
    for s in sides:
        if s["verify"] == "token" and not s.get("t_verified_ns"):
            bad.append("token ok without t_verified_ns: %s" % t["cell"])
        if s["verify"] == "conntrack" and s.get("verified") != "conntrack":
            bad.append("conntrack ok not verified: %s" % t["cell"])
print("\n".join(bad[:5]), file=sys.stderr)
sys.exit(1 if bad else 0)
PY
check "punchers: each side's program stderr is in the run folder" \
	grep -q "connected" "$pdir/punchers/py-token-t0-alice.stderr"
check "punchers: the missing program's error is recorded" \
	grep -q "no-such-puncher: No such file or directory" "$pdir/trials.jsonl"
# The programs carry the run id in their environment (PUNCH_NAME), the
# leaver's `sleep 300` included: none may be left.
check "punchers: no program of the run is left (run id ${prid:-none})" \
	sh -c "[ -n '$prid' ] && ! grep -l -a 'PUNCH_NAME=$prid-' /proc/[0-9]*/environ 2>/dev/null | grep -q ."
check "punchers: nothing of the run is left" nothing_left "$prid"

# A program that prints its own token is not a punch.
$PL run --results "$pd" tests/integration/data/punchers-echo.ini >"$OUT/punchers-echo.log" 2>&1
erid=$(rid_of "$pd/punchers-echo")
set -- $(pdir="$pd/punchers-echo/$erid" pcell echo)
check "punchers: echoing its own token is ${1:-?}/${2:-?} (${3:-?})" \
	[ "${1:-1}" -eq 0 -a "${3:-}" = "timeout=${2:-x}" ]
