"""Answer units: the pieces of a passage that can be quoted on their own.

A unit is a verbatim slice of a passage at one of three sizes: a sentence, a paragraph (one line of
the source: a list item, a table row, a heading with its text) or a block (a heading or a lead-in
ending in ":" with everything under it, for "which tasks …", "what targets …"). Every unit carries the
heading path above it, so a quote can say where it sits ("II › 4. Năm 2030 › b)").
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from hoidap.models import Document, Passage
from ingest.chunking import SEPARATOR, HeadingReader, article_of, legal_reference, section_at
from hoidap.text import fold
from ingest.metadata import PLACE_BEFORE_DATE_RE

UnitKind = Literal["sentence", "paragraph", "block"]
MIN_SENTENCE_WORDS = 8  # a shorter sentence is quoted with its paragraph
MAX_BLOCK_CHARS = 1500  # a block stops growing here: an enumeration, not a chapter
# A sentence ends at ". " before a capital, a digit or a list mark; "2." of "2. Phòng …" ends none.
_SENTENCE_END_RE = re.compile(r"(?<=[.!?;])\s+(?=[A-ZĐÀ-Ỹ\-–•+\d(“\"])")
# "Đơn vị thực hiện: Phòng A; Trung tâm B.": a labelled line's values, one statement however many ";" it holds.
_LABEL_RE = re.compile(r"^\s*(?:[-–•+*]\s*)?[A-ZĐÀ-Ỹ][^:;.\n]{0,40}:\s")
_LABELLED_END_RE = re.compile(r"(?<=[.!?])\s+(?=[A-ZĐÀ-Ỹ\-–•+\d(“\"])")
ENUMERATOR_ONLY_RE = re.compile(r"^\s*(Điều\s+\d+\w*|\d+(\.\d+)*|[IVXLC]+|[a-zđ])[.)]?$")
_PARAGRAPH_RE = re.compile(r"[^\n]+")
_ITEM_RE = re.compile(r"^\s*[-–•+*]\s")
LIST_LEVEL = 5  # "a)", "b)": ingest.chunking's deepest heading level, items of a list as often as headings
# The head and tail of a Vietnamese administrative document (Nghị định 30/2020/NĐ-CP, Phụ lục I) state
# the document's own facts; each is labelled with the words a citizen uses to ask for it.
PLACE_DATE = "Địa danh, ngày tháng năm ban hành (ngày ký)"
NUMBER = "Số hiệu của văn bản"
NUMBER_PLACE_DATE = "Số hiệu, địa danh, ngày tháng năm ban hành (ngày ký)"
_NUMBER_RE = re.compile(r"(?<!\w)Số\s*:")
RECIPIENTS = "Nơi nhận (văn bản gửi tới)"
SIGNATURE = "Người ký, chức vụ người ký"
TITLE = "Loại văn bản, tên và trích yếu của văn bản"
# The document as a whole (its profile): what it implements and who issues it, what for, its targets, whom it
# applies to, its closing summary. Each is a unit of its own text, found by its heading or its place in the text.
PREAMBLE = "Căn cứ, văn bản được thực hiện, cơ quan ban hành"
PURPOSE = "Mục đích, yêu cầu, mục tiêu chung"
TARGETS = "Mục tiêu cụ thể, chỉ tiêu"
SUBJECTS = "Phạm vi, đối tượng áp dụng"
SUMMARY = "Phần kết của văn bản"
# The kind of question each part answers: "ký ngày nào" the date, "ai ký" the signer, "gửi cho ai" Nơi nhận,
# "là văn bản gì" the title, "căn cứ vào đâu" the preamble, "để làm gì" the purpose.
PART_ANSWERS = {PLACE_DATE: {"when"}, NUMBER_PLACE_DATE: {"when"}, SIGNATURE: {"who"}, RECIPIENTS: {"who", "list"},
                TITLE: {"overview", "basis"}, PREAMBLE: {"basis", "overview"}, PURPOSE: {"why", "overview"},
                TARGETS: {"list", "how_many"}, SUBJECTS: {"who"}, SUMMARY: {"overview"}}
# A heading that opens a part of the profile (folded, its enumerator gone): "I. MỤC ĐÍCH, YÊU CẦU", "2. Mục tiêu cụ
# thể", "Điều 1. Phạm vi điều chỉnh", "Điều 2. Đối tượng áp dụng".
_PROFILE_HEADINGS = [
    (TARGETS, re.compile(r"^(?:muc tieu cu the|chi tieu|cac chi tieu|muc tieu(?! chung))")),
    (PURPOSE, re.compile(r"^(?:muc dich|yeu cau|muc tieu chung|quan diem|muc dich, yeu cau|muc tieu)")),
    (SUBJECTS, re.compile(r"^(?:doi tuong|pham vi)")),
]
_HEADING_NUMBER_RE = re.compile(r"^(?:Điều\s+\d+\w*|Chương\s+\w+|Mục\s+\d+|[IVXLC]+|\d+(?:\.\d+)*|[a-zđ])[.):]?\s*")
_PREAMBLE_RE = re.compile(r"^(?:Căn cứ|Thực hiện|Trên cơ sở|Theo đề nghị|Xét đề nghị|Theo|Nhằm)\b")
_SUMMARY_RE = re.compile(r"^Trên đây là\b")
_RECIPIENTS_RE = re.compile(r"^Nơi nhận\s*:")
_PLACEHOLDER_RE = re.compile(r"^<[^<>]*>$")  # a template's field code left in the text ("<Chung-01CĐSKH>")
_ROLE_RE = re.compile(r"^[*_]*[A-ZĐÀ-Ỹ][A-ZĐÀ-Ỹ .,/-]*[*_]*$")  # "KT. CHỦ TỊCH", "**PHÓ CHỦ TỊCH**"


def is_title(text: str) -> bool:
    """A heading line with no sentence of its own ("4. Năm 2030", "IV. KINH PHÍ")."""
    return len(text) < 120 and not text.rstrip().endswith((".", ";", ":"))


@dataclass(frozen=True)
class Unit:
    passage: Passage
    document: Document
    start: int
    end: int
    kind: UnitKind
    heading: str  # section path at the unit's start
    part: str = ""  # what a unit of the document's head or tail states: "Người ký", "Nơi nhận", …

    @property
    def text(self) -> str:
        return self.passage.text[self.start : self.end]

    @property
    def key(self) -> tuple[str, int, int]:
        return self.passage.id, self.start, self.end


@dataclass
class _Para:
    start: int
    end: int
    text: str
    level: int | None  # heading level (ingest.chunking), None for body text
    lead: bool  # ends in ":" and introduces what follows


def _paragraphs(text: str, section: str) -> list[_Para]:
    out = []
    reader = HeadingReader(section.split(SEPARATOR))
    for m in _PARAGRAPH_RE.finditer(text):
        body = m.group(0).strip()
        if not body or _PLACEHOLDER_RE.match(body):
            continue
        start = m.start() + len(m.group(0)) - len(m.group(0).lstrip())
        # "Nơi nhận:" leads its list even with the signer's role printed beside it ("Nơi nhận: KT. CHỦ TỊCH")
        lead = body.endswith(":") or bool(_RECIPIENTS_RE.match(body))
        out.append(_Para(start, start + len(body), body, reader.level(body), lead))
    return out


def _sentences(para: _Para) -> list[tuple[int, int]]:
    spans, start = [], 0
    for cut in (_LABELLED_END_RE if _LABEL_RE.match(para.text) else _SENTENCE_END_RE).finditer(para.text):
        if ENUMERATOR_ONLY_RE.match(para.text[start : cut.start()]):
            continue
        spans.append((start, cut.start()))
        start = cut.end()
    spans.append((start, len(para.text)))
    return [(para.start + a, para.start + b) for a, b in spans if para.text[a:b].strip()]


def _block_end(paras: list[_Para], i: int) -> int | None:
    """Where the block opened by paragraph i ends (an offset), or None when nothing belongs under it."""
    head, end = paras[i], None
    for p in paras[i + 1 :]:
        if head.level is not None:  # a heading owns everything down to its next sibling or parent
            if p.level is not None and p.level <= head.level:
                break
        elif not (_ITEM_RE.match(p.text) or p.level == LIST_LEVEL):  # a lead-in owns its items only
            break
        if p.end - head.start > MAX_BLOCK_CHARS:
            break
        end = p.end
    return end


def _head_parts(passage: Passage, paras: list[_Para]) -> dict[tuple[int, int], str]:
    """Labels of the first passage's paragraphs above its first heading: number, place and date, title."""
    if passage.ordinal != 0:
        return {}
    parts: dict[tuple[int, int], str] = {}
    for para in paras:
        if para.level is not None:
            break
        label = _head_label(para.text)
        preamble = bool(_PREAMBLE_RE.match(para.text)) or PREAMBLE in parts.values()
        if label is None and not preamble and (para.text.isupper() or TITLE in parts.values() and len(parts) < 6):
            label = TITLE  # "KẾ HOẠCH" and the trích yếu lines under it
        if label is None and TITLE in parts.values():  # "Căn cứ …", "Thực hiện …", "UBND xã … ban hành Kế hoạch …"
            label = PREAMBLE
        if label is None:
            break
        parts[(para.start, para.end)] = label
    return parts


