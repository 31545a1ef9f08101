"""Stage 3, evidence: the answer units of the retrieved passages, each described by features.

The features are what the decision model (bot/decide.py) weighs: how much of the question a unit
holds (lexically, with mapped words, and by embedding), how the retriever ranked its passage, whether
it states what kind of answer is wanted (a date for "khi nào", a number for "bao nhiêu", an
organisation for "ai", an enumeration for "những gì"), and its size.
"""
from __future__ import annotations

import math
from functools import lru_cache
import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from bot.asking import asked_values, holds_date, states_money, states_number, states_phone
from bot.scope import OUTSIDE
from bot.understand import Query
from bot.units import PART_ANSWERS, Unit, is_title
from ingest.chunking import heading_level
from bot.words import Vocabulary, folded_words
from hoidap.models import Document, Hit
from hoidap.text import fold, folded_text, has_diacritics, syllables

PASSAGES = 8  # units come from the top passages of the retriever
_ORG_RE = re.compile(r"\b(Sở|UBND|Ủy ban|Phòng|Ban|Trung tâm|Bộ|Văn phòng|Hội|Đoàn|Công an|Thủ trưởng|Giám đốc"
                     r"|Chủ tịch|[Cc]ơ quan|[Đđ]ơn vị|[Cc]ông chức|[Vv]iên chức)\b")
_PURPOSE_RE = re.compile(r"\b(nhằm|để|mục đích|mục tiêu|góp phần)\b", re.IGNORECASE)
_ITEM_LINE_RE = re.compile(r"(?m)^\s*([-–•+*]|[a-zđ]\)|\d+(\.\d+)*\.)\s")
_PLACE_RE = re.compile(r"\b(nguồn|từ|tại|ở|trên)\b", re.IGNORECASE)

FEATURES = (
    "cover", "cover_text", "cover_heading", "cover_added", "phrase", "missing_weight", "cover_gap", "cover_text_gap", "phrase_gap", "cover_exact", "cover_exact_gap",
    "fused", "lexical", "rank",
    "dense_unit", "dense_gap", "dense_passage", "dense_inner", "dense_inner_gap", "dense_outer",
    "sentence", "block", "block_unasked", "length", "density", "heading_only",
    "when_date", "when_no_date", "count_number", "count_no_number", "who_org", "list_items", "why_purpose",
    "where_place", "document_part", "part_unasked", "part_cover", "part_kind", "part_other_kind", "named_scope", "question_words",
    *(f"outside_{signal}" for signal in OUTSIDE),
    "money_missing", "phone_missing", "year_missing",
)


@dataclass(eq=False)  # one piece of evidence is itself, whatever its features
class Evidence:
    unit: Unit
    hit: Hit
    features: np.ndarray
    probability: float = 0.0


def _terms(query: Query, vocab: Vocabulary) -> list[tuple[tuple[str, ...], float]]:
    """The question as weighted alternatives: a content word, or an everyday phrase with its corpus phrases."""
    mapped_words = {w for phrase in query.mapped for w in phrase.split()}
    terms: list[tuple[tuple[str, ...], float]] = [((w,), vocab.idf(w)) for w in query.words if w not in mapped_words]
    for phrase, formal in query.mapped.items():
        alternatives = (phrase, *(folded_text(f) for f in formal))
        weight = max(np.mean([vocab.idf(w) for w in alt.split()]) for alt in alternatives[1:])
        terms.append((alternatives, float(weight)))
    return terms


def _covered(terms, words: frozenset[str], text: str) -> float:
    total = sum(w for _, w in terms)
    if not total:
        return 0.0
    found = sum(w for alts, w in terms if any(a in words if " " not in a else f" {a} " in text for a in alts))
    return found / total


# Units are the same from question to question: their folded text is worked out once.
_folded = lru_cache(maxsize=16384)(folded_text)


def _marks(question: str) -> dict[str, set[str]]:
    """Folded word → the marked forms the question wrote it in (none for a bare question)."""
    forms: dict[str, set[str]] = {}
    for s in syllables(question):
        if has_diacritics(s):
            forms.setdefault(fold(s), set()).add(s)
    return forms


@lru_cache(maxsize=16384)
def _forms(text: str) -> dict[str, frozenset[str]]:
    """Folded word → the marked forms a text writes it in (worked out once per unit text)."""
    forms: dict[str, set[str]] = {}
    words = syllables(text)
    for s, f in zip(words, fold(" ".join(words)).split()):  # folding keeps one word per syllable
        forms.setdefault(f, set()).add(s)
    return {f: frozenset(v) for f, v in forms.items()}


