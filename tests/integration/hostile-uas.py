#!/usr/bin/env python3
"""A hostile SIP callee over UDP (and TCP on the same port, where a
caller sends requests too big for UDP, RFC 3261 §18.1.1) for the tests: answers every INVITE with a
200 OK whose SDP carries a MIKEY R_MESSAGE made by `svopi-mikey respond`
with the key and certificate it is given (another key than the one the
caller trusts, or a certificate for another identity). It answers BYE and
OPTIONS with 200, ignores ACK, and exits after --timeout seconds or after
--calls BYEs.

  hostile-uas.py --port P --mikey TOOL --key K --cert C --id URI
                 [--calls N] [--timeout S] [--log FILE]
"""
import argparse
import select
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


def frames(buf):
    """Splits complete messages (Content-Length framing) off a TCP buffer."""
    out = []
    while True:
        end = buf.find(b"\r\n\r\n")
        if end < 0:
            return out, buf
        m = re.search(rb"^(?:Content-Length|l):\s*(\d+)", buf[:end],
                      re.IGNORECASE | re.MULTILINE)
        total = end + 4 + (int(m.group(1)) if m else 0)
        if len(buf) < total:
            return out, buf
        out.append(buf[:total])
        buf = buf[total:]


def receive(s, ls, conns):
    """The next (message, reply function, peer), or None after 0.5 s."""
    r, _, _ = select.select([s, ls] + list(conns), [], [], 0.5)
    for sock in r:
        if sock is s:
            data, peer = s.recvfrom(65535)
            return data, (lambda b, p=peer: s.sendto(b, p)), peer
        if sock is ls:
            c, _ = ls.accept()
            conns[c] = b""
            continue
        data = sock.recv(65535)
        if not data:
            del conns[sock]
            sock.close()
            continue
        msgs, conns[sock] = frames(conns[sock] + data)
        if msgs:
            return msgs[0], sock.sendall, sock.getpeername()
    return None


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
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", a.port))
    ls.listen(4)
    conns = {}
    deadline = time.time() + a.timeout
    byes = 0
    while time.time() < deadline and byes < a.calls:
        got = receive(s, ls, conns)
        if got is None:
            continue
        data, send, peer = got
        msg = data.decode("latin-1")
        method = msg.split(" ", 1)[0]
        print("<- %s from %s:%d" % (method, peer[0], peer[1]), file=log,
              flush=True)
        if method == "INVITE":
            m = re.search(r"a=key-mgmt:mikey\s+(\S+)", msg)
            frm = re.search(r"<(sips?:[^>;]+)", header(msg, "From"))
            if not m or not frm:
                send(response(msg, 488, "Not Acceptable Here"))
                continue
            r = subprocess.run([a.mikey, "respond", "--key", a.key,
                                "--cert", a.cert, "--id", a.id, "--peer",
                                frm.group(1)], input=m.group(1).encode(),
                               capture_output=True)
            if r.returncode != 0:
                print("respond failed: %s" % r.stderr.decode(), file=log)
                send(response(msg, 500, "Server Error"))
                continue
            sdp = ("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\n"
                   "c=IN IP4 127.0.0.1\r\nt=0 0\r\n"
                   "a=key-mgmt:mikey %s\r\n"
                   "m=audio %d RTP/SAVP 0\r\na=rtpmap:0 PCMU/8000\r\n"
                   % (r.stdout.decode().strip(), a.port + 2)).encode()
            send(response(msg, 200, "OK", sdp,
                          "Contact: <sip:hostile@127.0.0.1:%d>\r\n"
                          "Content-Type: application/sdp" % a.port))
        elif method in ("BYE", "OPTIONS", "CANCEL"):
            send(response(msg, 200, "OK"))
            if method == "BYE":
                byes += 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
