"""The one channel interface: a message comes in, the shared answerer answers, the channel renders and sends.

A new channel is a small module: a :class:`Channel` (or :class:`WebhookChannel` for signed JSON
webhooks with an HTTP send API) that says how an answer looks there and how it is delivered.
No answer logic lives in the channels.
"""
from __future__ import annotations

import asyncio
import hmac
import json
import logging
import math
import time
from abc import ABC, abstractmethod
from collections import OrderedDict
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx
from fastapi import APIRouter, HTTPException, Request

from bot.render import to_text
from channels.web.logs import ConversationLog
from hoidap.models import Answer
from hoidap.text import clean_input

log = logging.getLogger("hoidap.channels")

SEND_TIMEOUT = httpx.Timeout(10.0, connect=5.0)  # a stuck upstream must not hold a reply task forever
ANSWER_TIMEOUT = 60.0  # whole answer + send, per incoming message
MAX_QUESTION_CHARS = 1000  # every channel, the web API included: a pasted book is neither answered nor logged
TOO_LONG = f"Câu hỏi quá dài, vui lòng rút gọn dưới {MAX_QUESTION_CHARS} ký tự."


class Channel(ABC):
    """A messaging channel: how an answer looks there and how it reaches a user."""

    name: str

    def __init__(self, hoidap, conversation_log: ConversationLog | None = None):
        self.hoidap = hoidap
        self.settings = hoidap.settings
        # The web channel's log (the web app's own, when mounted there): staff statistics and
        # 👍/👎 feedback cover every channel.
        self.log = conversation_log or ConversationLog(hoidap.store, self.settings.log_retention_days)

    @abstractmethod
    def render(self, answer: Answer) -> list[str]:
        """The answer as the message parts this channel sends, each within its length limit."""

    @abstractmethod
    async def send(self, user_id: str, texts: list[str]) -> None:
        """Send the parts, in order, to one user."""

    async def deliver(self, user_id: str, answer: Answer, answer_id: str) -> None:
        await self.send(user_id, self.render(answer))

    async def handle_text(self, user_id: str, text: str) -> Answer | None:
        """Answer one incoming text with the shared answerer (off the event loop), log it and deliver it."""
        text = clean_input(text)  # as the web API does: nothing unstorable reaches the answerer or the log
        if len(text) > MAX_QUESTION_CHARS:
            await self.send(user_id, [TOO_LONG])
            return None
        session = f"{self.name}:{user_id}"
        answer = await asyncio.to_thread(self.hoidap.answerer.ask, text, session_id=session, channel=self.name)
        answer_id = await asyncio.to_thread(self.log.record, text, answer, session, self.name)
        await self.deliver(user_id, answer, answer_id)
        return answer


