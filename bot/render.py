"""Render an Answer per channel: plain text, HTML, Telegram HTML."""
from __future__ import annotations

from hoidap.models import Answer


def to_text(answer: Answer) -> str:
    parts = [answer.text]
    for i, c in enumerate(answer.citations, start=1):
        parts.append(f"[{i}] {c.quote}\n— {c.issuer}, {c.number} {c.date}, {c.section}")
    return "\n\n".join(parts)
