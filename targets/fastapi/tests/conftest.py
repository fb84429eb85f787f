"""Fixtures for the postgres-store tests: HTTPBENCH_TEST_DATABASE_URL names a real PostgreSQL, which
scripts/test-targets.sh starts as a throwaway cluster (scripts/pg-test-cluster.sh)."""

import asyncio
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import asyncpg
import pytest

TARGET_DIR = Path(__file__).resolve().parent.parent


@pytest.fixture
def database_url() -> str:
    url = os.environ.get("HTTPBENCH_TEST_DATABASE_URL")
    if not url:
        pytest.fail("HTTPBENCH_TEST_DATABASE_URL is not set: run scripts/test-targets.sh fastapi, which starts a throwaway PostgreSQL")
    return url


def _execute(url: str, sql: str) -> None:
    async def go() -> None:
        connection = await asyncpg.connect(url)
        try:
            await connection.execute(sql)
        finally:
            await connection.close()

    asyncio.run(go())


@pytest.fixture
def schema_url(database_url):
    """A factory: an empty schema of the test's own and a DATABASE_URL whose search_path points at it,
    so tests never see each other's users table."""
    created = []

    def make(name: str) -> str:
        schema = f"py_{name}"
        _execute(database_url, f"DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}")
        created.append(schema)
        return f"{database_url}?search_path={schema}"

    yield make
    for schema in created:
        _execute(database_url, f"DROP SCHEMA IF EXISTS {schema} CASCADE")


@pytest.fixture
def execute():
    return _execute


def run_module(module: str, **env: str) -> subprocess.CompletedProcess:
    """`python -m module` as a user starts it, with env added (timeout: a start-up check must not hang)."""
    return subprocess.run(
        [sys.executable, "-m", module],
        cwd=TARGET_DIR,
        env={**os.environ, "HOST": "127.0.0.1", "PORT": str(free_port()), "WORKERS": "1", **env},
        capture_output=True,
        text=True,
        timeout=30,
    )


@pytest.fixture
def seed():
    def go(url: str, users: int) -> None:
        result = run_module("app.seed", DATABASE_URL=url, USERS=str(users))
        assert result.returncode == 0, result.stderr

    return go


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Proxy:
    """Forwards TCP to the database until close(), which cuts every connection: "the database went
    away" without stopping the shared test cluster."""

    def __init__(self, target: tuple[str, int]) -> None:
        self._target = target
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            try:
                server = socket.create_connection(self._target)
            except OSError:
                client.close()
                continue
            with self._lock:
                # A connection accepted while close() ran (the pool refilling itself in the
                # background) would otherwise outlive it and answer after "the database went away".
                if self._closed:
                    client.close()
                    server.close()
                    return
                self._sockets += [client, server]
            threading.Thread(target=self._pump, args=(client, server), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass

    def close(self) -> None:
        # close() alone does not stop a listener that another thread is blocked in accept() on: the
        # kernel keeps it listening until that accept returns, so the pool's background reconnect
        # got through after "the database went away" (the test's rare 200 under load). shutdown()
        # wakes the accept; the flag turns away a connection accepted meanwhile.
        with self._lock:
            self._closed = True
        try:
            self._listener.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self._listener.close()
        with self._lock:
            for s in self._sockets:
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                s.close()
            self._sockets.clear()


@pytest.fixture
def proxy_to():
    proxies = []

    def make(host: str, port: int) -> Proxy:
        proxies.append(Proxy((host, port)))
        return proxies[-1]

    yield make
    for p in proxies:
        p.close()
