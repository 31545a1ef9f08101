"""The versioned schema of the store, in either engine's words ("now", float, blob, auto-numbered key).

``migrations[i]`` of an engine (hoidap.store.Store, hoidap.store_pg.PostgresStore) brings version ``i`` to
``i + 1``: a script, or a step that must look at the database first.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import fields
from typing import Any

from hoidap.models import Document

_DOC_FIELDS = [f.name for f in fields(Document)]

Execute = Callable[[str], Iterable[Any]]  # runs one statement of a migration on the upgrading connection
Migration = str | Callable[[Execute], None]


def schema_v1(now: str, real: str) -> str:
    """Version 1 of the schema, in either engine's words for "now" and for a float column."""
    columns = ", ".join(f"{name} {'INTEGER' if name == 'page_count' else 'TEXT'}" + (" PRIMARY KEY" if name == "id" else "")
                        for name in _DOC_FIELDS)
    return f"""
CREATE TABLE IF NOT EXISTS documents (
    {columns},
    added_at TEXT DEFAULT {now}
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
CREATE TABLE IF NOT EXISTS seen_events (key TEXT PRIMARY KEY, seen_at {real} NOT NULL);
CREATE INDEX IF NOT EXISTS seen_events_at ON seen_events(seen_at);
"""


def schema_v2(now: str, blob: str) -> str:
    """Version 2: embedding vectors by text hash (shared by every replica: a text is embedded once) and
    background jobs (admin uploads, their state visible from every replica)."""
    return f"""
CREATE TABLE IF NOT EXISTS vectors (model TEXT NOT NULL, hash TEXT NOT NULL, vec {blob} NOT NULL, PRIMARY KEY (model, hash));
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    file_name TEXT NOT NULL,
    created_by TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'queued',
    progress TEXT NOT NULL DEFAULT '',
    result TEXT NOT NULL DEFAULT '',
    created_at TEXT DEFAULT {now},
    updated_at TEXT DEFAULT {now}
);
"""


def schema_v3(now: str, real: str, serial: str) -> str:
    """Version 3: the state that was one SQLite file per machine before (each class made its own table), so
    that replicas agree on it: conversation log and feedback (channels.web.logs), admin sessions
    (channels.web.sessions), document versions (hoidap.versions), curated answers (bot.curated).
    Same tables and columns as those classes made, so an older SQLite file keeps its rows."""
    return f"""
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
    id {serial},
    answer_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    rating INTEGER NOT NULL,
    comment TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS feedback_answer ON feedback(answer_id);
CREATE TABLE IF NOT EXISTS admin_sessions (
    id_hash TEXT PRIMARY KEY,
    csrf TEXT NOT NULL,
    expires_at {real} NOT NULL,
    name TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS document_versions (
    id {serial},
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
CREATE TABLE IF NOT EXISTS curated_answers (
    id {serial},
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    doc_id TEXT NOT NULL DEFAULT '',
    quote TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL DEFAULT '',
    created_at TEXT DEFAULT {now}
);
"""


SQLITE_NOW = "(datetime('now'))"
SCHEMA = schema_v1(SQLITE_NOW, "REAL")


def sqlite_v3(execute: Execute) -> None:
    """Version 3 on SQLite: the tables may be here already, made by an earlier release; an admin_sessions
    from before staff names were asked at login lacks `name` (no ADD COLUMN IF NOT EXISTS in SQLite)."""
    apply_migration(schema_v3(SQLITE_NOW, "REAL", "INTEGER PRIMARY KEY AUTOINCREMENT"), execute)
    if "name" not in {row[1] for row in execute("PRAGMA table_info(admin_sessions)")}:
        execute("ALTER TABLE admin_sessions ADD COLUMN name TEXT NOT NULL DEFAULT ''")


SCHEMA_V4_PG = "ALTER TABLE documents ADD COLUMN IF NOT EXISTS short_title TEXT NOT NULL DEFAULT ''"


def sqlite_v4(execute: Execute) -> None:
    """Version 4: a document's short title (read off its trích yếu, corrected by staff). A database made at
    version 1 by this release has the column already (version 1 names every Document field)."""
    if "short_title" not in {row[1] for row in execute("PRAGMA table_info(documents)")}:
        execute("ALTER TABLE documents ADD COLUMN short_title TEXT NOT NULL DEFAULT ''")


SCHEMA_V5_PG = "ALTER TABLE curated_answers ADD COLUMN IF NOT EXISTS created_by TEXT NOT NULL DEFAULT ''"


def sqlite_v5(execute: Execute) -> None:
    """Version 5: who wrote (or last edited) a curated answer, shown where the staff queue marks a group handled."""
    if "created_by" not in {row[1] for row in execute("PRAGMA table_info(curated_answers)")}:
        execute("ALTER TABLE curated_answers ADD COLUMN created_by TEXT NOT NULL DEFAULT ''")


def _statements(script: str) -> list[str]:
    """A migration script as single statements (no trigger bodies in these scripts, so ';' ends one)."""
    return [part.strip() for part in script.split(";") if part.strip()]


def apply_migration(migration: Migration, execute: Execute) -> None:
    """Run one migration inside the caller's upgrade transaction."""
    if callable(migration):
        migration(execute)
        return
    for statement in _statements(migration):
        execute(statement)
