"""Render an Answer per channel: plain text, HTML, Telegram HTML. Every source string is escaped.

Layout, the same on every channel: the answer's own line, each quote followed by its number, then the
numbered short sources ("[1] KH 45/KH-UBND · UBND tỉnh Đồng Nai · 12/8/2025 · mục II.4.b"), then
"Xem thêm" with one-line snippets. Quotes are cleaned for display only (markdown emphasis removed,
highlights kept on content words); the data stays verbatim.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape
from urllib.parse import parse_qs, quote as url_quote

from bot.words import STOPWORDS
from hoidap.models import Answer, Citation, Document
from hoidap.text import fold, has_diacritics, syllables

TELEGRAM_LIMIT = 4096
SNIPPET_CHARS = 110  # one line of "Xem thêm"
# A citation link carries the quote's opening words (?q=) and, when it is longer, its closing words (?to=): the
# document page marks everything between, a heading and its whole list included.
QUOTE_START_CHARS, QUOTE_END_CHARS = 300, 80
# Words that carry no meaning of their own in a highlight, on top of the question stop words.
DISPLAY_STOPWORDS = STOPWORDS | {"năm", "hiện", "nay", "ngày", "tháng", "theo", "đối", "với", "bao", "gồm"}

_WORD_RE = re.compile(r"\w+")
_NUMBERED_RE = re.compile(r"^\s*(?:(Chương|Mục|Điều|Phần)\s+([IVXLCDM]+|\d+)\b|([IVXLCDM]+|\d+(?:\.\d+)*|[a-zđ])\s*[.):])",
                          re.I)
_LEGAL_RE = re.compile(r"^Điều \d+\w*(?: khoản \d+)?(?: điểm [a-zđ])?(?=,|$)")  # bot.answerer's legal citation
_DATE_RE = re.compile(r"(\d{1,2})\s*(?:tháng|/|-)\s*(\d{1,2})\s*(?:năm|/|-)\s*(\d{4})", re.I)
_KIND_RE = re.compile(r"/([A-ZĐ]+)")


@dataclass
class Shown:
    """A quote as shown: emphasis markers gone, highlights moved onto content words only."""

    text: str
    highlights: list[list[int]]


# -- clean text
def strip_emphasis(text: str, spans: list[list[int]] | None = None) -> Shown:
    """Drop markdown emphasis (`*…*`, `**…**`): a line-leading "* " becomes a bullet, other `*` go.

    Highlight spans are moved with the text, so they still cover the same words.
    """
    out: list[str] = []
    where = [0] * (len(text) + 1)  # old offset → new offset
    for i, ch in enumerate(text):
        where[i] = len(out)
        if ch != "*":
            out.append(ch)
        elif (i == 0 or text[i - 1] == "\n") and text[i + 1 : i + 2] == " ":
            out.append("•")
    where[len(text)] = len(out)
    moved = [[where[a], where[b]] for a, b in spans or [] if 0 <= a < b <= len(text) and where[a] < where[b]]
    return Shown("".join(out), moved)


def content_spans(text: str, spans: list[list[int]], question: str = "") -> list[list[int]]:
    """Keep highlighted words that carry meaning; neighbours merge into one span.

    A stop word ("có", "hiện", "năm") is dropped. With the question known and typed with marks, a word
    that only matches a question word once both lose their marks is another word ("giao" ≠ "giáo").
    """
    asked = syllables(question) if has_diacritics(question) else []
    exact = set(asked)
    folded = {fold(w) for w in asked}
    kept: list[list[int]] = []
    for m in _WORD_RE.finditer(text):  # whole words only, even when a span covers part of one
        if not any(a < m.end() and m.start() < b for a, b in spans):
            continue
        word = m.group(0).lower()
        if word in DISPLAY_STOPWORDS or (fold(word) in folded and word not in exact):
            continue
        if kept and not text[kept[-1][1] : m.start()].strip(" %\n"):  # "80% người dân" is one mark
            kept[-1][1] = m.end()
        else:
            kept.append([m.start(), m.end()])
    return kept


def shown(c: Citation, question: str = "") -> Shown:
    """The quote of a citation as every channel shows it."""
    clean = strip_emphasis(c.quote, c.highlights)
    return Shown(clean.text, content_spans(clean.text, clean.highlights, question))


def clean_heading(text: str) -> str:
    return strip_emphasis(text).text


# -- short sources
def real_number(number: str) -> str:
    """The số hiệu when it has its number ("45/KH-UBND"); a draft blank ("/KH-STP") is no number."""
    return number.strip() if number.strip()[:1].isdigit() else ""


def document_name(doc: Document) -> str:
    """How lists name a document: "KẾ HOẠCH 45/KH-UBND"; without a number, its short title tells it from the
    issuer's other documents ("KẾ HOẠCH – Triển khai thực hiện Nghị quyết số 71/NQ-CP")."""
    kind = doc.doc_type or "Văn bản"
    if number := real_number(doc.number):
        return f"{kind} {number}"
    return f"{kind} – {doc.short_title}" if doc.short_title else kind


