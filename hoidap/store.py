"""The store of documents and passages: the single source the index is built from.

One interface (:class:`BaseStore`), two engines: SQLite in one file (:class:`Store`, the default, nothing
to configure) and PostgreSQL (:class:`hoidap.store_pg.PostgresStore`, when ``HOIDAP_DATABASE_URL`` is set),
for several replicas behind a load balancer. :func:`open_store` picks one from the settings.

Both schemas are versioned (hoidap.schema): ``schema_version`` holds the version applied; opening a store
applies the migrations after it, in order (``migrations[i]`` brings version ``i`` to ``i + 1``).

The rest of the state replicas must agree on (conversation log, admin sessions, document versions, curated
answers) lives in the same database: its classes write their SQL once, with ``?`` placeholders, and run it
through :meth:`BaseStore.execute` and :meth:`BaseStore.rows` on either engine.
"""
from __future__ import annotations

import sqlite3
import threading
from abc import ABC, abstractmethod
from dataclasses import fields
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hoidap.models import Document, Job, JobState, Passage
from hoidap.schema import (_DOC_FIELDS, SCHEMA, SQLITE_NOW, Migration, apply_migration, schema_v2, sqlite_v3, sqlite_v4,
                           sqlite_v5)

if TYPE_CHECKING:
    from hoidap.config import Settings

_PASSAGE_FIELDS = [f.name for f in fields(Passage)]
_JOB_FIELDS = [f.name for f in fields(Job)]
JOBS_SHOWN = 10  # the admin page lists the latest jobs

class BaseStore(ABC):
    """What every engine offers: whole-document writes, a generation that grows on every change,
    reads, and the replay memory of messaging events. Safe to share between threads."""

    migrations: list[Migration]  # migrations[i]: what brings schema version i to i + 1

    @property
    def schema_version(self) -> int:
        """The version this code expects (and every open store is at)."""
        return len(self.migrations)

    @abstractmethod
    def applied_version(self) -> int:
        """The version recorded in the database."""

    @abstractmethod
    def close(self) -> None: ...

    @abstractmethod
    def put_document(self, doc: Document, passages: list[Passage]) -> None:
        """Replace the document and its passages in one transaction."""

    @abstractmethod
    def remove_document(self, doc_id: str) -> bool: ...

    @abstractmethod
    def first_seen(self, key: str, now: float, keep_s: float) -> bool:
        """Remember an incoming messaging event for `keep_s` seconds; False when already remembered."""

    @abstractmethod
    def generation(self) -> int: ...

    @abstractmethod
    def documents(self) -> list[Document]: ...

    @abstractmethod
    def document(self, doc_id: str) -> Document | None: ...

    @abstractmethod
    def added_at(self) -> dict[str, str]:
        """doc_id → when it was last written (UTC, "YYYY-MM-DD HH:MM:SS")."""

    @abstractmethod
    def passages(self, doc_id: str | None = None) -> list[Passage]: ...

    @abstractmethod
    def passage(self, passage_id: str) -> Passage | None: ...

    # -- embedding vectors by text hash
    @abstractmethod
    def vectors(self, model: str, hashes: list[str]) -> dict[str, bytes]:
        """hash → stored vector (float32 bytes) of those already embedded by `model`."""

    @abstractmethod
    def put_vectors(self, model: str, vectors: list[tuple[str, bytes]]) -> None:
        """Keep (hash, vector) pairs; a pair another replica stored meanwhile is kept as it was."""

    # -- background jobs
    @abstractmethod
    def add_job(self, job_id: str, file_name: str, created_by: str) -> None:
        """`job_id` sorts by creation time (hoidap.jobs makes it from the clock)."""

    @abstractmethod
    def update_job(self, job_id: str, state: JobState, progress: str = "", result: str = "") -> None: ...

    @abstractmethod
    def jobs(self, limit: int = JOBS_SHOWN) -> list[Job]:
        """The latest jobs, newest first."""

    @abstractmethod
    def job(self, job_id: str) -> Job | None: ...

    # -- the other shared tables (schema_v3): their classes' SQL, written once with ? placeholders
    @abstractmethod
    def execute(self, sql: str, args: Sequence[Any] = ()) -> int:
        """Run one writing statement in a transaction of its own; returns how many rows it changed."""

    @abstractmethod
    def rows(self, sql: str, args: Sequence[Any] = ()) -> list[dict[str, Any]]:
        """Run one statement, a read or a write with RETURNING (committed), and return its rows."""

    # -- telling other replicas that a new index generation is published (PostgreSQL: LISTEN/NOTIFY)
    def announce(self, generation: int) -> None:
        """Nothing to tell on SQLite: the processes sharing the file see the generation on their next search."""
        return None

    def listen(self, on_generation: Callable[[int], None]) -> Callable[[], None] | None:
        """Call `on_generation` for each announcement; returns how to stop. None: this engine cannot."""
        return None


class StoreUnavailable(RuntimeError):
    """A store that cannot be opened as asked; the message says why and what to do, in Vietnamese."""


def open_store(settings: Settings, read_only: bool = False) -> BaseStore:
    """PostgreSQL when HOIDAP_DATABASE_URL is set, else the SQLite file in the data directory. `read_only`: for
    commands that only read (`hoidap docs`, `export-curated`): nothing is created, upgraded or written, and a missing
    data folder is an error (StoreUnavailable), not a new empty database."""
    if settings.database_url:
        from hoidap.store_pg import PostgresStore

        return PostgresStore(settings.database_url)
    if read_only:
        return Store.reading(settings.db_path)
    return Store(settings.db_path)


