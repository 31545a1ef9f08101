"""A document as a whole: its profile read off its own text (bot/units.py), whole-document answers, comparisons."""
from __future__ import annotations

import pytest

from bot.units import NUMBER, PLACE_DATE, PREAMBLE, PURPOSE, RECIPIENTS, SIGNATURE, SUBJECTS, SUMMARY, TARGETS, TITLE
from hoidap.config import Settings
from hoidap.text import collapse_ws, fold
from hoidap.wiring import open_hoidap


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    return open_hoidap(Settings(data_dir=tmp_path_factory.mktemp("data"), embedder="none", answer_cache=0))


def profile(app, doc_id: str) -> dict[str, list[str]]:
    corpus = app.answerer.corpus
    parts: dict[str, list[str]] = {}
    for unit in corpus.parts_of(corpus.documents[doc_id]):
        parts.setdefault(unit.part, []).append(collapse_ws(unit.text))
    return parts


# Each bundled plan, part by part: what its own text says (a part given as None is not in that plan).
EXPECTED = {
    "angiang-stp-nq71": {
        NUMBER: "Số: /KH-STP", PLACE_DATE: "An Giang, ngày tháng 10 năm 2025",
        TITLE: "Triển khai thực hiện Nghị quyết số 71/NQ-CP ngày 01/4/2025",
        PREAMBLE: "Thực hiện Kế hoạch số 132/KH-UBND ngày 07/10/2025", PURPOSE: "1. Mục đích",
        SIGNATURE: "Trịnh Tuấn Ngọc", RECIPIENTS: "Nơi nhận:"},
    "angiang-stp-qd1169": {
        TITLE: "Triển khai thực hiện Quyết định số 1169/QĐ-TTg", PREAMBLE: "Thực hiện Kế hoạch số 45/KH-UBND ngày 30/01/2026",
        PURPOSE: "1.1. Mục tiêu chung", TARGETS: "1.2. Mục tiêu cụ thể", SUBJECTS: "II. ĐỐI TƯỢNG ÁP DỤNG",
        SIGNATURE: "Trịnh Tuấn Ngọc"},
    "dongnai-ubnd-kh45": {
        NUMBER: "Số: 45 /KH-UBND", PLACE_DATE: "Đồng Nai, ngày 12 tháng 8 năm 2025",
        TITLE: "Triển khai Chương trình “Đẩy mạnh truyền thông", PREAMBLE: "Thực hiện Quyết định số 1169/QĐ-TTg",
        PURPOSE: "I. MỤC TIÊU CHUNG", TARGETS: "II. MỤC TIÊU CỤ THỂ", SUMMARY: "Trên đây là Kế hoạch triển khai",
        SIGNATURE: "Võ Tấn Đức"},
    "hatinh-stp-nq57": {
        TITLE: "Tuyên truyền Nghị quyết số 57-NQ/TW", PREAMBLE: "Thực hiện Kế hoạch số 344/KH-UBND ngày 26/6/2025",
        PURPOSE: "I. MỤC ĐÍCH, YÊU CẦU", SUMMARY: "Trên đây là Kế hoạch tuyên truyền", SIGNATURE: "Nguyễn Quốc Tuấn",
        TARGETS: None},
    "namcuong-ubnd-qd1169": {
        NUMBER: "Số: /KH-UBND", PLACE_DATE: "Nam Cường, ngày tháng 3 năm 2026",
        PREAMBLE: "Thực hiện Quyết định số 1169/QĐ-TTg", PURPOSE: "1. Mục đích", TARGETS: "2. Mục tiêu cụ thể",
        SUMMARY: "Trên đây là Kế hoạch triển khai", SIGNATURE: "Lường Văn Toàn", RECIPIENTS: "Nơi nhận:"},
}


@pytest.mark.parametrize("doc_id", sorted(EXPECTED))
def test_the_profile_of_each_bundled_plan_part_by_part(app, doc_id):
    parts = profile(app, doc_id)
    for part, start in EXPECTED[doc_id].items():
        if start is None:
            assert part not in parts, part
        else:
            assert any(text.startswith(start) or start in text for text in parts.get(part, [])), (part, parts.get(part))


def test_a_place_asked_what_plans_it_has_gets_each_plan_with_its_title_and_purpose(app):
    answer = app.answerer.ask("An Giang có những kế hoạch gì?")
    assert answer.status == "answered" and "2 văn bản" in answer.text
    assert "(triển khai thực hiện Nghị quyết số 71/NQ-CP)" in answer.text  # two plans of one Sở told apart
    assert "(triển khai thực hiện Quyết định số 1169/QĐ-TTg)" in answer.text
    cited = [(c.doc_id, c.section) for c in answer.citations]
    for doc_id in ("angiang-stp-nq71", "angiang-stp-qd1169"):
        sections = [s for d, s in cited if d == doc_id]
        assert any(TITLE in s for s in sections) and any(PURPOSE in s for s in sections)


