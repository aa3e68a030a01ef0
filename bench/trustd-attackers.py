#!/usr/bin/env python3
"""Attack load on svopi-trustd for bench/trustd-attack (issue 9).

  trustd-attackers.py CAFILE PORT MODE SECONDS [--conns N] [--cert PEM]

MODE:
  brute   login brute force: /api/v1/validate for a real login with a new
          wrong password each time, and a complete form otherwise (--cert:
          the peer's certificate), so that only the password is wrong;
  vuc     VUC brute force: /api/v1/redeem with valid credentials and a
          random 8-digit code each time;
  forms   huge forms: 250 KiB urlencoded bodies (under the 256 KiB limit)
          and 300 KiB ones (over it), alternately.
N connections (default 8), each in its own thread, keep-alive, re-opened
when the server closes one. Prints one JSON line: mode, seconds, requests,
requests per second, answers by status, and errors (connections lost).
"""
import argparse
import http.client
import json
import random
import ssl
import threading
import time
import urllib.parse

HDR = {"Content-Type": "application/x-www-form-urlencoded"}


def body(mode, rng, i, cert):
    if mode == "brute":
        return urllib.parse.urlencode({
            "login": "alice@example.org",
            "password": "guess-%d-%d" % (rng.randrange(1 << 30), i),
            "peer": "bob@example.org", "cert": cert})
    if mode == "vuc":
        return urllib.parse.urlencode({
            "login": "carol@example.org", "password": "pw-carol",
            "peer": "mallory@example.org",
            "vuc": "%04d-%04d" % (rng.randrange(10000),
                                  rng.randrange(10000))})
    size = 250 * 1024 if i % 2 == 0 else 300 * 1024
    return "login=x%40example.org&junk=" + "A" * size


def worker(a, ctx, seed, end, out, lock):
    rng = random.Random(seed)
    path = {"brute": "/api/v1/validate", "vuc": "/api/v1/redeem",
            "forms": "/api/v1/validate"}[a.mode]
    conn = None
    i = 0
    status = {}
    errors = 0
    while time.monotonic() < end:
        try:
            if conn is None:
                conn = http.client.HTTPSConnection(
                    "127.0.0.1", a.port, context=ctx, timeout=10)
            conn.request("POST", path, body(a.mode, rng, i, a.cert_pem),
                         HDR)
            r = conn.getresponse()
            r.read()
            status[r.status] = status.get(r.status, 0) + 1
            if r.getheader("Connection", "").lower() == "close":
                conn.close()
                conn = None
        except (OSError, http.client.HTTPException):
            errors += 1
            if conn:
                conn.close()
            conn = None
            time.sleep(0.01)
        i += 1
    with lock:
        for k, v in status.items():
            out["status"][str(k)] = out["status"].get(str(k), 0) + v
        out["errors"] += errors


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("cafile")
    ap.add_argument("port", type=int)
    ap.add_argument("mode", choices=["brute", "vuc", "forms"])
    ap.add_argument("seconds", type=float)
    ap.add_argument("--conns", type=int, default=8)
    ap.add_argument("--cert")
    a = ap.parse_args()
    a.cert_pem = open(a.cert).read() if a.cert else ""
    ctx = ssl.create_default_context(cafile=a.cafile)
    ctx.check_hostname = False
    out = {"mode": a.mode, "seconds": a.seconds, "status": {}, "errors": 0}
    lock = threading.Lock()
    end = time.monotonic() + a.seconds
    ts = [threading.Thread(target=worker,
                           args=(a, ctx, n, end, out, lock))
          for n in range(a.conns)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    out["requests"] = sum(out["status"].values())
    out["rps"] = round(out["requests"] / a.seconds, 1)
    print(json.dumps(out, sort_keys=True))


if __name__ == "__main__":
    main()
