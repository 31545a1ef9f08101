"""Trim a passage to the sentences and list items that answer, and mark the matching words.

Every piece kept is a verbatim slice of the passage; pieces that are not adjacent are joined by
" … ", so what a citizen reads is always the source's own wording.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from itertools import pairwise

from bot.words import Vocabulary
from hoidap.text import ENUMERATOR, fold

_SENTENCE_END_RE = re.compile(r"(?<=[.!?])\s+(?=[A-ZĐÀ-Ỹ\-–•+\d(“\"])")
_LEAD_RE = re.compile(rf"^{ENUMERATOR}\s|:$")  # a sub-heading or a lead-in line
_ENUMERATOR_RE = re.compile(r"^\s*(\d+(\.\d+)*|[IVXLC]+)\.?$")  # "2." of "2. Phòng …" ends no sentence
_WORD_RE = re.compile(r"\w+")
_LABEL_RE = re.compile(r"^[-+•]?\s*(Đơn vị|Cơ quan|Thời gian|Thời hạn)[^:.]{0,30}:")
GAP = " … "
MAX_PIECES = 4


@dataclass
class _Piece:
    start: int
    end: int
    score: float = 0.0
    lead: bool = False


def _pieces(text: str) -> list[_Piece]:
    """Paragraphs, then sentences within them, as (start, end) offsets into the text."""
    pieces = []
    for para in re.finditer(r"[^\n]+", text):
        start = para.start()
        cuts = [c for c in _SENTENCE_END_RE.finditer(para.group(0)) if not _ENUMERATOR_RE.match(para.group(0)[: c.start()])]
        for cut in [*cuts, None]:
            end = para.start() + cut.start() if cut else para.end()
            piece_text = text[start:end].strip()
            if piece_text:
                pieces.append(_Piece(start, end, lead=_is_lead(piece_text)))
            if cut:
                start = para.start() + cut.end()
    return pieces


def _is_lead(piece: str) -> bool:
    """A sub-heading ("c) Đến năm 2030"), a lead-in ending in ":", or a short title line ("Sở Tài chính")."""
    return len(piece) < 120 and bool(_LEAD_RE.search(piece)) or len(piece) < 60 and piece[-1] not in ".;"


def excerpt(text: str, words: list[str], vocab: Vocabulary, share: float = 0.6,
            prefer: Callable[[str], bool] | None = None) -> str:
    """The pieces of `text` whose covered weight is at least `share` of the best piece's, with their lead-ins.

    A matching piece that `prefer` accepts (one stating a date, for "trước ngày nào") counts as the best.
    """
    pieces = _pieces(text)
    if not pieces:
        return text
    lead = None
    for p in pieces:
        # An item inherits the words of its lead-in: "- Ít nhất 70%…" under "c) Đến năm 2030".
        context = text[lead.start : lead.end] + " " if lead and not p.lead else ""
        p.score = vocab.coverage(words, context + text[p.start : p.end])
        lead = p if p.lead else lead
    best = max(p.score for p in pieces)
    if best == 0:
        return text
    for p in pieces:
        if prefer and p.score > 0 and prefer(text[p.start : p.end]):
            p.score = best
    keep = sorted(pieces, key=lambda p: -p.score)[:MAX_PIECES]
    keep = {id(p) for p in keep if p.score >= share * best}
    chosen: list[_Piece] = []
    for i, p in enumerate(pieces):
        if id(p) not in keep:
            continue
        # The nearest lead-in above ("c) Đến năm 2030", "Sở Tài chính:") says what the item belongs to.
        lead = next((q for q in reversed(pieces[:i]) if q.lead), None)
        following = pieces[i + 1 : i + 4]
        # A heading alone says nothing: bring its first line. "Đơn vị chủ trì: …", "Đơn vị phối hợp: …"
        # say who does the item.
        tail = following[:1] if p.lead else []
        tail += [q for q in following if _LABEL_RE.match(text[q.start : q.end])]
        for q in [lead, p, *tail]:
            if q and q not in chosen:
                chosen.append(q)
    chosen.sort(key=lambda p: p.start)
    out = text[chosen[0].start : chosen[0].end]
    for prev, p in pairwise(chosen):
        adjacent = not text[prev.end : p.start].strip()
        out += text[prev.end : p.start] if adjacent else GAP
        out += text[p.start : p.end]
    return out.strip()


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
