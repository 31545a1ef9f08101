"""Renderers: escaping, highlights per channel, Telegram's 4096-character messages."""
from __future__ import annotations

import json

from bot.render import TELEGRAM_LIMIT, to_html, to_telegram_html, to_text
from hoidap.cli import main
from hoidap.models import Answer, Citation


def citation(quote: str, highlights=None, role="main", url="https://x.gov.vn/documents/d#p-3") -> Citation:
    return Citation("d", "Kế hoạch <b>", "45/KH-UBND", "ngày 12 tháng 8 năm 2025", "UBND tỉnh Đồng Nai",
                    "I. MỤC TIÊU", None, quote, url, highlights or [], "Đồng Nai", role)


def test_html_escapes_everything_and_marks_highlights():
    quote = 'Ít nhất 80% <script>alert("x")</script> người dân'
    answer = Answer("answered", "Theo <i>kế hoạch</i>:", [citation(quote, [[0, 2]]), citation("khác", role="more",
                    url="javascript:alert(1)")], ['"><img src=x onerror=alert(1)>'])
    html = to_html(answer)
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<mark>Ít</mark>" in html
    assert "<i>" not in html and "<img" not in html
    assert "javascript:" not in html
    assert 'href="https://x.gov.vn/documents/d#p-3"' in html


def test_telegram_splits_long_answers_and_keeps_tags_balanced():
    quote = ("Ít nhất 80% người dân & <cán bộ> được tiếp cận thông tin. " * 300).strip()
    spans = [[i, i + 2] for i in range(0, len(quote) - 2, 57)]
    answer = Answer("answered", "Theo kế hoạch:", [citation(quote, spans), citation("Xem", role="more")])
    messages = to_telegram_html(answer)
    assert len(messages) > 1
    assert all(len(m) <= TELEGRAM_LIMIT for m in messages)
    for m in messages:
        assert m.count("<blockquote>") == m.count("</blockquote>") and m.count("<b>") == m.count("</b>")
        assert "<cán bộ>" not in m
    assert "&lt;cán bộ&gt;" in messages[0] and "<b>Ít</b>" in messages[0]


def test_text_lists_sources():
    text = to_text(Answer("answered", "Theo kế hoạch:", [citation("Ít nhất 80%"), citation("Khác", role="more")]))
    assert "“Ít nhất 80%”" in text and "số 45/KH-UBND" in text and "Xem thêm" in text


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
