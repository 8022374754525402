#!/usr/bin/python3
"""syn-wire: each side's first SYN as a capture saw it against the time
the agent recorded (syn_ns[0], CLOCK_MONOTONIC, just before connect()).

usage: tools/syn-wire.py RUN_DIR [--json]
RUN_DIR must come from `punchlab run --capture`: its captures/*-lan.pcap
hold every SYN as it left each host (the router's LAN side of the veth
pair), stamped in CLOCK_REALTIME; run.json's realtime_minus_monotonic_ns
maps them onto the trials' clock. Prints, per matched side, wire minus
recorded in microseconds, and their p50/p90/max; --json prints
{"sides": [...], "unmatched": N} instead. Exit 0, 2 bad input, 4 no
captures. Reads result files only."""
import glob
import json
import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "harness",
                                "py"))
from stats import percentile  # noqa: E402

# A recorded SYN is looked for in the capture this long after syn_ns.
WINDOW_NS = 1000 * 1000 * 1000


def syns(path):
    """[(time_ns, src "ip:port", dst "ip:port")] of SYNs without ACK."""
    out = []
    with open(path, "rb") as f:
        head = f.read(24)
        if len(head) < 24:
            return out
        magic, = struct.unpack("<I", head[:4])
        nano = magic == 0xa1b23c4d
        if magic not in (0xa1b2c3d4, 0xa1b23c4d):
            raise ValueError("%s: not a little-endian pcap" % path)
        link, = struct.unpack("<I", head[20:24])
        while True:
            rec = f.read(16)
            if len(rec) < 16:
                break
            sec, frac, incl, _ = struct.unpack("<IIII", rec)
            pkt = f.read(incl)
            off = {1: 14, 113: 16, 101: 0}.get(link)
            if off is None or len(pkt) < off + 40:
                continue
            ip = pkt[off:]
            if ip[0] >> 4 != 4 or ip[9] != 6:
                continue
            tcp = ip[(ip[0] & 15) * 4:]
            flags = tcp[13]
            if flags & 0x02 and not flags & 0x10:
                sp, dp = struct.unpack(">HH", tcp[:4])
                t = sec * 10**9 + (frac if nano else frac * 1000)
                out.append((t, "%d.%d.%d.%d:%d" % (*ip[12:16], sp),
                            "%d.%d.%d.%d:%d" % (*ip[16:20], dp)))
    return out


def match(run_dir):
    with open(os.path.join(run_dir, "run.json")) as f:
        offset = json.load(f)["realtime_minus_monotonic_ns"]
    pcaps = sorted(glob.glob(os.path.join(run_dir, "captures", "*-lan.pcap")))
    if not pcaps:
        return None, 0
    by_key = {}
    for p in pcaps:
        for t, src, dst in syns(p):
            by_key.setdefault((src.split(":")[1], dst), []).append(t - offset)
    sides, unmatched = [], 0
    with open(os.path.join(run_dir, "trials.jsonl")) as f:
        for line in f:
            t = json.loads(line)
            for side in ("alice", "bob"):
                rep = t.get(side) or {}
                syn = rep.get("t_first_syn_ns")
                if syn is None or not rep.get("peer"):
                    continue
                key = (str(rep.get("local_port")), rep["peer"])
                seen = [w for w in by_key.get(key, [])
                        if syn - WINDOW_NS <= w <= syn + WINDOW_NS]
                if not seen:
                    unmatched += 1
                    continue
                wire = min(seen, key=lambda w: abs(w - syn))
                est = rep.get("t_established_ns")
                sides.append({"cell": t["cell"], "trial": t["trial"],
                              "side": side, "syn_ns": syn, "wire_ns": wire,
                              "wire_minus_syn_us": (wire - syn) / 1e3,
                              "t_established_ns": est})
    return sides, unmatched


def main(argv):
    if len(argv) < 2 or argv[1] in ("-h", "--help"):
        print(__doc__)
        return 0 if len(argv) > 1 else 2
    try:
        sides, unmatched = match(argv[1])
    except (OSError, ValueError, KeyError) as e:
        print("syn-wire.py: %s" % e, file=sys.stderr)
        return 2
    if sides is None:
        print("syn-wire.py: %s has no captures (run with --capture)"
              % argv[1], file=sys.stderr)
        return 4
    if "--json" in argv[2:]:
        print(json.dumps({"sides": sides, "unmatched": unmatched}))
        return 0
    d = [s["wire_minus_syn_us"] for s in sides]
    if d:
        print("first SYN on the wire minus syn_ns[0] over %d sides: "
              "p50 %.1f us, p90 %.1f us, max %.1f us, min %.1f us "
              "(%d sides not found in the captures)" % (
                  len(d), percentile(d, 50), percentile(d, 90), max(d),
                  min(d), unmatched))
    else:
        print("no recorded SYN found in the captures (%d unmatched)"
              % unmatched)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
