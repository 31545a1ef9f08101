"""Conversation log and feedback, in the same SQLite file as the documents.

Personal data is minimised before anything is written: phone, CCCD/CMND and
e-mail are masked, session ids are hashed, no address is stored, and rows older
than the retention period are deleted.
"""
from __future__ import annotations

import hashlib
import json
import re
import sqlite3
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hoidap.models import Answer

SCHEMA = """
CREATE TABLE IF NOT EXISTS conversations (
    id TEXT PRIMARY KEY,
    created_at TEXT NOT NULL,
    channel TEXT NOT NULL,
    session TEXT NOT NULL,
    question TEXT NOT NULL,
    status TEXT NOT NULL,
    answer TEXT NOT NULL,
    cited TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS conversations_created ON conversations(created_at);
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    answer_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    rating INTEGER NOT NULL,
    comment TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS feedback_answer ON feedback(answer_id);
"""

_EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# A run of digits as people write phone and ID numbers: "(091) 234 5678", "+84 91 234 5678",
# "091.234.5678", "001 203 004 567". Which kind it is follows from its digits (see _mask_number).
_NUMBER_RE = re.compile(r"(?<![\w(+])[(+]*\d(?:\)?[ .\-]?\d)*")


def _mask_number(match: re.Match[str]) -> str:
    written = match.group(0)
    digits = re.sub(r"\D", "", written)
    if len(digits) in (10, 11) and digits.startswith("0") or len(digits) in (11, 12) and digits.startswith("84"):
        return "[số điện thoại]"  # 0 + 9 or 10 digits (mobile, landline), or +84 instead of the 0
    if len(digits) == 12:
        return "[số CCCD]"
    if len(digits) == 9:
        return "[số CMND]"
    if re.search(r"\d{9,}", written):
        return "[số]"  # bank accounts and other long numbers; "1.000.000.000 đồng" stays
    return written


def mask_pii(text: str) -> str:
    return _NUMBER_RE.sub(_mask_number, _EMAIL_RE.sub("[email]", text))


PURGE_EVERY_S = 3600
MAX_FEEDBACK_PER_ANSWER = 3  # a 👍/👎, then a changed mind or a comment: one person's worth


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class ConversationLog:
    def __init__(self, db_path: Path, retention_days: int):
        self.retention_days = retention_days
        self._lock = threading.Lock()
        self.db = sqlite3.connect(db_path, check_same_thread=False, timeout=30)
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA foreign_keys=ON")
        with self._lock, self.db:
            self.db.executescript(SCHEMA)
        self._last_purge = 0.0
        self.purge()

    def close(self) -> None:
        with self._lock:
            self.db.close()

    def record(self, question: str, answer: Answer, session_id: str, channel: str) -> str:
        """Store one question and its answer; returns the answer id used for feedback."""
        answer_id = uuid.uuid4().hex
        session = hashlib.sha256(session_id.encode()).hexdigest()[:12] if session_id else ""
        cited = [{"doc_id": c.doc_id, "section": c.section} for c in answer.citations]
        with self._lock, self.db:
            self.db.execute(
                "INSERT INTO conversations VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (answer_id, _now(), channel, session, mask_pii(question), answer.status,
                 mask_pii(answer.text), json.dumps(cited, ensure_ascii=False)),
            )
        if time.monotonic() - self._last_purge > PURGE_EVERY_S:
            self.purge()
        return answer_id

    def add_feedback(self, answer_id: str, rating: int, comment: str) -> str:
        """"ok"; "unknown" when there is no such answer (or it is past retention); "full" when the
        answer already has MAX_FEEDBACK_PER_ANSWER votes, so that nobody can stuff the statistics."""
        with self._lock, self.db:
            if not self.db.execute("SELECT 1 FROM conversations WHERE id = ?", (answer_id,)).fetchone():
                return "unknown"
            votes = self.db.execute("SELECT COUNT(*) FROM feedback WHERE answer_id = ?", (answer_id,)).fetchone()[0]
            if votes >= MAX_FEEDBACK_PER_ANSWER:
                return "full"
            self.db.execute(
                "INSERT INTO feedback (answer_id, created_at, rating, comment) VALUES (?, ?, ?, ?)",
                (answer_id, _now(), rating, mask_pii(comment)),
            )
        return "ok"

    def purge(self) -> int:
        """Delete conversations (and their feedback) older than the retention period."""
        cutoff = (datetime.now(UTC) - timedelta(days=self.retention_days)).isoformat(timespec="seconds")
        with self._lock, self.db:
            deleted = self.db.execute("DELETE FROM conversations WHERE created_at < ?", (cutoff,)).rowcount
        self._last_purge = time.monotonic()
        return deleted

    def _select(self, sql: str, params: tuple) -> list[sqlite3.Row]:
        # One connection serves every thread: reads take the lock too, or they interleave with
        # another thread's open write transaction on the same connection.
        with self._lock:
            return self.db.execute(sql, params).fetchall()

    def conversations(self, start: str, end: str) -> list[sqlite3.Row]:
        """Rows with start <= date < end (ISO dates, UTC), oldest first."""
        return self._select(
            "SELECT * FROM conversations WHERE created_at >= ? AND created_at < ? ORDER BY created_at",
            (start, end),
        )

    def feedback(self, start: str, end: str) -> list[sqlite3.Row]:
        return self._select(
            "SELECT f.created_at, f.rating, f.comment, c.question, c.status, c.answer, c.channel, c.id AS answer_id "
            "FROM feedback f "
            "JOIN conversations c ON c.id = f.answer_id "
            "WHERE f.created_at >= ? AND f.created_at < ? ORDER BY f.created_at",
            (start, end),
        )
