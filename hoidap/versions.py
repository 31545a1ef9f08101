"""Every staff change to a document (upload, replacement, metadata edit), who made it and when.

A replaced version's original file is moved aside, not deleted, so nothing staff uploaded is lost;
the document keeps its id, so links and curated answers that point at it stay valid. Kept in the store's
database (schema_v3), so every replica and worker shows the same history.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from hoidap.models import Document
from hoidap.store import BaseStore

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
    def __init__(self, store: BaseStore):
        self.store = store

    def record(self, doc: Document, change: str, by: str) -> Version:
        # The next number is computed in the insert itself, so no other writer slips in between.
        rows = self.store.rows(
            "INSERT INTO document_versions (doc_id, version, change, file_name, metadata, created_at, created_by)"
            " SELECT ?, COALESCE(MAX(version), 0) + 1, ?, ?, ?, ?, ? FROM document_versions WHERE doc_id = ?"
            " RETURNING *",
            (doc.id, change, doc.file_name, json.dumps(doc.to_dict(), ensure_ascii=False),
             datetime.now(UTC).isoformat(timespec="seconds"), by, doc.id),
        )
        return Version(**rows[0])

    def archive(self, doc_id: str, archived_file: Path) -> None:
        """The latest file of `doc_id` now lives at `archived_file` (a newer file replaces it)."""
        self.store.execute("UPDATE document_versions SET archived_file = ? WHERE id = "
                           "(SELECT MAX(id) FROM document_versions WHERE doc_id = ?)", (str(archived_file), doc_id))

    def history(self, doc_id: str) -> list[Version]:
        rows = self.store.rows("SELECT * FROM document_versions WHERE doc_id = ? ORDER BY version DESC", (doc_id,))
        return [Version(**row) for row in rows]

    def latest(self) -> dict[str, Version]:
        """doc_id → its latest version (for "uploaded or changed at, by whom")."""
        rows = self.store.rows("SELECT * FROM document_versions ORDER BY doc_id, version")
        return {row["doc_id"]: Version(**row) for row in rows}
