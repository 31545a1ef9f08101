"""Legal texts: Chương › Điều › khoản › điểm through chunking, metadata and the answerer's citations."""
from pathlib import Path

import pytest

from hoidap.config import Settings
from hoidap.text import collapse_ws
from hoidap.wiring import open_hoidap
from ingest.chunking import MAX_WORDS, SEPARATOR, chunk, legal_reference
from ingest.loaders import load
from ingest.metadata import extract_metadata, short_name

LEGAL = Path(__file__).parent / "fixtures" / "legal"
LAW = LEGAL / "bo_luat_lao_dong.txt"
DECISION = LEGAL / "qd_kem_ke_hoach.txt"


def _passages(path: Path, text: str | None = None):
    text = text or load(path).pages[0]
    return chunk(extract_metadata(path.stem, text), [text])


def test_a_law_gives_passages_whose_heading_paths_name_their_article():
    passages = _passages(LAW)
    articles = {p.section.split(SEPARATOR)[1] for p in passages if SEPARATOR in p.section}
    assert articles == {"Điều 1. Phạm vi điều chỉnh", "Điều 2. Đối tượng áp dụng", "Điều 129. Bồi thường thiệt hại"}
    for p in passages:
        assert sum(line.startswith("Điều ") for line in p.text.split("\n\n")) <= 1, "a passage crosses an article"
    clause = next(p for p in passages if "b) Làm mất tài sản được giao." in p.text)
    assert clause.section == "Chương XI › Điều 129. Bồi thường thiệt hại"
    assert clause.text.startswith("Điều 129. Bồi thường thiệt hại\n\n1. Người lao động")


def test_a_long_article_is_split_by_clause_and_each_part_keeps_its_article():
    clauses = [f"{n}. Người sử dụng lao động có nghĩa vụ thứ {n} " + "bảo đảm điều kiện làm việc an toàn " * 12
               for n in range(1, 7)]
    text = "\n\n".join(["Chương II", "Điều 9. Nghĩa vụ của người sử dụng lao động", *clauses, "Điều 10. Quyền"
                        " của người lao động", "Người lao động được trả lương."])
    passages = _passages(LAW, text)
    article = [p for p in passages if "Điều 9." in p.section]
    assert len(article) > 1 and all(len(p.text.split()) <= MAX_WORDS for p in article)
    assert collapse_ws(" ".join(p.text for p in article)) == collapse_ws("\n\n".join(  # a bare Chương opens its first Điều
        ["Chương II", "Điều 9. Nghĩa vụ của người sử dụng lao động", *clauses]))
    assert passages[-1].section == "Chương II › Điều 10. Quyền của người lao động"


@pytest.mark.parametrize("section, reference", [
    ("Chương XI › Điều 129. Bồi thường thiệt hại › 1. Người lao động … › a) Gây thiệt hại", "Điều 129 khoản 1 điểm a"),
    ("Chương XI › Điều 129. Bồi thường thiệt hại › 2. Người lao động làm mất", "Điều 129 khoản 2"),
    ("Điều 5. Bảo vệ an ninh mạng", "Điều 5"),
    ("III. NHIỆM VỤ VÀ GIẢI PHÁP › 1. Đẩy mạnh truyền thông › a) Các sở", ""),  # a plan: no article
])
def test_a_heading_path_is_cited_as_lawyers_write_it(section, reference):
    assert legal_reference(section) == reference


def test_metadata_of_a_law():
    doc = extract_metadata("blld", load(LAW).pages[0])
    assert (doc.issuer, doc.doc_type, doc.number, doc.title) == ("Quốc hội", "BỘ LUẬT", "45/2019/QH14", "LAO ĐỘNG")
    assert (doc.date_iso, doc.locality) == ("2019-11-20", "")  # signed in Hà Nội, applies everywhere
    assert short_name(doc) == "Bộ luật Lao động 2019"


