"""Public web API against the real app: answers, citations, feedback, bad input, privacy, limits."""
import os
import re
import sqlite3
import subprocess
import sys
import time
import tracemalloc

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from fastapi.testclient import TestClient

from channels.web.app import create_app
from fakes.server import free_port, serve, wait_healthy
from channels.web.logs import ConversationLog, mask_pii
from hoidap.config import Settings
from hoidap.store import Store
from hoidap.wiring import open_hoidap

QUESTION = "Đồng Nai đặt mục tiêu bao nhiêu phần trăm người dân tiếp cận thông tin đến năm 2030?"
XSS_DOC = """KẾ HOẠCH
Về thử nghiệm an toàn hiển thị

I. MỤC ĐÍCH
Chuyển đổi số thử nghiệm xssprobe <script>alert('x')</script> và <img src=x onerror="alert(1)"> trong văn bản.
"""


def make_client(tmp_path, **overrides) -> TestClient:
    settings = Settings(data_dir=tmp_path / "data", embedder="none", **overrides)
    return TestClient(create_app(open_hoidap(settings)))


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    return make_client(tmp_path_factory.mktemp("web"), rate_limit_per_minute=1000)


def ask(client, question, session_id="s1"):
    return client.post("/api/ask", json={"question": question, "session_id": session_id})


def test_ask_returns_cited_answer_with_working_citation_links(client):
    r = ask(client, QUESTION)
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "answered" and body["answer_id"] and body["citations"]
    for c in body["citations"]:
        path, anchor = c["url"].split("#")
        page = client.get(path)
        assert page.status_code == 200 and f'id="{anchor}"' in page.text


def test_document_page_has_metadata_sections_and_original_file(client):
    page = client.get("/documents/dongnai-ubnd-kh45").text
    assert "45" in page and "Đồng Nai" in page and 'class="section"' in page
    assert 'href="/documents/dongnai-ubnd-kh45/file"' in page
    original = client.get("/documents/dongnai-ubnd-kh45/file")
    assert original.status_code == 200 and "attachment" in original.headers["content-disposition"]


def test_answer_carries_short_labels_shown_quotes_and_share_text(client):
    body = ask(client, QUESTION).json()
    main = body["citations"][0]
    assert main["label"].startswith("KH 45/KH-UBND · UBND tỉnh Đồng Nai · 12/8/2025 · mục ")
    assert main["source"].startswith("Triển khai Chương trình") and "*" not in main["quote_shown"]
    assert main["link"].startswith("/documents/dongnai-ubnd-kh45?p=") and "&q=" in main["link"]
    page = client.get(main["link"]).text
    assert page.count('<mark class="quoted">') == 1
    assert "[1] KH 45/KH-UBND" in body["share_text"] and "http://testserver/documents/" in body["share_text"]


def test_document_pages_leave_out_draft_blanks_and_emphasis(client):
    page = client.get("/documents/angiang-stp-nq71").text
    meta = page[page.index('<dl class="meta">'):page.index("</dl>")]
    assert "/KH-STP" not in meta and "ngày tháng" not in meta and "Sở Tư pháp tỉnh An Giang" in meta
    assert "*" not in page[page.index("<main"):]
    listing = client.get("/documents").text
    assert listing.count('<a href="/documents/') == 5 and "<h1>Danh sách văn bản</h1>" in listing


def test_contact_is_configurable(tmp_path):
    contact = {"contact_phone": "0296 3852 123", "contact_email": "vp@stp.example.gov.vn",
               "contact_url": "https://stp.example.gov.vn/lien-he", "contact_hours": "7 giờ – 17 giờ"}
    body = make_client(tmp_path, **contact).get("/api/contact").json()
    assert body == {"name": Settings(_env_file=None).contact, **{k.removeprefix("contact_"): v for k, v in contact.items()}}
    with pytest.raises(ValueError, match="HOIDAP_CONTACT_URL"):
        Settings(contact_url="javascript:alert(1)")