def split_text(text: str, limit: int) -> list[str]:
    """Split at a paragraph, line or word boundary so that every part fits within `limit` characters."""
    parts = []
    text = text.strip()
    while len(text) > limit:
        window = text[: limit + 1]  # a separator right at the limit still counts
        cut = next((i for sep in ("\n\n", "\n", " ") if (i := window.rfind(sep)) > limit // 2), limit)
        parts.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    return parts + [text] if text else parts


class Recent:
    """A bounded in-memory mapping that forgets its oldest keys: per-user clocks, button state."""

    def __init__(self, size: int = 10_000):
        self.size = size
        self._items: OrderedDict = OrderedDict()

    def get(self, key, default=None):
        return self._items.get(key, default)

    def put(self, key, value) -> None:
        self._items[key] = value
        self._items.move_to_end(key)
        if len(self._items) > self.size:
            self._items.popitem(last=False)

    def first_time(self, key) -> bool:
        """Remember `key`; False when it was already seen (a double tap on a button)."""
        seen = key in self._items
        self.put(key, True)
        return not seen


def secret_matches(given: str, expected: str) -> bool:
    """Constant-time comparison of any two strings (hmac.compare_digest refuses non-ASCII str)."""
    return hmac.compare_digest(given.encode(), expected.encode())


def check_secret(channel: str, given: str | None, expected: str) -> None:
    """401 when the signature/secret header is missing, 403 when it does not match (constant-time)."""
    if not given:
        log.warning("%s webhook: missing signature, rejected", channel)
        raise HTTPException(401, "Thiếu chữ ký.")
    if not secret_matches(given, expected):
        log.warning("%s webhook: bad signature, rejected", channel)
        raise HTTPException(403, "Chữ ký không đúng.")


def fresh_and_new(hoidap, key: str, sent_at: float) -> bool:
    """False for an event stamped outside the replay window, or one already handled within it
    (a platform retry or a replay); the memory of handled events lives in the store, or in Redis when
    HOIDAP_REDIS_URL is set (hoidap.shared), for the window."""
    now, window = time.time(), hoidap.settings.webhook_max_age_s
    if abs(now - sent_at) > window:
        log.warning("%s: event stamped %.0f s from now, outside the %d s window, refused", key, now - sent_at, window)
        return False
    seen = getattr(hoidap, "shared", None) or hoidap.store  # Redis when configured: shared by every replica
    if not seen.first_seen(key, now, window):
        log.info("%s: event already handled, ignored", key)
        return False
    return True


MAX_ID_CHARS = 256  # a platform's message and user ids are short; anything longer is not one


@dataclass
class Incoming:
    id: str  # the platform's message id, for de-duplication
    user_id: str
    text: str
    sent_at: float  # epoch seconds, as the platform stamped it

    def checked(self) -> Incoming:
        """The fields as the rest may use them: ids and text cleaned of what no encoder, database or log takes (a lone
        surrogate), ids bounded, a finite time; ValueError when nothing usable is left."""
        ids = [clean_input(value) for value in (self.id, self.user_id)]
        if not all(0 < len(value) <= MAX_ID_CHARS for value in ids) or not math.isfinite(self.sent_at):
            raise ValueError("an id or a time no platform sends")
        return Incoming(ids[0], ids[1], clean_input(self.text), self.sent_at)


class WebhookChannel(Channel):
    """Signed JSON webhooks in, one HTTP POST per message part out (Zalo OA, Messenger).

    The webhook answers 200 at once and each message is answered in its own task, so a slow
    upstream or a slow answer for one user never holds up another user (or the platform's retries).
    """

    path: str  # e.g. /webhooks/zalo
    signature_header: str
    max_len: int  # characters per message part
    reply_window: float  # seconds after the user's last message during which the platform lets us reply

    def __init__(self, hoidap, conversation_log: ConversationLog | None = None):
        super().__init__(hoidap, conversation_log)
        self.client: httpx.AsyncClient | None = None  # opened by the router's lifespan
        self.last_message = Recent()  # user_id → epoch seconds of their latest message
        self._tasks: set[asyncio.Task] = set()

    # -- what each platform defines
    @abstractmethod
    def expected_signature(self, body: bytes, payload: dict) -> str:
        """The signature header value a genuine delivery of `body` carries."""

    @abstractmethod
    def messages(self, payload: dict) -> list[Incoming]:
        """The text messages in a webhook payload; KeyError/TypeError/ValueError when malformed."""

    @abstractmethod
    def send_request(self, user_id: str, text: str) -> dict:
        """Keyword arguments of the httpx POST that sends one text."""

    def check_response(self, response: httpx.Response) -> None:
        response.raise_for_status()

    # -- shared machinery
    def render(self, answer: Answer) -> list[str]:
        return split_text(to_text(answer), self.max_len)

    async def send(self, user_id: str, texts: list[str]) -> None:
        last = self.last_message.get(user_id)
        if last is None or time.time() - last > self.reply_window:
            log.info("%s: user %s is outside the %dh reply window, reply skipped",
                     self.name, user_id, self.reply_window // 3600)
            return
        for text in texts:
            self.check_response(await self.client.post(**self.send_request(user_id, text)))

    async def receive(self, request: Request) -> dict:
        body = await request.body()
        try:
            payload = json.loads(body)
            expected = self.expected_signature(body, payload)
        except (KeyError, TypeError, ValueError, AttributeError):
            log.warning("%s webhook: malformed body, rejected", self.name)
            raise HTTPException(400, "Nội dung không hợp lệ.") from None
        check_secret(self.name, request.headers.get(self.signature_header), expected)
        try:
            incoming = [message.checked() for message in self.messages(payload)]
        except (KeyError, TypeError, ValueError, AttributeError, OverflowError):  # 10**400 ms is no time
            log.warning("%s webhook: malformed event, rejected", self.name)
            raise HTTPException(400, "Sự kiện không hợp lệ.") from None
        for message in incoming:
            # off the event loop: a store busy with another thread's write must not hold up every other request
            if not await asyncio.to_thread(fresh_and_new, self.hoidap, f"{self.name}:{message.id}", message.sent_at):
                continue
            self.last_message.put(message.user_id, max(message.sent_at, self.last_message.get(message.user_id, 0)))
            task = asyncio.create_task(self._answer(message))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        return {"ok": True}

    async def _answer(self, message: Incoming) -> None:
        try:
            await asyncio.wait_for(self.handle_text(message.user_id, message.text), ANSWER_TIMEOUT)
        except Exception:
            log.exception("%s: could not answer message %s of user %s", self.name, message.id, message.user_id)

    @asynccontextmanager
    async def lifespan(self, _app):
        async with httpx.AsyncClient(timeout=SEND_TIMEOUT) as self.client:
            yield
            for task in list(self._tasks):
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)

    def router(self) -> APIRouter:
        router = APIRouter(lifespan=self.lifespan, tags=["webhooks"])
        router.add_api_route(self.path, self.receive, methods=["POST"], include_in_schema=False)
        return router
