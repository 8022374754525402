#!/usr/bin/python3
"""One STUN Binding (RFC 8489) over udp or tcp to HOST:PORT; prints the
mapped address as ADDR:PORT and the time to the answer in microseconds.
Exit 1 when no valid answer came. Standard library only."""
import os, socket, struct, sys, time

MAGIC = 0x2112A442


def parse(msg, txid):
    if len(msg) < 20:
        raise ValueError("short")
    mtype, mlen, magic = struct.unpack("!HHI", msg[:8])
    if magic != MAGIC or msg[8:20] != txid or mtype != 0x0101:
        raise ValueError("not our Binding success")
    off, end = 20, 20 + mlen
    while off + 4 <= end:
        atype, alen = struct.unpack("!HH", msg[off:off + 4])
        val = msg[off + 4:off + 4 + alen]
        if atype == 0x0020 and alen >= 8 and val[1] == 1:
            port = struct.unpack("!H", val[2:4])[0] ^ (MAGIC >> 16)
            ip = struct.unpack("!I", val[4:8])[0] ^ MAGIC
            return socket.inet_ntoa(struct.pack("!I", ip)), port
        off += 4 + (alen + 3) // 4 * 4
    raise ValueError("no XOR-MAPPED-ADDRESS")


def main():
    proto, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    txid = os.urandom(12)
    req = struct.pack("!HHI", 1, 0, MAGIC) + txid
    kind = socket.SOCK_DGRAM if proto == "udp" else socket.SOCK_STREAM
    s = socket.socket(socket.AF_INET, kind)
    s.settimeout(2)
    t0 = time.monotonic()
    s.connect((host, port))
    s.send(req)
    msg = s.recv(512)
    if proto == "tcp":
        while len(msg) < 20 or len(msg) < 20 + struct.unpack("!H", msg[2:4])[0]:
            more = s.recv(512)
            if not more:
                break
            msg += more
    took = (time.monotonic() - t0) * 1e6
    addr, mport = parse(msg, txid)
    print("%s:%d %d" % (addr, mport, took))


if __name__ == "__main__":
    try:
        main()
    except (OSError, ValueError) as e:
        print("stun-binding: %s" % e, file=sys.stderr)
        sys.exit(1)
