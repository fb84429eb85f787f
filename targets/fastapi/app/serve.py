"""Entry point: uvicorn with uvloop + httptools, no access log, WORKERS processes on $HOST:$PORT.

With STORE=postgres the database is checked here, once, before any worker starts, so a bad
DATABASE_URL ends the process with one line instead of one traceback per worker.
"""

import asyncio
import os

import uvicorn

from app.cpus import available_cpus
from app.db import check_database
from app.settings import load_settings, positive_int_env


def main() -> None:
    settings = load_settings()
    if settings.store == "postgres":
        asyncio.run(check_database(settings.database_url, settings.users))
    uvicorn.run(
        # An import string (not the app object) so uvicorn can fork workers when WORKERS > 1.
        "app.main:app",
        host=os.environ.get("HOST", "0.0.0.0"),
        port=positive_int_env(os.environ, "PORT", 8000),
        workers=positive_int_env(os.environ, "WORKERS", available_cpus()),
        loop="uvloop",
        http="httptools",
        access_log=False,
        log_level="warning",
    )


if __name__ == "__main__":
    main()
