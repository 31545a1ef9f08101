"""Staff-written question → answer pairs, kept in the same SQLite file, that win over search.

A pair cites either a passage (doc_id + a verbatim quote from it) or a free-text source
("Văn phòng Sở, công văn 12/STP"). The web admin calls add / list / remove.
"""
from __future__ import annotations

import sqlite3
import threading
from dataclasses import asdict, dataclass
from pathlib import Path

from bot.words import content_words

SCHEMA = """
CREATE TABLE IF NOT EXISTS curated_answers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    doc_id TEXT NOT NULL DEFAULT '',
    quote TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL DEFAULT '',
    created_at TEXT DEFAULT (datetime('now'))
);
"""
MIN_SIMILARITY = 0.8  # Dice overlap of content words: a close rewording, not a related question


@dataclass
class CuratedAnswer:
    id: int
    question: str
    answer: str
    doc_id: str = ""
    quote: str = ""
    source: str = ""
    created_at: str = ""

    def to_dict(self) -> dict:
        return asdict(self)


def similarity(a: str, b: str) -> float:
    wa, wb = set(content_words(a)), set(content_words(b))
    return 2 * len(wa & wb) / (len(wa) + len(wb)) if wa and wb else 0.0


class CuratedAnswers:
    def __init__(self, db_path: Path):
        Path(db_path).parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(db_path, check_same_thread=False, timeout=30)
        self.db.row_factory = sqlite3.Row
        self._lock = threading.Lock()
        with self._lock, self.db:
            self.db.executescript(SCHEMA)

    def add(self, question: str, answer: str, doc_id: str = "", quote: str = "", source: str = "") -> CuratedAnswer:
        """Needs a citation: doc_id with a quote from that document, or a free-text source."""
        question, answer = question.strip(), answer.strip()
        if not question or not answer:
            raise ValueError("Cần có câu hỏi và câu trả lời.")
        if not (doc_id and quote.strip()) and not source.strip():
            raise ValueError("Cần trích dẫn: mã văn bản kèm đoạn trích, hoặc nguồn.")
        with self._lock, self.db:
            cur = self.db.execute(
                "INSERT INTO curated_answers (question, answer, doc_id, quote, source) VALUES (?, ?, ?, ?, ?)",
                (question, answer, doc_id.strip(), quote.strip(), source.strip()),
            )
        return self.get(cur.lastrowid)

    def get(self, curated_id: int) -> CuratedAnswer | None:
        row = self.db.execute("SELECT * FROM curated_answers WHERE id = ?", (curated_id,)).fetchone()
        return CuratedAnswer(**dict(row)) if row else None

    def list(self) -> list[CuratedAnswer]:
        rows = self.db.execute("SELECT * FROM curated_answers ORDER BY id").fetchall()
        return [CuratedAnswer(**dict(row)) for row in rows]

    def remove(self, curated_id: int) -> bool:
        with self._lock, self.db:
            return bool(self.db.execute("DELETE FROM curated_answers WHERE id = ?", (curated_id,)).rowcount)

    def match(self, question: str) -> CuratedAnswer | None:
        """The closest pair when it is close enough to answer this question outright."""
        scored = [(similarity(question, c.question), c) for c in self.list()]
        best = max(scored, key=lambda sc: sc[0], default=(0.0, None))
        return best[1] if best[0] >= MIN_SIMILARITY else None
