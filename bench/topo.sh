#!/bin/bash
# Build + teardown time of the smoke topology (10 namespaces, 8 veth pairs,
# 4 NAT rulesets, the coordinator): `punchlab up` + `punchlab down` against
# the same topology built and removed by bench/topo-shell.sh (iproute2 +
# nft). Needs root. Usage: bench/topo.sh [N]   (N repetitions each, 10)
#
# The two alternate, so drift on the machine hits both alike. Wall time is
# CLOCK_MONOTONIC around each command. CPU time is that of every process
# the up and the down started, read from a cgroup made for each pair
# (punchlab-bench-<pid>-<n>, removed after; the benchmark's own CPU is
# taken off): getrusage would miss children nobody waited for (the
# coordinator; nft children that punchlab leaves exiting). Without a cgroup
# hierarchy it falls back to getrusage and says so. The kernel's deferred
# work (a namespace is cleaned up by a kworker after its last reference
# goes) is in neither.
set -u
cd "$(dirname "$0")/.."
n=${1:-10}
if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP: bench/topo.sh needs root"
	exit 4
fi
make --no-print-directory all >/dev/null || exit 1
exec /usr/bin/python3 - "$n" <<'PY'
import atexit, glob, os, re, resource, secrets, shutil, statistics, subprocess, sys, time

n = int(sys.argv[1])
SMOKE = "tests/integration/data/smoke.ini"

def cg_root():
    """(mount point, usage file) of a cgroup hierarchy that counts CPU."""
    mounts = [l.split() for l in open("/proc/mounts")]
    for m in mounts:
        if m[2] == "cgroup2":
            return m[1], "cpu.stat"
    for m in mounts:
        if m[2] == "cgroup" and "cpuacct" in m[3].split(","):
            return m[1], "cpuacct.usage"
    return None, None

CG_ROOT, CG_FILE = cg_root()
cg_seq = 0

def cg_leftovers():
    """A failed command exits mid-pair: leave no cgroup of ours behind."""
    Meter.move(own_home)
    for d in glob.glob(os.path.join(CG_ROOT, "punchlab-bench-%d-*" %
                                    os.getpid())):
        try:
            os.rmdir(d)
        except OSError:
            pass

def own_cgroup():
    """Our cgroup in CG_ROOT's hierarchy, to come back to."""
    for line in open("/proc/self/cgroup"):
        _, ctrls, path = line.rstrip("\n").split(":", 2)
        if (CG_FILE == "cpu.stat" and ctrls == "") or \
           (CG_FILE != "cpu.stat" and "cpuacct" in ctrls.split(",")):
            return os.path.join(CG_ROOT, path.lstrip("/"))
    return CG_ROOT

def self_cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime

class Meter:
    """CPU of everything started while it is on: we sit in a fresh cgroup
    (moving there is outside the timed commands), so the commands are
    born in it; our own CPU meanwhile is taken off. Or getrusage."""
    def __init__(self):
        global cg_seq
        cg_seq += 1
        self.cg = None
        if CG_ROOT:
            self.home = own_cgroup()
            self.cg = os.path.join(CG_ROOT, "punchlab-bench-%d-%d" %
                                   (os.getpid(), cg_seq))
            os.mkdir(self.cg)
            self.move(self.cg)
        self.self0 = self_cpu()
        self.r0 = resource.getrusage(resource.RUSAGE_CHILDREN)

    @staticmethod
    def move(cg):
        with open(os.path.join(cg, "cgroup.procs"), "w") as f:
            f.write(str(os.getpid()))

    def cpu(self):
        """CPU seconds of the commands; removes the cgroup."""
        if not self.cg:
            r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
            return (r1.ru_utime - self.r0.ru_utime) + \
                   (r1.ru_stime - self.r0.ru_stime)
        self.move(self.home)
        mine = self_cpu() - self.self0
        procs = os.path.join(self.cg, "cgroup.procs")
        for _ in range(200):  # exiting children leave within ms
            if not open(procs).read().strip():
                break
            time.sleep(0.01)
        text = open(os.path.join(self.cg, CG_FILE)).read()
        if CG_FILE == "cpu.stat":
            cpu = int(re.search(r"usage_usec (\d+)", text).group(1)) / 1e6
        else:
            cpu = int(text) / 1e9
        os.rmdir(self.cg)
        return cpu - mine

if CG_ROOT:
    own_home = own_cgroup()
    atexit.register(cg_leftovers)

def timed(argv):
    """Runs argv; returns (wall s, stdout)."""
    t0 = time.monotonic()
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True)
    t1 = time.monotonic()
    if p.returncode != 0:
        sys.exit("bench/topo.sh: %s failed (%d): %s" %
                 (" ".join(argv), p.returncode, p.stderr.strip()))
    return t1 - t0, p.stdout

def left(rid):
    return [x for x in os.listdir("/run/netns") if x.startswith("pl-%s-" % rid)]

def punchlab():
    m = Meter()
    w1, out = timed(["build/bin/punchlab", "up", SMOKE])
    mt = re.search(r"^run ([0-9a-f]{6}) is up", out, re.M)
    if not mt:
        sys.exit("bench/topo.sh: no run id in: " + out)
    rid = mt.group(1)
    w2, _ = timed(["build/bin/punchlab", "down", rid])
    cpu = m.cpu()
    shutil.rmtree("results/smoke/" + rid, ignore_errors=True)
    if left(rid):
        sys.exit("bench/topo.sh: punchlab down left %s" % left(rid))
    return w1, w2, cpu

def fresh_rid():
    while True:
        rid = secrets.token_hex(3)
        if not left(rid) and not os.path.exists("/run/punchlab/" + rid):
            return rid

def shell():
    rid = fresh_rid()
    m = Meter()
    w1, _ = timed(["bench/topo-shell.sh", "up", rid])
    w2, _ = timed(["bench/topo-shell.sh", "down", rid])
    cpu = m.cpu()
    if left(rid):
        sys.exit("bench/topo.sh: topo-shell.sh down left %s" % left(rid))
    return w1, w2, cpu

res = {"punchlab": [], "shell": []}
punchlab(); shell()  # warm caches; not counted
for i in range(n):
    for name, fn in (("punchlab", punchlab), ("shell", shell)):
        res[name].append(fn())

med = lambda xs: statistics.median(xs)
print("topology: smoke.ini (10 namespaces, 8 veth pairs, 4 NAT rulesets, "
      "coordinator); %d runs each, medians" % n)
print("cpu: %s" % ("cgroup " + CG_FILE if CG_ROOT else
                   "getrusage (no cgroup hierarchy; misses unwaited children)"))
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