def _exact_words(text: str, marks: dict[str, set[str]]) -> frozenset[str]:
    """The folded words of a text, where a word the question marked counts only with the same marks
    ("ký" is not "kỳ"); a bare question matches folded."""
    return frozenset(f for f, forms in _forms(text).items() if f not in marks or forms & marks[f])


def _bigrams(words: list[str]) -> set[str]:
    return {f"{a} {b}" for a, b in zip(words, words[1:])}


class EvidenceScorer:
    """Units of the top hits → `Evidence` with features; dense features need `embed` (None: zeros)."""

    def __init__(self, vocab: Vocabulary, units_of: Callable[[Hit], list[Unit]],
                 parts_of: Callable[[Document], list[Unit]],
                 embed_units: Callable[[list[str]], np.ndarray] | None = None,
                 embed_query: Callable[[str], np.ndarray] | None = None):
        self.vocab, self.units_of, self.parts_of = vocab, units_of, parts_of
        self.embed_units, self.embed_query = embed_units, embed_query

    def score(self, query: Query, hits: list[Hit]) -> list[Evidence]:
        hits = hits[:PASSAGES]
        pairs = [(u, rank, h) for rank, h in enumerate(hits) for u in self.units_of(h) if not u.part]
        # The head, tail and profile of each document found (number, date, title, purpose, recipients, signer),
        # scored as the document's best passage was wherever the retriever ranked them: they answer questions about
        # the document itself, and the passage that happens to hold one says nothing about which is asked.
        best_of: dict[str, tuple[int, Hit]] = {}
        for rank, h in enumerate(hits):
            best_of.setdefault(h.document.id, (rank, h))
        for rank, best in best_of.values():
            for u in self.parts_of(best.document):
                pairs.append((u, rank, Hit(u.passage, best.document, best.score, best.lexical, best.dense)))
        if not pairs:
            return []
        terms = _terms(query, self.vocab)
        question_bigrams = _bigrams([w for w in query.words])
        top_fused = max(h.score for h in hits) or 1.0
        top_lexical = max(h.lexical for h in hits) or 1.0
        dense = np.zeros(len(pairs), np.float32)
        if self.embed_units is not None and self.embed_query is not None:
            vectors = self.embed_units([embedded_text(u) for u, _, _ in pairs])
            dense = vectors @ self.embed_query(query.content or query.search)
        best_dense = float(dense.max())
        holds = _holds(pairs)  # which units each unit holds
        inner, outer = _nested_best(holds, dense)
        unknown = sum(w for alts, w in terms if len(alts) == 1 and not self.vocab.known(alts[0]))
        total_weight = sum(w for _, w in terms) or 1.0
        marks = _marks(query.text)
        money, phone, years = asked_values(query.text)
        out = []
        for (unit, rank, hit), cosine, cosine_in, cosine_out in zip(pairs, dense, inner, outer):
            text = unit.text
            heading = f"{unit.heading} {unit.part}"
            folded_unit = _folded(text)
            folded_heading = _folded(heading)
            unit_words, heading_words = folded_words(text), folded_words(heading)
            both = unit_words | heading_words
            items = len(_ITEM_LINE_RE.findall(text))
            answers = PART_ANSWERS.get(unit.part, frozenset())  # the kinds a head or tail part answers
            f = {
                "cover": _covered(terms, both, f" {folded_heading} {folded_unit} "),
                "cover_text": _covered(terms, unit_words, f" {folded_unit} "),
                "cover_exact": _covered(terms, _exact_words(f"{heading} {text}", marks), f" {folded_heading} {folded_unit} "),
                "cover_heading": _covered(terms, heading_words, f" {folded_heading} "),
                "phrase": (len(question_bigrams & _bigrams(folded_unit.split())) / len(question_bigrams)
                           if question_bigrams else 0.0),
                "missing_weight": unknown / total_weight,
                "fused": hit.score / top_fused,
                "lexical": hit.lexical / top_lexical,
                "rank": 1.0 / (1 + rank),
                "dense_unit": float(cosine),
                "dense_gap": float(cosine) - best_dense,
                "dense_passage": hit.dense,
                "dense_inner": float(cosine_in),
                "dense_inner_gap": float(cosine_in) - best_dense,
                "dense_outer": float(cosine_out),
                "sentence": float(unit.kind == "sentence"),
                "block": float(unit.kind == "block"),
                "block_unasked": float(unit.kind == "block" and "list" not in query.kinds),
                "length": math.log1p(len(text)) / math.log1p(1500),
                "density": 0.0,  # set below from cover
                "cover_added": 0.0,  # set below, once every unit's cover is known
                "heading_only": float(unit.kind == "paragraph" and heading_level(text) is not None and is_title(text)),
                "when_date": float("when" in query.kinds and holds_date(text, years=True)),
                "when_no_date": float("when" in query.kinds and not holds_date(text, years=True)),
                "count_number": float("how_many" in query.kinds and states_number(text)),
                "count_no_number": float("how_many" in query.kinds and not states_number(text)),
                "who_org": float("who" in query.kinds and bool(_ORG_RE.search(text))),
                "list_items": float("list" in query.kinds) * min(items, 5) / 5,
                "why_purpose": float("why" in query.kinds and bool(_PURPOSE_RE.search(text))),
                "where_place": float("where" in query.kinds and bool(_PLACE_RE.search(text))),
                "document_part": float(bool(unit.part) and "document" in query.kinds),
                "part_unasked": float(bool(unit.part) and "document" not in query.kinds),
                # "ai ký", "gửi cho ai": the question names the fact the label states
                "part_cover": _covered(terms, folded_words(unit.part), f" {_folded(unit.part)} ") if unit.part else 0.0,
                "part_kind": float(bool(answers & query.kinds)),
                # the date for "ai ký", the signer for "ký ngày nào": a fact of the document, not the one asked
                "part_other_kind": float(bool(answers) and not answers & query.kinds),
                "named_scope": float(query.scope.doc_ids is not None),
                "question_words": min(len(terms), 8) / 8,
                **{f"outside_{signal}": float(signal in query.outside) for signal in OUTSIDE},
                # the question asks for a value this unit does not state: an amount, a phone number, its year
                "money_missing": float(money and not states_money(text)),
                "phone_missing": float(phone and not states_phone(text)),
                "year_missing": float(any(y not in f"{heading} {text}" for y in years)),
            }
            f["density"] = f["cover"] / math.log2(2 + len(unit_words))  # the same words in fewer
            out.append(Evidence(unit, hit, f))
        # What a block or paragraph covers beyond the best unit inside it: nothing, and quoting the smaller one says
        # the same ("Điều 129" whole or its khoản 2 alone).
        covers = np.array([e.features["cover"] for e in out], np.float32)
        for e, inside in zip(out, _best_inside(holds, covers, itself=False)):
            e.features["cover_added"] = e.features["cover"] - inside
        # How a unit compares with the question's best one: a ranking signal whatever the question's length.
        for name in ("cover", "cover_text", "phrase", "cover_exact"):
            best = max(e.features[name] for e in out)
            for e in out:
                e.features[f"{name}_gap"] = e.features[name] - best
        for e in out:
            e.features = np.array([e.features[name] for name in FEATURES], np.float32)
        return out


