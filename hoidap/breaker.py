"""Shared state that gives way while Redis is unreachable, so the public API keeps answering.

Every use of Redis (rate limits, follow-up memory, answer cache and its counts, webhook replay memory, index
announcements) goes through one `Breaker` per process: a call that fails opens it for a few seconds, during which
every call takes its in-process fallback at once (no request waits out a connect timeout), and the first call after
that tries Redis again, so the shared state resumes by itself when Redis is back. It is said once in the log when
Redis goes and once when it comes back, and `GET /healthz` reports it.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")
log = logging.getLogger("hoidap.shared")
PAUSE_S = 5.0  # how long a failure keeps Redis out of the way before it is tried again


class Breaker:
    def __init__(self, pause_s: float = PAUSE_S):
        self.pause_s = pause_s
        self._until = 0.0  # monotonic time before which Redis is not tried
        self._down = False
        self._lock = threading.Lock()

    def call(self, action: Callable[[], T], fallback: Callable[[], T]) -> T:
        """`action()` (a Redis call), or `fallback()` when Redis is unreachable or was a moment ago."""
        if time.monotonic() < self._until:
            return fallback()
        try:
            result = action()
        except Exception as exc:  # redis.RedisError, OSError, or a timeout from either: degrade, never fail
            with self._lock:
                self._until = time.monotonic() + self.pause_s
                if not self._down:
                    log.warning("Redis unreachable (%s): answering with in-process state until it is back", exc)
                self._down = True
            return fallback()
        if self._down:
            with self._lock:
                if self._down:
                    log.warning("Redis reachable again: shared state resumed")
                self._down = False
        return result

    @property
    def down(self) -> bool:
        return self._down
