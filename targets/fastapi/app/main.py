from fastapi import FastAPI, HTTPException

from app.db import User, db

app = FastAPI()


@app.get("/users/{user_id}")
async def get_user(user_id: int) -> User:
    user = await db.fetch_user(user_id)
    if user is None:
        raise HTTPException(status_code=404, detail="user not found")
    return user


@app.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}
