"""Questions the documents answer about themselves: what a cited resolution is, who signed a plan.

Both answers are verbatim text: the way the plans themselves name a resolution, or the
signature block at the end of a plan.
"""
from __future__ import annotations

import re
from collections import Counter

from bot.words import content_words
from hoidap.models import Document, Passage
from hoidap.text import collapse_ws, fold, folded_text

_WHAT_IS_RE = re.compile(
    r"\b(la gi|la cai gi|noi ve (cai )?gi|ve (van de|noi dung|cai) gi|noi dung (chinh )?(la )?gi|co noi dung gi"
    r"|de lam gi|la van ban gi|gioi thieu)\b"
)
_REFERENCE_RE = re.compile(
    r"\b(nghi quyet|nq|quyet dinh|qd|chi thi|chuong trinh hanh dong|ke hoach|kh)\s*(?:so\s*)?(\d+)(?!\d)"
)
_KINDS = {"nghi quyet": "Nghị quyết", "nq": "Nghị quyết", "quyet dinh": "Quyết định", "qd": "Quyết định",
          "chi thi": "Chỉ thị", "chuong trinh hanh dong": "Chương trình hành động", "ke hoach": "Kế hoạch",
          "kh": "Kế hoạch"}
_SIGNER_RE = re.compile(r"\b(ai ky|nguoi ky|ky boi|do ai ky|ky ten)\b")


def asks_what_is(question: str) -> tuple[str, str] | None:
    """ "Nghị quyết 57 là gì?" → ("Nghị quyết", "57"); not "Kế hoạch 45 có nội dung gì về kinh phí?"."""
    q = folded_text(question)
    m, asking = _REFERENCE_RE.search(q), _WHAT_IS_RE.search(q)
    if m and asking and not content_words(_REFERENCE_RE.sub(" ", _WHAT_IS_RE.sub(" ", q))):
        return _KINDS[m.group(1)], m.group(2)
    return None


def asks_signer(question: str) -> bool:
    return bool(_SIGNER_RE.search(folded_text(question)))


def naming(kind: str, number: str, passages: list[Passage]) -> tuple[Passage, str] | None:
    """How the plans name a resolution ("Nghị quyết số 57-NQ/TW ngày … của … về …"): the wording most
    documents use (so one plan's typo, however often repeated, is not the one quoted), with the first passage that holds it. Mentions
    inside a quoted programme title (“Đẩy mạnh truyền thông thực hiện Nghị quyết …”) are not its name."""
    pattern = re.compile(
        rf"{kind} số {number}(?!\d)[^\s,;]*(?:,? ngày [^,;“”]{{1,25}}?)?(?:,? của [^,;“”]{{1,40}}?)? "
        rf"(?:về|phê duyệt) (?:“[^”]+”|[^;.()“”\n])+",
        re.IGNORECASE,
    )
    found = [(p, m.group(0).strip(" ,")) for p in passages for m in pattern.finditer(p.text)
             if p.text.count("“", 0, m.start()) == p.text.count("”", 0, m.start())]
    if not found:
        return None
    counts = Counter(key for key, _ in {(fold(collapse_ws(text)), p.doc_id) for p, text in found})
    return max(found, key=lambda pt: (counts[fold(collapse_ws(pt[1]))], -len(pt[1])))


def signature(doc: Document, passages: list[Passage]) -> tuple[Passage, str] | None:
    """The signature block ("KT. CHỦ TỊCH / PHÓ CHỦ TỊCH / Lường Văn Toàn") as written, if the text has it."""
    if not doc.signer:
        return None
    for p in reversed(passages):
        end = p.text.rfind(doc.signer)
        if end >= 0:
            lines = [line for line in p.text[: end + len(doc.signer)].split("\n") if line.strip()]
            start = len(lines) - 1
            while start > 0 and lines[start - 1].strip().isupper():  # the role lines above the name
                start -= 1
            return p, "\n".join(lines[start:])
    return None
