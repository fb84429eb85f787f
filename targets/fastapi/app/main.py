import asyncio
import time
from contextlib import asynccontextmanager

from fastapi import FastAPI, HTTPException
from fastapi.responses import JSONResponse

from app.db import PostgresUserStore, StoreUnavailable, User, UserStore
from app.settings import Settings, load_settings


def spin(duration_ns: int) -> None:
    """Burn CPU for duration_ns on the monotonic clock (EXTRA_WORK_US, test-only): a sleep would free
    the CPU and not model slower code."""
    deadline = time.perf_counter_ns() + duration_ns
    while time.perf_counter_ns() < deadline:
        pass


def create_app(settings: Settings) -> FastAPI:
    if settings.store == "postgres":
        db = PostgresUserStore(settings.database_url, settings.pool_size)
    else:
        db = UserStore(settings.users)
    extra_work_ns = settings.extra_work_us * 1000
    # EXTRA_WAIT_US (test-only): an await on the event loop's timer, latency without CPU (a slower
    # downstream call), the kind of regression spin cannot model.
    extra_wait_s = settings.extra_wait_us / 1_000_000

    @asynccontextmanager
    async def lifespan(_: FastAPI):
        # Runs in every uvicorn worker: one pool per worker process.
        await db.open()
        try:
            yield
        finally:
            await db.close()

    app = FastAPI(lifespan=lifespan)

    @app.exception_handler(StoreUnavailable)
    async def store_unavailable(_request, _error: StoreUnavailable) -> JSONResponse:
        # The driver's text stays out of the body (it can name hosts and users) and out of the log
        # (one traceback per request would flood it while the database is down).
        return JSONResponse(status_code=503, content={"detail": "database unavailable"})

    @app.get("/users/{user_id}")
    async def get_user(user_id: int) -> User:
        if extra_work_ns:
            spin(extra_work_ns)
        if extra_wait_s:
            await asyncio.sleep(extra_wait_s)
        user = await db.fetch_user(user_id)
        if user is None:
            raise HTTPException(status_code=404, detail="user not found")
        return user

    @app.get("/healthz")
    async def healthz():
        if not await db.ping():
            return JSONResponse(status_code=503, content={"status": "database unavailable"})
        return {"status": "ok"}

    return app


app = create_app(load_settings())
