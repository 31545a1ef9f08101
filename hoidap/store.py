"""SQLite store of documents and passages: the single source the index is built from."""
from __future__ import annotations

import sqlite3
import threading
from dataclasses import fields
from pathlib import Path

from hoidap.models import Document, Passage

_DOC_FIELDS = [f.name for f in fields(Document)]
_PASSAGE_FIELDS = [f.name for f in fields(Passage)]

SCHEMA = f"""
CREATE TABLE IF NOT EXISTS documents (
    {", ".join(f"{name} {'INTEGER' if name == 'page_count' else 'TEXT'}" + (' PRIMARY KEY' if name == 'id' else '') for name in _DOC_FIELDS)},
    added_at TEXT DEFAULT (datetime('now'))
);
CREATE TABLE IF NOT EXISTS passages (
    id TEXT PRIMARY KEY,
    doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    ordinal INTEGER NOT NULL,
    section TEXT NOT NULL,
    text TEXT NOT NULL,
    page INTEGER,
    header TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS passages_doc ON passages(doc_id, ordinal);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS seen_events (key TEXT PRIMARY KEY, seen_at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS seen_events_at ON seen_events(seen_at);
"""


class Store:
    """Documents and passages in one SQLite file. Safe to share between threads."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self.db = sqlite3.connect(self.path, check_same_thread=False, timeout=30)
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA foreign_keys=ON")
        with self._lock, self.db:
            self.db.executescript(SCHEMA)

    def close(self) -> None:
        self.db.close()

    # -- writes: each is one transaction, so readers never see half a document
    def put_document(self, doc: Document, passages: list[Passage]) -> None:
        with self._lock, self.db:
            self.db.execute("DELETE FROM documents WHERE id = ?", (doc.id,))
            self.db.execute(
                f"INSERT INTO documents ({', '.join(_DOC_FIELDS)}) VALUES ({', '.join('?' * len(_DOC_FIELDS))})",
                [getattr(doc, name) for name in _DOC_FIELDS],
            )
            self.db.executemany(
                f"INSERT INTO passages ({', '.join(_PASSAGE_FIELDS)}) VALUES ({', '.join('?' * len(_PASSAGE_FIELDS))})",
                [[getattr(p, name) for name in _PASSAGE_FIELDS] for p in passages],
            )
            self._bump()

    def remove_document(self, doc_id: str) -> bool:
        with self._lock, self.db:
            removed = self.db.execute("DELETE FROM documents WHERE id = ?", (doc_id,)).rowcount
            if removed:
                self._bump()
        return bool(removed)

    def first_seen(self, key: str, now: float, keep_s: float) -> bool:
        """Remember an incoming messaging event for `keep_s` seconds; False when it is already
        remembered (a platform retry or a replay). Kept here, so a restart forgets nothing."""
        with self._lock, self.db:
            self.db.execute("DELETE FROM seen_events WHERE seen_at < ?", (now - keep_s,))
            return self.db.execute("INSERT OR IGNORE INTO seen_events VALUES (?, ?)", (key, now)).rowcount == 1

    def _bump(self) -> None:
        self.db.execute(
            "INSERT INTO meta VALUES ('generation', '1') "
            "ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1"
        )

    # -- reads: under the same lock, so a reader on this shared connection never sees a write half done
    def _rows(self, sql: str, args: tuple = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self.db.execute(sql, args).fetchall()

    def generation(self) -> int:
        """Grows on every change, so an index can tell it is stale."""
        rows = self._rows("SELECT value FROM meta WHERE key = 'generation'")
        return int(rows[0][0]) if rows else 0

    def documents(self) -> list[Document]:
        rows = self._rows(f"SELECT {', '.join(_DOC_FIELDS)} FROM documents ORDER BY id")
        return [Document(**dict(row)) for row in rows]

    def document(self, doc_id: str) -> Document | None:
        rows = self._rows(f"SELECT {', '.join(_DOC_FIELDS)} FROM documents WHERE id = ?", (doc_id,))
        return Document(**dict(rows[0])) if rows else None

    def added_at(self) -> dict[str, str]:
        """doc_id → when it was last written (UTC, SQLite's "YYYY-MM-DD HH:MM:SS")."""
        return {row[0]: row[1] for row in self._rows("SELECT id, added_at FROM documents")}

    def passages(self, doc_id: str | None = None) -> list[Passage]:
        sql = f"SELECT {', '.join(_PASSAGE_FIELDS)} FROM passages"
        args: tuple = ()
        if doc_id is not None:
            sql += " WHERE doc_id = ?"
            args = (doc_id,)
        return [Passage(**dict(row)) for row in self._rows(sql + " ORDER BY doc_id, ordinal", args)]

    def passage(self, passage_id: str) -> Passage | None:
        rows = self._rows(f"SELECT {', '.join(_PASSAGE_FIELDS)} FROM passages WHERE id = ?", (passage_id,))
        return Passage(**dict(rows[0])) if rows else None
