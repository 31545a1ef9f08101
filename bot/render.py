"""Render an Answer per channel: plain text, HTML, Telegram HTML. Every source string is escaped."""
from __future__ import annotations

from html import escape

from hoidap.models import Answer, Citation

TELEGRAM_LIMIT = 4096


def source_line(c: Citation) -> str:
    """Title, số hiệu, date, issuer, section, page: what a person needs to find the text."""
    parts = [c.title or c.doc_id]
    if c.number and c.number[0].isdigit():
        parts.append(f"số {c.number}")
    if c.date and any(ch.isdigit() for ch in c.date):
        parts.append(c.date)
    if c.issuer:
        parts.append(c.issuer)
    if c.section:
        parts.append(f"mục {c.section}")
    if c.page:
        parts.append(f"trang {c.page}")
    return ", ".join(p for p in parts if p)


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
def to_text(answer: Answer) -> str:
    main, more = _groups(answer)
    parts = [answer.text]
    for c in main:
        label = f"[{c.locality}] " if len(main) > 1 and c.locality else ""
        link = f"\n{_absolute(c.url)}" if _absolute(c.url) else ""
        parts.append(f"{label}“{c.quote}”\n— {source_line(c)}{link}" if c.quote else f"— {source_line(c)}{link}")
    if more:
        parts.append("Xem thêm:\n" + "\n".join(f"- {c.section or c.title} ({c.issuer}){' ' + _absolute(c.url) if _absolute(c.url) else ''}" for c in more))
    if answer.suggestions:
        parts.append("Gợi ý: " + " | ".join(answer.suggestions))
    return "\n\n".join(p for p in parts if p)


# -- HTML (web widget)
def _html_citation(c: Citation, label: bool) -> str:
    head = f'<p class="locality">{escape(c.locality)}</p>' if label and c.locality else ""
    quote = f"<blockquote>{marked(c.quote, c.highlights, '<mark>', '</mark>')}</blockquote>" if c.quote else ""
    url = _safe_url(c.url)
    source = escape(source_line(c))
    cite = f'<cite><a href="{escape(url)}">{source}</a></cite>' if url else f"<cite>{source}</cite>"
    return f'<figure class="citation">{head}{quote}<figcaption>{cite}</figcaption></figure>'


def to_html(answer: Answer) -> str:
    main, more = _groups(answer)
    parts = [f'<div class="answer answer-{escape(answer.status)}">',
             f'<p class="text">{escape(answer.text).replace(chr(10), "<br>")}</p>']
    parts += [_html_citation(c, len(main) > 1) for c in main]
    if more:
        items = "".join(
            f'<li><a href="{escape(_safe_url(c.url))}">{escape(c.section or c.title)}</a> — {escape(c.issuer)}</li>'
            if _safe_url(c.url) else f"<li>{escape(c.section or c.title)} — {escape(c.issuer)}</li>"
            for c in more
        )
        parts.append(f'<div class="more"><p>Xem thêm:</p><ul>{items}</ul></div>')
    if answer.suggestions:
        buttons = "".join(f'<button type="button" class="suggestion" data-q="{escape(s)}">{escape(s)}</button>'
                          for s in answer.suggestions)
        parts.append(f'<div class="suggestions">{buttons}</div>')
    parts.append("</div>")
    return "".join(parts)


# -- Telegram (HTML subset: b, i, a, blockquote; 4096 characters a message)
def _telegram_quote(c: Citation, label: bool, limit: int) -> list[str]:
    """One citation as blocks; a quote too long for one message is cut at spaces into several."""
    head = f"<b>{escape(c.locality)}</b>\n" if label and c.locality else ""
    url = _absolute(c.url)
    source = escape(source_line(c))
    tail = f'— <a href="{escape(url)}">{source}</a>' if url else f"— {source}"
    blocks, start, text = [], 0, c.quote
    while start < len(text):
        size = len(text) - start
        while True:
            end = start + size
            if end < len(text) and " " in text[start:end]:
                end = text.rindex(" ", start, end) + 1
            spans = [[max(a, start) - start, min(b, end) - start] for a, b in c.highlights if a < end and b > start]
            block = f"<blockquote>{marked(text[start:end], spans, '<b>', '</b>')}</blockquote>"
            if len(head) + len(block) <= limit - 20 or size < 50:
                break
            size //= 2
        blocks.append(head + block)
        head, start = "", end
    blocks.append(tail[:limit])
    return blocks


def to_telegram_html(answer: Answer) -> list[str]:
    main, more = _groups(answer)
    blocks = [escape(answer.text)]
    for c in main:
        blocks += _telegram_quote(c, len(main) > 1, TELEGRAM_LIMIT)
    if more:
        blocks.append("<i>Xem thêm:</i>\n" + "\n".join(
            f'• <a href="{escape(c.url)}">{escape(c.section or c.title)}</a>' if _absolute(c.url)
            else f"• {escape(c.section or c.title)} ({escape(c.issuer)})" for c in more))
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