@pytest.mark.parametrize("question", ["Kế hoạch 45 của Đồng Nai là gì?", "tóm tắt giúp mình kế hoạch của tỉnh Đồng Nai"])
def test_a_document_asked_as_a_whole_is_quoted_by_its_title_first(app, question):
    answer = app.answerer.ask(question)
    assert answer.status == "answered" and answer.citations[0].doc_id == "dongnai-ubnd-kh45"
    assert collapse_ws(answer.citations[0].quote).startswith("Triển khai Chương trình “Đẩy mạnh truyền thông")


@pytest.mark.parametrize("question", ["Kế hoạch của Sở Tư pháp An Giang liên quan đến Nghị quyết 71 là văn bản gì?",
                                      "ke hoach cua so tu phap an giang lien quan nghi quyet 71 la van ban gi"])
def test_a_plan_named_by_what_it_is_linked_to_is_quoted_by_its_title(app, question):
    answer = app.answerer.ask(question)  # "liên quan (đến)" links, like "của": nothing is asked but the plan itself
    assert answer.status == "answered" and answer.citations[0].doc_id == "angiang-stp-nq71"
    assert collapse_ws(answer.citations[0].quote).startswith("Triển khai thực hiện Nghị quyết số 71/NQ-CP")


@pytest.mark.parametrize("question", ["Kế hoạch 45 của Đồng Nai dựa vào văn bản nào?", "ke hoach 45 cua dong nai dua tren van ban nao",
                                      "Cho mình hỏi kế hoạch 45 của Đồng Nai làm theo văn bản nào ạ?"])
def test_a_document_asked_what_it_is_based_on_is_quoted_by_what_it_implements_first(app, question):
    answer = app.answerer.ask(question)
    assert answer.status == "answered" and answer.citations[0].doc_id == "dongnai-ubnd-kh45"
    assert collapse_ws(answer.citations[0].quote).startswith("Thực hiện Quyết định số 1169/QĐ-TTg")
    assert "văn bản được thực hiện (căn cứ), tên (trích yếu) và mục đích" in answer.text


def test_the_targets_of_a_year_are_quoted_whole_across_passages(app):
    answer = app.answerer.ask("Đồng Nai đặt mục tiêu gì đến năm 2030?")
    main = [collapse_ws(c.quote) for c in answer.citations if c.role == "main"]
    assert main[0].startswith("4. Năm 2030") and "a) 100%" in main[0]
    assert any(q.startswith("c) Ít nhất 70% cán bộ chuyên trách") for q in main[1:])  # the rest, in the next passage
    assert not any(c.quote.startswith("c) Ít nhất 70%") for c in answer.citations if c.role == "more")


def test_two_places_compared_are_each_quoted_in_the_order_named(app):
    answer = app.answerer.ask("Hạn gửi báo cáo định kỳ ở xã Nam Cường và ở tỉnh Đồng Nai khác nhau thế nào?")
    main = [c for c in answer.citations if c.role == "main"]
    assert answer.status == "answered" and [c.doc_id for c in main] == ["namcuong-ubnd-qd1169", "dongnai-ubnd-kh45"]
    assert "trước ngày 20 tháng 6" in main[0].quote and "trước ngày 15 tháng 6" in main[1].quote
    assert answer.text.startswith("Đặt cạnh nhau theo thứ tự bạn hỏi")


def test_two_plans_of_one_place_named_by_what_they_implement_are_compared(app):
    answer = app.answerer.ask("Hai kế hoạch của Sở Tư pháp An Giang (theo Quyết định 1169 và theo Nghị quyết 71) "
                              "quy định hạn báo cáo 6 tháng khác nhau ra sao?")
    main = [c.doc_id for c in answer.citations if c.role == "main"]
    assert main == ["angiang-stp-qd1169", "angiang-stp-nq71"]


def test_a_law_asked_its_scope_is_answered_from_article_1(tmp_path):
    from pathlib import Path

    app = open_hoidap(Settings(data_dir=tmp_path / "data", embedder="none", answer_cache=0), seed=False)
    app.ingest([Path(__file__).parent / "fixtures" / "legal"])
    answer = app.answerer.ask("Luật An ninh mạng có phạm vi điều chỉnh là gì?")
    assert answer.status == "answered"
    assert answer.citations[0].section.startswith("Điều 1, Luật An ninh mạng số 24/2018/QH14")
    assert answer.citations[0].quote.startswith("Điều 1. Phạm vi điều chỉnh")


@pytest.mark.parametrize("spell", [lambda t: t, fold], ids=["marks", "no marks"])
def test_a_place_alone_a_place_with_a_bare_asking_word_and_a_bare_asking_word(app, spell):
    """Nothing to search for but a place: its documents' profiles; a place and an asking word that names nothing the
    plans hold ("có bao nhiêu xã?"): not found there, said so; an asking word alone: how to ask (help)."""
    alone = app.answerer.ask(spell("Hà Tĩnh?"))
    assert alone.status == "answered" and {c.doc_id for c in alone.citations} == {"hatinh-stp-nq57"}
    counted = app.answerer.ask(spell("Hà Tĩnh có bao nhiêu xã?"))
    assert counted.status == "not_found" and "Hà Tĩnh" in counted.text and not counted.citations
    assert app.answerer.ask(spell("ai?")).status == "smalltalk"
