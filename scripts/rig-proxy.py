#!/usr/bin/env python3
"""Registry access for the two-host rig's target namespace, which has no route out (by design).

  rig-proxy.py proxy SOCKET       # root namespace: HTTPS CONNECT proxy (port 443 only) on a unix socket
  rig-proxy.py pipe PORT SOCKET   # target namespace: 127.0.0.1:PORT piped to that unix socket

Image builds on the target engine use it through `httpbench run --build-proxy http://127.0.0.1:PORT`.
A unix socket crosses namespaces through the file system, so no address of 198.18.0.0/15 is ever
used from the root namespace. Only CONNECT to port 443 is relayed: registries, nothing else.
"""
import asyncio
import sys


async def relay(reader, writer, peer_reader, peer_writer):
    async def copy(src, dst):
        try:
            while data := await src.read(65536):
                dst.write(data)
                await dst.drain()
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            dst.close()

    await asyncio.gather(copy(reader, peer_writer), copy(peer_reader, writer))


async def handle_connect(reader, writer):
    try:
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
        method, target, _ = head.split(b"\r\n", 1)[0].decode("latin-1").split(" ", 2)
        host, _, port = target.rpartition(":")
        if method != "CONNECT" or port != "443" or not host:
            writer.write(b"HTTP/1.1 403 Forbidden\r\n\r\n")
            await writer.drain()
            writer.close()
            return
        peer_reader, peer_writer = await asyncio.wait_for(asyncio.open_connection(host.strip("[]"), 443), 15)
        writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
        await writer.drain()
        await relay(reader, writer, peer_reader, peer_writer)
    except Exception:  # one failed tunnel must not stop the proxy; the client sees the closed socket
        writer.close()


async def handle_pipe(sock_path, reader, writer):
    try:
        peer_reader, peer_writer = await asyncio.open_unix_connection(sock_path)
    except OSError:
        writer.close()
        return
    await relay(reader, writer, peer_reader, peer_writer)


async def main():
    if sys.argv[1:2] == ["proxy"] and len(sys.argv) == 3:
        server = await asyncio.start_unix_server(handle_connect, path=sys.argv[2])
    elif sys.argv[1:2] == ["pipe"] and len(sys.argv) == 4:
        sock_path = sys.argv[3]
        server = await asyncio.start_server(lambda r, w: handle_pipe(sock_path, r, w), "127.0.0.1", int(sys.argv[2]))
    else:
        sys.exit("usage: rig-proxy.py proxy SOCKET | pipe PORT SOCKET")
    async with server:
        await server.serve_forever()


asyncio.run(main())
