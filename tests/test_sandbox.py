"""Each file is read in a child process within a CPU and memory budget (ingest/sandbox.py)."""
from __future__ import annotations

import time
from pathlib import Path

import pytest
from pypdf import PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

from ingest.loaders import LoadError, load
from ingest.sandbox import Budget, load_bounded

SEEDS = Path(__file__).parent / "fixtures" / "seeds"


def shared_stream_pdf(path: Path, pages: int = 5, repeats: int = 70_000) -> Path:
    """A PDF of a few kilobytes whose pages all draw one content stream of some megabytes: each page parses it again."""
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(612, 792)
    content = DecodedStreamObject()
    content.set_data(b"BT /F1 12 Tf 72 712 Td (chuyen doi so) Tj ET\n" * repeats)
    stream = writer._add_object(content.flate_encode())
    font = writer._add_object(DictionaryObject({NameObject("/Type"): NameObject("/Font"),
                                                NameObject("/Subtype"): NameObject("/Type1"),
                                                NameObject("/BaseFont"): NameObject("/Helvetica")}))
    for page in writer.pages:
        page[NameObject("/Contents")] = stream
        page[NameObject("/Resources")] = DictionaryObject({NameObject("/Font"): DictionaryObject({NameObject("/F1"): font})})
    writer.write(path)
    return path


@pytest.mark.parametrize("name", ["dongnai_ubnd_kh45.pdf", "dongnai_ubnd_kh45.docx"])
def test_a_file_read_within_its_budget_is_read_as_it_would_be_directly(name):
    bounded, direct = load_bounded(SEEDS / name), load(SEEDS / name)
    assert bounded.pages == direct.pages and bounded.warnings == direct.warnings


def test_what_the_loader_refuses_comes_back_with_its_message(tmp_path):
    bad = tmp_path / "rac.docx"
    bad.write_bytes(b"day khong phai la docx")
    with pytest.raises(LoadError, match=r"^rac\.docx: .*không phải"):
        load_bounded(bad)


def test_a_file_that_costs_more_cpu_than_its_budget_is_given_up_in_time(tmp_path):
    crafted = shared_stream_pdf(tmp_path / "nang.pdf")
    assert crafted.stat().st_size < 20_000
    started = time.monotonic()
    with pytest.raises(LoadError, match=r"^nang\.pdf: xử lý quá 3 giây CPU — tệp quá nặng hoặc bất thường, không nạp"):
        load_bounded(crafted, Budget(cpu_s=3, memory_bytes=2**31, wall_s=60))
    assert time.monotonic() - started < 15


def test_the_budget_grows_with_the_file():
    small, large = Budget.for_size(6_000), Budget.for_size(5_000_000)
    assert small.cpu_s == 10 and large.cpu_s == 110  # seconds for a crafted small file, minutes for a real large one
    assert 2**30 <= small.memory_bytes < 2**30 + 2**21 and large.memory_bytes > small.memory_bytes
    assert Budget.for_size(10**10).cpu_s == 600 and Budget.for_size(10**10).memory_bytes == 4 * 2**30
