"""Cut a document into passages along its heading tree: plans (I. › 1. › 1.1. › a)) and legal texts
(Phần › Chương › Mục › Điều › khoản 1. › điểm a)); a Quyết định may carry an attached plan after its articles."""
from __future__ import annotations

import re
from dataclasses import dataclass

from hoidap.models import Document, Passage

MAX_WORDS = 250  # a passage is cut at paragraph, then sentence, then (last resort) word boundaries to fit
MAX_CHARS = 4000  # hard cap, whatever the text: a run-on "sentence" or an endless "word" is cut too
MIN_WORDS = 80  # smaller sections are packed with their neighbours

# (level, pattern): a lower level is higher in the tree.
_HEADINGS = [
    (-1, re.compile(r"^(Phần|PHẦN)\s+(thứ\s+\w+|THỨ\s+\w+|[IVXLC]+\b|\d+\b)")),
    (0, re.compile(r"^Chương\s+[IVXLC\d]+\b", re.I)),
    (1, re.compile(r"^(Mục\s+\d+\b|[IVXLC]+\.\s)")),
    (2, re.compile(r"^(Điều\s+\d+|\d+\.\s)")),
    (3, re.compile(r"^\d+\.\d+\.?\s")),
    (4, re.compile(r"^\d+\.\d+\.\d+\.?\s")),
    (5, re.compile(r"^[a-zđ]\)\s")),
]
ARTICLE_RE = re.compile(r"^Điều\s+\d+\w*")  # "Điều 37. Chuyển đổi giới tính": an article of a legal text
ARTICLE, CLAUSE, POINT = 2, 3, 5  # inside an article, "1." is a khoản, one level under its Điều; "a)" a điểm
# The type line of a document attached after the articles ("KẾ HOẠCH", then I., II. …): above everything.
_ATTACHED_RE = re.compile(r"^(KẾ HOẠCH|CHƯƠNG TRÌNH|QUY CHẾ|QUY ĐỊNH|ĐỀ ÁN|HƯỚNG DẪN|PHỤ LỤC)\b[^a-zà-ỹ]*$")
ATTACHED = -2
_SENTENCE_END_RE = re.compile(r"(?<=[.;!?])\s+(?=[A-ZĐÀ-Ỹ\-–•+\d])")
SEPARATOR = " › "
FRONT = "Phần mở đầu"


@dataclass
class _Paragraph:
    text: str
    page: int | None
    level: int | None = None  # heading level in its document, None for body text


@dataclass
class _Unit:
    """A heading (or the front matter) with its body paragraphs."""

    path: list[str]
    paragraphs: list[_Paragraph]

    @property
    def chars(self) -> int:  # of the passage text, "\n\n" between paragraphs included
        return sum(len(p.text) + 2 for p in self.paragraphs)

    @property
    def words(self) -> int:
        return sum(len(p.text.split()) for p in self.paragraphs)


def heading_level(paragraph: str, in_article: bool = False) -> int | None:
    """The level of a heading line, None for body text; `in_article`: under a Điều, where "1." is a khoản."""
    for level, pattern in _HEADINGS:
        if pattern.match(paragraph):
            return CLAUSE if in_article and level == ARTICLE and not ARTICLE_RE.match(paragraph) else level
    return None


class HeadingReader:
    """Levels of a document's paragraphs in reading order: whether "1." is a khoản or a plan section depends
    on whether an article (Điều) is open above it; a plan attached after the articles opens at its type line."""

    def __init__(self, path: list[str] = ()):
        self.in_article = any(ARTICLE_RE.match(label) for label in path)
        self.seen_article = self.in_article

    def level(self, paragraph: str) -> int | None:
        if self.seen_article and _ATTACHED_RE.match(paragraph):
            self.in_article = self.seen_article = False
            return ATTACHED
        level = heading_level(paragraph, self.in_article)
        if level is not None and level <= ARTICLE:
            self.in_article = bool(ARTICLE_RE.match(paragraph))
            self.seen_article = self.seen_article or self.in_article
        return level


def legal_reference(section: str) -> str:
    """A heading path as lawyers cite it: "Chương XI › Điều 129. Bồi thường … › 1. Người … › a) Gây …" →
    "Điều 129 khoản 1 điểm a"; blank when the path holds no article."""
    reader, parts = HeadingReader(), []
    for label in section.split(SEPARATOR):
        level = reader.level(label)
        if article := ARTICLE_RE.match(label):
            parts = [" ".join(article.group(0).split())]
        elif parts and level == CLAUSE:
            parts[1:] = [f"khoản {label.split('.', 1)[0]}"]
        elif parts and level == POINT:
            parts.append(f"điểm {label[0]}")
    return " ".join(parts)


def article_anchor(section: str) -> str:
    """The id of a heading path's article on the document page: "Chương XI › Điều 129. … › 1. …" → "dieu-129"."""
    reference = legal_reference(section)
    return f"dieu-{reference.split()[1].lower()}" if reference else ""


def article_of(path: list[str]) -> str | None:
    """The "Điều N. …" label of a heading path, None outside articles."""
    return next((label for label in path if ARTICLE_RE.match(label)), None)


def section_label(heading: str) -> str:
    """A heading as shown in a section path: its first words, never the whole body."""
    first = heading.split(":")[0] if len(heading) > 90 else heading
    words = first.split()
    return " ".join(words[:14]) + (" …" if len(words) > 14 else "")


