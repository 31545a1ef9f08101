"""Renderers: escaping, short numbered sources, clean quotes, highlights, Telegram's 4096-character messages."""
from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

from bot.render import (TELEGRAM_LIMIT, content_spans, short_label, short_section, shown, source_line,
                        strip_emphasis, to_html, to_telegram_html, to_text)
from hoidap.cli import main
from hoidap.models import Answer, Citation

SECTION = "II. MỤC TIÊU CỤ THỂ › 4. Năm 2030 › b) Ít nhất 80% người dân"


def citation(quote: str, highlights=None, role="main", url="https://x.gov.vn/documents/d#p-3", **fields) -> Citation:
    data = dict(doc_id="d", title="Kế hoạch <b>", number="45/KH-UBND", date="ngày 12 tháng 8 năm 2025",
                issuer="UBND tỉnh Đồng Nai", section=SECTION, page=None, quote=quote, url=url,
                highlights=highlights or [], locality="Đồng Nai", role=role)
    return Citation(**{**data, **fields})


def marks(c: Citation, question: str = "") -> list[str]:
    s = shown(c, question)
    return [s.text[a:b] for a, b in s.highlights]


def test_html_escapes_everything_and_marks_highlights():
    quote = 'Ít nhất 80% <script>alert("x")</script> người dân'
    answer = Answer("answered", "Theo <i>kế hoạch</i>:", [citation(quote, [[0, 2]]), citation("khác", role="more",
                    url="javascript:alert(1)")], ['"><img src=x onerror=alert(1)>'])
    html = to_html(answer)
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<mark>Ít</mark>" in html
    assert "<i>" not in html and "<img" not in html
    assert "javascript:" not in html
    assert 'href="https://x.gov.vn/documents/d?p=3&amp;q=' in html and '#p-3"' in html


def test_short_numbered_sources_with_the_full_title_in_a_tooltip():
    answer = Answer("answered", "Về mục tiêu:", [citation("Một", [[0, 3]]), citation("Hai", doc_id="e"),
                                                  citation("Ba " * 60, role="more")])
    html = to_html(answer)
    label = "KH 45/KH-UBND · UBND tỉnh Đồng Nai · 12/8/2025 · mục II.4.b"
    assert f"[1] {label}</a>" in html and f"[2] {label}</a>" in html
    assert 'title="Kế hoạch &lt;b&gt;, số 45/KH-UBND' in html
    assert '<details class="more"><summary>Xem thêm (1)</summary>' in html and "Ba Ba" in html and "…" in html
    text = to_text(answer)
    assert "“Một” [1]" in text and f"[1] {label}\nhttps://x.gov.vn/documents/d#p-3" in text
    assert "Xem thêm:\n- " + label in text


def test_blank_draft_metadata_is_left_out_of_labels():
    draft = citation("x", number="/KH-STP", date="ngày tháng 10 năm 2025", issuer="Sở Tư pháp tỉnh An Giang",
                     section="I. MỤC TIÊU, YÊU CẦU › 1. Mục tiêu › 1.2. Mục tiêu cụ thể › c) Năm 2028 - 2030:")
    assert short_label(draft) == "Sở Tư pháp tỉnh An Giang · mục I.1.2.c"
    assert "/KH-STP" not in source_line(draft) and "ngày tháng" not in source_line(draft)
    assert short_section("Chương II › Điều 5. Phạm vi") == "Chương II, Điều 5"
    assert short_section("Điều 129 khoản 1 điểm a, Bộ luật Lao động số 45/2019/QH14") == "Điều 129 khoản 1 điểm a"
    assert short_section("MỤC ĐÍCH") == ""
    assert short_label(citation("x", number="", date="", issuer="", section="")) == "Kế hoạch <b>"


def test_emphasis_is_stripped_and_highlights_follow_their_words():
    quote = "tinh thần “*5 rõ, 3 dám*” và **học tập số**\n* thường xuyên"
    start = quote.index("học")
    c = citation(quote, [[start, start + len("học tập số")], [quote.index("dám"), quote.index("dám") + 3]])
    s = shown(c)
    assert "*" not in s.text and s.text.endswith("học tập số\n• thường xuyên")
    assert marks(c) == ["dám", "học tập số"]
    assert strip_emphasis("**a**", [[2, 3]]).highlights == [[0, 1]]
    for render in (to_text, lambda a: to_html(a), lambda a: "".join(to_telegram_html(a))):
        assert "*" not in render(Answer("answered", "Về:", [c]))


def test_stop_words_are_never_highlighted():
    quote = "Năm 2030 hiện có 80% người dân tiếp cận"
    c = citation(quote, [[0, len(quote)]])
    assert marks(c) == ["2030", "80% người dân tiếp cận"]


def test_a_word_that_only_matches_without_marks_is_another_word():
    quote = "Ban Tuyên giáo giao nhiệm vụ truyền thông cho hệ thống thông tin"
    spans = [[m, m + len(w)] for w in ("giáo", "giao", "thông", "thống") for m in [quote.index(" " + w + " ") + 1]]
    c = citation(quote, spans)
    assert marks(c, "Ai được giao nhiệm vụ truyền thông?") == ["giao", "thông"]
    assert marks(c, "ai duoc giao nhiem vu truyen thong") == ["giáo giao", "thông", "thống"]  # typed bare
    assert content_spans("thông", [[0, 5]], "Thông tin") == [[0, 5]]  # capitals are the same word


