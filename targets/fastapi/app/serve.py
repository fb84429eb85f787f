"""Entry point: uvicorn with uvloop + httptools, no access log, WORKERS processes on $HOST:$PORT."""

import os

import uvicorn

from app.cpus import available_cpus


def _positive_int_env(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError as error:
        raise SystemExit(f"{name} must be a positive integer, got {raw!r}") from error
    if value < 1:
        raise SystemExit(f"{name} must be a positive integer, got {raw!r}")
    return value


def main() -> None:
    uvicorn.run(
        # An import string (not the app object) so uvicorn can fork workers when WORKERS > 1.
        "app.main:app",
        host=os.environ.get("HOST", "0.0.0.0"),
        port=_positive_int_env("PORT", 8000),
        workers=_positive_int_env("WORKERS", available_cpus()),
        loop="uvloop",
        http="httptools",
        access_log=False,
        log_level="warning",
    )


if __name__ == "__main__":
    main()
