"""A fake Telegram Bot API (the few methods the bot uses), recording every call."""
from __future__ import annotations

import asyncio
import json
import threading
import time

from fastapi import FastAPI, Request

BOT_USER = {"id": 57, "is_bot": True, "first_name": "Hỏi đáp 57", "username": "hoidap57_bot"}


class FakeTelegram:
    def __init__(self):
        self.calls: list[tuple[str, dict]] = []
        self.pending: list[dict] = []  # updates served by getUpdates
        self.hang_chats: set[str] = set()  # sendMessage to these chats never returns while hanging
        self.hanging = True
        self._lock = threading.Lock()
        self._message_id = 0
        self.app = FastAPI()
        self.app.post("/bot{token}/{method}")(self.handle)

    def sent(self, method: str = "sendMessage", chat_id: str | None = None) -> list[dict]:
        with self._lock:
            return [p for m, p in self.calls if m == method and (chat_id is None or p.get("chat_id") == chat_id)]

    def push(self, update: dict) -> None:
        with self._lock:
            self.pending.append(update)

    async def handle(self, token: str, method: str, request: Request):
        form = await request.form()
        params = {k: json.loads(v) if v[:1] in "{[" else v for k, v in form.items()}
        if method == "sendMessage" and str(params.get("chat_id")) in self.hang_chats:
            while self.hanging:
                await asyncio.sleep(0.05)
        with self._lock:
            self.calls.append((method, params))
        result = await getattr(self, method, self.not_found)(params)
        if result is None:
            return {"ok": False, "error_code": 404, "description": f"Not Found: {method}"}
        return {"ok": True, "result": result}

    async def not_found(self, params):
        return None

    async def getMe(self, params):
        return BOT_USER

    async def setWebhook(self, params):
        return True

    async def deleteWebhook(self, params):
        return True

    async def answerCallbackQuery(self, params):
        return True

    async def getUpdates(self, params):
        offset = int(params.get("offset") or 0)
        deadline = time.monotonic() + min(float(params.get("timeout") or 0), 0.5)
        while True:
            with self._lock:
                updates = [u for u in self.pending if u["update_id"] >= offset]
            if updates or time.monotonic() > deadline:
                return updates
            await asyncio.sleep(0.02)

    async def sendMessage(self, params):
        with self._lock:
            self._message_id += 1
            message_id = self._message_id
        return {"message_id": message_id, "date": int(time.time()), "text": params["text"],
                "chat": {"id": int(params["chat_id"]), "type": "private"}, "from": BOT_USER}


def message_update(update_id: int, chat_id: int, text: str) -> dict:
    """A private-chat text update as Telegram sends it (commands carry a bot_command entity)."""
    message = {"message_id": update_id, "date": int(time.time()), "text": text,
               "chat": {"id": chat_id, "type": "private"},
               "from": {"id": chat_id, "is_bot": False, "first_name": "Dân"}}
    if text.startswith("/"):
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
    return {"update_id": update_id, "message": message}


def button_update(update_id: int, chat_id: int, data: str) -> dict:
    """A tap on an inline button under one of the bot's messages."""
    return {"update_id": update_id, "callback_query": {
        "id": f"cq{update_id}", "chat_instance": "ci", "data": data,
        "from": {"id": chat_id, "is_bot": False, "first_name": "Dân"},
        "message": {"message_id": 1, "date": int(time.time()), "text": "…",
                    "chat": {"id": chat_id, "type": "private"}, "from": BOT_USER}}}
