#!/bin/bash
# --key-owner's registration check with N keys held (1k, 16k, 64k:
# --max-clients' ceiling is 65,536), the owners' index as built against
# the whole-table scan of BASE (default 4a55fdb, the last commit with the
# scan) compiled into the same program and measured in the same run; the
# load average beside. No root, no world: the check is pure.
# Usage: bench/keyowner.sh [N...]   Environment: BASE, CC.
set -u
cd "$(dirname "$0")/.."
base=${BASE:-4a55fdb}
d=$(mktemp -d /tmp/punchlab-keyowner.XXXXXX)
trap 'rm -rf "$d"' EXIT
git show "$base:harness/coordinator/keyowner.c" >"$d/scan.c" || exit 2
inc="-D_GNU_SOURCE -Iharness/coordinator -Iharness/common -Itestbed"
${CC:-gcc} -std=c11 -O2 $inc -Dkeyowner_busy=keyowner_busy_scan \
	-c "$d/scan.c" -o "$d/scan.o" || exit 1
${CC:-gcc} -std=c11 -O2 $inc bench/keyowner.c "$d/scan.o" \
	-o "$d/keyowner" || exit 1
[ $# -gt 0 ] || set -- 1024 16384 65536
echo "load $(cut -d' ' -f1-3 /proc/loadavg) (before)"
"$d/keyowner" "$@"
echo "load $(cut -d' ' -f1-3 /proc/loadavg) (after)"
