"""Short per-session memory, so "còn Đồng Nai thì sao?" can reuse the last question answered."""
from __future__ import annotations

import logging
import pickle
import threading
import time
from collections import OrderedDict
from typing import Generic, TypeVar

from hoidap.breaker import Breaker

T = TypeVar("T")
log = logging.getLogger("hoidap.session")


class SessionMemory(Generic[T]):
    """Last turn per session id: bounded (least recently used goes first) and expiring."""

    def __init__(self, max_sessions: int = 10_000, ttl_s: float = 30 * 60):
        self.max_sessions, self.ttl_s = max_sessions, ttl_s
        self._turns: OrderedDict[str, tuple[float, T]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, session_id: str) -> T | None:
        if not session_id:
            return None
        with self._lock:
            entry = self._turns.get(session_id)
            if entry is None or time.monotonic() - entry[0] > self.ttl_s:
                self._turns.pop(session_id, None)
                return None
            self._turns.move_to_end(session_id)
            return entry[1]

    def put(self, session_id: str, turn: T) -> None:
        if not session_id:
            return
        with self._lock:
            self._turns[session_id] = (time.monotonic(), turn)
            self._turns.move_to_end(session_id)
            while len(self._turns) > self.max_sessions:
                self._turns.popitem(last=False)


class RedisSessionMemory(Generic[T]):
    """The same memory kept in Redis (HOIDAP_REDIS_URL), so a follow-up reaching another replica still
    finds the last turn: one key per session, the turn pickled, expiring `ttl_s` after it was written.
    Redis bounds the number of sessions with its own maxmemory policy (docs/deploy.md). Redis is trusted
    like the database (pickle): it must be reachable only by the application's hosts.
    If Redis fails, the question is answered with this process's own memory meanwhile (hoidap/breaker.py),
    never refused."""

    def __init__(self, client, prefix: str, ttl_s: float = 30 * 60, breaker: Breaker | None = None):
        self.client, self.prefix, self.ttl_s = client, prefix, ttl_s
        self.breaker = breaker or Breaker()
        self.local: SessionMemory[T] = SessionMemory(ttl_s=ttl_s)  # while Redis is away

    def get(self, session_id: str) -> T | None:
        if not session_id:
            return None
        return self.breaker.call(lambda: self._get(session_id), lambda: self.local.get(session_id))

    def _get(self, session_id: str) -> T | None:
        raw = self.client.get(self.prefix + session_id)
        try:
            return pickle.loads(raw) if raw is not None else None
        except Exception:  # a turn pickled by an older release
            log.warning("follow-up memory unreadable for this question", exc_info=True)
            return None

    def put(self, session_id: str, turn: T) -> None:
        if not session_id:
            return
        self.local.put(session_id, turn)
        self.breaker.call(lambda: self.client.set(self.prefix + session_id, pickle.dumps(turn), px=int(self.ttl_s * 1000)),
                          lambda: None)
