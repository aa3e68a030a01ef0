#!/usr/bin/env python3
"""Rounds of N simultaneous calls for bench/concurrency (see there)."""
import argparse
import os
import sys
import time

import dbus

DNAME = "org.svopi.Daemon1"
DPATH = "/org/svopi/Daemon1"
CALL1 = "org.svopi.Call1"
HZ = os.sysconf("SC_CLK_TCK")


class Daemon:
    def __init__(self, addr, pid):
        self.bus = dbus.bus.BusConnection(addr)
        self.d = dbus.Interface(self.bus.get_object(DNAME, DPATH), DNAME)
        self.pid = pid

    def props(self, path):
        """The call's properties; an ended call the daemon has dropped
        already reads as ended."""
        try:
            o = self.bus.get_object(DNAME, path, introspect=False)
            return dbus.Interface(o, dbus.PROPERTIES_IFACE).GetAll(CALL1)
        except dbus.DBusException:
            return {"State": "ended", "EndReason": "gone",
                    "Packets": (0, 0, 0)}

    def hangup(self, path):
        dbus.Interface(self.bus.get_object(DNAME, path, introspect=False),
                       CALL1).Hangup()

    def cpu_s(self):
        with open("/proc/%d/stat" % self.pid) as f:
            st = f.read().rsplit(")", 1)[1].split()
        return (int(st[11]) + int(st[12])) / HZ

    def rss_mb(self):
        with open("/proc/%d/status" % self.pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        return 0


def states(dm, paths):
    return {p: str(dm.props(p)["State"]) for p in paths}


def live_calls(dm):
    return [p for p in dm.d.ListCalls()
            if str(dm.props(p)["State"]) not in ("ended",)]


def packets(dm, paths):
    out = {}
    for p in paths:
        pr = dm.props(p)
        if str(pr["State"]) == "active":
            out[p] = [time.time()] + [int(x) for x in pr["Packets"]]
    return out


def one_round(a, b, uri, n, spacing, hold):
    t0 = time.time()
    paths, errors = [], 0
    for i in range(n):
        try:
            paths.append(a.d.Dial(uri, dbus.Dictionary({}, signature="sv")))
        except dbus.DBusException:
            errors += 1
        if spacing:
            time.sleep(spacing)
    t_dialled = time.time()
    # Every call active or ended.
    end = time.time() + 60 + n * 0.05
    while time.time() < end:
        st = states(a, paths)
        if all(s in ("active", "ended") for s in st.values()):
            break
        time.sleep(0.5)
    t_up = time.time()
    st = states(a, paths)
    active = [p for p, s in st.items() if s == "active"]
    bpaths = live_calls(b)
    ca0, cb0, w0 = a.cpu_s(), b.cpu_s(), time.time()
    pa0, pb0 = packets(a, active), packets(b, bpaths)
    time.sleep(hold)
    pa1, pb1 = packets(a, active), packets(b, bpaths)
    ca1, cb1, w1 = a.cpu_s(), b.cpu_s(), time.time()
    rss = (a.rss_mb(), b.rss_mb())
    win = w1 - w0
    short, shortr = [], []
    for p0, p1 in ((pa0, pa1), (pb0, pb1)):
        for k in p1:
            if k in p0:
                # Each call's own reading times; one frame of slack for
                # the phase of the 20 ms clock against the readings.
                due = (p1[k][0] - p0[k][0]) / 0.020 - 1
                sent = p1[k][1] - p0[k][1]
                recv = p1[k][2] - p0[k][2]
                short.append(max(0.0, 1 - sent / due))
                shortr.append(max(0.0, 1 - recv / due))
    allsh = short + shortr
    late = 100.0 * sum(allsh) / len(allsh) if allsh else 100.0
    late_s = 100.0 * sum(short) / len(short) if short else 100.0
    late_r = 100.0 * sum(shortr) / len(shortr) if shortr else 100.0
    worst = 100.0 * max(allsh) if allsh else 100.0
    ended = [p for p, s in st.items() if s == "ended"]
    reasons = {}
    for p in ended:
        r = str(a.props(p)["EndReason"])
        reasons[r] = reasons.get(r, 0) + 1
    for p in active:
        try:
            a.hangup(p)
        except dbus.DBusException:
            pass
    end = time.time() + 30 + n * 0.05
    while time.time() < end and live_calls(a):
        time.sleep(0.5)
    time.sleep(1.0)
    cpu_a = 100.0 * (ca1 - ca0) / win
    cpu_b = 100.0 * (cb1 - cb0) / win
    return {
        "n": n, "dial_errors": errors, "active": len(active),
        "ended": reasons, "dial_s": t_dialled - t0, "up_s": t_up - t0,
        "cpu_a": cpu_a, "cpu_b": cpu_b,
        "cpu_per_call": (cpu_a / len(active)) if active else 0,
        "rss": rss, "late_lost_pct": late, "late_sent": late_s,
        "late_recv": late_r, "worst": worst,
        "load": open("/proc/loadavg").read().split()[:3],
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--caller")
    ap.add_argument("--callee")
    ap.add_argument("--caller-pid", type=int)
    ap.add_argument("--callee-pid", type=int)
    ap.add_argument("--uri")
    ap.add_argument("--steps", default="25 50 100 200 400 800")
    ap.add_argument("--hold", type=float, default=10)
    ap.add_argument("--spacing-ms", type=float, default=20)
    ap.add_argument("--max-loss", type=float, default=1.0)
    o = ap.parse_args()
    a = Daemon(o.caller, o.caller_pid)
    b = Daemon(o.callee, o.callee_pid)
    print("idle RSS after first contact: caller %.1f MB, callee %.1f MB" %
          (a.rss_mb(), b.rss_mb()))
    print("| N | mode | dialled in | all up after | active | ended (reason) "
          "| caller CPU | callee CPU | caller CPU per call | RSS caller / "
          "callee | frames late or lost: all (not sent / not received; worst "
          "call) | load avg |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    stop = False
    for n in [int(x) for x in o.steps.split()]:
        for mode, spacing in (("burst", 0), ("spaced %g ms" % o.spacing_ms,
                                               o.spacing_ms / 1e3)):
            r = one_round(a, b, o.uri, n, spacing, o.hold)
            print("| %d | %s | %.2f s | %.2f s | %d | %s | %.0f %% | %.0f %% "
                  "| %.2f %% | %.1f / %.1f MB | %.2f %% (%.2f / %.2f; %.1f) | %s |" % (
                      n, mode, r["dial_s"], r["up_s"], r["active"],
                      ", ".join("%d %s" % (v, k) for k, v in
                                r["ended"].items()) or "0",
                      r["cpu_a"], r["cpu_b"], r["cpu_per_call"],
                      r["rss"][0], r["rss"][1], r["late_lost_pct"],
                      r["late_sent"], r["late_recv"], r["worst"],
                      " ".join(r["load"])))
            sys.stdout.flush()
            if (r["late_lost_pct"] > o.max_loss or r["cpu_a"] > 90 or
                    r["cpu_b"] > 90 or r["dial_errors"] or
                    r["active"] < n):
                stop = True
        if stop:
            print("stopped at N = %d" % n)
            break


if __name__ == "__main__":
    main()
