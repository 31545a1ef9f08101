"""Short per-session memory, so "còn Đồng Nai thì sao?" can reuse the last question answered."""
from __future__ import annotations

import threading
import time
from collections import OrderedDict
from typing import Generic, TypeVar

T = TypeVar("T")


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
