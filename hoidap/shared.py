"""State that every process answering for one deployment must share: rate limits, follow-up memory, the
replay memory of messaging webhooks, answers to repeated questions, and the news of a new index generation.

In-process (the default, nothing to configure): right for one process. With several processes or
replicas (``hoidap serve --workers N``, docs/deploy.md) set ``HOIDAP_REDIS_URL``: each limit then holds
across all of them, a follow-up reaching another process finds its context, and a webhook delivered
twice, to two replicas, is answered once.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from bot.answers import AnswerCache, local_cache, redis_cache
from bot.session import RedisSessionMemory, SessionMemory
from hoidap.breaker import Breaker

if TYPE_CHECKING:
    from channels.web.ratelimit import RateLimiter
    from hoidap.config import Settings
    from hoidap.store import BaseStore


log = logging.getLogger("hoidap.shared")


class LocalState:
    """In this process; the replay memory lives in the store (so a restart forgets nothing)."""

    shared = False

    def reachable(self) -> bool:
        return True

    def __init__(self, store: BaseStore):
        self.store = store

    def limiter(self, name: str, per_minute: int) -> RateLimiter:
        from channels.web.ratelimit import RateLimiter

        return RateLimiter(per_minute)

    def memory(self) -> SessionMemory:
        return SessionMemory()

    def first_seen(self, key: str, now: float, keep_s: float) -> bool:
        return self.store.first_seen(key, now, keep_s)

    def answers(self, size: int) -> AnswerCache:
        return local_cache(size)

    # A new index generation is told through the store: PostgreSQL's LISTEN/NOTIFY; on SQLite, not at all.
    def announce(self, generation: int) -> None:
        self.store.announce(generation)

    def listen(self, on_generation: Callable[[int], None]) -> Callable[[], None] | None:
        return self.store.listen(on_generation)


class RedisState:
    """In Redis, under `prefix` (HOIDAP_REDIS_PREFIX: several deployments can share one Redis)."""

    shared = True

    def __init__(self, url: str, prefix: str = "hoidap:", store: BaseStore | None = None):
        """`store`: where the webhook replay memory goes while Redis is unreachable (hoidap/breaker.py)."""
        import redis

        self.prefix, self.store = prefix, store
        self.client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5, health_check_interval=30)
        try:
            self.client.ping()
        except redis.RedisError as exc:
            raise ConnectionError(f"Không kết nối được Redis (HOIDAP_REDIS_URL): {exc}") from None
        self.breaker = Breaker()  # one per process: every use below gives way together while Redis is away

    def limiter(self, name: str, per_minute: int) -> RateLimiter:
        from channels.web.ratelimit import RedisRateLimiter

        return RedisRateLimiter(self.client, f"{self.prefix}limit:{name}:", per_minute, self.breaker)

    def memory(self) -> RedisSessionMemory:
        return RedisSessionMemory(self.client, f"{self.prefix}memory:", breaker=self.breaker)

    def first_seen(self, key: str, now: float, keep_s: float) -> bool:
        """SET NX with the window as expiry: exactly one replica wins, Redis forgets it after the window (the store
        remembers while Redis is away)."""
        return self.breaker.call(
            lambda: bool(self.client.set(f"{self.prefix}seen:{key}", now, nx=True, px=max(1, int(keep_s * 1000)))),
            lambda: self.store.first_seen(key, now, keep_s) if self.store is not None else True)

    def answers(self, size: int) -> AnswerCache:
        """Every replica's answers in one place (bounded by Redis's maxmemory policy, not by `size`)."""
        return redis_cache(self.client, self.prefix, self.breaker)

    def reachable(self) -> bool:
        """Whether Redis answers now (or, within a few seconds of a failure, is taken not to): for /healthz."""
        return self.breaker.call(lambda: bool(self.client.ping()), lambda: False)

    def announce(self, generation: int) -> None:
        # lost while Redis is away: every process also checks the store's generation when it answers
        self.breaker.call(lambda: self.client.publish(f"{self.prefix}index", str(generation)), lambda: None)

    def listen(self, on_generation: Callable[[int], None]) -> Callable[[], None]:
        """Redis pub/sub in a daemon thread (redis-py resubscribes after a lost connection)."""
        pubsub = self.client.pubsub(ignore_subscribe_messages=True)
        pubsub.subscribe(**{f"{self.prefix}index": lambda message: on_generation(int(message["data"]))})
        worker = pubsub.run_in_thread(sleep_time=1, daemon=True, exception_handler=_logged)
        return worker.stop

    def close(self) -> None:
        self.client.close()


def _logged(exc: BaseException, pubsub, worker) -> None:
    log.warning("index announcements interrupted: %s", exc)
    time.sleep(2)  # Redis away: try again, without spinning


def open_shared(settings: Settings, store: BaseStore) -> LocalState | RedisState:
    return RedisState(settings.redis_url, settings.redis_prefix, store) if settings.redis_url else LocalState(store)