def test_a_decision_with_an_attached_plan_chunks_both_parts():
    doc = extract_metadata("qd", load(DECISION).pages[0])
    assert (doc.doc_type, doc.number, doc.issuer) == ("QUYẾT ĐỊNH", "12/QĐ-UBND", "UBND tỉnh Đồng Nai")
    assert doc.title == "Ban hành Kế hoạch truyền thông chuyển đổi số năm 2026"  # not the signer's authority under it
    passages = _passages(DECISION)
    sections = [p.section for p in passages]
    assert "Điều 2. Tổ chức thực hiện" in sections
    clause = next(p for p in passages if "2. Các sở, ban, ngành báo cáo" in p.text)
    assert clause.section == "Điều 2. Tổ chức thực hiện"  # "1.", "2." under an article are its khoản
    assert "KẾ HOẠCH" in sections  # the attached plan opens at its type line, outside Điều 3
    assert not any("Điều 3" in s and "KẾ HOẠCH" in s for s in sections)
    goals = next(p for p in passages if "1. Mục tiêu chung" in p.text)
    assert goals.section == "KẾ HOẠCH › I. MỤC TIÊU"  # "1." under "I." is the plan's own section
    assert legal_reference(goals.section + SEPARATOR + "1. Mục tiêu chung") == ""


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    app = open_hoidap(Settings(data_dir=tmp_path_factory.mktemp("data"), embedder="none"), seed=False)
    app.ingest([LEGAL])
    return app


def test_a_citation_of_a_clause_reads_article_and_clause(app):
    answer = app.answerer.ask("Người lao động làm mất dụng cụ, thiết bị của người sử dụng lao động có phải bồi thường không?")
    assert answer.status == "answered"
    first = answer.citations[0]
    # the fitted model quotes the article whole or its clause alone; either way cited as lawyers write it
    assert first.section in ("Điều 129 khoản 2, Bộ luật Lao động số 45/2019/QH14", "Điều 129, Bộ luật Lao động số 45/2019/QH14")
    assert "2. Người lao động làm mất dụng cụ" in first.quote
    clause = app.answerer.ask("khoản 2 Điều 129 Bộ luật Lao động quy định gì?").citations[0]
    assert clause.section == "Điều 129 khoản 2, Bộ luật Lao động số 45/2019/QH14"
    assert clause.quote.startswith("2. Người lao động làm mất dụng cụ")


def test_a_citation_of_a_point_names_it(app):
    answer = app.answerer.ask("Điểm a khoản 1 Điều 129 Bộ luật Lao động quy định gì?")
    assert answer.citations[0].section == "Điều 129 khoản 1 điểm a, Bộ luật Lao động số 45/2019/QH14"


@pytest.mark.parametrize("question", ["Điều 5 Luật An ninh mạng quy định gì?", "dieu 5 luat an ninh mang",
                                      "Luật số 24/2018/QH14, Điều 5 nói gì?", "Luật An ninh mạng 2018 Điều 5?"])
def test_a_question_naming_an_article_is_answered_by_that_article(app, question):
    answer = app.answerer.ask(question)
    assert answer.status == "answered"
    assert [c.section for c in answer.citations] == ["Điều 5, Luật An ninh mạng số 24/2018/QH14"]
    quote = answer.citations[0].quote
    assert quote.startswith("Điều 5. Biện pháp bảo vệ an ninh mạng") and quote.endswith("luật tố tụng hình sự quy định.")
    assert answer.text.startswith("Điều 5, Luật An ninh mạng số 24/2018/QH14 quy định")


@pytest.mark.parametrize("question, section, quote", [
    ("khoản 2 Điều 5 Luật An ninh mạng quy định gì", "Điều 5 khoản 2", "2. Chính phủ quy định trình tự"),
    ("Điều 5 khoản 1 điểm đ của Luật An ninh mạng?", "Điều 5 khoản 1 điểm đ", "đ) Ứng phó, khắc phục sự cố"),
    ("Điều 129 Bộ luật Lao động nói gì?", "Điều 129", "Điều 129. Bồi thường thiệt hại"),
    ("khoan 1 dieu 129 luat lao dong", "Điều 129 khoản 1", "1. Người lao động làm hư hỏng"),
])
def test_a_clause_or_point_named_is_quoted_alone(app, question, section, quote):
    answer = app.answerer.ask(question)
    first = answer.citations[0]
    assert first.section.split(",")[0] == section and first.quote.startswith(quote)
    if "khoản" in section:
        assert "\n\nĐiều" not in first.quote and not first.quote.startswith("Điều")


