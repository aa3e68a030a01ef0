#!/usr/bin/env python3
"""A seeded impaired IP path between two network namespaces, in user space.

This kernel has no netem qdisc, so the path is a pair of TUN devices: one
(--dev-a) in namespace A (--ns-a; "" for the namespace we run in), one
(--dev-b) in namespace B. Every IP packet one side routes into its TUN
comes out of the other side's TUN, each one dropped with probability
--loss and otherwise held for --delay ms plus a uniform 0..--jitter ms,
independently per packet, so packets reorder. --block FILE: while FILE
exists, every packet is dropped (an outage). The devices live as long as
this process; the test gives them addresses and routes (ip -n NS ...).

--ready FILE is written once both devices exist; --stats FILE gets
{"a_to_b": [passed, dropped], "b_to_a": [...]} every second and at exit.
Runs until SIGTERM.
"""
import argparse
import ctypes
import fcntl
import heapq
import json
import os
import random
import select
import signal
import struct
import sys
import time

TUNSETIFF = 0x400454CA
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000
CLONE_NEWNET = 0x40000000

libc = ctypes.CDLL(None, use_errno=True)


def setns(fd):
    if libc.setns(fd, CLONE_NEWNET) != 0:
        e = ctypes.get_errno()
        raise OSError(e, "setns: " + os.strerror(e))


def open_tun(name, ns):
    """A TUN device NAME made inside netns NS ("" for ours)."""
    own = os.open("/proc/self/ns/net", os.O_RDONLY)
    try:
        if ns:
            nsfd = os.open("/run/netns/" + ns, os.O_RDONLY)
            try:
                setns(nsfd)
            finally:
                os.close(nsfd)
        fd = os.open("/dev/net/tun", os.O_RDWR)
        ifr = struct.pack("16sH22x", name.encode(), IFF_TUN | IFF_NO_PI)
        fcntl.ioctl(fd, TUNSETIFF, ifr)
        os.set_blocking(fd, False)
        return fd
    finally:
        setns(own)
        os.close(own)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ns-a", default="")
    ap.add_argument("--ns-b", default="")
    ap.add_argument("--dev-a", default="impA")
    ap.add_argument("--dev-b", default="impB")
    ap.add_argument("--loss", type=float, default=0.0)
    ap.add_argument("--delay", type=float, default=0.0)
    ap.add_argument("--jitter", type=float, default=0.0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--block")
    ap.add_argument("--ready")
    ap.add_argument("--stats")
    a = ap.parse_args()
    if not 0.0 <= a.loss <= 1.0 or a.delay < 0 or a.jitter < 0:
        sys.exit("netns-impair: bad --loss/--delay/--jitter")

    fa = open_tun(a.dev_a, a.ns_a)
    fb = open_tun(a.dev_b, a.ns_b)
    rng = random.Random(a.seed)
    other = {fa: fb, fb: fa}
    key = {fa: "a_to_b", fb: "b_to_a"}
    stats = {"a_to_b": [0, 0], "b_to_a": [0, 0]}
    queue = []          # (due, seq, out_fd, packet)
    seq = 0
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    signal.signal(signal.SIGINT, lambda *_: stop.append(1))

    def write_stats():
        if a.stats:
            tmp = a.stats + ".tmp"
            with open(tmp, "w") as f:
                json.dump(stats, f)
            os.replace(tmp, a.stats)

    if a.ready:
        with open(a.ready, "w") as f:
            f.write("%s %s\n" % (a.dev_a, a.dev_b))
    last_stats = 0.0
    while not stop:
        now = time.monotonic()
        timeout = 0.2
        if queue:
            timeout = max(0.0, min(timeout, queue[0][0] - now))
        try:
            rd, _, _ = select.select([fa, fb], [], [], timeout)
        except InterruptedError:
            continue
        blocked = a.block and os.path.exists(a.block)
        for fd in rd:
            while True:
                try:
                    pkt = os.read(fd, 65536)
                except BlockingIOError:
                    break
                k = key[fd]
                if blocked or rng.random() < a.loss:
                    stats[k][1] += 1
                    continue
                stats[k][0] += 1
                due = time.monotonic() + (a.delay +
                                          rng.uniform(0, a.jitter)) / 1000
                seq += 1
                heapq.heappush(queue, (due, seq, other[fd], pkt))
        now = time.monotonic()
        while queue and queue[0][0] <= now:
            _, _, out, pkt = heapq.heappop(queue)
            try:
                os.write(out, pkt)
            except OSError:
                pass    # the device is down (not configured yet)
        if now - last_stats >= 1.0:
            write_stats()
            last_stats = now
    write_stats()


if __name__ == "__main__":
    main()