def section_at(section: str, text: str, offset: int) -> str:
    """The section path at `offset` of a passage's text: a passage that packs "2. Năm 2026" … "4. Năm
    2030" has its common parent as `section`; a quote from inside it is cited down to its own heading."""
    labels = section.split(SEPARATOR)
    reader = HeadingReader(labels)
    path = [(HeadingReader(labels[:i]).level(label), label) for i, label in enumerate(labels)]
    start = 0
    for paragraph in text.split("\n\n"):
        if start > offset:
            break
        level = reader.level(paragraph)
        if level is not None and (level, section_label(paragraph)) not in path:
            while path and path[-1][0] is not None and path[-1][0] >= level:
                path.pop()
            path.append((level, section_label(paragraph)))
        start += len(paragraph) + 2
    return SEPARATOR.join(label for _, label in path)


def _paragraphs(pages: list[str], paged: bool) -> list[_Paragraph]:
    out: list[_Paragraph] = []
    reader = HeadingReader()
    for number, page in enumerate(pages, start=1):
        for text in (t.strip() for t in page.split("\n\n")):
            if text:
                out.append(_Paragraph(text, number if paged else None, reader.level(text)))
    return out


def _units(paragraphs: list[_Paragraph]) -> list[_Unit]:
    stack: list[tuple[int, str]] = []
    units = [_Unit([FRONT], [])]
    for para in paragraphs:
        level = para.level
        if level is None:
            units[-1].paragraphs.append(para)
            continue
        while stack and stack[-1][0] >= level:
            stack.pop()
        stack.append((level, section_label(para.text)))
        units.append(_Unit([label for _, label in stack], [para]))
    return _attach_bare_headings([u for u in units if u.paragraphs])


def _attach_bare_headings(units: list[_Unit]) -> list[_Unit]:
    """A heading with no body of its own ("1. Năm 2025" before its a) b) c)) opens the next unit."""
    out: list[_Unit] = []
    carried: list[_Paragraph] = []
    for i, unit in enumerate(units):
        bare = len(unit.paragraphs) == 1 and unit.paragraphs[0].level is not None
        if bare and i + 1 < len(units) and len(units[i + 1].path) > len(unit.path):
            carried.extend(unit.paragraphs)
            continue
        out.append(_Unit(unit.path, carried + unit.paragraphs))
        carried = []
    return out


def _fits(text: str) -> bool:
    return len(text) + 2 <= MAX_CHARS and len(text.split()) <= MAX_WORDS


def _hard_split(text: str) -> list[str]:
    """A sentence too long for one passage, cut every MAX_WORDS words and, inside those, every MAX_CHARS."""
    words = text.split()
    step = MAX_CHARS - 2
    return [piece[i: i + step]
            for start in range(0, len(words), MAX_WORDS)
            for piece in [" ".join(words[start: start + MAX_WORDS])]
            for i in range(0, len(piece), step)]


def _split_long(unit: _Unit) -> list[_Unit]:
    """Split a unit over MAX_WORDS or MAX_CHARS at paragraph, then sentence boundaries; nothing is dropped."""
    pieces: list[_Paragraph] = []
    for para in unit.paragraphs:
        if _fits(para.text):
            pieces.append(para)
            continue
        for sentence in _SENTENCE_END_RE.split(para.text):
            texts = [sentence] if _fits(sentence) else _hard_split(sentence)
            pieces.extend(_Paragraph(text, para.page) for text in texts)
    out: list[_Unit] = []
    for piece in pieces:
        if out and out[-1].words + len(piece.text.split()) <= MAX_WORDS and out[-1].chars + len(piece.text) + 2 <= MAX_CHARS:
            out[-1].paragraphs.append(piece)
        else:
            out.append(_Unit(unit.path, [piece]))
    return out


def _common_path(paths: list[list[str]]) -> list[str]:
    common = paths[0]
    for path in paths[1:]:
        n = 0
        while n < min(len(common), len(path)) and common[n] == path[n]:
            n += 1
        common = common[:n]
    return common or paths[0][:1]


def _top(path: list[str]) -> str:
    """The top-level section of a path; in a plan attached to a Quyết định, its own I., II."""
    return path[1] if len(path) > 1 and _ATTACHED_RE.match(path[0]) else path[0]


def _pack(units: list[_Unit]) -> list[list[_Unit]]:
    """Pack small neighbouring units (same top-level section, same article) into passages of bounded length:
    no passage crosses a Điều."""
    groups: list[list[_Unit]] = []
    for unit in units:
        if groups:
            last = groups[-1]
            size = sum(u.words for u in last)
            fits = size + unit.words <= MAX_WORDS and sum(u.chars for u in last) + unit.chars <= MAX_CHARS
            same_top = _top(last[0].path) == _top(unit.path) and article_of(last[0].path) == article_of(unit.path)
            if same_top and (size < MIN_WORDS or unit.words < MIN_WORDS) and fits:
                last.append(unit)
                continue
        groups.append([unit])
    return groups


def header_line(doc: Document, section: str) -> str:
    """Issuer · locality · document · section: indexed with every passage, never quoted."""
    parts = [doc.issuer, doc.locality, f"{doc.doc_type.capitalize()} {doc.number}".strip(), doc.title, section]
    return " · ".join(p for p in parts if p)


def chunk(doc: Document, pages: list[str], paged: bool = False) -> list[Passage]:
    """Passages of ≤ MAX_WORDS words and ≤ MAX_CHARS characters, each with its section path; headings stay
    with their body."""
    units = [piece for unit in _units(_paragraphs(pages, paged)) for piece in _split_long(unit)]
    passages = []
    for ordinal, group in enumerate(_pack(units)):
        section = SEPARATOR.join(_common_path([u.path for u in group]))
        paragraphs = [p for u in group for p in u.paragraphs]
        passages.append(
            Passage(
                id=f"{doc.id}:{ordinal}",
                doc_id=doc.id,
                ordinal=ordinal,
                section=section,
                text="\n\n".join(p.text for p in paragraphs),
                page=paragraphs[0].page,
                header=header_line(doc, section),
            )
        )
    return passages
