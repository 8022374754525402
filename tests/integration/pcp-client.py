#!/usr/bin/python3
"""pcp-client: a tiny NAT-PMP (RFC 6886) / PCP (RFC 6887) client for the
integration tests, independent of punchlab's own codec.

  pcp-client.py GATEWAY addr                      NAT-PMP external address
  pcp-client.py GATEWAY natpmp IPORT EPORT LIFE   NAT-PMP map TCP
  pcp-client.py GATEWAY pcp IPORT EPORT LIFE      PCP MAP TCP
Prints a line of key=value, then ms=F (request to answer); exit 0 answered, 1 no answer within
PCP_TIMEOUT seconds (default 1) or refused."""
import os
import socket
import struct
import sys
import time


def main():
    gw, mode = sys.argv[1], sys.argv[2]
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(float(os.environ.get("PCP_TIMEOUT", "1.0")))
    s.connect((gw, 5351))
    t0 = time.monotonic()
    try:
        if mode == "addr":
            s.send(bytes([0, 0]))
            r = s.recv(64)
            print("op=%d result=%d external=%s" % (
                r[1], struct.unpack("!H", r[2:4])[0],
                socket.inet_ntoa(r[8:12])))
        elif mode == "natpmp":
            iport, eport, life = map(int, sys.argv[3:6])
            s.send(struct.pack("!BBHHHI", 0, 2, 0, iport, eport, life))
            r = s.recv(64)
            _, op, res, _, ip, ep, lt = struct.unpack("!BBHIHHI", r[:16])
            print("op=%d result=%d iport=%d eport=%d lifetime=%d" % (
                op, res, ip, ep, lt))
        else:
            iport, eport, life = map(int, sys.argv[3:6])
            me = socket.inet_aton(s.getsockname()[0])
            nonce = os.urandom(12)
            v4 = b"\0" * 10 + b"\xff\xff"
            req = struct.pack("!BBHI", 2, 1, 0, life) + v4 + me
            req += nonce + struct.pack("!B3xHH", 6, iport, eport)
            req += v4 + b"\0" * 4
            s.send(req)
            r = s.recv(1100)
            ver, op, _, res, lt = struct.unpack("!BBBBI", r[:8])
            ip, ep = struct.unpack("!HH", r[40:44])
            print("version=%d op=%d result=%d lifetime=%d iport=%d eport=%d "
                  "external=%s nonce=%s" % (
                      ver, op, res, lt, ip, ep, socket.inet_ntoa(r[56:60]),
                      "same" if r[24:36] == nonce else "other"))
        print("ms=%.3f" % ((time.monotonic() - t0) * 1000))
    except socket.timeout:
        print("timeout")
        return 1
    except ConnectionRefusedError:
        print("refused")  # ICMP port unreachable: nothing listens
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
