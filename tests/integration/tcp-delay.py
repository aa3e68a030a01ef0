#!/usr/bin/env python3
"""A TCP relay for the tests that delays every chunk from the server to the
client by --delay-ms (a slow trust server without changing it).

  tcp-delay.py --listen PORT --to HOST:PORT --delay-ms MS
"""
import argparse
import asyncio


async def pipe(reader, writer, delay):
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            if delay:
                await asyncio.sleep(delay)
            writer.write(data)
            await writer.drain()
    except (ConnectionError, asyncio.CancelledError):
        pass
    finally:
        writer.close()


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--listen", type=int, required=True)
    ap.add_argument("--to", required=True)
    ap.add_argument("--delay-ms", type=int, default=0)
    a = ap.parse_args()
    host, port = a.to.rsplit(":", 1)

    async def handle(cr, cw):
        try:
            sr, sw = await asyncio.open_connection(host, int(port))
        except OSError:
            cw.close()
            return
        await asyncio.gather(pipe(cr, sw, 0), pipe(sr, cw, a.delay_ms / 1000))

    srv = await asyncio.start_server(handle, "127.0.0.1", a.listen)
    async with srv:
        await srv.serve_forever()


asyncio.run(main())
