"""Staff documents: duplicates refused with "thay thế bản cũ", replacing keeps the id and the old version,
metadata edits reach citizens, one spelling per place."""
import re
import threading

from test_web_admin import DOC, TOKEN, make_client, upload

from channels.web.duplicates import NEAR_DUPLICATE, overlap, shingles
from hoidap.config import BUNDLED_CORPUS
from ingest.localities import normalise_locality

NAM_CUONG = (BUNDLED_CORPUS / "namcuong_ubnd_kh_qd1169.txt").read_bytes()


def client_for(tmp_path, **overrides):
    client = make_client(tmp_path, **overrides)
    client.headers["Authorization"] = f"Bearer {TOKEN}"
    return client


def test_one_spelling_per_place():
    assert normalise_locality("Nam Cường", []) == "xã Nam Cường"
    assert normalise_locality("Xa Nam Cuong", ["An Giang", "xã Nam Cường"]) == "xã Nam Cường"
    assert normalise_locality("tỉnh An Giang", []) == "An Giang"
    assert normalise_locality("ha tinh", []) == "Hà Tĩnh"
    assert normalise_locality("phường Nam Cường", []) == "phường Nam Cường"  # the kind staff wrote stays
    assert normalise_locality("Thôn Không Có", []) == "Thôn Không Có"  # not on the list: kept as typed


def test_threshold_separates_copies_from_other_plans():
    texts = {p.name: p.read_text(encoding="utf-8") for p in BUNDLED_CORPUS.glob("*.txt")}
    names = sorted(texts)
    pairs = [overlap(shingles(texts[a]), shingles(texts[b])) for i, a in enumerate(names) for b in names[i + 1:]]
    assert max(pairs) < NEAR_DUPLICATE / 2  # different plans, even from one central template
    paragraphs = NAM_CUONG.decode().split("\n\n")
    edited = "\n\n".join(paragraphs[:50] + ["Đoạn mới của bản sửa đổi."] + paragraphs[53:])
    assert overlap(shingles(NAM_CUONG.decode()), shingles(edited)) > 0.9


def test_renamed_copy_is_refused_then_replaces_keeping_the_id(tmp_path):
    client = client_for(tmp_path)
    r = upload(client, "ban-sao-nam-cuong.txt", NAM_CUONG)
    assert r.status_code == 409 and "trùng hoàn toàn" in r.text and "namcuong-ubnd-qd1169" in r.text
    assert "Thay thế bản cũ" in r.text and "Vẫn nạp thành văn bản riêng" not in r.text
    assert len(client.get("/api/documents").json()) == 5
    edited = NAM_CUONG + "\n\nBản sửa đổi: bổ sung một đoạn về lịch triển khai.\n".encode()
    r = upload(client, "nam-cuong-sua-doi.txt", edited)
    assert r.status_code == 409 and "gần như trùng" in r.text and "Vẫn nạp thành văn bản riêng" in r.text
    pending = r.text.split('name="pending" value="')[1].split('"')[0]
    r = client.post("/admin/documents/namcuong-ubnd-qd1169/replace", data={"pending": pending})
    assert r.status_code == 200 and "Đã thay thế tệp của văn bản namcuong-ubnd-qd1169" in r.text
    docs = {d["id"]: d for d in client.get("/api/documents").json()}
    assert len(docs) == 5 and docs["namcuong-ubnd-qd1169"]["locality"] == "xã Nam Cường"
    assert docs["namcuong-ubnd-qd1169"]["issuer"] == "UBND xã Nam Cường"  # kept from the manifest
    assert client.get("/documents/namcuong-ubnd-qd1169/file").content == edited
    page = client.get("/admin/documents/namcuong-ubnd-qd1169").text
    assert "thay thế tệp" in page and "nạp mới" in page and "Tải bản 1" in page
    kept = tmp_path / "data" / "files" / "versions" / "namcuong-ubnd-qd1169.v1.txt"
    assert kept.read_bytes() == NAM_CUONG  # the previous version's file is not lost
    download = client.get("/admin/documents/namcuong-ubnd-qd1169/versions/1/file")  # staff can take it back
    assert download.content == NAM_CUONG and "namcuong-ubnd-qd1169.v1.txt" in download.headers["content-disposition"]
    assert client.get("/admin/documents/namcuong-ubnd-qd1169/versions/2/file").status_code == 404  # the current one
    assert client.get("/admin/documents/namcuong-ubnd-qd1169/versions/1/file", headers={"Authorization": ""}
                      ).status_code == 401
    r = client.post("/admin/documents/namcuong-ubnd-qd1169/replace", data={"pending": "../../etc"})
    assert r.status_code == 400 and "hết hạn" in r.text


