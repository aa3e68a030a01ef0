#!/usr/bin/env python3
"""CPU per call of svopi against baresip 1.0, driven by bench/media-vs-baresip.

Reuses bench/setup-run.py's clients (Svopid over D-Bus, Baresip over
ctrl_tcp), its first contact and its call functions. Each call is held
HOLD seconds; the CPU time (utime + stime from /proc/PID/stat, which keeps
the time of threads that ended) of both UAs of the stack is read before
the dial and after the callee saw the hangup. One warm-up call per stack,
then CALLS calls alternating between the stacks. Prints one line per stack:
  stack=svopi codec=PCMU calls=N hold_s=H cpu_ms_per_call_s=MEDIAN (both
  ends together, per second held) min=.. max=..
and the ratio.
"""
import argparse
import importlib.util
import os
import statistics
import sys
import time

_here = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.util.spec_from_file_location(
    "setup_run", os.path.join(_here, "setup-run.py"))
sr = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(sr)

TCK = os.sysconf("SC_CLK_TCK")


def cpu_s(pid):
    with open("/proc/%s/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TCK


def measured(f, pids):
    c0 = sum(cpu_s(p) for p in pids)
    r = f()
    if not r:
        return None
    time.sleep(0.3)     # the callee's hangup work
    return sum(cpu_s(p) for p in pids) - c0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--svopid", action="append", default=[])
    ap.add_argument("--baresip", action="append", default=[])
    ap.add_argument("--pids", required=True)
    ap.add_argument("--domain", required=True)
    ap.add_argument("--codec", required=True)
    ap.add_argument("--calls", type=int, default=5)
    ap.add_argument("--hold", type=float, default=10.0)
    o = ap.parse_args()
    sv = [sr.Svopid(*x.split("=", 1)) for x in o.svopid]
    br = [sr.Baresip(x.split("=")[0], int(x.split("=")[1]))
          for x in o.baresip]
    pids = dict(x.split("=") for x in o.pids.split())
    uri = lambda n: "sip:%s@%s" % (n, o.domain)
    stacks = {
        "svopi": (lambda: sr.svopid_call(sv[0], sv[1], uri(sv[1].name),
                                         o.hold),
                  [pids[sv[0].name], pids[sv[1].name]]),
        "baresip": (lambda: sr.baresip_call(br[0], br[1], uri(br[1].name),
                                            o.hold),
                    [pids[br[0].name], pids[br[1].name]]),
    }
    time.sleep(1.0)
    sr.first_contact(sv[0], sv[1], uri(sv[1].name))
    for name, (f, p) in stacks.items():     # warm-up, not counted
        if measured(f, p) is None:
            sys.exit("warm-up call failed: %s" % name)
    per = {n: [] for n in stacks}
    for i in range(o.calls):
        for name, (f, p) in stacks.items():
            c = measured(f, p)
            if c is None:
                sys.exit("%s call %d failed" % (name, i))
            per[name].append(c * 1e3 / o.hold)
            time.sleep(0.3)
    med = {}
    for name, xs in per.items():
        med[name] = statistics.median(xs)
        print("stack=%s codec=%s calls=%d hold_s=%.0f cpu_ms_per_call_s=%.2f"
              " min=%.2f max=%.2f" % (name, o.codec, len(xs), o.hold,
                                      med[name], min(xs), max(xs)))
    if med["baresip"] > 0:
        print("ratio svopi/baresip=%.2f" % (med["svopi"] / med["baresip"]))


if __name__ == "__main__":
    main()
