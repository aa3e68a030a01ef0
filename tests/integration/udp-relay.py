#!/usr/bin/env python3
"""A seeded userspace impairment relay for the integration tests.

Listens on 127.0.0.1:PORT (UDP, and with --tcp also TCP on the same port)
and forwards to --target HOST:PORT. Each UDP client address gets its own
upstream socket, so answers find their way back. UDP datagrams, in both
directions, can be dropped (--loss), delayed (--delay plus a uniform
--jitter, which reorders them) and cut off entirely while the --block file
exists (an outage that the test switches on and off). TCP is passed
through unimpaired (a stream retransmits by itself).

Counters go to --stats (JSON, rewritten every second and at exit):
datagrams received, forwarded and dropped per direction.

This kernel has no netem, hence this. Example:
  udp-relay.py --port 15060 --target 127.0.0.1:5060 --loss 0.1 \
      --delay 50 --jitter 100 --seed 7 --block /tmp/outage
"""
import argparse
import asyncio
import json
import os
import random
import signal
import socket
import sys


class Relay:
    def __init__(self, args):
        self.a = args
        self.rng = random.Random(args.seed)
        host, port = args.target.rsplit(":", 1)
        self.target = (host, int(port))
        host, port = (args.tcp_target or args.target).rsplit(":", 1)
        self.tcp_target = (host, int(port))
        self.up = {}        # client address -> upstream transport
        self.stats = {"up": [0, 0, 0], "down": [0, 0, 0], "tcp": 0}
        self.down = None    # the listening transport

    def blocked(self):
        return self.a.block and os.path.exists(self.a.block)

    def impair(self, data, send, way):
        """Counts, drops or schedules one datagram."""
        st = self.stats[way]
        st[0] += 1
        if self.blocked() or self.rng.random() < self.a.loss:
            st[2] += 1
            return
        wait = (self.a.delay + self.rng.uniform(0, self.a.jitter)) / 1000
        st[1] += 1
        if wait <= 0:
            send(data)
        else:
            asyncio.get_running_loop().call_later(wait, send, data)

    def write_stats(self):
        if self.a.stats:
            tmp = self.a.stats + ".tmp"
            with open(tmp, "w") as f:
                json.dump(self.stats, f)
            os.replace(tmp, self.a.stats)


class Down(asyncio.DatagramProtocol):
    def __init__(self, r):
        self.r = r

    def connection_made(self, transport):
        self.r.down = transport

    def datagram_received(self, data, addr):
        asyncio.ensure_future(self.forward(data, addr))

    async def forward(self, data, addr):
        r = self.r
        up = r.up.get(addr)
        if up is None:
            loop = asyncio.get_running_loop()
            up, _ = await loop.create_datagram_endpoint(
                lambda: Up(r, addr), remote_addr=r.target)
            r.up[addr] = up
        r.impair(data, lambda d: up.sendto(d), "up")


class Up(asyncio.DatagramProtocol):
    def __init__(self, r, client):
        self.r = r
        self.client = client

    def datagram_received(self, data, addr):
        r = self.r
        r.impair(data, lambda d: r.down.sendto(d, self.client), "down")

    def error_received(self, exc):
        pass


async def pipe(reader, writer):
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            writer.write(data)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        writer.close()


async def tcp_client(r, reader, writer):
    r.stats["tcp"] += 1
    try:
        ur, uw = await asyncio.open_connection(*r.tcp_target)
    except OSError:
        writer.close()
        return
    await asyncio.gather(pipe(reader, uw), pipe(ur, writer))


async def main(a):
    r = Relay(a)
    loop = asyncio.get_running_loop()
    await loop.create_datagram_endpoint(lambda: Down(r),
                                        local_addr=(a.host, a.port))
    if a.tcp:
        await asyncio.start_server(lambda rd, wr: tcp_client(r, rd, wr),
                                   a.host, a.port, reuse_address=True)
    stop = asyncio.Event()
    for s in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(s, stop.set)
    print("relay %s:%d -> %s:%d" % (a.host, a.port, *r.target), flush=True)
    while not stop.is_set():
        r.write_stats()
        try:
            await asyncio.wait_for(stop.wait(), 1)
        except asyncio.TimeoutError:
            pass
    r.write_stats()


def parse():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--target", required=True, help="HOST:PORT")
    p.add_argument("--loss", type=float, default=0.0, help="0..1")
    p.add_argument("--delay", type=float, default=0.0, help="ms")
    p.add_argument("--jitter", type=float, default=0.0,
                   help="ms, uniform on top of --delay; reorders")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--block", help="drop all UDP while this file exists")
    p.add_argument("--tcp", action="store_true",
                   help="also pass TCP through on the same port")
    p.add_argument("--tcp-target", help="HOST:PORT for TCP (--target)")
    p.add_argument("--stats", help="JSON counters file")
    a = p.parse_args()
    if not 0 <= a.loss <= 1 or a.delay < 0 or a.jitter < 0:
        p.error("loss must be in 0..1, delay and jitter >= 0")
    return a


if __name__ == "__main__":
    asyncio.run(main(parse()))
