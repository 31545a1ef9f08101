"""Stage 1, understand: a question → a `Query` (what it is about, where, and what kind of answer it wants)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.asking import DATE_ASKING, asks_date, asks_number, asks_which_plan
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
    "why": r"\b(tai sao|vi sao|de lam gi|nham (muc dich )?gi|muc dich|ly do|y nghia)\b",
    "where": r"\b(o dau|noi nao|tu dau|cho nao|lay (tu )?dau)\b",
    "yes_no": r"\b(co phai|phai khong|duoc khong|co (duoc )?\w+( \w+){0,6} khong|chua)\W*$",
    "document": r"\b(ky|ban hanh|gui (cho|toi|den)|noi nhan|so hieu|so ky hieu|trich yeu|ten (van ban|ke hoach))\b",
}
_KIND_RES = {kind: re.compile(pattern) for kind, pattern in _KIND_PATTERNS.items()}
# "còn Đồng Nai thì sao?": bare "con" is also "con" (a child), so only "con o …" counts without marks.
_FOLLOW_UP_RE = re.compile(r"^(còn|thế còn|vậy còn|con o|the con|vay con)\b|\b(thì sao|thi sao)\W*$")
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
    follow_up: bool = False
    which_plan: bool = False  # "kế hoạch nào …": one answer per plan, not per place


def answer_kinds(question: str) -> set[str]:
    folded = folded_text(question)
    kinds = {kind for kind, pattern in _KIND_RES.items() if pattern.search(folded)}
    if asks_date(question):
        kinds.add("when")
    if asks_number(question):
        kinds.add("how_many")
    return kinds


def may_follow(query: Query) -> bool:
    """Whether this question, after another one in its session, builds on it (then its answer is that session's)."""
    return query.follow_up or bool(_FOLLOW_UP_RE.search(query.text.lower())) or not query.words


def understand(question: str, scope: Scope, mapped: dict[str, list[str]], context: Query | None = None,
               reading: str = "") -> Query:
    """Read a question. With `context` (the last answered question of the session) a follow-up that names
    only a place ("còn Đồng Nai thì sao?") asks the previous question there. `reading`: the question as the
    retriever reads it (a bare question with its marks restored); the question itself when not given."""
    reading = reading or question
    words = [w for w in content_words(question) if w not in scope.naming_words]
    kinds = answer_kinds(question)
    if "when" in kinds:  # "hạn báo cáo": a date answers "hạn", the passage need not repeat it
        words = [w for w in words if w not in DATE_ASKING] or words
    corpus_words = [p for phrases in mapped.values() for p in phrases]
    # Restored before the mapped corpus words join it: with their marks, the search would take it as typed with marks.
    search = " ".join([reading, *corpus_words])
    # The place and plan named and the asking words are alike in every unit of that plan: the unit vectors
    # are compared with what is asked about only (measured in docs/bot.md).
    keep = set(words)
    content = " ".join([*(s for s in syllables(reading) if fold(s) in keep), *corpus_words])
    query = Query(question, search, content, folded_text(question), words, kinds, scope, mapped,
                  which_plan=asks_which_plan(question))
    if context is not None and (_FOLLOW_UP_RE.search(question.lower()) or not words):
        query.follow_up = True
        if not words:  # the previous question, in another place
            query.words, query.kinds = context.words, context.kinds | query.kinds
            query.search = f"{context.search} {reading}"  # with its marks: the search already has some
            query.content = f"{context.content} {query.content}".strip()
            query.mapped = {**context.mapped, **mapped}
        if scope.doc_ids is None:  # a new question about the same place
            query.scope = context.scope
    return query
