# netengine: punch-net (harness/net/) in a hand-built world of 4 homes
# behind masquerading routers and 3 reachable nodes with one coordinator:
# phases off, rendezvous and a short one with 5 inbound slots that must
# evict (tests/integration/data/netengine-world.sh, ~40 s). Its PASS/FAIL
# lines become this run's; its namespaces must be gone after it.
ne_log="$OUT/netengine.log"
bash tests/integration/data/netengine-world.sh "$OUT/netengine" >"$ne_log" 2>&1
ne_rc=$?
while IFS= read -r ne_line; do
	case $ne_line in
	PASS:*) ok "${ne_line#PASS: }" ;;
	FAIL:*) bad "${ne_line#FAIL: }" ;;
	SKIP:*) skip "${ne_line#SKIP: }" ;;
	esac
done <"$ne_log"
ne_rid=$(sed -n 's/^rid //p' "$ne_log")
if [ "$ne_rc" != 4 ]; then
	check "netengine: world exits 0" [ "$ne_rc" = 0 ]
	check "netengine: namespaces of $ne_rid removed" nothing_left "$ne_rid"
	leftovers "$ne_rid" | sed 's/^/  left: /'
fi
