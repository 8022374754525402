#!/usr/bin/python3
"""listen_connect: a TCP hole puncher in the Python standard library, as a
punchlab outside puncher. It listens and connects on the punch port at the
same time (SO_REUSEADDR + SO_REUSEPORT, as the harness keeps its discovery
connection on that port); whichever completes first is the connection (the
role decides when both do). Then it is netcat: stdin to the socket, the
socket to stdout; EOF on stdin half-closes, EOF from the peer ends it.

  listen_connect.py --port {local_port} --peer {peer_ip}:{peer_port}
                    [--role {role}] [--start-mono-ns {start_mono_ns}]
                    [--timeout S]

Exit 0 when the peer closed a connection normally, 1 when no connection was
made, 2 on bad arguments. Logs go to stderr."""
import argparse
import errno
import os
import selectors
import socket
import sys
import time

RETRY_S = 0.2  # a refused or failed connect is tried again after this


def log(msg):
    sys.stderr.write("[listen_connect] %s\n" % msg)
    sys.stderr.flush()


def family(peer):
    """IPv6 when the peer's host is an IPv6 literal ([v6]:PORT given)."""
    return socket.AF_INET6 if ":" in peer[0] else socket.AF_INET


def bound(port, fam=socket.AF_INET):
    s = socket.socket(fam, socket.SOCK_STREAM)
    if fam == socket.AF_INET6:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    s.bind(("::" if fam == socket.AF_INET6 else "0.0.0.0", port))
    s.setblocking(False)
    return s


def dial(port, peer):
    s = bound(port, family(peer))
    err = s.connect_ex(peer)
    if err not in (0, errno.EINPROGRESS):
        s.close()
        return None
    return s


def punch(port, peer, role, deadline):
    """The connected socket, or None at the deadline."""
    lsn = bound(port, family(peer))
    lsn.listen(4)
    sel = selectors.DefaultSelector()
    sel.register(lsn, selectors.EVENT_READ, "accept")
    out, retry_at = None, 0.0
    try:
        while time.monotonic() < deadline:
            now = time.monotonic()
            if out is None and now >= retry_at:
                out = dial(port, peer)
                retry_at = now + RETRY_S
                if out is not None:
                    sel.register(out, selectors.EVENT_WRITE, "connect")
            wait = max(0.0, min(deadline, retry_at) - time.monotonic())
            won = {}
            for key, _ in sel.select(wait):
                if key.data == "accept":
                    try:
                        c, addr = lsn.accept()
                    except OSError:
                        continue
                    if tuple(addr[:2]) == peer:
                        won["accept"] = c
                    else:
                        log("dropped a connection from %s:%d" % addr[:2])
                        c.close()
                else:
                    err = out.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                    sel.unregister(out)
                    if err == 0:
                        won["connect"] = out
                    else:
                        out.close()
                    out = None
            if won:
                first = "connect" if role == "initiator" else "accept"
                pick = won.get(first) or next(iter(won.values()))
                for c in won.values():
                    if c is not pick:
                        c.close()
                log("connected (%s)" % ("connect" if pick is won.get("connect") else "accept"))
                return pick
        return None
    finally:
        # out is None once its connect was decided; else it lost
        if out is not None:
            sel.unregister(out)
            out.close()
        sel.close()
        lsn.close()


def relay(conn):
    """stdin -> conn, conn -> stdout until the peer closes."""
    conn.setblocking(True)
    sel = selectors.DefaultSelector()
    sel.register(conn, selectors.EVENT_READ, "net")
    sel.register(sys.stdin.fileno(), selectors.EVENT_READ, "in")
    stdin_open = True
    while True:
        for key, _ in sel.select():
            if key.data == "in":
                data = os.read(sys.stdin.fileno(), 65536)
                if data:
                    conn.sendall(data)
                else:
                    sel.unregister(sys.stdin.fileno())
                    stdin_open = False
                    conn.shutdown(socket.SHUT_WR)
            else:
                data = conn.recv(65536)
                if not data:
                    log("peer closed%s" % ("" if not stdin_open else
                                           " (stdin still open)"))
                    return 0
                os.write(sys.stdout.fileno(), data)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--peer", required=True, help="IP:PORT or [IPv6]:PORT")
    ap.add_argument("--role", choices=("initiator", "responder"),
                    default="initiator")
    ap.add_argument("--start-mono-ns", type=int, default=0)
    ap.add_argument("--timeout", type=float, default=10.0)
    a = ap.parse_args()
    host, _, port = a.peer.rpartition(":")
    peer = (host.strip("[]"), int(port))
    if a.start_mono_ns:
        time.sleep(max(0.0, a.start_mono_ns / 1e9 - time.monotonic()))
    conn = punch(a.port, peer, a.role, time.monotonic() + a.timeout)
    if conn is None:
        log("no connection within %.1f s" % a.timeout)
        return 1
    try:
        return relay(conn)
    except OSError as e:
        log("relay: %s" % e)
        return 1


if __name__ == "__main__":
    sys.exit(main())