def short_date(date: str) -> str:
    """"ngày 12 tháng 8 năm 2025" → "12/8/2025"; a date with blanks ("ngày tháng 10 năm 2025") → ""."""
    m = _DATE_RE.search(date or "")
    return f"{int(m.group(1))}/{int(m.group(2))}/{m.group(3)}" if m else ""


def short_section(section: str) -> str:
    """"III. NHIỆM VỤ › 2. Tăng cường … › a) Xây dựng …" → "mục III.2.a"; "Điều 5" stays "Điều 5"; a legal
    citation ("Điều 129 khoản 1 điểm a, Bộ luật Lao động số …") keeps its article, khoản and điểm."""
    if m := _LEGAL_RE.match(section):
        return m.group(0)
    numbers: list[str] = []
    for part in clean_heading(section).split("›"):
        m = _NUMBERED_RE.match(part)
        if not m:
            continue
        if m.group(1):  # Chương II, Điều 5: named, not dotted
            numbers.append(f"{m.group(1).capitalize()} {m.group(2)}")
            continue
        n = m.group(3)
        if numbers and n.startswith(numbers[-1] + "."):  # "1." then "1.2.": the deeper one says both
            numbers[-1] = n
        else:
            numbers.append(n)
    if not numbers:
        return ""
    if any(" " in n for n in numbers):
        return ", ".join(numbers)
    return "mục " + ".".join(numbers)


def short_label(c: Citation) -> str:
    """"KH 45/KH-UBND · UBND tỉnh Đồng Nai · 12/8/2025 · mục II.4.b": blanks left out; with no number, the document's
    short title after its issuer."""
    number = real_number(c.number)
    kind = _KIND_RE.search(number)
    parts = [f"{kind.group(1)} {number}" if kind else number, c.issuer.strip(), "" if number else c.short_title,
             short_date(c.date), short_section(c.section), f"trang {c.page}" if c.page else ""]
    label = " · ".join(p for p in parts if p)
    return label or clean_heading(c.title or c.doc_id)


def source_line(c: Citation) -> str:
    """The full source: title, số hiệu, date, issuer, section, page (a tooltip, the API's `source`)."""
    parts = [clean_heading(c.title or c.doc_id)]
    if real_number(c.number):
        parts.append(f"số {real_number(c.number)}")
    if short_date(c.date):
        parts.append(c.date)
    if c.issuer:
        parts.append(c.issuer)
    if c.section:
        parts.append(f"mục {clean_heading(c.section)}")
    if c.page:
        parts.append(f"trang {c.page}")
    return ", ".join(p for p in parts if p)


def snippet(c: Citation) -> str:
    """One line of the quote for "Xem thêm", cut at a word."""
    text = " ".join(strip_emphasis(c.quote).text.split())
    if len(text) <= SNIPPET_CHARS:
        return text
    return text[:SNIPPET_CHARS].rsplit(" ", 1)[0] + "…"


def _words_within(words: list[str], limit: int) -> list[str]:
    """As many of `words`, from the first, as fit in `limit` characters joined by spaces (one at least)."""
    taken, size = [], -1
    for word in words:
        if taken and size + 1 + len(word) > limit:
            break
        taken.append(word)
        size += 1 + len(word)
    return taken


def quote_url(c: Citation, quote: Shown) -> str:
    """The citation link with its passage (?p=) and the quoted range (?q=, ?to=): the document page marks it there."""
    words = quote.text.split()
    path, _, anchor = c.url.partition("#")
    path, _, query = path.partition("?")
    passage = anchor[2:] if anchor.startswith("p-") else parse_qs(query).get("p", [""])[0]  # "?p=4#dieu-129"
    if not words or not passage:
        return c.url
    start = _words_within(words, QUOTE_START_CHARS)
    url = f"{path}?p={passage}&q={url_quote(' '.join(start), safe='')}"
    if len(start) < len(words):
        end = _words_within(words[len(start):][::-1], QUOTE_END_CHARS)[::-1]
        url += f"&to={url_quote(' '.join(end), safe='')}"
    return f"{url}#{anchor}"


def marked(text: str, spans: list[list[int]], start: str, end: str) -> str:
    """Escape the text and wrap each highlight span in the channel's own tags."""
    out, pos = [], 0
    for a, b in sorted(spans):
        if a < pos or b > len(text):
            continue
        out += [escape(text[pos:a]), start, escape(text[a:b]), end]
        pos = b
    out.append(escape(text[pos:]))
    return "".join(out)


def _safe_url(url: str) -> str:
    return url if url.startswith(("http://", "https://", "/")) else ""


def _groups(answer: Answer) -> tuple[list[Citation], list[Citation]]:
    return [c for c in answer.citations if c.role != "more"], [c for c in answer.citations if c.role == "more"]


def _absolute(url: str) -> str:
    """Only a full address means something outside the web page (HOIDAP_PUBLIC_URL makes them so)."""
    return url if url.startswith(("http://", "https://")) else ""


