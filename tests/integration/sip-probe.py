#!/usr/bin/env python3
"""One OPTIONS (no body) to 127.0.0.1:PORT over udp or tcp from --bind;
prints the milliseconds until its final response, or exits 1 after
--timeout seconds. Over UDP it repeats the request like Timer E (T1 = 500
ms, doubling), so a dropped request shows as a late answer."""
import argparse
import socket
import sys
import time

p = argparse.ArgumentParser()
p.add_argument("proto", choices=["udp", "tcp"])
p.add_argument("port", type=int)
p.add_argument("--bind", default="127.0.0.1")
p.add_argument("--timeout", type=float, default=10)
a = p.parse_args()
kind = socket.SOCK_DGRAM if a.proto == "udp" else socket.SOCK_STREAM
s = socket.socket(socket.AF_INET, kind)
s.bind((a.bind, 0))
t0 = time.monotonic()
if a.proto == "tcp":
    s.settimeout(a.timeout)
    s.connect(("127.0.0.1", a.port))
me = s.getsockname()
br = "z9hG4bKprobe%d" % time.time_ns()
msg = ("OPTIONS sip:carol@127.0.0.1 SIP/2.0\r\n"
       "Via: SIP/2.0/%s %s:%d;branch=%s;rport\r\nMax-Forwards: 70\r\n"
       "From: <sip:probe@127.0.0.1>;tag=p1\r\nTo: <sip:carol@127.0.0.1>\r\n"
       "Call-ID: %s\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n" % (
           a.proto.upper(), me[0], me[1], br, br)).encode()
wait = 0.5
while time.monotonic() - t0 < a.timeout:
    if a.proto == "udp":
        s.sendto(msg, ("127.0.0.1", a.port))
    elif wait == 0.5:
        s.sendall(msg)
    s.settimeout(wait)
    try:
        data = s.recv(65535)
    except socket.timeout:
        wait = min(wait * 2, 4)
        continue
    if data.startswith(b"SIP/2.0 2") and br.encode() in data:
        print("%.1f" % ((time.monotonic() - t0) * 1000))
        sys.exit(0)
sys.exit(1)
