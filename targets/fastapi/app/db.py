"""Data layer: an in-memory user store behind an async call, so the handler awaits it like a real driver.

Users are generated from their id by the rule in targets/CONTRACT.md, so the Go target serves
byte-identical JSON without sharing a data file.
"""

import os

from pydantic import BaseModel


class User(BaseModel):
    id: int
    name: str
    email: str


class UserStore:
    def __init__(self, count: int) -> None:
        # Built once at import: a request only does a dict lookup, like a cache hit in a real service.
        self._users = {i: User(id=i, name=f"User {i}", email=f"user{i}@example.com") for i in range(1, count + 1)}

    async def fetch_user(self, user_id: int) -> User | None:
        return self._users.get(user_id)


def user_count_from_env() -> int:
    raw = os.environ.get("USERS", "10000")
    try:
        count = int(raw)
    except ValueError as error:
        raise SystemExit(f"USERS must be a positive integer, got {raw!r}") from error
    if count < 1:
        raise SystemExit(f"USERS must be a positive integer, got {raw!r}")
    return count


db = UserStore(user_count_from_env())
