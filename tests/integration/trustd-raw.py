#!/usr/bin/env python3
"""Raw HTTP/1.1 over TLS to svopi-trustd, for requests curl will not send.

  trustd-raw.py CAFILE PORT REQUEST-FILE [-]
      Sends the bytes of REQUEST-FILE ("-": stdin) and prints the answers
      read until the server closes (or 10 s pass) as JSON lines:
      {"status": N, "headers": {...}, "body": "...", "json_ok": bool,
       "utf8_ok": bool}
  trustd-raw.py CAFILE PORT --slowloris N SECONDS READY-FILE
      Opens N TLS connections (half complete the handshake and send part
      of a head, half stop after the TCP connect), re-opens any the server
      closes, for SECONDS; writes READY-FILE once N are open and prints
      how many the server closed.
"""
import json
import resource
import socket
import ssl
import sys
import time


def tls(cafile, port):
    ctx = ssl.create_default_context(cafile=cafile)
    ctx.check_hostname = False
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    return ctx.wrap_socket(s)


def parse(data):
    out = []
    while data:
        head, sep, rest = data.partition(b"\r\n\r\n")
        if not sep:
            break
        lines = head.split(b"\r\n")
        status = int(lines[0].split(b" ")[1])
        headers = {}
        for line in lines[1:]:
            k, _, v = line.partition(b":")
            headers[k.decode().strip().lower()] = v.decode().strip()
        n = int(headers.get("content-length", "0"))
        body, data = rest[:n], rest[n:]
        try:
            text = body.decode("utf-8")
            utf8_ok = True
        except UnicodeDecodeError:
            text, utf8_ok = body.decode("latin-1"), False
        try:
            json.loads(body.decode("utf-8"))
            json_ok = True
        except ValueError:
            json_ok = False
        out.append({"status": status, "headers": headers, "body": text,
                    "json_ok": json_ok, "utf8_ok": utf8_ok})
    return out


def raw(cafile, port, path):
    req = sys.stdin.buffer.read() if path == "-" else open(path, "rb").read()
    s = tls(cafile, port)
    try:
        s.sendall(req)
    except OSError:
        pass    # the server may answer and close before taking it all
    data = b""
    deadline = time.time() + 10
    while time.time() < deadline:
        try:
            chunk = s.recv(65536)
        except (OSError, ssl.SSLError):
            break
        if not chunk:
            break
        data += chunk
    for r in parse(data):
        print(json.dumps(r))


def slowloris(cafile, port, n, seconds, ready):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    ctx = ssl.create_default_context(cafile=cafile)
    ctx.check_hostname = False

    def one(i):
        try:
            s = socket.create_connection(("127.0.0.1", port), timeout=10)
            if i % 2:
                s = ctx.wrap_socket(s)
                s.sendall(b"POST /api/v1/validate HTTP/1.1\r\nHost: x\r\n")
            s.setblocking(False)
            return s
        except OSError:
            return socket.socket()   # closed by the server: retried

    conns = [one(i) for i in range(n)]
    open(ready, "w").close()
    closed = 0
    end = time.time() + seconds
    while time.time() < end:
        for i, s in enumerate(conns):
            try:
                if s.recv(1) == b"":
                    raise ConnectionResetError
            except (BlockingIOError, ssl.SSLWantReadError):
                continue
            except (OSError, ssl.SSLError):
                pass
            closed += 1
            s.close()
            conns[i] = one(i)
        time.sleep(0.2)
    print(closed)


if __name__ == "__main__":
    if len(sys.argv) == 7 and sys.argv[3] == "--slowloris":
        slowloris(sys.argv[1], int(sys.argv[2]), int(sys.argv[4]),
                  float(sys.argv[5]), sys.argv[6])
    else:
        raw(sys.argv[1], int(sys.argv[2]), sys.argv[3])
