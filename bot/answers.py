"""Answers to questions asked again: the same words on the same index generation give the same answer, so it
is kept and served without running the pipeline (retrieval, evidence, model). Keyed by the normalised question,
the index generation and the staff answers' version, so an ingest or a staff edit is never answered from before it.
A follow-up ("còn Đồng Nai thì sao?") after another question builds on its session: never shared.

Kept per process (least recently used goes first) or, with HOIDAP_REDIS_URL, in Redis for every replica; hits
and misses are counted the same way (``GET /healthz`` shows the hit rate).
"""
from __future__ import annotations

import hashlib
import threading
from collections import Counter
from collections.abc import Callable

from bot.dialogue import Turn
from bot.session import RedisSessionMemory, SessionMemory
from hoidap.breaker import Breaker
from hoidap.models import Answer
from hoidap.text import collapse_ws, normalize

KEEP_S = 3600  # an entry of an old generation is never asked for again: let it go


class LocalCounts:
    def __init__(self):
        self._counts: Counter[str] = Counter()
        self._lock = threading.Lock()

    def add(self, name: str) -> None:
        with self._lock:
            self._counts[name] += 1

    def get(self) -> dict[str, int]:
        with self._lock:
            return dict(self._counts)


class RedisCounts:
    """One Redis hash for every replica: the hit rate of the deployment, not of one process (this process's own
    while Redis is unreachable)."""

    def __init__(self, client, key: str, breaker: Breaker):
        self.client, self.key, self.breaker = client, key, breaker
        self.local = LocalCounts()

    def add(self, name: str) -> None:
        self.breaker.call(lambda: self.client.hincrby(self.key, name, 1), lambda: self.local.add(name))

    def get(self) -> dict[str, int]:
        return self.breaker.call(lambda: {k.decode(): int(v) for k, v in self.client.hgetall(self.key).items()},
                                 self.local.get)


class AnswerCache:
    def __init__(self, memory: SessionMemory | RedisSessionMemory, counts: LocalCounts | RedisCounts):
        self.memory, self.counts = memory, counts

    @staticmethod
    def key(question: str, generation: int, curated: str) -> str:
        asked = collapse_ws(normalize(question)).strip()
        return hashlib.sha256(f"{generation}\x00{curated}\x00{asked}".encode()).hexdigest()

    def get(self, key: str, usable: Callable[[Turn | None], bool]) -> tuple[Answer, Turn | None] | None:
        """The answer kept, when `usable` for this asker (a follow-up's answer belongs to its session), with the
        dialogue state it leaves."""
        found = self.memory.get(key)
        if found is not None and not usable(found[1]):
            found = None
        self.counts.add("hits" if found is not None else "misses")
        return found

    def put(self, key: str, answer: Answer, turn: Turn | None) -> None:
        self.memory.put(key, (answer, turn))

    def stats(self) -> dict:
        counts = self.counts.get()
        hits, misses = counts.get("hits", 0), counts.get("misses", 0)
        return {"hits": hits, "misses": misses, "hit_rate": round(hits / (hits + misses), 4) if hits + misses else 0.0}


def local_cache(size: int) -> AnswerCache:
    return AnswerCache(SessionMemory(max_sessions=size, ttl_s=KEEP_S), LocalCounts())


def redis_cache(client, prefix: str, breaker: Breaker) -> AnswerCache:
    return AnswerCache(RedisSessionMemory(client, f"{prefix}answers:", ttl_s=KEEP_S, breaker=breaker),
                       RedisCounts(client, f"{prefix}answer-counts", breaker))