def test_a_replica_confirms_the_upload_another_refused(tmp_path, pg_schema):
    """Two replicas on one PostgreSQL store and one files folder (HOIDAP_FILES_DIR), each running its own jobs:
    the refused file waits in the shared folder, so "Thay thế bản cũ" sent to the other replica finds it."""
    url, schema = pg_schema
    shared = {"files_dir": tmp_path / "shared", "index_dir": tmp_path / "index", "corpus_dir": BUNDLED_CORPUS,
              "database_url": f"{url}?options=-csearch_path%3D{schema}"}
    a, b = (client_for(tmp_path / name, **shared) for name in "ab")
    edited = NAM_CUONG + "\n\nBản sửa đổi: bổ sung một đoạn về lịch triển khai.\n".encode()
    r = upload(a, "nam-cuong-sua-doi.txt", edited)
    assert r.status_code == 409 and "gần như trùng" in r.text
    pending = r.text.split('name="pending" value="')[1].split('"')[0]
    r = b.post("/admin/documents/namcuong-ubnd-qd1169/replace", data={"pending": pending})
    assert r.status_code == 200 and "Đã thay thế tệp của văn bản namcuong-ubnd-qd1169" in r.text
    assert a.get("/documents/namcuong-ubnd-qd1169/file").content == edited  # whichever replica nginx picks
    assert (tmp_path / "shared" / "versions" / "namcuong-ubnd-qd1169.v1.txt").read_bytes() == NAM_CUONG


def test_near_duplicate_can_still_be_added_separately(tmp_path):
    client = client_for(tmp_path)
    assert upload(client, "binh-minh.txt", DOC.encode()).status_code == 200
    r = upload(client, "binh-minh.txt", (DOC + "\nII. YÊU CẦU\nBổ sung một đoạn.\n").encode())
    assert r.status_code == 409 and "cùng tên tệp" in r.text
    pending = r.text.split('name="pending" value="')[1].split('"')[0]
    r = client.post("/admin/documents", data={"pending": pending, "separate": "1"})
    assert r.status_code == 200 and "Đã thêm văn bản binh-minh-2" in r.text


def test_metadata_edit_reaches_citizens_and_normalises_the_place(tmp_path):
    client = client_for(tmp_path)
    r = upload(client, "binh-minh.txt", DOC.encode(), locality="Nam Cường")
    assert r.status_code == 200
    assert client.get("/admin/documents/binh-minh").status_code == 200
    doc = next(d for d in client.get("/api/documents").json() if d["id"] == "binh-minh")
    assert doc["locality"] == "xã Nam Cường"  # joins the existing place, not a second one
    r = client.post("/admin/documents/binh-minh/edit", data={
        "title": "Trợ lý số Bình Minh", "doc_type": "KẾ HOẠCH", "number": "99/KH-UBND", "date_iso": "2026-02-01",
        "issuer": "UBND xã Bình Minh", "locality": "xa binh minh", "source_url": ""})
    assert r.status_code == 200 and "Đã lưu thông tin" in r.text
    doc = next(d for d in client.get("/api/documents").json() if d["id"] == "binh-minh")
    assert doc["number"] == "99/KH-UBND" and doc["date"] == "ngày 1 tháng 2 năm 2026" and doc["locality"] == "xã Bình Minh"
    answer = client.post("/api/ask", json={"question": "trợ lý số thôn ấp Bình Minh"}).json()
    assert answer["citations"][0]["issuer"] == "UBND xã Bình Minh" and answer["citations"][0]["number"] == "99/KH-UBND"
    page = client.get("/admin").text
    assert "binh-minh.txt" in page and "script (mã quản trị)" in page and "99/KH-UBND" in page
    refused = client.post("/admin/documents/binh-minh/edit", data={"source_url": "ftp://x", "issuer": "UBND xã Bình Minh mới"})
    assert refused.status_code == 400 and "phải bắt đầu bằng http" in refused.text
    assert 'value="UBND xã Bình Minh mới"' in refused.text and 'value="ftp://x"' in refused.text  # as typed, to correct