def test_telegram_splits_long_answers_and_keeps_tags_balanced():
    quote = ("Ít nhất 80% người dân & <cán bộ> được tiếp cận thông tin. " * 300).strip()
    spans = [[i, i + 2] for i in range(0, len(quote) - 2, 57)]
    answer = Answer("answered", "Theo kế hoạch:", [citation(quote, spans), citation("Xem", role="more")])
    messages = to_telegram_html(answer)
    assert len(messages) > 1
    assert all(len(m) <= TELEGRAM_LIMIT for m in messages)
    for m in messages:
        assert m.count("<blockquote") == m.count("</blockquote>") and m.count("<b>") == m.count("</b>")
        assert "<cán bộ>" not in m
    assert "&lt;cán bộ&gt;" in messages[0] and "<b>Ít</b>" in messages[0]
    assert "[1] <a href=" in messages[-1] and "<blockquote expandable>" in messages[-1]


def _link(quote: str) -> tuple[str, dict]:
    c = citation(quote, [[quote.index("người"), quote.index("người") + 5]], url="/documents/d#p-3")
    href = to_html(Answer("answered", "Về:", [c])).split('href="')[1].split('"')[0].replace("&amp;", "&")
    parts = urlsplit(href)
    assert parts.path == "/documents/d" and parts.fragment == "p-3"
    return parts.query, parse_qs(parts.query)


def test_web_link_carries_the_whole_quote_or_its_opening_and_closing_words():
    _, short = _link("4. Năm 2030\n\na) Ít nhất 80% người dân tiếp cận thông tin;\nb) phần sau.")
    assert short == {"p": ["3"], "q": ["4. Năm 2030 a) Ít nhất 80% người dân tiếp cận thông tin; b) phần sau."]}
    long = "4. Năm 2030\n\na) Ít nhất 80% người dân tiếp cận thông tin " + "rộng rãi " * 60 + "trên nền tảng số."
    query, parsed = _link(long)
    assert len(query) < 2000 and long.split()[:3] == parsed["q"][0].split()[:3]
    assert parsed["to"][0].endswith("trên nền tảng số.") and len(parsed["to"][0]) <= 80


def test_cli_ask_json_and_batch(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("HOIDAP_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("HOIDAP_EMBEDDER", "none")
    from hoidap.config import get_settings

    get_settings.cache_clear()
    try:
        assert main(["ask", "--json", "xin chào"]) == 0
        assert json.loads(capsys.readouterr().out)["status"] == "smalltalk"
        monkeypatch.setattr("sys.stdin", ["cam on\n", "gia vang hom nay\n"])
        assert main(["ask"]) == 0
        statuses = [json.loads(line)["status"] for line in capsys.readouterr().out.splitlines()]
        assert statuses == ["smalltalk", "out_of_scope"]
        bench = tmp_path / "set.jsonl"
        bench.write_text(json.dumps({"id": "x", "question": "gia vang hom nay", "kind": "out_of_scope",
                                     "doc": None, "answer_quotes": []}) + "\n", encoding="utf-8")
        assert main(["eval", str(bench)]) == 0
        assert "1/1" in capsys.readouterr().out
    finally:
        get_settings.cache_clear()


def test_a_label_names_an_unnumbered_plan_by_its_short_title_and_a_numbered_one_by_its_number():
    unnumbered = citation("…", number="/KH-STP", date="ngày tháng 10 năm 2025", issuer="Sở Tư pháp tỉnh An Giang",
                          short_title="Triển khai thực hiện Nghị quyết số 71/NQ-CP")
    assert short_label(unnumbered).startswith("Sở Tư pháp tỉnh An Giang · Triển khai thực hiện Nghị quyết số 71/NQ-CP · mục")
    numbered = citation("…", short_title="Triển khai Chương trình truyền thông")
    assert short_label(numbered).startswith("KH 45/KH-UBND · UBND tỉnh Đồng Nai · 12/8/2025 · mục")


def test_a_lone_match_that_is_part_of_another_word_is_not_marked(tmp_path):
    """Against the bundled plans' own pairs (Retriever.together): "sử" of "lịch sử" is not the "Sử" of "Sử dụng", "xã"
    of a question is not the "xã" of "xã hội"; the question's own phrase and a word standing alone stay marked."""
    from bot.quote import highlights
    from hoidap.config import Settings
    from hoidap.text import fold
    from hoidap.wiring import open_hoidap

    together = open_hoidap(Settings(data_dir=tmp_path, embedder="none")).retriever.together

    def marked(quote: str, question: str) -> list[str]:
        return [quote[a:b] for a, b in highlights(quote, [fold(w) for w in question.split()], together)]

    assert marked("Sử dụng trí tuệ nhân tạo trong lịch sử", "lịch sử") == ["lịch sử"]
    assert marked("Sử dụng trí tuệ nhân tạo", "lịch sử") == []
    assert marked("phát triển xã hội số", "xã nào") == []
    assert marked("UBND xã Nam Cường", "xã nào") == ["xã"]
    assert marked("Sử dụng trí tuệ nhân tạo", "sử dụng AI") == ["Sử dụng"]
    assert marked("nhiệm vụ được giao", "giao việc gì") == ["giao"]  # "được" is no part of a word
