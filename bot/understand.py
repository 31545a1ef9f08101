"""Stage 1, understand: a question → a `Query` (what it is about, where, and what kind of answer it wants)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.asking import asks_date, asks_number, asks_which_plan, date_asking
from bot.frames import aligned_fold
from bot.scope import Scope
from bot.words import content_words
from hoidap.text import fold, folded_text, syllables

# What kind of answer a question wants, read off its question words (folded: citizens type bare).
_KIND_PATTERNS = {
    "who": r"\b(ai|don vi nao|co quan nao|so nao|phong nao|ben nao|nguoi nao|to chuc nao|chiu trach nhiem|chu tri)\b",
    "list": r"\b(nhung (gi|viec|nhiem vu|noi dung|hoat dong|giai phap|muc tieu|ai|dau|nao)|nhung \w+( \w+)? nao"
            r"|gom (nhung )?gi|bao gom"
            r"|liet ke|cac (nhiem vu|giai phap|hoat dong|noi dung|muc tieu)|may (viec|nhiem vu|noi dung)|gi nua"
            r"|muc tieu|chi tieu)\b",  # a target is an enumeration: "4. Năm 2030" with its a), b), c)
    "why": r"\b(tai sao|vi sao|de lam (gi|chi)|de chi|nham (muc dich )?gi|muc dich|ly do|y nghia)\b",
    "where": r"\b(o dau|noi nao|tu dau|cho nao|lay (tu )?dau)\b",
    "yes_no": r"\b(co phai|phai khong|duoc khong|co (duoc )?\w+( \w+){0,6} khong|chua)\W*$",
    "document": r"\b(ky|ban hanh|gui (cho|toi|den)|noi nhan|so hieu|so ky hieu|trich yeu|ten (van ban|ke hoach))\b",
    # the document as a whole: what it is, what it implements (answered by its profile: bot/units.py)
    "overview": r"\b(la (van ban|ke hoach|cai) gi|la gi|noi (ve )?(gi|cai gi)|tom tat|tom luoc|noi dung chinh|gom (nhung )?"
                r"(phan|muc|noi dung) (nao|gi)|co (ke hoach|van ban|gi) gi|ke hoach gi|van ban gi|gioi thieu)\b",
    "basis": r"\b(can cu|dua (vao|tren)|lam theo|tren co so|thay the|thay cho|(thuc hien|trien khai) (van ban|van kien|quyet dinh"
             r"|nghi quyet|ke hoach|chuong trinh|nhung van (ban|kien)) nao|(de|nham) thuc hien|de nghi cua"
             r"|(thuc hien|trien khai) (quyet dinh|nghi quyet|chuong trinh|ke hoach|chi thi) (so )?\d+)\b",
}
_KIND_RES = {kind: re.compile(pattern) for kind, pattern in _KIND_PATTERNS.items()}
# Words that only ask ("cơ quan nào", "dựa vào"): the unit answers them by what it states (an office, a "Căn cứ …"
# line), not by repeating them, so they are not searched for.
_ASKING_RE = re.compile(r"\b(?:co quan|don vi|to chuc|ben) nao\b|\bdua (?:vao|tren)\b|\blam theo\b")
# "khoản 2 Điều 5 …", "Điều 129 khoản 1 điểm a …", "dieu 5 cua …" (folded syllables: punctuation gone).
_ARTICLE_RE = re.compile(r"\b(?:diem (?P<point>[a-z]) (?:cua )?)?(?:khoan (?P<clause>\d+) (?:cua )?)?dieu (?P<number>\d+[a-z]?)"
                         r"(?: khoan (?P<clause2>\d+))?(?: diem (?P<point2>[a-z]))?\b")
# "quy định tại Điều 5 …": the article qualifies the question, it is not what is asked about.
_QUALIFIED_RE = re.compile(r"\b(tai|theo quy dinh tai|tru)\s*$")


@dataclass(frozen=True)
class ArticleRef:
    """An article (and clause, point) a question names, with the folded words around it, where the law is named:
    "Điều 5 Luật An ninh mạng", "Bộ luật Lao động Điều 129"."""

    number: str  # "5", "37a"
    clause: str = ""
    point: str = ""  # as typed: "đ" stays "đ"
    before: str = ""
    after: str = ""

    @property
    def reference(self) -> str:
        """As `ingest.chunking.legal_reference` writes it: "Điều 5 khoản 2 điểm a"."""
        parts = [f"Điều {self.number}", f"khoản {self.clause}" if self.clause else "",
                 f"điểm {self.point}" if self.point else ""]
        return " ".join(p for p in parts if p)


def article_reference(question: str) -> ArticleRef | None:
    """The first article the question names, unless it only qualifies something else ("quy định tại Điều 5")."""
    words = syllables(question)
    folded = fold(" ".join(words))
    for m in _ARTICLE_RE.finditer(folded):
        if _QUALIFIED_RE.search(folded[: m.start()]):
            continue
        point_at = m.start("point") if m.group("point") else m.start("point2")
        point = words[folded[:point_at].count(" ")] if point_at >= 0 else ""  # the letter as typed: "đ" is not "d"
        return ArticleRef(m.group("number"), m.group("clause") or m.group("clause2") or "", point,
                          folded[: m.start()].strip(), folded[m.end():].strip())
    return None


@dataclass
class Query:
    """A question as the later stages need it."""

    text: str  # as asked, normalised (NFC, one tone placement)
    search: str  # the text searched: the question, with mapped corpus words and a follow-up's context
    content: str  # what the evidence embeds: the content words as typed, with the mapped corpus words
    folded: str  # folded words, single spaces
    words: list[str]  # content words (folded), without those that only name the place or document
    kinds: set[str] = field(default_factory=set)  # answer kinds wanted: who, when, how_many, list, ...
    scope: Scope = field(default_factory=Scope)
    mapped: dict[str, list[str]] = field(default_factory=dict)  # everyday phrase → corpus phrases
    follow_up: bool = False  # read with the session's last answered question (bot/dialogue.py)
    previous: str = ""  # that question, as the answer says how the turn was read
    anchor: list[tuple[str, int, int]] = field(default_factory=list)  # a drill-down's: the units the last answer quoted
    which_plan: bool = False  # "kế hoạch nào …": one answer per plan, not per place
    frames: frozenset[str] = frozenset()  # how it was asked (bot/frames.py): "yes_no", "persona", …
    outside: dict[str, str] = field(default_factory=dict)  # signals that no document answers it (Scoper.outside)


def answer_kinds(question: str) -> set[str]:
    folded = folded_text(question)
    kinds = {kind for kind, pattern in _KIND_RES.items() if pattern.search(folded)}
    if asks_date(question):
        kinds.add("when")
    if asks_number(question):
        kinds.add("how_many")
    return kinds


def understand(question: str, scope: Scope, mapped: dict[str, list[str]], reading: str = "",
               frames: frozenset[str] = frozenset(), outside: dict[str, str] | None = None) -> Query:
    """Read a question alone (its core: bot/frames.py; a conversation's reading: bot/dialogue.py). `reading`: the
    question as the retriever reads it (a bare question with its marks restored); the question itself when not
    given. `frames`, `outside`: how it was asked and the signals that no document answers it, kept on the query."""
    reading = reading or question
    words = [w for w in content_words(_unnamed(question, scope.names)) if w not in scope.naming_words]
    kinds = answer_kinds(question)
    asking = {w for m in _ASKING_RE.finditer(folded_text(question)) for w in m.group(0).split()}
    if "when" in kinds:  # "hạn báo cáo", "tháng mấy": a date answers "hạn", the passage need not repeat it
        asking |= date_asking(question)
    # Asked with nothing but asking words, a question keeps them to search by; one asking what a document is based on
    # ("Kế hoạch 45 dựa vào văn bản nào?") is about the document itself (its profile: bot/answerer.py).
    words = [w for w in words if w not in asking] or ([] if "basis" in kinds else words)
    corpus_words = [p for phrases in mapped.values() for p in phrases]
    # Restored before the mapped corpus words join it: with their marks, the search would take it as typed with marks.
    search = " ".join([reading, *corpus_words])
    # The place and plan named and the asking words are alike in every unit of that plan: the unit vectors
    # are compared with what is asked about only (measured in docs/bot.md).
    keep = set(words)
    content = " ".join([*(s for s in syllables(reading) if fold(s) in keep), *corpus_words])
    return Query(question, search, content, folded_text(question), words, kinds, scope, mapped,
                 which_plan=asks_which_plan(question), frames=frames, outside=outside or {})


def _unnamed(question: str, names: list[str]) -> str:
    """The question without the first place each document name stands ("Luật An ninh mạng quy định kiểm tra an ninh
    mạng …" keeps the second "an ninh mạng": it is what is asked about). `names`: folded phrases."""
    for name in names:
        if m := re.search(rf"\b{re.escape(name)}\b", aligned_fold(question)):
            question = f"{question[: m.start()]} {question[m.end():]}"
    return question
