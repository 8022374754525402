#!/bin/bash
# Build + teardown time of the smoke topology (10 namespaces, 8 veth pairs,
# 4 NAT rulesets, the coordinator): `punchlab up` + `punchlab down` against
# the same topology built and removed by bench/topo-shell.sh (iproute2 +
# nft). Needs root. Usage: bench/topo.sh [N]   (N repetitions each, 10)
#
# The two alternate, so drift on the machine hits both alike. Wall time is
# CLOCK_MONOTONIC around each command; CPU time is the user + system time
# of the command and every child it waited for (getrusage of the children,
# as time(1) counts it). The kernel's own deferred work (namespace cleanup
# runs in a kworker after the last reference goes) is in neither.
set -u
cd "$(dirname "$0")/.."
n=${1:-10}
if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP: bench/topo.sh needs root"
	exit 4
fi
make --no-print-directory all >/dev/null || exit 1
exec /usr/bin/python3 - "$n" <<'PY'
import os, re, resource, secrets, shutil, statistics, subprocess, sys, time

n = int(sys.argv[1])
SMOKE = "tests/integration/data/smoke.ini"

def timed(argv):
    """Runs argv; returns (wall s, cpu s, stdout)."""
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True)
    t1 = time.monotonic()
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    if p.returncode != 0:
        sys.exit("bench/topo.sh: %s failed (%d): %s" %
                 (" ".join(argv), p.returncode, p.stderr.strip()))
    cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    return t1 - t0, cpu, p.stdout

def left(rid):
    return [x for x in os.listdir("/run/netns") if x.startswith("pl-%s-" % rid)]

def punchlab():
    w1, c1, out = timed(["build/bin/punchlab", "up", SMOKE])
    m = re.search(r"^run ([0-9a-f]{6}) is up", out, re.M)
    if not m:
        sys.exit("bench/topo.sh: no run id in: " + out)
    rid = m.group(1)
    w2, c2, _ = timed(["build/bin/punchlab", "down", rid])
    shutil.rmtree("results/smoke/" + rid, ignore_errors=True)
    if left(rid):
        sys.exit("bench/topo.sh: punchlab down left %s" % left(rid))
    return w1, w2, c1 + c2

def fresh_rid():
    while True:
        rid = secrets.token_hex(3)
        if not left(rid) and not os.path.exists("/run/punchlab/" + rid):
            return rid

def shell():
    rid = fresh_rid()
    w1, c1, _ = timed(["bench/topo-shell.sh", "up", rid])
    w2, c2, _ = timed(["bench/topo-shell.sh", "down", rid])
    if left(rid):
        sys.exit("bench/topo.sh: topo-shell.sh down left %s" % left(rid))
    return w1, w2, c1 + c2

res = {"punchlab": [], "shell": []}
punchlab(); shell()  # warm caches; not counted
for i in range(n):
    for name, fn in (("punchlab", punchlab), ("shell", shell)):
        res[name].append(fn())

med = lambda xs: statistics.median(xs)
print("topology: smoke.ini (10 namespaces, 8 veth pairs, 4 NAT rulesets, "
      "coordinator); %d runs each, medians" % n)
print("%-10s %9s %9s %9s %9s" % ("", "up ms", "down ms", "wall ms", "cpu ms"))
m = {}
for name in ("punchlab", "shell"):
    r = res[name]
    up, down = med([x[0] for x in r]), med([x[1] for x in r])
    wall, cpu = med([x[0] + x[1] for x in r]), med([x[2] for x in r])
    m[name] = (wall, cpu)
    print("%-10s %9.1f %9.1f %9.1f %9.1f" %
          (name, up * 1e3, down * 1e3, wall * 1e3, cpu * 1e3))
print("ratio shell/punchlab: wall %.2fx, cpu %.2fx" %
      (m["shell"][0] / m["punchlab"][0], m["shell"][1] / m["punchlab"][1]))
PY