def _profile_label(para: _Para) -> str | None:
    """The profile part a heading opens ("1. Mục đích" → PURPOSE), or a closing "Trên đây là …" paragraph."""
    if para.level is None:
        return SUMMARY if _SUMMARY_RE.match(para.text) else None
    title = fold(_HEADING_NUMBER_RE.sub("", para.text, count=1))
    return next((label for label, pattern in _PROFILE_HEADINGS if pattern.match(title)), None)


def _head_label(text: str) -> str | None:
    """Number, place and date: printed side by side with the issuer and the motto, a DOCX table or a PDF
    reads them into one line ("UBND … Số: 123/KH-STP | CỘNG HÒA … Đồng Nai, ngày 05 tháng 3 năm 2025")."""
    number = _NUMBER_RE.search(text)
    place_date = PLACE_BEFORE_DATE_RE.search(text, number.end()) if number else PLACE_BEFORE_DATE_RE.match(text)
    if number and place_date:
        return NUMBER_PLACE_DATE
    return NUMBER if number else PLACE_DATE if place_date else None


def _signature(passage: Passage, document: Document) -> tuple[int, int] | None:
    """The signature block ("KT. CHỦ TỊCH / PHÓ CHỦ TỊCH / name"): the upper-case role lines above the signer."""
    end = passage.text.rfind(document.signer) if document.signer else -1
    if end < 0:
        return None
    lines = [m for m in _PARAGRAPH_RE.finditer(passage.text[:end]) if m.group(0).strip()]
    start = end
    for m in reversed(lines):
        if not _ROLE_RE.match(m.group(0).strip()):
            break
        start = m.start()
    return start, end + len(document.signer)


