"""Mark the words of a quote that match the question."""
from __future__ import annotations

import re

from hoidap.text import fold

_WORD_RE = re.compile(r"\w+")


def highlights(quote: str, words: list[str]) -> list[list[int]]:
    """[start, end) spans of the quote's words that match a question word; neighbours merge into one span."""
    wanted = set(words)
    spans: list[list[int]] = []
    for m in _WORD_RE.finditer(quote):
        if fold(m.group(0)) not in wanted:
            continue
        if spans and not quote[spans[-1][1] : m.start()].strip():
            spans[-1][1] = m.end()
        else:
            spans.append([m.start(), m.end()])
    return spans
