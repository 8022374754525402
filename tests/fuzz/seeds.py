#!/usr/bin/python3
"""seeds.py: writes the fuzz targets' seed corpus into tests/fuzz/corpus/.
Binary seeds (P2P messages, coordinator payloads) are built here from the
protocol as the README's protocol table states it; text seeds are copies
of shipped scenario and profile files. Run again when the formats change:
    /usr/bin/python3 tests/fuzz/seeds.py
"""
import hashlib
import os
import shutil
import struct
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "tests", "fuzz", "corpus")
MAGIC = 0xDAB5BFFA  # regtest


def netaddr(ip4, port, services=1):
    return (struct.pack("<Q", services) + b"\0" * 10 + b"\xff\xff" +
            bytes(int(x) for x in ip4.split(".")) + struct.pack(">H", port))


def frame(cmd, payload):
    chk = hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4]
    return (struct.pack("<I", MAGIC) + cmd.encode().ljust(12, b"\0") +
            struct.pack("<I", len(payload)) + chk + payload)


def version(ua=b"/punchlab:0.1/", relay=True, ver=70016):
    p = struct.pack("<iQq", ver, 1 << 24, 1700000000)
    p += netaddr("192.0.2.1", 18444) + netaddr("10.0.1.2", 40000)
    p += struct.pack("<Q", 0x1122334455667788)
    p += bytes([len(ua)]) + ua + struct.pack("<i", 0)
    if ver >= 70001:
        p += bytes([1 if relay else 0])
    return p


def punch(ext=False, predict=False):
    p = netaddr("198.51.100.2", 40000) + netaddr("203.0.113.2", 40001)
    p += bytes([0]) + struct.pack("<QII", 42, 120, 800)
    if ext or predict:
        p += bytes([2])
    if predict:
        p += struct.pack("<Hhh", 40002, 1, 1)
    return p


def write(target, name, data):
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def pcp_seeds():
    """fuzz_pcp: first byte 0 PCP MAP, 1 NAT-PMP external, 2 NAT-PMP map;
    answers to the target's request (10.0.2.2, nonce 1..12, TCP 20000)
    as RFC 6887 figures 3/10 and RFC 6886 3.2/3.3 lay them out."""
    v4 = b"\0" * 10 + b"\xff\xff"
    body = (bytes(range(1, 13)) + b"\x06\0\0\0" + struct.pack(">HH", 20000, 20001)
            + v4 + bytes([203, 0, 113, 1]))
    head = struct.pack(">BBBBII", 2, 0x81, 0, 0, 7200, 77) + b"\0" * 12
    write("pcp", "map-success", b"\0" + head + body)
    write("pcp", "map-option", b"\0" + head + body + b"\x80\0\0\4" + b"\0" * 4)
    write("pcp", "map-refused", b"\0" + head[:3] + b"\2" + head[4:] + body)
    write("pcp", "header-only-error", b"\0" + head[:3] + b"\3" + head[4:])
    write("pcp", "natpmp-unsupp-version", b"\0" + bytes([0, 0x81, 0, 1, 0, 0, 0, 5]))
    write("pcp", "natpmp-external", b"\1" + bytes([0, 0x80, 0, 0, 0, 0, 0, 5, 203, 0, 113, 1]))
    write("pcp", "natpmp-map", b"\2" + bytes([0, 0x82, 0, 0, 0, 0, 0, 5])
          + struct.pack(">HHI", 20000, 20000, 3600))
    write("pcp", "natpmp-error", b"\2" + bytes([0, 0x82, 0, 2, 0, 0, 0, 5]))


def main():
    v = version()
    write("p2p", "version", frame("version", v))
    write("p2p", "version-norelay", frame("version", version(relay=False)))
    write("p2p", "version-old", frame("version", version(ver=60002)))
    write("p2p", "two-messages", frame("version", v) + frame("verack", b""))
    write("p2p", "payload-only", v)
    reg = struct.pack("<IQ", 1, 7)
    write("coordmsg", "register", b"\0" + reg)
    write("coordmsg", "register-flags", b"\0" + reg + bytes([0x13]))
    write("coordmsg", "punch", b"\1" + punch())
    write("coordmsg", "punch-ext", b"\1" + punch(ext=True))
    write("coordmsg", "punch-predict", b"\1" + punch(predict=True))
    hpaddr = struct.pack("<Q", 7) + netaddr("192.0.2.1", 18445) + \
        struct.pack("<I", 215)
    write("coordmsg", "hpaddr", b"\3" + hpaddr)
    reason = b"no peer"
    write("coordmsg", "reject", b"\2" + bytes([1, len(reason)]) + reason)
    write("coordmsg", "reject-4", b"\6" + bytes([4, len(reason)]) + reason)
    pcp_seeds()
    os.makedirs(os.path.join(OUT, "scenario"), exist_ok=True)
    # Small files only: a seed costs its parse on every mutation (the
    # 16-section nat-matrix.ini takes 0.5 s under ASan, so it is a small
    # matrix here instead).
    write("scenario", "matrix.ini", b"""[scenario]
trials = 3
seed = 7
rtt_ms = lognormal:median=40,p90=120
[matrix m]
a = home-eim, symmetric
b = full-cone
strategy = connect, listen-connect
expect = >= 0.5
reason = fuzz seed
""")
    for name in ("handoff", "punchers", "same-home", "skew-sweep"):
        shutil.copy(os.path.join(ROOT, "scenarios", name + ".ini"),
                    os.path.join(OUT, "scenario", name + ".ini"))
    pdir = os.path.join(ROOT, "nat-profiles")
    os.makedirs(os.path.join(OUT, "profile"), exist_ok=True)
    for f in sorted(os.listdir(pdir)):
        if f.endswith(".ini"):
            shutil.copy(os.path.join(pdir, f), os.path.join(OUT, "profile", f))
    return 0


if __name__ == "__main__":
    sys.exit(main())
