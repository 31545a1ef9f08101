"""Metadata, chunking and the incremental ingest pipeline on the real seed plans."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from hoidap.config import BUNDLED_CORPUS
from hoidap.models import Document
from hoidap.store import Store
from hoidap.text import collapse_ws
from ingest.chunking import MAX_WORDS, SEPARATOR, chunk, heading_level, section_at
from ingest.loaders import load
from ingest.metadata import issuer_block, extract_metadata
from ingest.pipeline import ingest_paths

SEEDS = sorted(BUNDLED_CORPUS.glob("*.txt"))


def _meta(name: str) -> Document:
    return extract_metadata("x", load(BUNDLED_CORPUS / name).pages[0])


def test_metadata_from_document_head():
    dn = _meta("dongnai_ubnd_kh45.txt")
    assert (dn.doc_type, dn.number, dn.date_iso, dn.locality) == ("KẾ HOẠCH", "45/KH-UBND", "2025-08-12", "Đồng Nai")
    assert dn.issuer == "UBND tỉnh Đồng Nai"
    assert dn.signer == "Võ Tấn Đức"
    assert dn.title.startswith("Triển khai Chương trình “Đẩy mạnh truyền thông")
    assert dn.title.endswith("trên địa bàn tỉnh Đồng Nai")

    ag = _meta("angiang_stp_kh_nq71.txt")
    assert ag.number == "/KH-STP"  # left blank until signing
    assert ag.date == "ngày tháng 10 năm 2025" and ag.date_iso == ""
    assert ag.issuer == "Sở Tư pháp An Giang" and ag.signer == "Trịnh Tuấn Ngọc"

    nc = _meta("namcuong_ubnd_kh_qd1169.txt")
    assert nc.issuer == "UBND xã Nam Cường" and nc.signer == "Lường Văn Toàn"

    ht = _meta("hatinh_stp_kh_nq57.txt")  # hard-wrapped: the title spans several lines
    assert ht.locality == "Hà Tĩnh" and ht.issuer == "Sở Tư pháp Hà Tĩnh"
    assert ht.title.startswith("Tuyên truyền Nghị quyết số 57-NQ/TW")
    assert ht.title.endswith("nhiệm vụ thời gian tới")


@pytest.mark.parametrize("suffix", [".docx", ".pdf"])
def test_metadata_from_the_usual_two_column_head(suffix):
    """Issuer | national motto side by side; the PDF interleaves the two columns line by line."""
    path = Path(__file__).parent / "fixtures" / "header" / f"ke_hoach_123{suffix}"
    doc = extract_metadata("kh123", "\n\n".join(load(path).pages))
    assert (doc.issuer, doc.locality, doc.number) == ("Sở Tư pháp tỉnh Đồng Nai", "Đồng Nai", "123/KH-STP")
    assert (doc.date, doc.date_iso, doc.doc_type) == ("ngày 05 tháng 3 năm 2025", "2025-03-05", "KẾ HOẠCH")
    assert doc.title == "Ứng dụng trí tuệ nhân tạo trong phổ biến, giáo dục pháp luật năm 2025"
    assert doc.signer == "Nguyễn Văn An"


def test_metadata_of_a_head_and_tail_printed_in_two_columns():
    """The number's "KH-UBND" is not a place, and the signer's role may close a line of "Nơi nhận"."""
    path = Path(__file__).parent / "fixtures" / "header" / "ke_hoach_hoa_an.txt"
    doc = extract_metadata("hoa-an", "\n\n".join(load(path).pages))
    assert (doc.number, doc.place, doc.date_iso) == ("88/KH-UBND", "Hòa An", "2026-04-09")
    assert (doc.issuer, doc.signer) == ("UBND xã Hòa An", "Trần Văn Bình")


@pytest.mark.parametrize("block, issuer, locality", [
    ("UBND TỈNH ĐỒNG NAI SỞ KHOA HỌC VÀ CÔNG NGHỆ", "Sở Khoa học và Công nghệ tỉnh Đồng Nai", "Đồng Nai"),
    ("ỦY BAN NHÂN DÂN XÃ NAM CƯỜNG", "UBND xã Nam Cường", "Nam Cường"),
    ("UBND TỈNH AN GIANG SỞ VĂN HÓA, THỂ THAO VÀ DU LỊCH", "Sở Văn hóa, Thể thao và Du lịch tỉnh An Giang", "An Giang"),
    ("TỈNH ỦY HÀ TĨNH BAN TUYÊN GIÁO VÀ DÂN VẬN", "Ban Tuyên giáo và Dân vận Tỉnh ủy Hà Tĩnh", "Hà Tĩnh"),
    ("UBND TỈNH HÀ TĨNH VĂN PHÒNG", "Văn phòng UBND tỉnh Hà Tĩnh", "Hà Tĩnh"),
    ("BỘ KHOA HỌC VÀ CÔNG NGHỆ", "Bộ Khoa học và Công nghệ", ""),
])
def testissuer_block_reads_as_people_write_it(block, issuer, locality):
    assert issuer_block(block) == (issuer, locality)


@pytest.mark.parametrize("path", SEEDS, ids=lambda p: p.stem)
def test_chunking_loses_nothing_and_bounds_length(path):
    text = load(path).pages[0]
    doc = extract_metadata(path.stem, text)
    passages = chunk(doc, [text])
    # Every paragraph of the source is in exactly one passage, in order.
    assert collapse_ws(" ".join(p.text for p in passages)) == collapse_ws(text)
    for p in passages:
        words = len(p.text.split())
        assert words <= MAX_WORDS or "\n\n" not in p.text  # only an unsplittable sentence may exceed
        last = p.text.split("\n\n")[-1]
        assert heading_level(last) is None or len(p.text.split("\n\n")) == 1 or len(last.split()) > 12, (
            "a heading was cut off from its body"
        )
        assert p.section and doc.issuer in p.header and p.section in p.header


def test_section_paths_follow_the_heading_tree():
    path = BUNDLED_CORPUS / "dongnai_ubnd_kh45.txt"
    text = load(path).pages[0]
    passages = chunk(extract_metadata("dn", text), [text])
    stem = next(p for p in passages if "hệ thống tương tác tự động (chatbot)" in p.text)
    parts = stem.section.split(SEPARATOR)
    assert parts[0] == "III. NHIỆM VỤ VÀ GIẢI PHÁP"
    assert parts[1].startswith("1. Đẩy mạnh truyền thông")
    assert parts[2].startswith("a) Các sở, ban, ngành")
    goals_2030 = next(p for p in passages if "Ít nhất 80% người dân tiếp cận" in p.text)
    assert "4. Năm 2030" in goals_2030.text or "4. Năm 2030" in goals_2030.section


def test_a_quote_inside_a_packed_passage_is_cited_down_to_its_own_heading():
    text = load(BUNDLED_CORPUS / "dongnai_ubnd_kh45.txt").pages[0]
    passages = chunk(extract_metadata("dn", text), [text])
    packed = next(p for p in passages if "3. Năm 2027" in p.text and "4. Năm 2030" in p.text)
    assert "Năm 2030" not in packed.section  # the passage's own section is the common parent
    at = packed.text.index("b) Ít nhất 80% người dân")
    assert section_at(packed.section, packed.text, at).split(SEPARATOR)[-2:] == [
        "4. Năm 2030", "b) Ít nhất 80% người dân tiếp cận thông tin định hướng của Đảng …"]
    assert section_at(packed.section, packed.text, packed.text.index("Xây dựng được ít nhất 03")).endswith(
        SEPARATOR + "3. Năm 2027")
    assert section_at(packed.section, packed.text, 0) != ""


def test_pdf_pages_are_kept(tmp_path):
    pdf = Path(__file__).parent / "fixtures" / "seeds" / "dongnai_ubnd_kh45.pdf"
    if not pdf.exists():
        pytest.skip("PDF fixtures not generated")
    store = Store(tmp_path / "db.sqlite")
    report = ingest_paths(store, tmp_path / "files", [pdf])
    assert report.added == ["dongnai-ubnd-kh45"] and not report.errors
    pages = {p.page for p in store.passages("dongnai-ubnd-kh45")}
    assert None not in pages and len(pages) > 3


def test_incremental_ingest(tmp_path, open_store):  # on SQLite and on PostgreSQL
    folder = tmp_path / "docs"
    shutil.copytree(BUNDLED_CORPUS, folder)
    store = open_store()
    first = ingest_paths(store, tmp_path / "files", [folder])
    assert len(first.added) == 5 and not first.errors
    assert store.document("dongnai-ubnd-kh45").issuer == "UBND tỉnh Đồng Nai"  # from the manifest

    again = ingest_paths(store, tmp_path / "files", [folder])
    assert again.added == [] and len(again.unchanged) == 5

    changed = folder / "hatinh_stp_kh_nq57.txt"
    changed.write_text(changed.read_text(encoding="utf-8") + "\n\nĐoạn bổ sung về ứng dụng VNeID.\n", encoding="utf-8")
    (folder / "namcuong_ubnd_kh_qd1169.txt").unlink()
    (folder / "hong.pdf").write_bytes(b"not a pdf at all")
    third = ingest_paths(store, tmp_path / "files", [folder])
    assert third.updated == ["hatinh-stp-nq57"]
    assert third.removed == ["namcuong-ubnd-qd1169"]
    assert len(third.errors) == 1 and "hong.pdf" in third.errors[0]
    assert len(third.unchanged) == 3  # the rest of the batch went on
    assert any("VNeID" in p.text for p in store.passages("hatinh-stp-nq57"))
    assert store.document("namcuong-ubnd-qd1169") is None and store.passages("namcuong-ubnd-qd1169") == []


def test_cli_ingest_docs_remove(tmp_path):
    env = {"HOIDAP_DATA_DIR": str(tmp_path / "data"), "HOIDAP_EMBEDDER": "none", "PATH": "/usr/bin:/bin",
           "PYTHONPATH": os.pathsep.join(sys.path)}  # the code under test, wherever it is checked out

    def run(*args):
        return subprocess.run([sys.executable, "-m", "hoidap.cli", *args], env=env, capture_output=True, text=True)

    out = run("ingest", str(BUNDLED_CORPUS))
    assert out.returncode == 0, out.stderr
    assert "Thêm mới (5)" in out.stdout
    shutil.rmtree(tmp_path / "data" / "index", ignore_errors=True)
    listing = run("docs").stdout
    assert "dongnai-ubnd-kh45" in listing and "45/KH-UBND" in listing
    assert not (tmp_path / "data" / "index").exists()  # listing only reads: no index rebuilt
    assert run("remove", "dongnai-ubnd-kh45").returncode == 0
    assert "dongnai-ubnd-kh45" not in run("docs").stdout
    missing = run("remove", "khong-co")
    assert missing.returncode == 1 and "Không có văn bản" in missing.stderr


def test_listing_reads_a_read_only_folder_and_creates_nothing(tmp_path):
    env = {"HOIDAP_DATA_DIR": str(tmp_path / "data"), "HOIDAP_EMBEDDER": "none", "PATH": "/usr/bin:/bin",
           "PYTHONPATH": os.pathsep.join(sys.path)}

    def run(*args, data=tmp_path / "data"):
        return subprocess.run([sys.executable, "-m", "hoidap.cli", *args], env={**env, "HOIDAP_DATA_DIR": str(data)},
                              capture_output=True, text=True)

    missing = run("docs", data=tmp_path / "khong-co")
    assert missing.returncode == 2 and "Chưa có cơ sở dữ liệu" in missing.stderr and "hoidap ingest" in missing.stderr
    assert not (tmp_path / "khong-co").exists()  # no data folder made for a listing
    assert run("ingest", str(BUNDLED_CORPUS)).returncode == 0
    data = tmp_path / "data"
    before = sorted(p.name for p in data.iterdir())
    modes = {p: p.stat().st_mode for p in [data, *data.iterdir()]}
    try:  # as on a read-only mount: no write anywhere in the folder (root ignores modes, so check what is made too)
        for p in modes:
            p.chmod(0o555 if p.is_dir() else 0o444)
        listing = run("docs")
        assert listing.returncode == 0, listing.stderr
        assert "dongnai-ubnd-kh45" in listing.stdout
        assert run("export-curated").returncode == 0
    finally:
        for p, mode in modes.items():
            p.chmod(mode)
    assert sorted(p.name for p in data.iterdir()) == before  # no -wal, -shm or new file
