"""`python -m app.seed`: (re)create the users table in DATABASE_URL with exactly the contract's users
1..USERS (targets/CONTRACT.md), in one transaction. The Go target's `server -seed` makes the same table."""

import asyncio
import os

import asyncpg

from app.db import contract_user, describe_error, describe_location
from app.settings import positive_int_env


async def seed(database_url: str, users: int) -> None:
    connection = await asyncpg.connect(database_url)
    try:
        async with connection.transaction():
            await connection.execute("DROP TABLE IF EXISTS users")
            await connection.execute(
                "CREATE TABLE users (id bigint PRIMARY KEY, name text NOT NULL, email text NOT NULL)"
            )
            records = ((u.id, u.name, u.email) for u in map(contract_user, range(1, users + 1)))
            await connection.copy_records_to_table("users", records=records, columns=["id", "name", "email"])
            await connection.execute("ANALYZE users")
    finally:
        await connection.close()


def main() -> None:
    users = positive_int_env(os.environ, "USERS", 10000)
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url:
        raise SystemExit("app.seed needs DATABASE_URL (e.g. postgresql://user:password@127.0.0.1:5432/httpbench)")
    try:
        asyncio.run(seed(database_url, users))
    except Exception as error:  # noqa: BLE001 - one line, by kind
        raise SystemExit("seeding failed: " + describe_error(error, describe_location(database_url), users)) from None
    print(f"seeded {users} users")


if __name__ == "__main__":
    main()