# -- plain text (CLI, Zalo, Messenger)
def to_text(answer: Answer, question: str = "") -> str:
    main, more = _groups(answer)
    parts = [answer.text]
    for i, c in enumerate(main, 1):
        label = f"[{c.locality}] " if len(main) > 1 and c.locality else ""
        quote = shown(c, question).text
        if quote:
            parts.append(f"{label}“{quote}” [{i}]")
    if main:
        parts.append("Nguồn:\n" + "\n".join(
            f"[{i}] {short_label(c)}" + (f"\n{_absolute(c.url)}" if _absolute(c.url) else "")
            for i, c in enumerate(main, 1)))
    if more:
        parts.append("Xem thêm:\n" + "\n".join(
            f"- {short_label(c)}: {snippet(c)}" + (f" {_absolute(c.url)}" if _absolute(c.url) else "")
            for c in more))
    if answer.suggestions:
        parts.append("Gợi ý: " + " | ".join(answer.suggestions))
    return "\n\n".join(p for p in parts if p)


# -- HTML (web pages)
def _html_link(c: Citation, text: str, url: str) -> str:
    title = escape(source_line(c))
    url = _safe_url(url)
    return f'<a href="{escape(url)}" title="{title}">{escape(text)}</a>' if url else \
        f'<span title="{title}">{escape(text)}</span>'


def _html_citation(c: Citation, number: int, label: bool, question: str) -> str:
    head = f'<p class="locality">{escape(c.locality)}</p>' if label and c.locality else ""
    quote = shown(c, question)
    block = f"<blockquote>{marked(quote.text, quote.highlights, '<mark>', '</mark>')}</blockquote>" if quote.text else ""
    cite = _html_link(c, f"[{number}] {short_label(c)}", quote_url(c, quote))
    return f'<figure class="citation">{head}{block}<figcaption><cite>{cite}</cite></figcaption></figure>'


def to_html(answer: Answer, question: str = "") -> str:
    main, more = _groups(answer)
    parts = [f'<div class="answer answer-{escape(answer.status)}">',
             f'<p class="text">{escape(answer.text).replace(chr(10), "<br>")}</p>']
    parts += [_html_citation(c, i, len(main) > 1, question) for i, c in enumerate(main, 1)]
    if more:
        items = "".join(f'<li>{_html_link(c, short_label(c), c.url)}<span class="snippet">{escape(snippet(c))}</span></li>'
                        for c in more)
        parts.append(f'<details class="more"><summary>Xem thêm ({len(more)})</summary><ul>{items}</ul></details>')
    if answer.suggestions:
        buttons = "".join(f'<button type="button" class="suggestion" data-q="{escape(s)}">{escape(s)}</button>'
                          for s in answer.suggestions)
        parts.append(f'<div class="suggestions">{buttons}</div>')
    parts.append("</div>")
    return "".join(parts)


# -- Telegram (HTML subset: b, i, a, blockquote; 4096 characters a message)
def _telegram_quote(c: Citation, number: int, label: bool, limit: int, question: str) -> list[str]:
    """One citation as blocks; a quote too long for one message is cut at spaces into several."""
    head = f"<b>{escape(c.locality)}</b>\n" if label and c.locality else ""
    quote = shown(c, question)
    blocks, start, text = [], 0, quote.text
    while start < len(text):
        size = len(text) - start
        while True:
            end = start + size
            if end < len(text) and " " in text[start:end]:
                end = text.rindex(" ", start, end) + 1
            spans = [[max(a, start) - start, min(b, end) - start] for a, b in quote.highlights if a < end and b > start]
            block = f"<blockquote>{marked(text[start:end], spans, '<b>', '</b>')}</blockquote>"
            if len(head) + len(block) <= limit - 20 or size < 50:
                break
            size //= 2
        blocks.append(head + block)
        head, start = "", end
    blocks.append(f"[{number}] {_telegram_link(c, short_label(c))}"[:limit])
    return blocks


def _telegram_link(c: Citation, text: str) -> str:
    url = _absolute(c.url)
    return f'<a href="{escape(url)}">{escape(text)}</a>' if url else escape(text)


def to_telegram_html(answer: Answer, question: str = "") -> list[str]:
    main, more = _groups(answer)
    blocks = [escape(answer.text)]
    for i, c in enumerate(main, 1):
        blocks += _telegram_quote(c, i, len(main) > 1, TELEGRAM_LIMIT, question)
    if more:  # collapsed, as on the web page
        blocks.append("<i>Xem thêm:</i>\n<blockquote expandable>" + "\n".join(
            f"• {_telegram_link(c, short_label(c))}: {escape(snippet(c))}" for c in more) + "</blockquote>")
    return _pack(blocks, TELEGRAM_LIMIT)


def _pack(blocks: list[str], limit: int) -> list[str]:
    """Greedily join whole blocks into messages of at most `limit` characters."""
    messages: list[str] = []
    for block in blocks:
        while len(block) > limit:  # only plain escaped text can be this long: cut outside entities
            cut = block.rfind(" ", 0, limit) + 1 or limit
            cut = cut if "&" not in block[max(cut - 8, 0):cut] else block.rfind("&", 0, cut)
            messages.append(block[:cut])
            block = block[cut:]
        if messages and len(messages[-1]) + 2 + len(block) <= limit:
            messages[-1] += "\n\n" + block
        else:
            messages.append(block)
    return [m for m in messages if m.strip()]
