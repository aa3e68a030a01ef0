#!/usr/bin/env python3
"""A hostile SIP callee over UDP for the tests: answers every INVITE with a
200 OK whose SDP carries a MIKEY R_MESSAGE made by `svopi-mikey respond`
with the key and certificate it is given (another key than the one the
caller trusts, or a certificate for another identity). It answers BYE and
OPTIONS with 200, ignores ACK, and exits after --timeout seconds or after
--calls BYEs.

  hostile-uas.py --port P --mikey TOOL --key K --cert C --id URI
                 [--calls N] [--timeout S] [--log FILE]
"""
import argparse
import re
import socket
import subprocess
import sys
import time


def header(msg, name):
    m = re.search(r"^%s:\s*(.*?)\r?$" % re.escape(name), msg,
                  re.IGNORECASE | re.MULTILINE)
    return m.group(1) if m else ""


def response(req, code, reason, body=b"", extra=""):
    head = ["SIP/2.0 %d %s" % (code, reason)]
    for v in re.findall(r"^Via:\s*(.*?)\r?$", req, re.IGNORECASE | re.MULTILINE):
        head.append("Via: " + v)
    to = header(req, "To")
    if code >= 200 and "tag=" not in to:
        to += ";tag=hostile1"
    head += ["From: " + header(req, "From"), "To: " + to,
             "Call-ID: " + header(req, "Call-ID"),
             "CSeq: " + header(req, "CSeq")]
    if extra:
        head.append(extra)
    head.append("Content-Length: %d" % len(body))
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--mikey", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--cert", required=True)
    ap.add_argument("--id", required=True)
    ap.add_argument("--calls", type=int, default=1)
    ap.add_argument("--timeout", type=float, default=30)
    ap.add_argument("--log", default="/dev/stderr")
    a = ap.parse_args()
    log = open(a.log, "a")
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", a.port))
    s.settimeout(0.5)
    deadline = time.time() + a.timeout
    byes = 0
    while time.time() < deadline and byes < a.calls:
        try:
            data, peer = s.recvfrom(65535)
        except socket.timeout:
            continue
        msg = data.decode("latin-1")
        method = msg.split(" ", 1)[0]
        print("<- %s from %s:%d" % (method, peer[0], peer[1]), file=log,
              flush=True)
        if method == "INVITE":
            m = re.search(r"a=key-mgmt:mikey\s+(\S+)", msg)
            frm = re.search(r"<(sips?:[^>;]+)", header(msg, "From"))
            if not m or not frm:
                s.sendto(response(msg, 488, "Not Acceptable Here"), peer)
                continue
            r = subprocess.run([a.mikey, "respond", "--key", a.key,
                                "--cert", a.cert, "--id", a.id, "--peer",
                                frm.group(1)], input=m.group(1).encode(),
                               capture_output=True)
            if r.returncode != 0:
                print("respond failed: %s" % r.stderr.decode(), file=log)
                s.sendto(response(msg, 500, "Server Error"), peer)
                continue
            sdp = ("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\n"
                   "c=IN IP4 127.0.0.1\r\nt=0 0\r\n"
                   "a=key-mgmt:mikey %s\r\n"
                   "m=audio %d RTP/SAVP 0\r\na=rtpmap:0 PCMU/8000\r\n"
                   % (r.stdout.decode().strip(), a.port + 2)).encode()
            s.sendto(response(msg, 200, "OK", sdp,
                              "Contact: <sip:hostile@127.0.0.1:%d>\r\n"
                              "Content-Type: application/sdp" % a.port),
                     peer)
        elif method in ("BYE", "OPTIONS", "CANCEL"):
            s.sendto(response(msg, 200, "OK"), peer)
            if method == "BYE":
                byes += 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
