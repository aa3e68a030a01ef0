#!/usr/bin/env python3
"""A SIP flood for the tests: sends requests over UDP as fast as it can
for --seconds from --bind, to --target HOST:PORT, and counts what comes
back. Kinds (--kind, repeatable, taken in turn):
  options  OPTIONS without a body (each with a fresh branch)
  invite   INVITE with an SDP whose MIKEY key-mgmt is random junk
  garbage  bytes that are no SIP message
Prints one JSON line: requests sent and responses received per kind, and
the ratio responses/requests for INVITE (a reflection amplifier shows
as more than 1). Seeded (--seed), so a run can be repeated.
"""
import argparse
import base64
import json
import random
import socket
import time


def options(rng, me, target, n):
    return ("OPTIONS sip:x@%s SIP/2.0\r\n"
            "Via: SIP/2.0/UDP %s:%d;branch=z9hG4bKfl%x%d;rport\r\n"
            "Max-Forwards: 70\r\nFrom: <sip:flood@%s>;tag=f%d\r\n"
            "To: <sip:x@%s>\r\nCall-ID: fo%x%d\r\nCSeq: 1 OPTIONS\r\n"
            "Content-Length: 0\r\n\r\n" % (
                target[0], me[0], me[1], rng.getrandbits(48), n, me[0], n,
                target[0], rng.getrandbits(48), n)).encode()


def invite(rng, me, target, n):
    junk = base64.b64encode(bytes(rng.getrandbits(8) for _ in range(600)))
    sdp = ("v=0\r\no=- 1 1 IN IP4 %s\r\ns=-\r\nc=IN IP4 %s\r\nt=0 0\r\n"
           "a=key-mgmt:mikey %s\r\nm=audio 40000 RTP/SAVP 0\r\n"
           "a=rtpmap:0 PCMU/8000\r\n" % (me[0], me[0], junk.decode()))
    return ("INVITE sip:x@%s SIP/2.0\r\n"
            "Via: SIP/2.0/UDP %s:%d;branch=z9hG4bKfi%x%d;rport\r\n"
            "Max-Forwards: 70\r\nFrom: <sip:flood@%s>;tag=f%d\r\n"
            "To: <sip:x@%s>\r\nCall-ID: fi%x%d\r\nCSeq: 1 INVITE\r\n"
            "Contact: <sip:flood@%s:%d>\r\nContent-Type: application/sdp\r\n"
            "Content-Length: %d\r\n\r\n%s" % (
                target[0], me[0], me[1], rng.getrandbits(48), n, me[0], n,
                target[0], rng.getrandbits(48), n, me[0], me[1],
                len(sdp), sdp)).encode()


def garbage(rng, me, target, n):
    return bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 200)))


KINDS = {"options": options, "invite": invite, "garbage": garbage}


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--target", required=True, help="HOST:PORT")
    p.add_argument("--bind", default="127.0.0.1")
    p.add_argument("--seconds", type=float, default=15)
    p.add_argument("--kind", action="append", choices=sorted(KINDS))
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--count", type=int, default=0,
                   help="stop after this many requests (0: no limit)")
    p.add_argument("--rate", type=float, default=0,
                   help="requests a second (0: as fast as it goes)")
    p.add_argument("--linger", type=float, default=3,
                   help="seconds to keep counting answers after the flood")
    a = p.parse_args()
    kinds = a.kind or ["options"]
    host, port = a.target.rsplit(":", 1)
    target = (host, int(port))
    rng = random.Random(a.seed)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
    s.bind((a.bind, 0))
    s.setblocking(False)
    me = s.getsockname()
    sent = {k: 0 for k in kinds}
    got = {}
    # A few prebuilt messages per kind keep the sender fast; the branch
    # and Call-ID are patched per request to keep each one new.
    pre = {k: [KINDS[k](rng, me, target, i) for i in range(16)]
           for k in kinds}

    def drain():
        while True:
            try:
                data = s.recv(65535)
            except BlockingIOError:
                return
            except ConnectionRefusedError:
                continue
            line = data.split(b"\r\n", 1)[0]
            cseq = data.split(b"CSeq: ", 1)
            meth = cseq[1].split(b"\r\n", 1)[0].split(b" ")[-1] \
                if len(cseq) > 1 else b"?"
            key = "%s %s" % (meth.decode("latin-1"),
                             line[8:11].decode("latin-1"))
            got[key] = got.get(key, 0) + 1

    end = time.monotonic() + a.seconds
    n = 0
    t0 = time.monotonic()
    while time.monotonic() < end and not (a.count and n >= a.count):
        if a.rate and n >= (time.monotonic() - t0) * a.rate:
            drain()
            time.sleep(0.005)
            continue
        for _ in range(1 if a.rate or a.count else 64):
            k = kinds[n % len(kinds)]
            msg = pre[k][n % 16]
            if k != "garbage":
                tag = b"%08x" % n
                msg = msg.replace(b"branch=z9hG4bKf", b"branch=z9hG4bK" +
                                  tag, 1).replace(b"Call-ID: f",
                                                  b"Call-ID: " + tag, 1)
            try:
                s.sendto(msg, target)
                sent[k] += 1
            except (BlockingIOError, ConnectionRefusedError):
                pass
            n += 1
        drain()
    end = time.monotonic() + a.linger
    while time.monotonic() < end:
        drain()
        time.sleep(0.05)
    inv = sum(v for k, v in got.items() if k.startswith("INVITE"))
    print(json.dumps({"sent": sent, "got": got,
                      "invite_ratio": inv / sent["invite"]
                      if sent.get("invite") else None}))


if __name__ == "__main__":
    main()
