"""Every staff change to a document (upload, replacement, metadata edit), who made it and when.

A replaced version's original file is moved aside, not deleted, so nothing staff uploaded is lost;
the document keeps its id, so links and curated answers that point at it stay valid.
"""
from __future__ import annotations

import json
import sqlite3
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from hoidap.models import Document

SCHEMA = """
CREATE TABLE IF NOT EXISTS document_versions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    doc_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    change TEXT NOT NULL,
    file_name TEXT NOT NULL,
    metadata TEXT NOT NULL,
    archived_file TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS document_versions_doc ON document_versions(doc_id, version);
"""
UPLOADED, REPLACED, EDITED = "nạp mới", "thay thế tệp", "sửa thông tin"


@dataclass
class Version:
    id: int
    doc_id: str
    version: int
    change: str  # UPLOADED | REPLACED | EDITED
    file_name: str
    metadata: str  # the Document as JSON, as it was in this version
    archived_file: str  # where the original file went once a newer file replaced it
    created_at: str  # ISO, UTC
    created_by: str

    @property
    def document(self) -> Document:
        return Document(**json.loads(self.metadata))


class DocumentVersions:
    def __init__(self, db_path: Path):
        self._lock = threading.Lock()
        self.db = sqlite3.connect(db_path, check_same_thread=False, timeout=30)
        self.db.row_factory = sqlite3.Row
        with self._lock, self.db:
            self.db.executescript(SCHEMA)

    def close(self) -> None:
        self.db.close()

    def record(self, doc: Document, change: str, by: str) -> Version:
        with self._lock, self.db:
            last = self.db.execute("SELECT MAX(version) FROM document_versions WHERE doc_id = ?", (doc.id,)).fetchone()[0]
            cur = self.db.execute(
                "INSERT INTO document_versions (doc_id, version, change, file_name, metadata, created_at, created_by)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (doc.id, (last or 0) + 1, change, doc.file_name, json.dumps(doc.to_dict(), ensure_ascii=False),
                 datetime.now(UTC).isoformat(timespec="seconds"), by),
            )
            row = self.db.execute("SELECT * FROM document_versions WHERE id = ?", (cur.lastrowid,)).fetchone()
        return Version(**dict(row))

    def archive(self, doc_id: str, archived_file: Path) -> None:
        """The latest file of `doc_id` now lives at `archived_file` (a newer file replaces it)."""
        with self._lock, self.db:
            self.db.execute("UPDATE document_versions SET archived_file = ? WHERE id = "
                            "(SELECT MAX(id) FROM document_versions WHERE doc_id = ?)", (str(archived_file), doc_id))

    def history(self, doc_id: str) -> list[Version]:
        with self._lock:
            rows = self.db.execute("SELECT * FROM document_versions WHERE doc_id = ? ORDER BY version DESC",
                                   (doc_id,)).fetchall()
        return [Version(**dict(row)) for row in rows]

    def latest(self) -> dict[str, Version]:
        """doc_id → its latest version (for "uploaded or changed at, by whom")."""
        with self._lock:
            rows = self.db.execute("SELECT * FROM document_versions ORDER BY doc_id, version").fetchall()
        return {row["doc_id"]: Version(**dict(row)) for row in rows}
