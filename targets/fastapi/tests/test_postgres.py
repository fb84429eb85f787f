"""STORE=postgres against a real PostgreSQL: same bytes as the memory store, 503s when the database is
gone, and one clear line at start for every bad configuration."""

import re
import time
from urllib.parse import urlsplit, urlunsplit

import pytest
from fastapi.testclient import TestClient

from app.main import create_app, spin
from app.settings import Settings, load_settings
from tests.conftest import free_port, run_module

USERS = 500


def responses(app, paths):
    with TestClient(app) as client:  # `with` runs the lifespan, which opens the pool
        return {p: (r.status_code, r.headers["content-type"], r.content) for p in paths for r in [client.get(p)]}


def test_postgres_store_answers_byte_for_byte_like_memory(schema_url, seed):
    url = schema_url("same")
    seed(url, USERS)
    paths = ["/users/1", "/users/2", "/users/42", f"/users/{USERS - 1}", f"/users/{USERS}", f"/users/{USERS + 1}",
             "/users/0", "/users/-3", f"/users/{2**63}", f"/users/{2**64}", "/users/abc", "/healthz"]
    memory = responses(create_app(Settings(users=USERS)), paths)
    postgres = responses(create_app(Settings(users=USERS, store="postgres", database_url=url, pool_size=2)), paths)
    assert postgres == memory
    assert postgres["/users/42"] == (200, "application/json", b'{"id":42,"name":"User 42","email":"user42@example.com"}')
    assert postgres[f"/users/{USERS + 1}"][0] == 404


def test_healthz_and_requests_follow_the_database(schema_url, seed, proxy_to):
    url = schema_url("health")
    seed(url, 10)
    parts = urlsplit(url)
    proxy = proxy_to(parts.hostname, parts.port)
    via_proxy = urlunsplit(parts._replace(netloc=f"{parts.username}:{parts.password}@127.0.0.1:{proxy.port}"))
    app = create_app(Settings(users=10, store="postgres", database_url=via_proxy, pool_size=2))
    with TestClient(app) as client:
        up = client.get("/healthz")
        assert (up.status_code, up.content) == (200, b'{"status":"ok"}')
        proxy.close()
        down = client.get("/healthz")
        assert (down.status_code, down.content) == (503, b'{"status":"database unavailable"}')
        user = client.get("/users/1")
        assert (user.status_code, user.content) == (503, b'{"detail":"database unavailable"}')
        # Validation does not need the database: a bad id is still FastAPI's 422.
        assert client.get("/users/abc").status_code == 422


def _with(url: str, **changes) -> str:
    return urlunsplit(urlsplit(url)._replace(**changes))


@pytest.fixture
def bad_configurations(database_url, schema_url, seed, execute):
    parts = urlsplit(database_url)
    empty = schema_url("empty")
    execute(empty, "CREATE TABLE users (id bigint PRIMARY KEY, name text NOT NULL, email text NOT NULL)")
    fewer = schema_url("fewer")
    seed(fewer, 5)
    closed_port = free_port()
    return {
        "postgres without DATABASE_URL": ({"STORE": "postgres", "DATABASE_URL": ""}, "STORE=postgres needs DATABASE_URL"),
        "unknown store": ({"STORE": "mysql"}, "STORE must be memory or postgres, got 'mysql'"),
        "pool size 0": ({"STORE": "postgres", "DATABASE_URL": database_url, "DB_POOL_SIZE": "0"},
                        "DB_POOL_SIZE must be a positive integer, got '0'"),
        "database down": ({"STORE": "postgres", "DATABASE_URL": _with(database_url, netloc=f"{parts.username}:{parts.password}@127.0.0.1:{closed_port}")},
                          f"cannot reach postgres at 127.0.0.1:{closed_port}"),
        "wrong password": ({"STORE": "postgres", "DATABASE_URL": _with(database_url, netloc=f"{parts.username}:not-{parts.password}@{parts.hostname}:{parts.port}")},
                           "refused the credentials"),
        "missing database": ({"STORE": "postgres", "DATABASE_URL": _with(database_url, path="/no_such_database")},
                             '"no_such_database" does not exist'),
        "no table": ({"STORE": "postgres", "DATABASE_URL": schema_url("notable"), "USERS": "5"}, "has no users table; seed it"),
        "empty table": ({"STORE": "postgres", "DATABASE_URL": empty, "USERS": "5"}, "the users table is empty; seed it"),
        "table and USERS disagree": ({"STORE": "postgres", "DATABASE_URL": fewer, "USERS": "6"},
                                     "holds 5 users (highest id 5) but USERS=6"),
        "negative extra work": ({"EXTRA_WORK_US": "-1"}, "EXTRA_WORK_US must be an integer from 0 to 1000000"),
    }


