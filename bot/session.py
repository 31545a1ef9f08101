"""Short per-session memory, so "còn Đồng Nai thì sao?" can reuse the previous question."""
from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field


@dataclass
class Turn:
    question: str  # the (resolved) question last searched
    words: list[str]  # its content words, without the words naming a locality
    doc_ids: set[str] | None = None
    at: float = field(default_factory=time.monotonic)


class SessionMemory:
    """Last turn per session id: bounded (least recently used goes first) and expiring."""

    def __init__(self, max_sessions: int = 10_000, ttl_s: float = 30 * 60):
        self.max_sessions, self.ttl_s = max_sessions, ttl_s
        self._turns: OrderedDict[str, Turn] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, session_id: str) -> Turn | None:
        if not session_id:
            return None
        with self._lock:
            turn = self._turns.get(session_id)
            if turn is None or time.monotonic() - turn.at > self.ttl_s:
                self._turns.pop(session_id, None)
                return None
            self._turns.move_to_end(session_id)
            return turn

    def put(self, session_id: str, turn: Turn) -> None:
        if not session_id:
            return
        with self._lock:
            self._turns[session_id] = turn
            self._turns.move_to_end(session_id)
            while len(self._turns) > self.max_sessions:
                self._turns.popitem(last=False)