def split_units(passage: Passage, document: Document) -> list[Unit]:
    """Every sentence, paragraph and block of a passage, each once, in reading order."""
    paras = _paragraphs(passage.text, passage.section)
    spans: dict[tuple[int, int], UnitKind] = {}
    parts = _head_parts(passage, paras)
    profile: dict[tuple[int, int], str] = {}
    signature = _signature(passage, document)
    if signature:  # one unit: a role line or a name alone says nothing
        spans[signature] = "block"
        parts[signature] = SIGNATURE
        paras = [p for p in paras if not (signature[0] <= p.start and p.end <= signature[1])]
    for i, para in enumerate(paras):
        sentences = _sentences(para)
        if len(sentences) > 1:
            for a, b in sentences:  # a short sentence ("Hoàn thành trong năm 2025.") means something in its paragraph only
                if len(passage.text[a:b].split()) >= MIN_SENTENCE_WORDS:
                    spans.setdefault((a, b), "sentence")
        end = _block_end(paras, i) if para.level is not None or para.lead else None
        if end is None or not (is_title(para.text) or para.lead and len(para.text) < 30):
            # a bare heading ("4. Năm 2030") or lead-in ("Nơi nhận:") says nothing: its block does
            spans.setdefault((para.start, para.end), "paragraph")
        if end is not None:
            spans.setdefault((para.start, end), "block")
            if _RECIPIENTS_RE.match(para.text):
                parts[(para.start, end)] = RECIPIENTS
                parts.update({(p.start, p.end): RECIPIENTS for p in paras[i + 1:] if p.end <= end})
        if label := _profile_label(para):
            profile[(para.start, end if end is not None else para.end)] = label
    # A unit of the head or tail sits under no heading of the body: its label says what it is. A part of the
    # profile keeps its heading ("I. MỤC ĐÍCH, YÊU CẦU › 1. Mục đích").
    return [Unit(passage, document, a, b, kind, "" if (a, b) in parts else section_at(passage.section, passage.text, a),
                 parts.get((a, b)) or profile.get((a, b), "")) for (a, b), kind in sorted(spans.items())]


def article_label(passage: Passage) -> str:
    """ "Điều 5" when the passage lies in an article (none crosses one), else blank."""
    label = article_of(passage.section.split(SEPARATOR))
    return legal_reference(label) if label else ""


def cited_units(passages: list[Passage], document: Document, reference: str) -> list[Unit]:
    """What "Điều 5" or "Điều 5 khoản 2" covers in a document: one block per passage it spans, from its heading
    to its last paragraph; none when the document has no such article or clause."""
    article = " ".join(reference.split()[:2])
    units = []
    for p in passages:
        if article_label(p) != article:
            continue
        span, offset = None, 0
        for para in p.text.split("\n\n"):
            cited = legal_reference(section_at(p.section, p.text, offset))
            if cited == reference or cited.startswith(reference + " "):
                span = (span[0] if span else offset, offset + len(para))
            offset += len(para) + 2
        if span:
            units.append(Unit(p, document, *span, "block", section_at(p.section, p.text, span[0])))
    return units
