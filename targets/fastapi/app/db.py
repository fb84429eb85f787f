"""Data layer behind an async call, so the handler awaits it like a real driver: an in-memory store
(default) or PostgreSQL through an asyncpg pool (STORE=postgres).

Users are generated from their id by the rule in targets/CONTRACT.md (`contract_user`, the one place
this target states it), so the Go target serves byte-identical JSON without sharing a data file.
"""

import asyncio
from urllib.parse import urlsplit

import asyncpg
from pydantic import BaseModel

# The one query a request runs; the Go target sends the same text. asyncpg prepares it once per
# connection (its statement cache), as pgx does.
FETCH_USER_SQL = "SELECT id, name, email FROM users WHERE id = $1"
# Start-up checks give up after this, so an unreachable database fails fast with one line.
STARTUP_TIMEOUT_S = 5.0
# /healthz's database round trip: a hung database answers 503, not a client timeout.
HEALTH_TIMEOUT_S = 1.0
# Graceful pool close at shutdown, then the connections are cut.
CLOSE_TIMEOUT_S = 1.0
SEED_HINT = "seed it with `python -m app.seed` (fastapi) or `server -seed` (go-chi), same DATABASE_URL and USERS"
_INT64_MAX = 2**63 - 1


class User(BaseModel):
    id: int
    name: str
    email: str


def contract_user(user_id: int) -> User:
    return User(id=user_id, name=f"User {user_id}", email=f"user{user_id}@example.com")


class StoreUnavailable(Exception):
    """The database failed during a request; the app answers 503."""


class UserStore:
    def __init__(self, count: int) -> None:
        # Built once: a request only does a dict lookup, like a cache hit in a real service.
        self._users = {i: contract_user(i) for i in range(1, count + 1)}

    async def open(self) -> None:
        pass

    async def close(self) -> None:
        pass

    async def fetch_user(self, user_id: int) -> User | None:
        return self._users.get(user_id)

    async def ping(self) -> bool:
        return True


class PostgresUserStore:
    def __init__(self, database_url: str, pool_size: int) -> None:
        self._database_url = database_url
        self._pool_size = pool_size
        self._pool: asyncpg.Pool | None = None

    async def open(self) -> None:
        # Every connection opened up front and kept (no idle timeout): a request never pays for a connect.
        self._pool = await asyncpg.create_pool(
            self._database_url,
            min_size=self._pool_size,
            max_size=self._pool_size,
            max_inactive_connection_lifetime=0,
            timeout=STARTUP_TIMEOUT_S,
        )

    async def close(self) -> None:
        if self._pool is None:
            return
        # A graceful close waits on every connection, forever if the database stopped answering;
        # SIGTERM must finish inside `docker stop -t 2`, so the pool is cut after a bound.
        try:
            async with asyncio.timeout(CLOSE_TIMEOUT_S):
                await self._pool.close()
        except TimeoutError:
            self._pool.terminate()

    async def fetch_user(self, user_id: int) -> User | None:
        # bigint cannot hold it, so no row can match; the memory store answers 404 too.
        if not -_INT64_MAX - 1 <= user_id <= _INT64_MAX:
            return None
        try:
            row = await self._pool.fetchrow(FETCH_USER_SQL, user_id)
        except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError, TimeoutError) as error:
            raise StoreUnavailable() from error
        if row is None:
            return None
        return User(id=row[0], name=row[1], email=row[2])

    async def ping(self) -> bool:
        try:
            async with asyncio.timeout(HEALTH_TIMEOUT_S):
                await self._pool.fetchval("SELECT 1")
        except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError, TimeoutError):
            return False
        return True


def describe_location(database_url: str) -> str:
    """`host:port (database "d", user "u")` for error lines; never the password."""
    try:
        parts = urlsplit(database_url)
        if parts.scheme in ("postgres", "postgresql") and parts.hostname:
            return f'{parts.hostname}:{parts.port or 5432} (database "{parts.path.lstrip("/")}", user "{parts.username}")'
    except ValueError:
        pass
    return "DATABASE_URL"


def _first_line(error: BaseException) -> str:
    # OSError's strerror ("Connection refused") drops asyncio's "Multiple exceptions: ..." wrapping.
    text = getattr(error, "strerror", None) or str(error)
    return text.splitlines()[0] if text else type(error).__name__


def describe_error(error: BaseException, where: str, users: int) -> str:
    """The one line an operator needs for a start-up or seeding failure."""
    if isinstance(error, (asyncpg.InvalidPasswordError, asyncpg.InvalidAuthorizationSpecificationError)):
        return f"postgres at {where} refused the credentials ({error}); fix the user/password in DATABASE_URL"
    if isinstance(error, asyncpg.InvalidCatalogNameError):
        return f"postgres at {where}: {error}; create it or fix the database name in DATABASE_URL"
    if isinstance(error, asyncpg.UndefinedTableError):
        return f"postgres at {where} has no users table; {SEED_HINT} (USERS={users})"
    if isinstance(error, asyncpg.PostgresError):
        return f"postgres at {where}: {error} (SQLSTATE {error.sqlstate})"
    if isinstance(error, (OSError, TimeoutError)):
        return f"cannot reach postgres at {where}: {_first_line(error)}; is it running and is DATABASE_URL right?"
    if isinstance(error, (ValueError, asyncpg.InterfaceError)):
        return "DATABASE_URL is not a valid PostgreSQL URL or DSN (postgresql://user:password@host:port/database)"
    return f"postgres at {where}: {type(error).__name__}: {error}"


def table_problem(count: int, max_id: int, users: int) -> str | None:
    if count == 0:
        return f"the users table is empty; {SEED_HINT} (USERS={users})"
    if count != users or max_id != users:
        return f"the users table holds {count} users (highest id {max_id}) but USERS={users}; {SEED_HINT}"
    return None


async def check_database(database_url: str, users: int) -> None:
    """Before any worker starts: the database answers, the credentials work and the table holds exactly
    users 1..USERS. Raises SystemExit with one line otherwise."""
    where = describe_location(database_url)
    try:
        connection = await asyncpg.connect(database_url, timeout=STARTUP_TIMEOUT_S)
        try:
            count, max_id = await connection.fetchrow("SELECT count(*), coalesce(max(id), 0) FROM users")
        finally:
            await connection.close()
    except Exception as error:  # noqa: BLE001 - every failure becomes one line, by kind
        raise SystemExit(describe_error(error, where, users)) from None
    problem = table_problem(count, max_id, users)
    if problem is not None:
        raise SystemExit(f"postgres at {where}: {problem}")
