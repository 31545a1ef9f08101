"""Per-client sliding-window rate limit, in memory only.

Clients are keyed by a salted hash of their address; the salt lives only in this
process, so nothing stored or logged can be traced back to an IP.
"""
from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections import deque

from fastapi import HTTPException, Request

from hoidap.breaker import Breaker

WINDOW_S = 60.0


class RateLimiter:
    def __init__(self, per_minute: int):
        self.per_minute = per_minute
        self._salt = secrets.token_bytes(16)
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()
        self._last_sweep = time.monotonic()

    def key(self, request: Request) -> str:
        address = request.client.host if request.client else "unknown"
        return hashlib.sha256(self._salt + address.encode()).hexdigest()[:16]

    def _window(self, key: str, now: float) -> deque[float]:
        """The key's hits within the last minute (call with the lock held)."""
        if now - self._last_sweep > WINDOW_S:  # forget idle clients so memory stays bounded
            self._hits = {k: q for k, q in self._hits.items() if q and now - q[-1] < WINDOW_S}
            self._last_sweep = now
        hits = self._hits.setdefault(key, deque())
        while hits and now - hits[0] >= WINDOW_S:
            hits.popleft()
        return hits

    def allow(self, key: str) -> bool:
        """Count one hit; False (and not counted) when the key already has its share this minute."""
        now = time.monotonic()
        with self._lock:
            hits = self._window(key, now)
            if len(hits) >= self.per_minute:
                return False
            hits.append(now)
            return True

    def exhausted(self, key: str) -> bool:
        """True when the key has used its share this minute; counts nothing."""
        with self._lock:
            return len(self._window(key, time.monotonic())) >= self.per_minute


# What loading the chat page or the widget reads (suggestions, contact, documents) is counted apart from questions, with
# this many reads per question allowed: opening a host page 15 times in a minute must not use up the questions.
READS_PER_QUESTION = 10


def _check(limiter: RateLimiter, request: Request) -> None:
    if limiter.per_minute > 0 and not limiter.allow(limiter.key(request)):
        raise HTTPException(
            status_code=429,
            detail="Bạn gửi câu hỏi quá nhanh. Vui lòng chờ một phút rồi thử lại.",
            headers={"Retry-After": "60"},
        )


def rate_limited(request: Request) -> None:
    """FastAPI dependency for what a person sends: a question, a vote, an admin login."""
    _check(request.app.state.limiter, request)


def reads_limited(request: Request) -> None:
    """FastAPI dependency for the public reads a page load makes (their own, larger share)."""
    _check(request.app.state.reads_limiter, request)


# One atomic step on a sorted set of hit times per client (KEYS[1]): drop the hits older than the window,
# then either count one more (ARGV[4] == "1", refused at the limit) or only say whether the share is used.
_SLIDING_WINDOW = """
local now, window, limit = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local used = redis.call('ZCARD', KEYS[1])
if ARGV[4] ~= '1' then return used >= limit and 1 or 0 end
if used >= limit then return 0 end
redis.call('ZADD', KEYS[1], now, ARGV[5])
redis.call('PEXPIRE', KEYS[1], math.ceil(window * 1000))
return 1
"""


class RedisRateLimiter(RateLimiter):
    """The same sliding window, kept in Redis, so every replica counts against one share per client.

    The salt is shared through Redis too (created once, by whichever replica comes first), so the same
    address gets the same key on every replica; Redis holds only salted hashes, each for one minute.
    """

    def __init__(self, client, prefix: str, per_minute: int, breaker: Breaker):
        super().__init__(per_minute)
        self.client, self.prefix, self.breaker = client, prefix, breaker
        salt_key = prefix + "salt"
        client.set(salt_key, secrets.token_bytes(16), nx=True)
        self._salt = client.get(salt_key)
        self._script = client.register_script(_SLIDING_WINDOW)

    def _run(self, key: str, count: bool) -> bool:
        now = time.time()  # wall clock: the same on every replica (NTP)
        member = f"{now:.6f}:{secrets.token_hex(4)}"
        return bool(self._script(keys=[self.prefix + key], args=[now, WINDOW_S, self.per_minute, int(count), member]))

    # While Redis is unreachable each replica counts on its own (hoidap/breaker.py): the limit holds per replica.
    def allow(self, key: str) -> bool:
        return self.breaker.call(lambda: self._run(key, count=True), lambda: super(RedisRateLimiter, self).allow(key))

    def exhausted(self, key: str) -> bool:
        return self.breaker.call(lambda: self._run(key, count=False),
                                 lambda: super(RedisRateLimiter, self).exhausted(key))