def _nested_best(holds: list[list[int]], dense: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per unit, the best cosine of the units it holds (itself included) and of those that hold it.

    A block's or paragraph's own vector is diluted by its other lines: the sentence inside that matches
    says more about whether the answer is there. A sentence's enclosing paragraph says what it is about."""
    inner = _best_inside(holds, dense, itself=True)
    holders: list[list[float]] = [[] for _ in holds]
    for i, held in enumerate(holds):
        for j in held:
            holders[j].append(float(dense[i]))
    outer = np.array([max(h) if h else d for h, d in zip(holders, dense)], np.float32)
    return inner, outer


def _holds(pairs: list[tuple[Unit, int, Hit]]) -> list[list[int]]:
    """Per unit, the other units of its passage that it holds."""
    return [[j for j, (b, _, _) in enumerate(pairs) if i != j and a.passage.id == b.passage.id and b.text in a.text]
            for i, (a, _, _) in enumerate(pairs)]


def _best_inside(holds: list[list[int]], values: np.ndarray, itself: bool) -> np.ndarray:
    """Per unit, the best value among the units it holds (and itself, with `itself`; 0 when it holds none)."""
    return np.array([max([*(values[j] for j in held), *([values[i]] if itself else [])], default=0.0)
                     for i, held in enumerate(holds)], np.float32)


def embedded_text(unit: Unit) -> str:
    """What the dense side reads of a unit: its nearest heading and its text."""
    heading = unit.heading.rsplit(" › ", 1)[-1]
    return f"{heading} {unit.part}: {unit.text}" if heading or unit.part else unit.text