@pytest.mark.parametrize("question, said", [
    ("Điều 99 Luật An ninh mạng quy định gì?", "Luật An ninh mạng số 24/2018/QH14 mà tôi đang có không có Điều 99"),
    ("khoản 7 Điều 5 Luật An ninh mạng", "Điều 5 Luật An ninh mạng số 24/2018/QH14 mà tôi đang có không có khoản 7"),
])
def test_an_article_the_law_does_not_have_is_declined_saying_so(app, question, said):
    answer = app.answerer.ask(question)
    assert answer.status == "not_found" and not answer.citations
    assert said in answer.text and "(văn bản này có 4 điều)" in answer.text


def test_an_article_that_only_qualifies_the_question_is_not_quoted(app):
    question = "Người làm hư hỏng thiết bị theo trường hợp quy định tại Điều 129 Bộ luật Lao động thì có phải bồi thường không?"
    assert app.answerer.examine(question).early is None  # searched and decided as any question


def test_a_law_we_do_not_hold_is_declined_even_typed_bare(app):
    assert app.answerer.ask("dieu 5 luat dat dai").status == "out_of_scope"


def test_any_document_with_articles_is_named_by_its_type_and_number(app):
    answer = app.answerer.ask("Điều 2 Quyết định 12 quy định gì?")
    assert answer.citations[0].section == "Điều 2, Quyết định số 12/QĐ-UBND"


def test_the_document_page_anchors_each_article_and_citations_point_there(app):
    from fastapi.testclient import TestClient

    from bot.render import quote_url, shown
    from channels.web.app import create_app

    client = TestClient(create_app(app))
    body = client.post("/api/ask", json={"question": "khoản 2 Điều 5 Luật An ninh mạng quy định gì?"}).json()
    citation = body["citations"][0]
    assert citation["url"].endswith("/documents/luat-an-ninh-mang?p=4#dieu-5")
    assert citation["link"].startswith("/documents/luat-an-ninh-mang?p=4&q=") and citation["link"].endswith("#dieu-5")
    page = client.get(citation["link"]).text
    article = page[page.index('<div class="article" id="dieu-5">'):]
    article = article[:article.index('<div class="article"', 1)]
    assert "Chương I › Điều 5. Biện pháp bảo vệ an ninh mạng" in article  # the heading path is shown
    assert '<mark class="quoted">2. Chính phủ quy định trình tự' in article
    assert page.count('id="dieu-') == 4 and 'id="dieu-10"' in page
    plan = app.answerer.ask("Kế hoạch truyền thông chuyển đổi số năm 2026 có mục tiêu gì?").citations[0]
    assert "#p-" in plan.url and quote_url(plan, shown(plan)).count("#p-") == 1  # outside articles: the passage


def test_a_question_naming_a_law_searches_that_law(app):
    scope = app.answerer.corpus.scoper.scope("Theo Luật An ninh mạng, thẩm định an ninh mạng là gì?")
    assert scope.doc_ids == {"luat-an-ninh-mang"}
    assert app.answerer.corpus.scoper.scope("theo bo luat lao dong 2019 thi sao").doc_ids == {"bo-luat-lao-dong"}


@pytest.mark.parametrize("question", [
    "Người lao động làm mất dụng cụ, thiết bị của người sử dụng lao động thì phải bồi thường, đúng hay sai?",
    "Có phải người lao động làm mất dụng cụ, thiết bị của người sử dụng lao động thì phải bồi thường không?",
    "Theo Bộ luật Lao động, người lao động làm mất dụng cụ, thiết bị của người sử dụng lao động có phải bồi thường không?",
])
def test_a_statement_to_check_on_a_law_is_answered_with_the_article(app, question):
    answer = app.answerer.ask(question)
    assert answer.status == "answered"
    assert answer.citations[0].section.startswith("Điều 129") and "2. Người lao động làm mất dụng cụ" in answer.citations[0].quote
    assert "ý kiến" not in answer.text


def test_a_reply_that_names_what_is_held_names_the_laws_not_plans(app):
    answer = app.answerer.ask("Bạn nghĩ sao về Luật An ninh mạng?")
    assert answer.status == "out_of_scope"
    assert "Luật An ninh mạng số 24/2018/QH14" in answer.text and "Bộ luật Lao động số 45/2019/QH14" in answer.text
    assert "kế hoạch của" not in answer.text and "  " not in answer.text  # no blank placeholder