class Store(BaseStore):
    """Documents and passages in one SQLite file. Safe to share between threads."""

    # Version 1 is the schema as it was before versioning (every statement is IF NOT EXISTS), so a
    # database made by an earlier release is recorded as version 1 with nothing lost.
    migrations: list[Migration] = [SCHEMA, schema_v2(SQLITE_NOW, "BLOB"), sqlite_v3, sqlite_v4, sqlite_v5]

    def __init__(self, path: Path, db: sqlite3.Connection | None = None):
        """`db`: an open connection (Store.reading); none: the file is created and upgraded as needed."""
        self.path = Path(path)
        self._lock = threading.Lock()
        if db is not None:
            self.db = db
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(self.path, check_same_thread=False, timeout=30)
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA foreign_keys=ON")
        with self._lock:
            self._upgrade()

    @classmethod
    def reading(cls, path: Path) -> Store:
        """The file opened read-only (SQLite `mode=ro`): nothing created, written or upgraded. With no writer at work
        (no `-wal` file) it is also opened `immutable`: a WAL database opened otherwise makes its `-shm` and `-wal`
        files, which a read-only mount refuses; with one, those files are there to be read."""
        path = Path(path)
        if not path.is_file():
            raise StoreUnavailable(f"Chưa có cơ sở dữ liệu {path}. Nạp văn bản trước: hoidap ingest THƯ_MỤC "
                                   "(hoặc chạy bash scripts/start.sh).")
        immutable = "" if path.with_name(path.name + "-wal").exists() else "&immutable=1"
        db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro{immutable}", uri=True, check_same_thread=False,
                             timeout=30)
        db.row_factory = sqlite3.Row
        store = cls(path, db)
        try:
            version = store._version()
        except sqlite3.Error as exc:
            raise StoreUnavailable(f"Không đọc được {path}: {exc}") from None
        if version < store.schema_version:
            raise StoreUnavailable(f"{path} thuộc phiên bản cũ (lược đồ {version}, cần {store.schema_version}); "
                                   "chạy hoidap ingest hoặc hoidap serve một lần để nâng cấp.")
        return store

    def _upgrade(self) -> None:
        """Apply the migrations after the recorded version, each with its version bump in one transaction
        (BEGIN IMMEDIATE: two processes opening the file at once apply each migration once)."""
        self.db.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
        self.db.commit()
        while True:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                current = self._version()
                if current >= self.schema_version:
                    self.db.execute("COMMIT")
                    return
                apply_migration(self.migrations[current], self.db.execute)
                self.db.execute("DELETE FROM schema_version")
                self.db.execute("INSERT INTO schema_version VALUES (?)", (current + 1,))
                self.db.execute("COMMIT")
            except BaseException:
                self.db.execute("ROLLBACK")
                raise

    def _version(self) -> int:
        row = self.db.execute("SELECT MAX(version) FROM schema_version").fetchone()
        return row[0] or 0

    def applied_version(self) -> int:
        with self._lock:
            return self._version()

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

    def execute(self, sql: str, args: Sequence[Any] = ()) -> int:
        with self._lock, self.db:
            return self.db.execute(sql, args).rowcount

    def rows(self, sql: str, args: Sequence[Any] = ()) -> list[dict[str, Any]]:
        with self._lock, self.db:  # commits a write with RETURNING (SQLite 3.35 or later)
            return [dict(row) for row in self.db.execute(sql, args).fetchall()]

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

    def vectors(self, model: str, hashes: list[str]) -> dict[str, bytes]:
        found: dict[str, bytes] = {}
        for start in range(0, len(hashes), 500):  # under SQLite's limit of bound parameters
            chunk = hashes[start:start + 500]
            found.update(self._rows(f"SELECT hash, vec FROM vectors WHERE model = ? AND hash IN ({','.join('?' * len(chunk))})",
                                    (model, *chunk)))
        return found

    def put_vectors(self, model: str, vectors: list[tuple[str, bytes]]) -> None:
        with self._lock, self.db:
            self.db.executemany("INSERT OR IGNORE INTO vectors VALUES (?, ?, ?)", [(model, h, v) for h, v in vectors])

    def add_job(self, job_id: str, file_name: str, created_by: str) -> None:
        with self._lock, self.db:
            self.db.execute("INSERT INTO jobs (id, file_name, created_by) VALUES (?, ?, ?)", (job_id, file_name, created_by))

    def update_job(self, job_id: str, state: JobState, progress: str = "", result: str = "") -> None:
        with self._lock, self.db:
            self.db.execute(f"UPDATE jobs SET state = ?, progress = ?, result = ?, updated_at = {SQLITE_NOW} WHERE id = ?",
                            (state, progress, result, job_id))

    def jobs(self, limit: int = JOBS_SHOWN) -> list[Job]:
        rows = self._rows(f"SELECT {', '.join(_JOB_FIELDS)} FROM jobs ORDER BY id DESC LIMIT ?", (limit,))
        return [Job(**dict(row)) for row in rows]

    def job(self, job_id: str) -> Job | None:
        rows = self._rows(f"SELECT {', '.join(_JOB_FIELDS)} FROM jobs WHERE id = ?", (job_id,))
        return Job(**dict(rows[0])) if rows else None