def test_documents_list_health_and_openapi(client):
    docs = client.get("/api/documents").json()
    assert len(docs) == 5 and all("source_path" not in d for d in docs)
    health = client.get("/healthz").json()
    assert {k: health[k] for k in ("status", "documents", "generation")} == {"status": "ok", "documents": 5, "generation": 5}
    assert set(health["answer_cache"]) == {"hits", "misses", "hit_rate"}
    assert "/api/ask" in client.get("/openapi.json").json()["paths"]


def test_api_docs_load_nothing_from_other_origins(client):
    page = client.get("/docs")
    assert page.status_code == 200 and "SwaggerUIBundle" not in page.text  # the set-up script is a file
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "http" not in csp and "unsafe-inline" not in csp
    assets = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert assets and all(a.startswith("/") for a in assets), assets
    for asset in assets:
        assert client.get(asset).status_code == 200, asset
    assert "/openapi.json" in client.get("/static/api-docs.js").text
    assert client.get("/redoc").status_code == 404


def test_chat_page_and_widget_script(client):
    page = client.get("/")
    assert page.status_code == 200 and 'src="/widget.js"' in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert client.get("/widget.js").headers["content-type"].startswith("text/javascript")
    assert client.get("/static/widget.css").status_code == 200


def test_feedback(client):
    answer_id = ask(client, QUESTION).json()["answer_id"]
    assert client.post("/api/feedback", json={"answer_id": answer_id, "rating": 1}).json() == {"ok": True}
    assert client.post("/api/feedback", json={"answer_id": answer_id, "rating": -1, "comment": "thiếu"}).status_code == 200
    assert client.post("/api/feedback", json={"answer_id": "khong-co", "rating": 1}).status_code == 404
    assert client.post("/api/feedback", json={"answer_id": answer_id, "rating": 5}).status_code == 422
    assert client.post("/api/feedback", json={"answer_id": answer_id, "rating": 1}).status_code == 200
    r = client.post("/api/feedback", json={"answer_id": answer_id, "rating": 1})  # the fourth: stuffing
    assert r.status_code == 409 and "đã nhận đủ góp ý" in r.json()["detail"]


@pytest.mark.parametrize("question, status", [  # refused by the schema (pattern \S once cleaned), as documented
    ("", 422), ("   \n\t ", 422), ("\x00\x01\x02\x7f", 422), ("ừ" * 1001, 422),
])
def test_bad_questions_get_a_clear_vietnamese_error(client, question, status):
    r = ask(client, question)
    assert r.status_code == status
    assert any(word in r.json()["detail"] for word in ("Vui lòng", "quá dài"))


def test_malformed_and_huge_bodies(client):
    r = client.post("/api/ask", content=b"\xff\xfe\x00garbage", headers={"content-type": "application/json"})
    assert r.status_code == 422 and "không hợp lệ" in r.json()["detail"]
    assert client.post("/api/ask", json={"session_id": "x"}).status_code == 422
    r = ask(client, "a" * 100_000)
    assert r.status_code == 413 and "quá lớn" in r.json()["detail"]
    assert client.get("/healthz").status_code == 200  # still up


def test_chunked_body_is_refused_before_it_is_read(client):
    def ten_megabytes():  # no Content-Length: httpx sends a generator chunked
        for _ in range(160):
            yield b"x" * (64 * 1024)

    with serve(client.app) as url:
        started = time.monotonic()
        tracemalloc.start()  # server and client share this process: the peak covers both
        try:
            r = httpx.post(f"{url}/api/ask", content=ten_megabytes(), headers={"content-type": "application/json"},
                           timeout=30)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert r.status_code == 413 and r.json() == {"detail": "Nội dung gửi lên quá lớn."}
        assert "content-length" not in r.request.headers
        assert time.monotonic() - started < 10
        assert peak < 3 * 1024 * 1024, f"{peak / 2**20:.1f} MiB held for a 10 MiB body"  # flat: never the whole body
        r = httpx.post(f"{url}/admin/login", content=ten_megabytes(), timeout=30)  # any path, not only /api/
        assert r.status_code in (404, 413)
        assert httpx.get(f"{url}/healthz").status_code == 200


