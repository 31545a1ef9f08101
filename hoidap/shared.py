"""State that every process answering for one deployment must share: rate limits, follow-up memory and
the replay memory of messaging webhooks, and the progress of a load staff started (read by every admin page).

In-process (the default, nothing to configure): right for one process. With several processes or
replicas (``hoidap serve --workers N``, docs/deploy.md) set ``HOIDAP_REDIS_URL``: each limit then holds
across all of them, a follow-up reaching another process finds its context, and a webhook delivered
twice, to two replicas, is answered once.
"""
from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING

from bot.session import RedisSessionMemory, SessionMemory

if TYPE_CHECKING:
    from channels.web.ratelimit import RateLimiter
    from hoidap.config import Settings
    from hoidap.store import BaseStore


class LocalState:
    """In this process; the replay memory lives in the store (so a restart forgets nothing)."""

    shared = False

    def __init__(self, store: BaseStore):
        self.store = store
        self._notes: dict[str, tuple[float, dict]] = {}

    def note(self, name: str, value: dict, keep_s: float) -> None:
        """Keep a small record for `keep_s` seconds, where `noted(name)` reads it."""
        self._notes[name] = (time.time() + keep_s, value)

    def noted(self, name: str) -> dict | None:
        until, value = self._notes.get(name, (0.0, None))
        return value if until > time.time() else None

    def limiter(self, name: str, per_minute: int) -> RateLimiter:
        from channels.web.ratelimit import RateLimiter

        return RateLimiter(per_minute)

    def memory(self) -> SessionMemory:
        return SessionMemory()

    def first_seen(self, key: str, now: float, keep_s: float) -> bool:
        return self.store.first_seen(key, now, keep_s)


class RedisState:
    """In Redis, under `prefix` (HOIDAP_REDIS_PREFIX: several deployments can share one Redis)."""

    shared = True

    def __init__(self, url: str, prefix: str = "hoidap:"):
        import redis

        self.prefix = prefix
        self.client = redis.Redis.from_url(url, socket_connect_timeout=5, socket_timeout=5, health_check_interval=30)
        try:
            self.client.ping()
        except redis.RedisError as exc:
            raise ConnectionError(f"Không kết nối được Redis (HOIDAP_REDIS_URL): {exc}") from None

    def limiter(self, name: str, per_minute: int) -> RateLimiter:
        from channels.web.ratelimit import RedisRateLimiter

        return RedisRateLimiter(self.client, f"{self.prefix}limit:{name}:", per_minute)

    def memory(self) -> RedisSessionMemory:
        return RedisSessionMemory(self.client, f"{self.prefix}memory:")

    def note(self, name: str, value: dict, keep_s: float) -> None:
        self.client.set(f"{self.prefix}note:{name}", json.dumps(value), px=max(1, int(keep_s * 1000)))

    def noted(self, name: str) -> dict | None:
        value = self.client.get(f"{self.prefix}note:{name}")
        return json.loads(value) if value else None

    def first_seen(self, key: str, now: float, keep_s: float) -> bool:
        """SET NX with the window as expiry: exactly one replica wins, Redis forgets it after the window."""
        return bool(self.client.set(f"{self.prefix}seen:{key}", now, nx=True, px=max(1, int(keep_s * 1000))))

    def close(self) -> None:
        self.client.close()


def open_shared(settings: Settings, store: BaseStore) -> LocalState | RedisState:
    return RedisState(settings.redis_url, settings.redis_prefix) if settings.redis_url else LocalState(store)
