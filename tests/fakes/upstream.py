"""A fake send API (Zalo OA, Messenger): records each POST; can hang for chosen recipients."""
from __future__ import annotations

import asyncio
import threading

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse


class FakeUpstream:
    def __init__(self, reply: dict | None = None):
        self.reply = reply or {}
        self.requests: list[dict] = []  # {"path", "params", "headers", "json"}
        self.hang_users: set[str] = set()
        self.errors: dict[str, tuple[int, dict]] = {}  # recipient → (HTTP status, body) to answer instead
        self.hanging = True
        self._lock = threading.Lock()
        self.app = FastAPI()
        self.app.post("/{path:path}")(self.handle)

    def to(self, user_id: str) -> list[dict]:
        with self._lock:
            return [r for r in self.requests if recipient(r["json"]) == user_id]

    async def handle(self, path: str, request: Request):
        body = await request.json()
        if recipient(body) in self.hang_users:
            while self.hanging:
                await asyncio.sleep(0.05)
        with self._lock:
            self.requests.append({"path": "/" + path, "params": dict(request.query_params),
                                  "headers": dict(request.headers), "json": body})
        status, reply = self.errors.get(recipient(body), (200, self.reply))
        return JSONResponse(reply, status_code=status)


def recipient(body: dict) -> str:
    to = body.get("recipient", {})
    return to.get("user_id") or to.get("id")  # Zalo: user_id; Messenger: id