def test_lone_surrogates_are_cleaned_at_the_edge(tmp_path):
    client = make_client(tmp_path)
    raw = '{"question": "\\ud800", "session_id": "\\udfff"}'  # JSON escapes of unpaired surrogates
    r = client.post("/api/ask", content=raw, headers={"content-type": "application/json"})
    assert r.status_code == 422 and r.json() == {"detail": "Vui lòng nhập câu hỏi (question)."}
    raw = '{"question": "\\ud800 chuy\\u1ec3n \\u0111\\u1ed5i s\\u1ed1 \\udc00", "session_id": "a\\ud800"}'
    r = client.post("/api/ask", content=raw, headers={"content-type": "application/json"})
    assert r.status_code == 200, r.text
    raw = '{"answer_id": "' + r.json()["answer_id"] + '", "rating": 1, "comment": "t\\ud800\\u1ed1t"}'
    assert client.post("/api/feedback", content=raw, headers={"content-type": "application/json"}).status_code == 200
    db = sqlite3.connect(tmp_path / "data" / "hoidap.sqlite")
    assert db.execute("SELECT question FROM conversations").fetchone()[0] == "chuyển đổi số"
    assert db.execute("SELECT comment FROM feedback").fetchone()[0] == "tốt"


def test_every_error_body_is_vietnamese_json(tmp_path):
    client = make_client(tmp_path)
    checks = [
        (client.get("/khong-co"), 404, "Không tìm thấy."),
        (client.delete("/api/ask"), 405, "Phương thức không được hỗ trợ."),
        (client.post("/api/ask", content=b'{"question": "\xff\xfe"}', headers={"content-type": "application/json"}),
         400, "Không đọc được nội dung gửi lên (cần JSON, mã UTF-8)."),
        (client.post("/api/ask", json={"question": 5}), 422, "Dữ liệu gửi lên không hợp lệ (question)."),
    ]
    for r, status, detail in checks:
        assert (r.status_code, r.headers["content-type"], r.json()) == (status, "application/json", {"detail": detail})
    client.app.state.hoidap.store.close()  # a real failure: the database is gone
    broken = TestClient(client.app, raise_server_exceptions=False)
    r = broken.post("/api/ask", json={"question": QUESTION})
    assert r.status_code == 500 and r.json() == {"detail": "Máy chủ gặp lỗi, vui lòng thử lại sau."}


def test_html_in_question_is_answered_as_plain_data(client):
    r = ask(client, "<script>alert(1)</script> chuyển đổi số <img src=x onerror=alert(1)>")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")


def test_document_text_is_escaped_everywhere(tmp_path):
    client = make_client(tmp_path)
    source = tmp_path / "xss.txt"
    source.write_text(XSS_DOC, encoding="utf-8")
    report = client.app.state.hoidap.ingest([source])
    assert report.added == ["xss"]
    page = client.get("/documents/xss").text
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;" in page
    quotes = [c["quote"] for c in ask(client, "xssprobe").json()["citations"]]
    assert any("<script>" in q for q in quotes)  # JSON carries the text verbatim; the widget uses textContent


def test_unknown_documents_and_path_tricks_are_404(client):
    for path in ["/documents/khong-co", "/documents/..%2F..%2Fetc%2Fpasswd", "/documents/../../etc/passwd",
                 "/documents/khong-co/file", "/static/../app.py"]:
        assert client.get(path).status_code == 404, path


