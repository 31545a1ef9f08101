"""Several replicas on one PostgreSQL and one Redis (HOIDAP_DATABASE_URL, HOIDAP_REDIS_URL): two app
instances share the documents, the rate limit, the follow-up memory and the webhook replay memory.
Against the real services (conftest.py: a schema and a key prefix per test)."""
import time
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from starlette.requests import Request

from bot.session import RedisSessionMemory, SessionMemory
from channels.base import fresh_and_new
from channels.web.app import create_app
from channels.web.ratelimit import RateLimiter, RedisRateLimiter
from hoidap.config import Settings
from hoidap.shared import LocalState, RedisState
from hoidap.store_pg import PostgresStore
from hoidap.wiring import open_hoidap

QUESTION = "Kế hoạch truyền thông năm 2025 có những nhiệm vụ nào?"


def replica(tmp_path, name, corpus, pg_schema, redis_prefix, **overrides):
    """One replica: its own data directory (index, logs), the shared PostgreSQL schema and Redis prefix."""
    url, schema = pg_schema
    redis_url, prefix = redis_prefix
    settings = Settings(data_dir=tmp_path / name, corpus_dir=corpus, embedder="none",
                        database_url=f"{url}?options=-csearch_path%3D{schema}",
                        redis_url=redis_url, redis_prefix=prefix, **overrides)
    return open_hoidap(settings)


def request_from(address: str) -> Request:
    return Request({"type": "http", "client": (address, 40000), "headers": []})


@dataclass
class Turn:
    question: str
    place: str


def test_two_replicas_share_documents_limit_memory_and_replays(tmp_path, corpus, pg_schema, redis_prefix):
    a = replica(tmp_path, "a", corpus, pg_schema, redis_prefix, rate_limit_per_minute=3)
    b = replica(tmp_path, "b", corpus, pg_schema, redis_prefix, rate_limit_per_minute=3)
    assert isinstance(a.store, PostgresStore) and isinstance(a.shared, RedisState)
    assert [d.id for d in b.store.documents()] == ["angiang-stp-kh-nq71"]  # seeded once, by A
    assert b.store.generation() == a.store.generation() == 1
    client_a, client_b = TestClient(create_app(a)), TestClient(create_app(b))

    # the rate limit: 3 a minute per client, wherever the requests land
    ask = {"question": QUESTION, "session_id": "s1"}
    assert client_a.post("/api/ask", json=ask).json()["status"] == "answered"
    assert client_b.post("/api/ask", json=ask).status_code == 200
    assert client_a.post("/api/ask", json=ask).status_code == 200
    assert client_b.post("/api/ask", json=ask).status_code == 429
    assert client_a.post("/api/ask", json=ask).status_code == 429

    # the follow-up memory: the turn A answered is B's context for the next question of that session
    assert isinstance(b.answerer.memory, RedisSessionMemory)
    assert b.answerer.memory.get("web:s1") == a.answerer.memory.get("web:s1") is not None
    a.answerer.memory.put("web:s2", Turn("Kế hoạch của Đồng Nai?", "Đồng Nai"))
    assert b.answerer.memory.get("web:s2") == Turn("Kế hoạch của Đồng Nai?", "Đồng Nai")

    # a Telegram update delivered to both replicas is handled once
    now = time.time()
    assert fresh_and_new(a, "telegram:4242", now)
    assert not fresh_and_new(b, "telegram:4242", now)
    assert fresh_and_new(b, "zalo:4242", now) and not fresh_and_new(a, "zalo:4242", now)


def test_the_shared_limiter_counts_one_window_for_every_replica(redis_prefix):
    url, prefix = redis_prefix
    a, b = RedisState(url, prefix), RedisState(url, prefix)
    limit_a, limit_b = a.limiter("ask", 2), b.limiter("ask", 2)
    key = limit_a.key(request_from("203.0.113.7"))
    assert key == limit_b.key(request_from("203.0.113.7")) != limit_a.key(request_from("203.0.113.8"))
    assert "203.0.113.7" not in key
    assert not limit_b.exhausted(key)  # asking counts nothing
    assert limit_a.allow(key) and not limit_b.exhausted(key) and limit_b.allow(key)
    assert limit_a.exhausted(key) and not limit_a.allow(key) and not limit_b.allow(key)
    other = limit_a.key(request_from("203.0.113.8"))
    assert limit_b.allow(other)  # per client
    assert a.limiter("admin-failures", 2).allow(key)  # per limit
    ttl = a.client.pttl(f"{prefix}limit:ask:{key}")
    assert 0 < ttl <= 60_000  # Redis forgets an idle client after the window


def test_the_window_slides(redis_prefix, monkeypatch):
    url, prefix = redis_prefix
    limiter = RedisState(url, prefix).limiter("ask", 1)
    clock = [1_000_000.0]
    monkeypatch.setattr("channels.web.ratelimit.time.time", lambda: clock[0])
    assert limiter.allow("k") and not limiter.allow("k")
    clock[0] += 59.9
    assert not limiter.allow("k")
    clock[0] += 0.2
    assert limiter.allow("k")


def test_shared_memory_and_replays_expire(redis_prefix):
    url, prefix = redis_prefix
    state = RedisState(url, prefix)
    memory = RedisSessionMemory(state.client, prefix + "memory:", ttl_s=0.2)
    memory.put("web:s", Turn("q", "An Giang"))
    memory.put("", Turn("q", "no session"))  # no session: nothing kept
    assert memory.get("web:s") == Turn("q", "An Giang") and memory.get("") is None
    assert state.first_seen("telegram:1", time.time(), keep_s=0.2)
    time.sleep(0.3)
    assert memory.get("web:s") is None
    assert state.first_seen("telegram:1", time.time(), keep_s=0.2)


def test_follow_up_memory_degrades_when_redis_is_down():
    import redis

    memory = RedisSessionMemory(redis.Redis(port=1, socket_connect_timeout=0.2), "x:")
    memory.put("web:s", Turn("q", "An Giang"))  # logged, not raised: the question is still answered
    assert memory.get("web:s") == Turn("q", "An Giang")  # this process keeps it meanwhile (hoidap/breaker.py)
    assert memory.breaker.down


def test_unreachable_redis_says_so():
    with pytest.raises(ConnectionError, match="Redis"):
        RedisState("redis://127.0.0.1:1/0")


def test_nothing_to_configure_keeps_sqlite_and_in_process_state(tmp_path, corpus):
    app = open_hoidap(Settings(data_dir=tmp_path / "data", corpus_dir=corpus, embedder="none"))
    assert isinstance(app.shared, LocalState) and type(app.answerer.memory) is SessionMemory
    assert type(app.shared.limiter("ask", 3)) is RateLimiter
    assert (tmp_path / "data" / "hoidap.sqlite").exists()
    assert fresh_and_new(app, "telegram:1", time.time()) and not fresh_and_new(app, "telegram:1", time.time())
    assert not isinstance(app.shared.limiter("ask", 3), RedisRateLimiter)
