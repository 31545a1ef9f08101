"""Redis cut under a running app (a TCP relay the test controls): every question is still answered, /healthz says
so, and the shared state resumes by itself when Redis is back (hoidap/breaker.py)."""
from __future__ import annotations

import time

import redis
from fastapi.testclient import TestClient

from channels.web.app import create_app
from fakes.relay import Relay
from hoidap.breaker import PAUSE_S
from hoidap.config import Settings
from hoidap.wiring import open_hoidap

TOKEN = "bi-mat-cua-so-tu-phap"


def test_questions_are_answered_while_redis_is_cut_and_sharing_resumes_after(tmp_path, corpus, redis_prefix):
    url, prefix = redis_prefix
    direct = redis.Redis.from_url(url)
    relay = Relay((direct.connection_pool.connection_kwargs["host"], direct.connection_pool.connection_kwargs["port"]))
    settings = Settings(data_dir=tmp_path / "data", corpus_dir=corpus, embedder="none", admin_token=TOKEN,
                        redis_url=f"redis://127.0.0.1:{relay.port}/0", redis_prefix=prefix, rate_limit_per_minute=1000)
    client = TestClient(create_app(open_hoidap(settings)))
    question = {"question": "Văn phòng Sở có nhiệm vụ gì?", "session_id": "s1"}
    assert client.post("/api/ask", json=question).status_code == 200
    assert client.get("/healthz").json()["redis"] == "ok"
    assert list(direct.scan_iter(match=f"{prefix}limit:ask:*"))  # the limit is counted in Redis

    relay.cut()
    started = time.monotonic()
    statuses = [client.post("/api/ask", json={**question, "question": f"{question['question']} ({n})"}).status_code
                for n in range(20)]
    assert statuses == [200] * 20
    assert client.get("/api/documents").status_code == 200
    health = client.get("/healthz")
    assert health.status_code == 200 and health.json()["redis"] == "unreachable"
    assert client.post("/admin/login", data={"token": "sai-ma"}).status_code == 401  # not a 500
    assert time.monotonic() - started < 30  # no question waited out a Redis timeout each

    relay.restore()
    direct.delete(*direct.scan_iter(match=f"{prefix}limit:ask:*"))
    time.sleep(PAUSE_S + 0.5)
    assert client.post("/api/ask", json=question).status_code == 200
    assert client.get("/healthz").json()["redis"] == "ok"
    assert list(direct.scan_iter(match=f"{prefix}limit:ask:*"))  # counted in Redis again, no restart