def test_the_list_names_who_uploaded_in_vietnam_time(tmp_path):
    client = make_client(tmp_path)
    client.post("/admin/login", data={"token": TOKEN, "name": "Nguyễn Văn A"})
    csrf = client.get("/admin").text.split('name="csrf" value="')[1].split('"')[0]
    r = client.post("/admin/documents", files={"file": ("bm.txt", DOC.encode())}, data={"csrf": csrf})
    assert r.status_code == 200
    row = r.text.split("bm.txt")[1].split("</tr>")[0]
    assert "Nguyễn Văn A" in row  # the name given at login
    assert re.search(r"\d\d/\d\d/\d{4} \d\d:\d\d", row)


def test_an_upload_is_a_job_another_process_runs_with_its_state_shown(tmp_path):
    """HOIDAP_SERVE_JOBS=false: the web process only queues; a worker (here a second Jobs on the same data
    directory, as `hoidap worker` opens it) takes the job; the admin page follows it."""
    from channels.web.jobs import Jobs
    from hoidap.config import Settings
    from hoidap.versions import DocumentVersions
    from hoidap.wiring import open_hoidap

    client = make_client(tmp_path, serve_jobs=False)
    client.headers["Authorization"] = f"Bearer {TOKEN}"
    client.app.state.jobs.wait_s = 0.3
    r = upload(client, "ke-hoach-moi.txt", DOC.encode())
    assert r.status_code == 202 and "đang nạp ở nền" in r.text
    page = client.get("/admin").text
    assert "Việc nạp gần đây" in page and "đang chờ" in page and '<section id="jobs" data-busy>' in page
    others = ["KẾ HOẠCH\nXã Tân Phú lắp camera giám sát giao thông ở các ngã tư.\n",
              "KẾ HOẠCH\nPhường Hòa Bình mở lớp tin học cho người cao tuổi vào cuối tuần.\n",
              "KẾ HOẠCH\nĐặc khu Côn Đảo số hóa hồ sơ đất đai trước quý bốn.\n"]
    for n, text in enumerate(others):
        assert upload(client, f"xa-so-{n}.txt", text.encode()).status_code == 202
    workers = [open_hoidap(Settings(data_dir=tmp_path / "data", embedder="none"), seed=False) for _ in range(2)]
    threads = [threading.Thread(target=Jobs(w, DocumentVersions(w.store)).drain) for w in workers]
    for t in threads:  # two workers on one queue: each job is taken by one of them
        t.start()
    for t in threads:
        t.join()
    page = client.get("/admin").text
    assert page.count("<td>xong</td>") == 4 and "Đã thêm văn bản ke-hoach-moi" in page
    assert '<section id="jobs">' in page  # nothing to follow any more: the page stops polling
    ids = [d["id"] for d in client.get("/api/documents").json()]
    assert len(ids) == 9 and {"ke-hoach-moi", "xa-so-0", "xa-so-1", "xa-so-2"} <= set(ids)  # none ingested twice


def test_the_document_page_shows_its_profile_and_takes_a_short_title(tmp_path):
    client = client_for(tmp_path)
    page = client.get("/admin/documents/dongnai-ubnd-kh45").text
    assert "Hồ sơ văn bản" in page and "Mục đích, yêu cầu, mục tiêu chung" in page and "I. MỤC TIÊU CHUNG" in page
    assert "Căn cứ, văn bản được thực hiện" in page and "Võ Tấn Đức" in page
    assert 'name="short_title"' in page
    csrf = re.search(r'name="csrf" value="([^"]+)"', page)
    form = {key: "" for key in ("title", "doc_type", "number", "date_iso", "issuer", "locality", "source_url")}
    doc = client.get("/api/documents").json()
    current = next(d for d in doc if d["id"] == "angiang-stp-nq71")
    form.update({k: current[k] for k in ("title", "doc_type", "number", "date_iso", "issuer", "locality", "source_url")})
    form["short_title"] = "Kế hoạch NQ 71"
    if csrf:
        form["csrf"] = csrf.group(1)
    r = client.post("/admin/documents/angiang-stp-nq71/edit", data=form)
    assert r.status_code == 200, r.text
    answer = client.post("/api/ask", json={"question": "An Giang có những kế hoạch gì?"}).json()
    assert "(kế hoạch NQ 71)" in answer["text"]  # what staff wrote is how replies tell the two plans apart
