"""Hostile input that once ended in a 500 or in a header built from the request: each is refused or answered cleanly."""
from __future__ import annotations

import pytest

from test_web_admin import TOKEN, log_in, make_client, upload


@pytest.fixture
def client(tmp_path):
    return make_client(tmp_path)


def test_an_id_beyond_any_row_is_not_found(client):
    log_in(client)
    huge = "9" * 40
    for path in (f"/admin/curated/{huge}/edit", f"/admin/curated/{huge}/delete"):
        assert client.get(path).status_code == 404
    csrf = log_in(client)
    page = client.post("/admin/curated", data={"csrf": csrf, "id": huge, "question": "Hỏi gì?", "answer": "Đáp."})
    assert page.status_code == 404 and "Không có câu trả lời số" in page.text


def test_an_upload_with_a_very_long_name_is_kept_under_a_shorter_one(client):
    csrf = log_in(client)
    name = "kế hoạch chuyển đổi số " * 14 + ".txt"  # 300+ characters, 500+ bytes
    r = upload(client, name, "KẾ HOẠCH\n\nChuyển đổi số ở xã Bình Minh năm 2026.\n".encode(), csrf=csrf)
    assert r.status_code == 200, r.text
    assert "lỗi máy chủ" not in r.text.lower()


def test_redirects_never_name_the_host_the_request_claimed(client):
    r = client.get("/documents/", headers={"host": "evil.example"}, follow_redirects=False)
    assert r.status_code in (307, 308) and r.headers["location"] == "/documents"


def test_admin_pages_and_exports_are_never_cached(client):
    client.headers["Authorization"] = f"Bearer {TOKEN}"
    for path in ("/admin", "/admin/stats", "/admin/stats.csv", "/admin/queue", "/admin/curated"):
        r = client.get(path)
        assert r.status_code == 200 and r.headers["cache-control"] == "no-store", path
    assert "no-store" not in client.get("/").headers.get("cache-control", "")


@pytest.mark.parametrize("question", ["", "   "])
def test_an_empty_question_is_refused_by_the_schema_with_a_documented_body(client, question):
    r = client.post("/api/ask", json={"question": question})
    assert r.status_code == 422 and isinstance(r.json()["detail"], str) and "question" in r.json()["detail"]
    schema = client.get("/openapi.json").json()
    ask = schema["paths"]["/api/ask"]["post"]
    assert ask["responses"]["422"]["content"]["application/json"]["schema"]["properties"]["detail"]["type"] == "string"
    assert schema["components"]["schemas"]["AskRequest"]["properties"]["question"]["pattern"].startswith(r"[^\s")


def test_every_route_that_validates_documents_its_error_as_a_string(client):
    for path, methods in client.get("/openapi.json").json()["paths"].items():
        for method, operation in methods.items():
            error = operation.get("responses", {}).get("422")
            if error:
                detail = error["content"]["application/json"]["schema"]
                assert detail.get("properties", {}).get("detail", {}).get("type") == "string", (method, path)


def test_health_and_readiness_name_the_process(tmp_path):
    client = make_client(tmp_path, replica="may-1")
    health = client.get("/healthz").json()
    assert health["status"] == "ok" and health["replica"] == "may-1" and isinstance(health["pid"], int)
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["ready"] and ready.json()["database"] == "ok"
    assert ready.json()["redis"] == "not used"


def test_a_database_away_is_a_503_to_try_again_not_a_500(tmp_path, monkeypatch):
    import sqlite3

    from fastapi.testclient import TestClient

    client = TestClient(make_client(tmp_path).app, raise_server_exceptions=False)  # as a real client sees it
    store = client.app.state.hoidap.store

    def locked(*args, **kwargs):  # what SQLite says when another process holds the file past the busy timeout
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(store, "generation", locked)
    ready = client.get("/readyz")
    assert ready.status_code == 503 and ready.headers["retry-after"] == "5" and not ready.json()["ready"]
    assert ready.json()["database"] == "unreachable (OperationalError)"
    r = client.post("/api/ask", json={"question": "Mục tiêu đến năm 2030 là gì?"})
    assert r.status_code == 503 and r.headers["retry-after"] == "5" and "thử lại" in r.json()["detail"]
