#!/usr/bin/python3
"""liecoord: a coordinator that lies, for tests/integration/parts/
agent-defences.sh. It speaks just enough of the coordinator protocol
(harness/common/coordmsg.h: P2P framing, version/verack, hpregister) to
answer every registration at once with an hppunch naming --target (and
--delay-ms), then holds the connection until the agent closes it. One
line per hppunch on stdout. Standard library only.

usage: liecoord.py --listen IP:PORT --target IP:PORT [--delay-ms N]
"""
import argparse
import hashlib
import os
import socket
import struct
import sys
import threading
import time

MAGIC = struct.pack("<I", 0xdab5bffa)  # regtest
COORD_SERVICE_BIT = 1 << 24


def frame(cmd, payload=b""):
    csum = hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4]
    return (MAGIC + cmd.encode().ljust(12, b"\0") +
            struct.pack("<I", len(payload)) + csum + payload)


def recv_exact(s, n):
    b = b""
    while len(b) < n:
        c = s.recv(n - len(b))
        if not c:
            raise EOFError
        b += c
    return b


def recv_msg(s):
    h = recv_exact(s, 24)
    if h[:4] != MAGIC:
        raise ValueError("bad magic")
    cmd = h[4:16].rstrip(b"\0").decode()
    (n,) = struct.unpack("<I", h[16:20])
    return cmd, recv_exact(s, n)


def netaddr(ip, port):
    raw = socket.inet_pton(socket.AF_INET, ip)
    return (struct.pack("<Q", 0) + b"\0" * 10 + b"\xff\xff" + raw +
            struct.pack(">H", port))


def version(peer_ip, peer_port):
    return (struct.pack("<iQq", 70016, COORD_SERVICE_BIT, int(time.time()))
            + netaddr(peer_ip, peer_port) + netaddr("0.0.0.0", 0)
            + os.urandom(8) + bytes([len(b"/liecoord/")]) + b"/liecoord/"
            + struct.pack("<iB", 0, 0))


def serve(conn, addr, target, delay_ms):
    try:
        cmd, _ = recv_msg(conn)
        if cmd != "version":
            return
        conn.sendall(frame("version", version(*addr)) + frame("verack"))
        while True:
            cmd, _ = recv_msg(conn)
            if cmd == "hpregister":
                break
        nonce = struct.unpack("<Q", os.urandom(8))[0]
        punch = (netaddr(target[0], target[1]) + netaddr(*addr) +
                 bytes([0]) + struct.pack("<QII", nonce, delay_ms, 0))
        conn.sendall(frame("hppunch", punch))
        print("punch %s:%d named %s:%d delay_ms %d" %
              (addr[0], addr[1], target[0], target[1], delay_ms), flush=True)
        while conn.recv(4096):
            pass
    except (EOFError, OSError, ValueError):
        pass
    finally:
        conn.close()


def hostport(s):
    host, port = s.rsplit(":", 1)
    return host, int(port)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--listen", required=True, type=hostport)
    ap.add_argument("--target", required=True, type=hostport)
    ap.add_argument("--delay-ms", type=int, default=0)
    a = ap.parse_args()
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(a.listen)
    ls.listen(16)
    print("ready", flush=True)
    while True:
        conn, addr = ls.accept()
        threading.Thread(target=serve, daemon=True,
                         args=(conn, addr, a.target, a.delay_ms)).start()


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit(0)