def test_cors_allows_only_configured_origins(tmp_path):
    client = make_client(tmp_path, allowed_origins="https://so.example.gov.vn")
    allowed = {"Origin": "https://so.example.gov.vn"}
    r = client.post("/api/ask", json={"question": QUESTION}, headers=allowed)
    assert r.headers["access-control-allow-origin"] == "https://so.example.gov.vn"
    r = client.post("/api/ask", json={"question": QUESTION}, headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in r.headers


def test_rate_limit_per_client(tmp_path):
    client = make_client(tmp_path, rate_limit_per_minute=3)
    for _ in range(10):  # ten page loads: what they read has its own, larger share
        assert client.get("/api/suggestions").status_code == client.get("/api/contact").status_code == 200
    codes = [ask(client, QUESTION).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    r = ask(client, QUESTION)
    assert "Vui lòng chờ" in r.json()["detail"] and r.headers["retry-after"] == "60"


def test_mask_pii():
    text = "Gọi 0912 345 678 hoặc +84912345678, CCCD 012345678901, email an.nguyen@sotp.gov.vn, QĐ 1169/QĐ-TTg năm 2025"
    masked = mask_pii(text)
    for secret in ["0912 345 678", "+84912345678", "012345678901", "an.nguyen@sotp.gov.vn"]:
        assert secret not in masked
    assert "1169/QĐ-TTg năm 2025" in masked and "[số điện thoại]" in masked and "[số CCCD]" in masked


@pytest.mark.parametrize("written, mask", [
    ("(091) 234 5678", "[số điện thoại]"),
    ("091.234.5678", "[số điện thoại]"),
    ("0912 345 678", "[số điện thoại]"),
    ("0912-345-678", "[số điện thoại]"),
    ("+84 91 234 5678", "[số điện thoại]"),
    ("(+84) 912 345 678", "[số điện thoại]"),
    ("+84912345678", "[số điện thoại]"),
    ("(028) 3829 5555", "[số điện thoại]"),
    ("001 203 004 567", "[số CCCD]"),
    ("001.203.004.567", "[số CCCD]"),
    ("001203004567", "[số CCCD]"),
    ("123 456 789", "[số CMND]"),
    ("123.456.789", "[số CMND]"),
    ("an.nguyen@sotp.gov.vn", "[email]"),
    ("<an.nguyen@sotp.gov.vn>", "<[email]>"),
    ("(thư: an_nguyen+hoi@sotp.gov.vn)", "(thư: [email])"),
])
def test_masking_covers_the_ways_numbers_are_written(written, mask):
    assert mask_pii(f"Liên hệ {written}, cảm ơn.") == f"Liên hệ {mask}, cảm ơn."


@pytest.mark.parametrize("kept", [
    "Quyết định 1169/QĐ-TTg năm 2025", "giai đoạn 2021 - 2025", "ngày 01.01.2026", "Kế hoạch 45/KH-UBND",
    "kinh phí 1.000.000.000 đồng", "Điều 5 khoản 2",
])
def test_masking_keeps_document_numbers_dates_and_amounts(kept):
    assert mask_pii(kept) == kept


def test_access_log_has_no_client_address(tmp_path):
    port = free_port()
    env = {**os.environ, "HOIDAP_DATA_DIR": str(tmp_path / "data"), "HOIDAP_EMBEDDER": "none",
           "PYTHONPATH": os.pathsep.join(sys.path)}
    server = subprocess.Popen([sys.executable, "-m", "hoidap.cli", "serve", "--port", str(port)], cwd=tmp_path,
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        wait_healthy(f"http://127.0.0.1:{port}", server, 60)
        httpx.post(f"http://127.0.0.1:{port}/api/ask", json={"question": QUESTION})
    finally:
        server.terminate()
        output = server.communicate(timeout=20)[0]
    assert "Hỏi đáp 57: 5 văn bản" in output
    assert "/healthz" not in output and "/api/ask" not in output  # no access log line at all
    assert not re.search(r"127\.0\.0\.1:\d+ -", output)  # uvicorn's "client:port - request" form


def test_logs_store_masked_text_and_no_address(tmp_path):
    client = make_client(tmp_path)
    ask(client, "Số 0987654321 của tôi, CCCD 079123456789: kế hoạch chuyển đổi số?", session_id="phien-xyz")
    db = sqlite3.connect(tmp_path / "data" / "hoidap.sqlite")
    row = db.execute("SELECT * FROM conversations").fetchone()
    stored = " ".join(map(str, row))
    assert "0987654321" not in stored and "079123456789" not in stored and "testclient" not in stored
    assert "phien-xyz" not in stored  # session ids are hashed (a hex id could hold "abc" by chance)


def test_retention_purges_old_conversations(tmp_path):
    client = make_client(tmp_path, log_retention_days=30)
    answer_id = ask(client, QUESTION).json()["answer_id"]
    client.post("/api/feedback", json={"answer_id": answer_id, "rating": 1})
    db_path = tmp_path / "data" / "hoidap.sqlite"
    with sqlite3.connect(db_path) as db:
        db.execute("UPDATE conversations SET created_at = '2000-01-01T00:00:00+00:00'")
    log = ConversationLog(Store(db_path), retention_days=30)  # what every start does
    assert log.conversations("1900-01-01", "2999-01-01") == []
    assert log.feedback("1900-01-01", "2999-01-01") == []


def test_configured_messaging_webhooks_are_mounted(tmp_path):
    assert make_client(tmp_path / "off").get("/webhooks/messenger").status_code == 404  # not configured
    client = make_client(tmp_path / "on", messenger_page_token="p", messenger_app_secret="s",
                         messenger_verify_token="verify-me")
    query = {"hub.mode": "subscribe", "hub.verify_token": "verify-me", "hub.challenge": "42"}
    with client:
        assert client.get("/webhooks/messenger", params=query).text == "42"


def test_suggestions_are_questions_the_api_answers(client):
    suggestions = client.get("/api/suggestions").json()["suggestions"]
    assert len(suggestions) >= 2
    for question in suggestions:
        body = ask(client, question, session_id="").json()
        assert body["status"] == "answered" and body["citations"], question


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(question=st.text(max_size=300), session=st.text(max_size=120))
def test_any_text_gets_an_answer_or_a_clear_error_never_a_crash(client, question, session):
    r = client.post("/api/ask", json={"question": question, "session_id": session})
    assert r.status_code in (200, 400, 422), r.text
    body = r.json()
    if r.status_code == 200:
        assert body["status"] in {"answered", "related", "not_found", "out_of_scope", "clarify", "smalltalk"}
        assert body["text"] and all(c["quote"] or c["title"] for c in body["citations"])
    else:
        assert isinstance(body["detail"], str) and body["detail"]


def test_a_target_list_is_quoted_whole_and_its_link_marks_all_of_it(client):
    """A heading and its enumeration: every item quoted, across the passage boundary (c) is in the next passage), and
    the document page marks the whole quote, not only the heading."""
    body = ask(client, "Đồng Nai đặt mục tiêu gì đến năm 2030?").json()
    main = [c for c in body["citations"] if c["role"] == "main"]
    assert all(f"\n{item})" in "\n" + "\n".join(c["quote"] for c in main) for item in "abc"), main
    page = client.get(main[0]["link"]).text
    marked = page.split('<mark class="quoted">')[1].split("</mark>")[0]
    assert marked.startswith("4. Năm 2030") and "b) Ít nhất 80%" in marked, marked


def test_two_plans_of_one_issuer_are_told_apart_in_the_document_list_and_in_citations(client):
    names = re.findall(r'<a href="/documents/angiang-[^"]+">([^<]+)</a>', client.get("/documents").text)
    assert len(names) == 2 and len(set(names)) == 2 and any("71/NQ-CP" in n for n in names), names
    body = ask(client, "Sở Tư pháp An Giang làm gì để thực hiện Nghị quyết 71/NQ-CP?").json()
    cited = [c for c in body["citations"] if c["doc_id"] == "angiang-stp-nq71"]
    assert cited and all("Nghị quyết số 71/NQ-CP" in c["label"] for c in cited), body["citations"]


def test_the_document_page_opens_each_heading_once(client):
    page = client.get("/documents/dongnai-ubnd-kh45").text
    headings = re.findall(r'<h2 class="section">([^<]+)</h2>', page)
    assert headings and sum("II. MỤC TIÊU CỤ THỂ" in h for h in headings) == 1, headings
    assert any(h.startswith("4. Năm 2030 › c)") for h in headings)  # the new part of the path only
