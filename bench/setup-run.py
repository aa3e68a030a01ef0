#!/usr/bin/env python3
"""Drives the calls of bench/setup and analyses the loopback capture.

svopid is driven over D-Bus (one open connection per daemon, so a dial
costs one method call, like baresip's ctrl_tcp command); baresip over
ctrl_tcp (netstring JSON). Both stacks are measured the same way from the
capture: dial = the command, answered = the 200 on the UA's TLS connection
to Kamailio, media = the first RTP packet into the UA's port range (each UA
has its own). svopid's Call timings give the internal breakdown.
"""
import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time

import dbus

DNAME = "org.svopi.Daemon1"
DPATH = "/org/svopi/Daemon1"
CALL1 = "org.svopi.Call1"
NOTSET = 2**64 - 1


def wait_stamped(cv, stamped, match, since, timeout):
    """The first time t >= since of an entry (t, x) of stamped (a list a
    reader thread appends to under cv) whose x matches, or None after
    timeout seconds."""
    end = time.time() + timeout
    with cv:
        while True:
            for t, x in stamped:
                if t >= since and match(x):
                    return t
            left = end - time.time()
            if left <= 0:
                return None
            cv.wait(left)


class Signals:
    """The daemon's signals as a front-end receives them: a dbus-monitor
    on its bus, each signal stamped with the monitor's own receive time
    (its `time=`, the same clock as time.time()). A prompt is shown when
    svopi-notify gets VucIssued or VucRequested, so that is when the
    first-contact figures stop the clock (no polling: a poll loop adds its
    interval to the figure and loads the daemons it measures)."""

    def __init__(self, addr):
        self.seen = []
        self.cv = threading.Condition()
        self.p = subprocess.Popen(
            ["dbus-monitor", "--address", addr,
             "type='signal',interface='%s'" % DNAME],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        threading.Thread(target=self._read, daemon=True).start()
        # The monitor is in place once its own NameAcquired went by.
        self.wait(("NameAcquired",), 0, 5)

    def _read(self):
        for line in self.p.stdout:
            if not line.startswith("signal time="):
                continue
            f = dict(x.split("=", 1) for x in
                     line.replace(";", " ").split() if "=" in x)
            with self.cv:
                self.seen.append((float(f["time"]), f.get("member")))
                self.cv.notify_all()

    def wait(self, members, since, timeout):
        """When one of members (signal names) first came at or after
        since, or None after timeout seconds."""
        return wait_stamped(self.cv, self.seen, lambda m: m in members,
                            since, timeout)

    def close(self):
        self.p.terminate()
        self.p.wait()


class Svopid:
    def __init__(self, name, addr):
        self.name = name
        self.addr = addr
        self.bus = dbus.bus.BusConnection(addr)
        self.d = dbus.Interface(self.bus.get_object(DNAME, DPATH), DNAME)

    def dial(self, uri):
        return self.d.Dial(uri, dbus.Dictionary({}, signature="sv"))

    def call_props(self, path):
        o = self.bus.get_object(DNAME, path)
        return dbus.Interface(o, dbus.PROPERTIES_IFACE).GetAll(CALL1)

    def hangup(self, path):
        dbus.Interface(self.bus.get_object(DNAME, path), CALL1).Hangup()

    def last_call(self):
        c = self.d.ListCalls()
        return c[-1] if c else None


class Baresip:
    """ctrl_tcp client; a thread stamps every event with time.time()."""

    def __init__(self, name, port):
        self.name = name
        self.s = socket.create_connection(("127.0.0.1", port))
        self.s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.events = []
        self.cv = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        buf = b""
        while True:
            d = self.s.recv(65536)
            if not d:
                return
            buf += d
            while b":" in buf:
                n, rest = buf.split(b":", 1)
                n = int(n)
                if len(rest) < n + 1:
                    break
                msg, buf = rest[:n], rest[n + 1:]
                ev = json.loads(msg)
                with self.cv:
                    self.events.append((time.time(), ev))
                    self.cv.notify_all()

    def cmd(self, command, params=""):
        m = json.dumps({"command": command, "params": params,
                        "token": command}).encode()
        self.s.sendall(b"%d:%s," % (len(m), m))

    def wait_event(self, etype, since, timeout=10.0):
        return wait_stamped(self.cv, self.events,
                            lambda ev: ev.get("type") == etype, since,
                            timeout)


def timings(props):
    t = {k: int(v) for k, v in props["Timings"].items()}
    return {k: (None if v == NOTSET else v) for k, v in t.items()}


def wait_until(pred, timeout, step=0.002):
    end = time.time() + timeout
    while time.time() < end:
        v = pred()
        if v:
            return time.time(), v
        time.sleep(step)
    return None, None


def first_contact(a, b, uri):
    """Dial -> VUC prompt shown at each side (the VucIssued or
    VucRequested signal's arrival at a front-end), code entered -> active
    (polled, and from the caller's Call timings)."""
    sig = {ua.name: Signals(ua.addr) for ua in (a, b)}
    t0 = time.time()
    path = a.dial(uri)
    shown = {}
    code = None
    for ua in (a, b):
        t = sig[ua.name].wait(("VucIssued", "VucRequested"), t0,
                              t0 + 20 - time.time())
        if t:
            shown[ua.name] = t
    for s in sig.values():
        s.close()
    for ua in (a, b):
        for peer, role, c, _ in ua.d.VucList():
            if role == "issued":
                code = (ua, str(c))
    if len(shown) < 2 or not code:
        sys.exit("first contact: no VUC prompts (%r)" % shown)
    enter_at = b if code[0] is a else a
    peer = "sip:%s@%s" % (code[0].name, uri.split("@", 1)[1])
    t_enter = time.time()
    res = enter_at.d.EnterVuc(peer, code[1])
    if str(res[0]) != "trusted":
        sys.exit("first contact: EnterVuc said %s" % res[0])
    t_act, _ = wait_until(lambda: a.call_props(path)["State"] == "active",
                          20)
    if not t_act:
        sys.exit("first contact: call not active")
    tm = timings(a.call_props(path))
    a.hangup(path)
    time.sleep(0.3)
    return {
        "dial_to_vuc_" + a.name: (shown[a.name] - t0) * 1e3,
        "dial_to_vuc_" + b.name: (shown[b.name] - t0) * 1e3,
        "code_entered_at": enter_at.name,
        "code_to_active_polled": (t_act - t_enter) * 1e3,
        "code_to_active_timings": tm["answered"] - (t_enter - t0) * 1e3,
        "caller_timings": tm,
    }


def svopid_call(a, b, uri, hold):
    t0 = time.time()
    path = a.dial(uri)
    # Polled every 10 ms only: the times come from the capture, and a
    # tighter poll loads the caller's daemon (and the cores) during the
    # set-up it measures; baresip's events cost nothing like it.
    t_act, _ = wait_until(lambda: a.call_props(path)["State"] == "active",
                          10, 0.010)
    if not t_act:
        return None
    time.sleep(hold)
    pa = a.call_props(path)
    bpath = b.last_call()
    pb = b.call_props(bpath)
    a.hangup(path)
    wait_until(lambda: b.call_props(bpath)["State"] == "ended", 5)
    return {"stack": "svopi", "caller": a.name, "callee": b.name,
            "t_cmd": t0, "t_end": time.time(),
            "caller_t": timings(pa), "callee_t": timings(pb),
            "packets": [int(x) for x in pa["Packets"]]}


def baresip_call(a, b, uri, hold):
    t0 = time.time()
    a.cmd("dial", uri)
    t_est = a.wait_event("CALL_ESTABLISHED", t0)
    if not t_est:
        return None
    time.sleep(hold)
    a.cmd("hangup")
    b.wait_event("CALL_CLOSED", t0, 5)
    return {"stack": "baresip", "caller": a.name, "callee": b.name,
            "t_cmd": t0, "t_end": time.time(),
            "caller_established_event": (t_est - t0) * 1e3}


def ua_ports(pids):
    """TCP ports of each UA (by PID) from ss."""
    out = subprocess.run(["ss", "-Htanp"], capture_output=True,
                         text=True).stdout
    ports = {n: set() for n in pids}
    for line in out.splitlines():
        f = line.split()
        for n, pid in pids.items():
            if "pid=%s," % pid in line:
                ports[n].add(int(f[3].rsplit(":", 1)[1]))
    return ports


def read_pcap(path):
    out = subprocess.run(
        ["tshark", "-r", path, "-T", "fields", "-E", "separator=,",
         "-e", "frame.time_epoch", "-e", "tcp.srcport", "-e",
         "tcp.dstport", "-e", "tcp.len", "-e", "udp.srcport", "-e",
         "udp.dstport"], capture_output=True, text=True, check=True).stdout
    tcp, udp = [], []
    for line in out.splitlines():
        t, ts, td, tl, us, ud = line.split(",")
        if ts and tl and int(tl) > 0:
            tcp.append((float(t), int(ts), int(td), int(tl)))
        elif us:
            udp.append((float(t), int(us), int(ud)))
    return tcp, udp


def sip_times(tcp, ports, t0, t1, caller, callee):
    """(INVITE sent, 200 received) at the caller, (INVITE received, 200
    sent) at the callee, from the segment order on the UAs' connections
    (TLS hides the text; every SIP message is one segment on loopback;
    keep-alives are smaller than 100 bytes)."""
    def segs(ua):
        p = ports[ua]
        return [(t, "out" if s in p else "in") for t, s, d, n in tcp
                if t0 <= t <= t1 and n >= 100 and (s in p or d in p)]
    r = {}
    sa = segs(caller)
    outs = [i for i, (t, d) in enumerate(sa) if d == "out"]
    if len(outs) >= 2:
        r["invite_sent"] = sa[outs[0]][0]
        r["ack_sent"] = sa[outs[1]][0]
        ins = [t for t, d in sa[outs[0]:outs[1]] if d == "in"]
        if ins:
            r["ok_received"] = ins[-1]
    sb = segs(callee)
    ins = [i for i, (t, d) in enumerate(sb) if d == "in"]
    if ins:
        r["invite_received"] = sb[ins[0]][0]
        seen_out = False
        for t, d in sb[ins[0]:]:
            if d == "out":
                if not seen_out:
                    r["first_reply_sent"] = t
                seen_out = True
                r["ok_sent"] = t
            elif seen_out:
                break
    return r


def rtp(udp, rng, peer, t0, t1):
    """Times of RTP packets (even ports) into range rng from range peer."""
    lo, hi = rng
    plo, phi = peer
    return [p[0] for p in udp if t0 <= p[0] <= t1 and
            lo <= p[2] <= hi and plo <= p[1] <= phi and
            p[1] % 2 == 0 and p[2] % 2 == 0]


def q(xs):
    xs = sorted(x for x in xs if x is not None)
    if not xs:
        return None
    p95 = xs[min(len(xs) - 1, int(round(0.95 * (len(xs) - 1))))]
    return statistics.median(xs), p95, len(xs)


def fmt(v):
    return "—" if v is None else "%.1f / %.1f (n=%d)" % v


def analyse(calls, tcp, udp, ports, ranges):
    rows = {}

    def put(stack, key, v):
        rows.setdefault(key, {}).setdefault(stack, []).append(v)

    for c in calls:
        st = c["stack"]
        s = sip_times(tcp, ports, c["t_cmd"], c["t_end"], c["caller"],
                      c["callee"])
        ra, rb = ranges[c["caller"]], ranges[c["callee"]]
        into_a = rtp(udp, ra, rb, c["t_cmd"], c["t_end"])
        into_b = rtp(udp, rb, ra, c["t_cmd"], c["t_end"])
        ms = lambda x, y: None if x is None or y is None else (x - y) * 1e3
        ok_r, ok_s = s.get("ok_received"), s.get("ok_sent")
        fa = into_a[0] if into_a else None
        fb = into_b[0] if into_b else None
        put(st, "caller: dial → answered (200 in)", ms(ok_r, c["t_cmd"]))
        put(st, "caller: dial → INVITE out", ms(s.get("invite_sent"),
                                               c["t_cmd"]))
        put(st, "callee: INVITE in → 200 out", ms(ok_s,
                                                s.get("invite_received")))
        put(st, "callee: INVITE in → first reply out",
            ms(s.get("first_reply_sent"), s.get("invite_received")))
        put(st, "caller: 200 in → ACK out", ms(s.get("ack_sent"), ok_r))
        put(st, "caller: answered → first RTP in", ms(fa, ok_r))
        put(st, "callee: answered (200 out) → first RTP in", ms(fb, ok_s))
        put(st, "caller: dial → first RTP in", ms(fa, c["t_cmd"]))
        put(st, "callee → caller: gap 1st–2nd RTP",
            ms(into_a[1], into_a[0]) if len(into_a) > 1 else None)
        put(st, "caller → callee: gap 1st–2nd RTP",
            ms(into_b[1], into_b[0]) if len(into_b) > 1 else None)
        if st == "svopi":
            a, b = c["caller_t"], c["callee_t"]
            d = lambda t, x, y: (None if t.get(x) is None or t.get(y) is None
                                 else t[x] - t[y])
            put(st, "[timings] caller: dial → trust_done", a["trust_done"])
            put(st, "[timings] caller: dial → ringing", a["ringing"])
            put(st, "[timings] caller: dial → answered", a["answered"])
            put(st, "[timings] caller: answered → media_ready",
                d(a, "media_ready", "answered"))
            put(st, "[timings] caller: answered → first_audio (first "
                "decoded frame played)", d(a, "first_audio", "answered"))
            put(st, "[timings] callee: INVITE → trust_done", b["trust_done"])
            put(st, "[timings] callee: INVITE → ringing", b["ringing"])
            put(st, "[timings] callee: INVITE → answered", b["answered"])
            put(st, "[timings] callee: answered → media_ready",
                d(b, "media_ready", "answered"))
            put(st, "[timings] callee: answered → first_audio (first "
                "decoded frame played)", d(b, "first_audio", "answered"))
            for who, t in (("caller", a), ("callee", b)):
                seq = [t.get(k) for k in ("trust_done", "ringing",
                                          "answered", "media_ready")]
                ok = all(x is not None for x in seq) and seq == sorted(seq)
                put(st, "[timings] %s: trust_done ≤ ringing ≤ answered ≤ "
                    "media_ready holds (1 = yes)" % who, 1 if ok else 0)
    return rows


def report(rows, fc):
    print("| measure (ms: median / p95) | svopi | baresip 1.0 | ratio |")
    print("|---|---|---|---|")
    for key, by in rows.items():
        a, b = q(by.get("svopi", [])), q(by.get("baresip", []))
        ratio = ("%.1f×" % (a[0] / b[0]) if a and b and b[0] > 0 else "—")
        if "holds" in key:
            xs = by.get("svopi", [])
            print("| %s | %d of %d | — | — |" % (key, sum(xs), len(xs)))
            continue
        print("| %s | %s | %s | %s |" % (key, fmt(a), fmt(b), ratio))
    if fc:
        print()
        print("first contact (svopi, one sample): " + json.dumps(fc))


def rss_kib(pid):
    with open("/proc/%s/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def print_rss(when, pids):
    print("RSS %s: %s" % (when, ", ".join(
        "%s %.1f MB" % (n, rss_kib(p) / 1024) for n, p in pids.items())))
    if os.environ.get("SMAPS"):
        for n in ("alice", "carol"):
            print("smaps of %s %s:" % (n, when))
            sys.stdout.flush()
            subprocess.run([sys.executable, os.path.join(
                os.path.dirname(os.path.abspath(__file__)), "rss.py"),
                pids[n], os.environ.get("SMAPS_TOP", "14")])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--svopid", action="append", default=[])
    ap.add_argument("--baresip", action="append", default=[])
    ap.add_argument("--kam-tls", type=int, required=True)
    ap.add_argument("--domain", required=True)
    ap.add_argument("--ports", required=True)
    ap.add_argument("--ranges", required=True,
                    help="NAME=LO-HI of each UA's RTP range")
    ap.add_argument("--pcap", required=True)
    ap.add_argument("--capture-pid", type=int, required=True)
    ap.add_argument("--calls", type=int, default=20)
    ap.add_argument("--hold-ms", type=int, default=400)
    o = ap.parse_args()
    sv = [Svopid(*x.split("=", 1)) for x in o.svopid]
    br = [Baresip(x.split("=")[0], int(x.split("=")[1])) for x in o.baresip]
    pids = dict(x.split("=") for x in o.ports.split())
    ranges = {n: tuple(int(x) for x in r.split("-")) for n, r in
              (x.split("=") for x in o.ranges.split())}
    hold = o.hold_ms / 1e3
    uri = lambda n: "sip:%s@%s" % (n, o.domain)
    time.sleep(1.0)     # dumpcap running
    print_rss("idle, registered, before any call", pids)
    fc = first_contact(sv[0], sv[1], uri(sv[1].name))
    ports = ua_ports(pids)
    # Warm-up, one call each, not counted.
    for f in (lambda: svopid_call(sv[0], sv[1], uri(sv[1].name), hold),
              lambda: baresip_call(br[0], br[1], uri(br[1].name), hold)):
        if not f():
            sys.exit("warm-up call failed")
        time.sleep(0.3)
    calls = []
    for i in range(o.calls):
        for f in (lambda: svopid_call(sv[0], sv[1], uri(sv[1].name), hold),
                  lambda: baresip_call(br[0], br[1], uri(br[1].name),
                                       hold)):
            c = f()
            if not c:
                sys.exit("call %d failed" % i)
            calls.append(c)
            time.sleep(0.3)
    time.sleep(1.0)
    print_rss("after the calls, idle", pids)
    ports2 = ua_ports(pids)
    for n in ports:
        ports[n] |= ports2[n]
    time.sleep(0.5)
    subprocess.run(["kill", "-INT", str(o.capture_pid)])
    time.sleep(1.0)
    tcp, udp = read_pcap(o.pcap)
    report(analyse(calls, tcp, udp, ports, ranges), fc)


if __name__ == "__main__":
    main()
