"""Conversation log and feedback, in the store's database (hoidap.store schema_v3): every replica logs to it
and the statistics page reads every replica's questions.

Personal data is minimised before anything is written: phone, CCCD/CMND and
e-mail are masked, session ids are hashed, no address is stored, and rows older
than the retention period are deleted.
"""
from __future__ import annotations

import hashlib
import json
import re
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from hoidap.models import Answer
from hoidap.store import BaseStore

# Only from the start of a run of address characters: from every position inside it, a 100,000-letter message took
# the regex 25 s (quadratic), holding the GIL and with it the whole server.
_EMAIL_RE = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
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
    def __init__(self, store: BaseStore, retention_days: int):
        self.store, self.retention_days = store, retention_days
        self._last_purge = 0.0
        self.purge()

    def record(self, question: str, answer: Answer, session_id: str, channel: str) -> str:
        """Store one question and its answer; returns the answer id used for feedback."""
        answer_id = uuid.uuid4().hex
        session = hashlib.sha256(session_id.encode()).hexdigest()[:12] if session_id else ""
        cited = [{"doc_id": c.doc_id, "section": c.section} for c in answer.citations]
        # What the citizen read: the answer's line and its quotes (staff judge a 👎 by the quote, not the opening line).
        shown = "\n".join([answer.text, *(f"“{c.quote}” ({c.doc_id}, {c.section})".replace(", )", ")")
                                          for c in answer.citations if c.role == "main")])
        self.store.execute(
            "INSERT INTO conversations VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (answer_id, _now(), channel, session, mask_pii(question), answer.status,
             mask_pii(shown), json.dumps(cited, ensure_ascii=False)),
        )
        if time.monotonic() - self._last_purge > PURGE_EVERY_S:
            self.purge()
        return answer_id

    def add_feedback(self, answer_id: str, rating: int, comment: str) -> str:
        """"ok"; "unknown" when there is no such answer (or it is past retention); "full" when the
        answer already has MAX_FEEDBACK_PER_ANSWER votes, so that nobody can stuff the statistics."""
        # One statement, checks and insert together: no check goes stale before the insert on SQLite; on
        # PostgreSQL two replicas voting in the same instant could pass one vote over the cap, no more.
        added = self.store.execute(
            "INSERT INTO feedback (answer_id, created_at, rating, comment) SELECT ?, ?, ?, ? "
            "WHERE EXISTS (SELECT 1 FROM conversations WHERE id = ?) "
            "AND (SELECT COUNT(*) FROM feedback WHERE answer_id = ?) < ?",
            (answer_id, _now(), rating, mask_pii(comment), answer_id, answer_id, MAX_FEEDBACK_PER_ANSWER),
        )
        if added:
            return "ok"
        return "full" if self.store.rows("SELECT 1 FROM conversations WHERE id = ?", (answer_id,)) else "unknown"

    def purge(self) -> int:
        """Delete conversations (and their feedback) older than the retention period."""
        cutoff = (datetime.now(UTC) - timedelta(days=self.retention_days)).isoformat(timespec="seconds")
        deleted = self.store.execute("DELETE FROM conversations WHERE created_at < ?", (cutoff,))
        self._last_purge = time.monotonic()
        return deleted

    def conversations(self, start: str, end: str) -> list[dict[str, Any]]:
        """Rows with start <= date < end (ISO dates, UTC), oldest first."""
        return self.store.rows(
            "SELECT * FROM conversations WHERE created_at >= ? AND created_at < ? ORDER BY created_at",
            (start, end),
        )

    def feedback(self, start: str, end: str) -> list[dict[str, Any]]:
        return self.store.rows(
            "SELECT f.created_at, f.rating, f.comment, c.question, c.status, c.answer, c.channel, c.id AS answer_id "
            "FROM feedback f "
            "JOIN conversations c ON c.id = f.answer_id "
            "WHERE f.created_at >= ? AND f.created_at < ? ORDER BY f.created_at",
            (start, end),
        )
