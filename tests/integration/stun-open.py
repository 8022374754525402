#!/usr/bin/python3
"""A STUN responder for the PCP client test (tests/integration/parts/
pcp-client.sh): answers every Binding request on ADDR:PORT (UDP) with
XOR-MAPPED-ADDRESS, from the same socket, and ignores CHANGE-REQUEST.

Why: miniupnpd 2.3.1 refuses to map when its WAN address is reserved
(the world's 203.0.113.0/24 is TEST-NET-3) unless ext_perform_stun says
the WAN is public and unfiltered: four Binding answers, one per request,
each naming the request's own source. coturn answers the requests that
ask for another address or port with error 420 (no RFC 5780), which
miniupnpd reads as a restrictive NAT. Runs until killed. Standard
library only."""
import socket, struct, sys

MAGIC = 0x2112A442


def answer(req, src):
    if len(req) < 20:
        return None
    mtype, _, magic = struct.unpack("!HHI", req[:8])
    if mtype != 0x0001 or magic != MAGIC:
        return None
    ip = struct.unpack("!I", socket.inet_aton(src[0]))[0] ^ MAGIC
    attr = struct.pack("!HHBBHI", 0x0020, 8, 0, 1, src[1] ^ (MAGIC >> 16), ip)
    return struct.pack("!HHI", 0x0101, len(attr), MAGIC) + req[8:20] + attr


def main():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((sys.argv[1], int(sys.argv[2])))
    while True:
        req, src = s.recvfrom(2048)
        resp = answer(req, src)
        if resp:
            s.sendto(resp, src)


if __name__ == "__main__":
    main()
