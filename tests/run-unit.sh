#!/bin/sh
# Runs each CUnit binary from the repo root; a binary exiting 4 skipped
# (e.g. a root-only part without root). Ends with "unit: N passed, N failed".
pass=0 fail=0 skip=0
for t in "$@"; do
	echo "== $t"
	"$t"
	rc=$?
	case $rc in
	0) pass=$((pass + 1)) ;;
	4) skip=$((skip + 1)); echo "SKIP: $t" ;;
	*) fail=$((fail + 1)); echo "FAIL: $t (exit $rc)" ;;
	esac
done
echo "unit: $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
