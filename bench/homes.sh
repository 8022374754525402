#!/bin/bash
# Home nodes: build and teardown time and memory per home node of worlds
# of N homes (`punchlab up` / `punchlab down`), beside the bare kernel
# cost of as many namespaces measured in the same run. Needs root.
# Usage: bench/homes.sh [HOMES...]   (default 1000 2000 5000)
#
# A home node is a host namespace and a router namespace with a NAT
# profile (home-eim): N homes are N/2 home-eim x home-eim cells of one
# trial, 2N+2 namespaces with inet and charlie. Columns:
#   build s     wall time of `punchlab up` (namespaces, links, permanent
#               neighbours, routes, NAT rulesets, coordinator)
#   cpu s       user+sys of `punchlab up` and its children (wall is
#               shared with whatever else runs; the load is printed)
#   down s      wall time of `punchlab down` (unmount + unlink of every
#               namespace; the kernel frees them later in a kworker)
#   kern KiB    per home node: growth of Slab+Percpu+KernelStack+
#               PageTables in /proc/meminfo while the world is up
#   rss MiB     maximum RSS of `punchlab up` (GNU time %M)
#   bare ms/ns  unshare(CLONE_NEWNET) of as many namespaces, nothing in
#               them (python ctypes), per namespace: the floor
#
# Measured here (2 cores, 23.5 GiB, kernel 6.18, other helpers' load
# 1.5-2; README "Home nodes at scale" has the earlier rows and what
# bounds the build):
#  homes  netns  build s  ms/node  cpu s  down s  kern KiB  rss MiB  bare ms
#   1000   2002      6.4     6.36    5.6    0.75       570       51    0.690
#   2000   4002     14.8     7.41   12.9    2.28       432       55    0.674
#   5000  10002     46.6     9.33   41.1    9.20       469       67    0.741
# With sysctls written per namespace (the commit before, same session,
# load 3-7): 5000 homes 331 s, cpu 200 s, down 19.4 s.
set -u
cd "$(dirname "$0")/.."
if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP: bench/homes.sh needs root"
	exit 4
fi
make --no-print-directory all >/dev/null || exit 1
PL=build/bin/punchlab
sizes=${*:-1000 2000 5000}
tmp=$(mktemp -d /tmp/punchlab-homes.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

now() { date +%s.%N; }
kern_kb() {
	awk '/^(Slab|Percpu|KernelStack|PageTables):/ { s += $2 } END { print s }' \
		/proc/meminfo
}
bare_ms() { # N: ms per namespace for N bare unshare()s
	/usr/bin/python3 - "$1" <<'PY'
import ctypes, os, sys, time
libc = ctypes.CDLL(None, use_errno=True)
n, home, fds = int(sys.argv[1]), os.open("/proc/self/ns/net", os.O_RDONLY), []
t = time.monotonic()
for _ in range(n):
    if libc.unshare(0x40000000) != 0:
        sys.exit("unshare: errno %d" % ctypes.get_errno())
    fds.append(os.open("/proc/thread-self/ns/net", os.O_RDONLY))
    libc.setns(home, 0x40000000)
print("%.3f" % ((time.monotonic() - t) * 1000 / n))
PY
}

echo "kernel $(uname -r), $(nproc) cores, $(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo), RLIMIT_NOFILE hard $(ulimit -Hn)"
printf '%6s %6s %8s %8s %7s %7s %8s %8s %8s %10s %s\n' homes netns "build s" "ms/node" "cpu s" "down s" \
	"kern KiB" "rss MiB" "bare ms" "bare total" "load"
for h in $sizes; do
	cells=$((h / 2))
	f=$tmp/homes-$h.ini
	{
		echo "[scenario]"
		echo "trials = 1"
		for ((c = 0; c < cells; c++)); do
			printf '[cell c%d]\na = home-eim\nb = home-eim\nexpect = == 1\n' "$c"
		done
	} >"$f"
	load=$(cut -d' ' -f1 /proc/loadavg)
	k0=$(kern_kb)
	t0=$(now)
	/usr/bin/time -f '%U %S %M' -o "$tmp/time" $PL up "$f" >"$tmp/up" 2>&1
	rc=$?
	t1=$(now)
	rid=$(sed -n 's/^run \([0-9a-f]\{6\}\) is up.*/\1/p' "$tmp/up")
	if [ $rc -ne 0 ] || [ -z "$rid" ]; then
		echo "$h: punchlab up failed (rc $rc): $(tail -n1 "$tmp/up")"
		continue
	fi
	k1=$(kern_kb)
	nns=$(ls /run/netns | grep -c "^pl-$rid-")
	read -r ut st rss <"$tmp/time"
	t2=$(now)
	$PL down "$rid" >/dev/null
	t3=$(now)
	bare=$(bare_ms "$nns")
	build=$(echo "$t1 - $t0" | bc)
	printf '%6d %6d %8.1f %8.2f %7.1f %7.2f %8.0f %8.1f %8.3f %10.2f %s\n' \
		"$h" "$nns" "$build" "$(echo "1000 * $build / $h" | bc -l)" \
		"$(echo "$ut + $st" | bc)" "$(echo "$t3 - $t2" | bc)" \
		"$(echo "($k1 - $k0) / $h" | bc -l)" "$(echo "$rss / 1024" | bc -l)" \
		"$bare" "$(echo "$bare * $nns / 1000" | bc -l)" "$load"
done
