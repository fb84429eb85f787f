"""The environment the target reads (targets/CONTRACT.md lists it), checked once at start.

Every problem is a SystemExit with one line naming the variable to fix, so a bad configuration ends
the process before it listens instead of failing each request.
"""

import os
from collections.abc import Mapping
from dataclasses import dataclass

# Matches the Go target's pool size, per process: here per uvicorn worker.
DEFAULT_POOL_SIZE = 10
# The regression knob is bounded to one second per request, so a typo cannot wedge a run.
MAX_EXTRA_WORK_US = 1_000_000


@dataclass(frozen=True)
class Settings:
    users: int = 10000
    # "memory" (default) or "postgres".
    store: str = "memory"
    database_url: str | None = None
    # Connections in each worker's pool (asyncpg min_size = max_size).
    pool_size: int = DEFAULT_POOL_SIZE
    # Test-only CPU busy-work per /users request, in microseconds; 0 = off.
    extra_work_us: int = 0
    # Test-only wait per /users request that burns no CPU (asyncio.sleep), in microseconds; 0 = off.
    extra_wait_us: int = 0


def positive_int_env(environ: Mapping[str, str], name: str, default: int) -> int:
    raw = environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError as error:
        raise SystemExit(f"{name} must be a positive integer, got {raw!r}") from error
    if value < 1:
        raise SystemExit(f"{name} must be a positive integer, got {raw!r}")
    return value


def _extra_work_us(environ: Mapping[str, str], name: str = "EXTRA_WORK_US") -> int:
    """One of the regression knobs (EXTRA_WORK_US, EXTRA_WAIT_US), bounded the same way."""
    raw = environ.get(name, "")
    if raw == "":
        return 0
    problem = f"{name} must be an integer from 0 to {MAX_EXTRA_WORK_US} (microseconds), got {raw!r}"
    try:
        value = int(raw)
    except ValueError as error:
        raise SystemExit(problem) from error
    if not 0 <= value <= MAX_EXTRA_WORK_US:
        raise SystemExit(problem)
    return value


def load_settings(environ: Mapping[str, str] = os.environ) -> Settings:
    users = positive_int_env(environ, "USERS", 10000)
    extra_work_us = _extra_work_us(environ)
    extra_wait_us = _extra_work_us(environ, "EXTRA_WAIT_US")
    store = environ.get("STORE", "") or "memory"
    if store == "memory":
        return Settings(users=users, extra_work_us=extra_work_us, extra_wait_us=extra_wait_us)
    if store != "postgres":
        raise SystemExit(f"STORE must be memory or postgres, got {store!r}")
    database_url = environ.get("DATABASE_URL", "")
    if not database_url:
        raise SystemExit("STORE=postgres needs DATABASE_URL (e.g. postgresql://user:password@127.0.0.1:5432/httpbench)")
    return Settings(
        users=users,
        store=store,
        database_url=database_url,
        pool_size=positive_int_env(environ, "DB_POOL_SIZE", DEFAULT_POOL_SIZE),
        extra_work_us=extra_work_us,
        extra_wait_us=extra_wait_us,
    )