def test_bad_configuration_exits_at_start_with_one_line(bad_configurations, database_url):
    password = urlsplit(database_url).password
    failures = []
    for name, (env, expected) in bad_configurations.items():
        result = run_module("app.serve", **env)
        lines = result.stderr.rstrip("\n").split("\n")
        if result.returncode != 1 or len(lines) != 1 or expected not in lines[0] or password in result.stderr:
            failures.append(f"{name}: exit {result.returncode}, stderr {result.stderr!r}; want one line with {expected!r}")
    assert failures == []


def test_settings_default_to_the_memory_store_and_ignore_db_variables():
    settings = load_settings({"DATABASE_URL": "postgresql://x@h/d", "DB_POOL_SIZE": "0"})
    assert settings == Settings(users=10000, store="memory", database_url=None, pool_size=10, extra_work_us=0)
    assert load_settings({"STORE": "postgres", "DATABASE_URL": "postgresql://x@h/d", "DB_POOL_SIZE": "3", "USERS": "7"}) == \
        Settings(users=7, store="postgres", database_url="postgresql://x@h/d", pool_size=3)


@pytest.mark.parametrize(("raw", "expected"), [("", 0), ("0", 0), ("250", 250), ("1000000", 1_000_000)])
def test_extra_work_us_accepts_zero_to_one_second(raw, expected):
    assert load_settings({"EXTRA_WORK_US": raw}).extra_work_us == expected


@pytest.mark.parametrize("raw", ["-1", "x", "1000001", "1.5"])
def test_extra_work_us_rejects_the_rest(raw):
    with pytest.raises(SystemExit, match=re.escape(f"got {raw!r}")):
        load_settings({"EXTRA_WORK_US": raw})


def test_extra_work_burns_cpu_in_the_users_handler():
    work_ns = 20_000_000
    client = TestClient(create_app(Settings(users=10, extra_work_us=work_ns // 1000)))
    cpu_before, wall_before = time.process_time_ns(), time.perf_counter_ns()
    response = client.get("/users/3")
    wall_ns, cpu_ns = time.perf_counter_ns() - wall_before, time.process_time_ns() - cpu_before
    assert response.content == b'{"id":3,"name":"User 3","email":"user3@example.com"}'
    assert wall_ns >= work_ns
    # A sleep would use almost no CPU; a spin uses it for most of the time even when the shared
    # machine preempts us, hence the generous quarter.
    assert cpu_ns >= work_ns // 4


def test_extra_wait_us_is_read_and_bounded_like_extra_work():
    assert load_settings({"EXTRA_WAIT_US": "1500"}).extra_wait_us == 1500
    with pytest.raises(SystemExit, match="EXTRA_WAIT_US must be an integer"):
        load_settings({"EXTRA_WAIT_US": "1000001"})


def test_extra_wait_adds_latency_without_cpu():
    wait_ns = 50_000_000
    client = TestClient(create_app(Settings(users=10, extra_wait_us=wait_ns // 1000)))
    client.get("/users/1")  # first request warms the app up
    cpu_before, wall_before = time.process_time_ns(), time.perf_counter_ns()
    response = client.get("/users/3")
    wall_ns, cpu_ns = time.perf_counter_ns() - wall_before, time.process_time_ns() - cpu_before
    assert response.content == b'{"id":3,"name":"User 3","email":"user3@example.com"}'
    assert wall_ns >= wait_ns
    # An asyncio.sleep, not a spin: the process's CPU grows by far less than the wait.
    assert cpu_ns < wait_ns // 2


def test_spin_waits_at_least_the_requested_time():
    start = time.perf_counter_ns()
    spin(2_000_000)
    assert time.perf_counter_ns() - start >= 2_000_000
