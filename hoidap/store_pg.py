"""The store on PostgreSQL (psycopg 3 with its connection pool), for several replicas behind a load balancer.

Same interface and behaviour as the SQLite :class:`hoidap.store.Store`: a document and its passages are
replaced in one transaction, so a reader on any replica never sees half a document; the generation grows
on every change, so every replica's index can tell it is stale.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable

import psycopg
from psycopg import sql
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool, PoolTimeout

from hoidap.models import Document, Job, JobState, Passage
from hoidap.store import _DOC_FIELDS, _JOB_FIELDS, _PASSAGE_FIELDS, JOBS_SHOWN, BaseStore, _statements, schema_v1, schema_v2

log = logging.getLogger("hoidap.store")
UPGRADE_LOCK = 5757_0001  # pg_advisory_xact_lock key: one replica at a time upgrades the schema
WRITE_LOCK = 5757_0002  # ... and writes documents (writes are rare; readers never wait for it)

NOW = "to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')"
SCHEMA_V1 = schema_v1(NOW, "DOUBLE PRECISION")
CHANNEL = "hoidap_index"  # NOTIFY channel: a new index generation is published

_DOC_COLUMNS = ", ".join(_DOC_FIELDS)
_PASSAGE_COLUMNS = ", ".join(_PASSAGE_FIELDS)


class PostgresStore(BaseStore):
    """Documents and passages in PostgreSQL. Safe to share between threads (a pool of connections)."""

    migrations = [SCHEMA_V1, schema_v2(NOW, "BYTEA")]

    def __init__(self, url: str, schema: str | None = None, max_connections: int = 8, connect_timeout: float = 10):
        """`schema`: the schema to work in (its search_path); None: the server's default (public)."""
        kwargs: dict = {"autocommit": True, "row_factory": dict_row}
        if schema:
            kwargs["options"] = f"-c search_path={schema}"
        self.url, self._connect_kwargs = url, kwargs
        self.pool = ConnectionPool(url, min_size=1, max_size=max_connections, kwargs=kwargs, open=False,
                                   name="hoidap-store")
        self.pool.open()
        try:
            self.pool.wait(timeout=connect_timeout)
        except PoolTimeout:
            self.pool.close()
            raise ConnectionError(f"Không kết nối được PostgreSQL (HOIDAP_DATABASE_URL) sau {connect_timeout:.0f} giây: "
                                  "kiểm tra máy chủ, cổng và quyền truy cập.") from None
        self._upgrade()

    def _upgrade(self) -> None:
        with self.pool.connection() as conn, conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (UPGRADE_LOCK,))
            conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            current = self._version(conn)
            for version in range(current, self.schema_version):
                for statement in _statements(self.migrations[version]):
                    conn.execute(statement)
            if current < self.schema_version:
                conn.execute("DELETE FROM schema_version")
                conn.execute("INSERT INTO schema_version VALUES (%s)", (self.schema_version,))

    @staticmethod
    def _version(conn) -> int:
        return conn.execute("SELECT MAX(version) AS v FROM schema_version").fetchone()["v"] or 0

    def applied_version(self) -> int:
        with self.pool.connection() as conn:
            return self._version(conn)

    def close(self) -> None:
        self.pool.close()

    # -- writes: each is one transaction, so readers never see half a document
    def put_document(self, doc: Document, passages: list[Passage]) -> None:
        with self.pool.connection() as conn, conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))
            conn.execute("DELETE FROM documents WHERE id = %s", (doc.id,))
            conn.execute(f"INSERT INTO documents ({_DOC_COLUMNS}) VALUES ({', '.join(['%s'] * len(_DOC_FIELDS))})",
                         [getattr(doc, name) for name in _DOC_FIELDS])
            with conn.cursor() as cur:
                cur.executemany(
                    f"INSERT INTO passages ({_PASSAGE_COLUMNS}) VALUES ({', '.join(['%s'] * len(_PASSAGE_FIELDS))})",
                    [[getattr(p, name) for name in _PASSAGE_FIELDS] for p in passages])
            self._bump(conn)

    def remove_document(self, doc_id: str) -> bool:
        with self.pool.connection() as conn, conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))
            removed = conn.execute("DELETE FROM documents WHERE id = %s", (doc_id,)).rowcount
            if removed:
                self._bump(conn)
        return bool(removed)

    def first_seen(self, key: str, now: float, keep_s: float) -> bool:
        with self.pool.connection() as conn, conn.transaction():
            conn.execute("DELETE FROM seen_events WHERE seen_at < %s", (now - keep_s,))
            return conn.execute("INSERT INTO seen_events VALUES (%s, %s) ON CONFLICT (key) DO NOTHING",
                                (key, now)).rowcount == 1

    @staticmethod
    def _bump(conn) -> None:
        conn.execute("INSERT INTO meta VALUES ('generation', '1') "
                     "ON CONFLICT (key) DO UPDATE SET value = (CAST(meta.value AS INTEGER) + 1)::TEXT")

    # -- reads: each one statement, so it sees one committed state
    def _rows(self, query: str, args: tuple = ()) -> list[dict]:
        with self.pool.connection() as conn:
            return conn.execute(query, args).fetchall()

    def generation(self) -> int:
        rows = self._rows("SELECT value FROM meta WHERE key = 'generation'")
        return int(rows[0]["value"]) if rows else 0

    def documents(self) -> list[Document]:
        # COLLATE "C": the same order as SQLite's (bytewise), whatever the database's locale
        return [Document(**row) for row in self._rows(f'SELECT {_DOC_COLUMNS} FROM documents ORDER BY id COLLATE "C"')]

    def document(self, doc_id: str) -> Document | None:
        rows = self._rows(f"SELECT {_DOC_COLUMNS} FROM documents WHERE id = %s", (doc_id,))
        return Document(**rows[0]) if rows else None

    def added_at(self) -> dict[str, str]:
        return {row["id"]: row["added_at"] for row in self._rows("SELECT id, added_at FROM documents")}

    def passages(self, doc_id: str | None = None) -> list[Passage]:
        query = f"SELECT {_PASSAGE_COLUMNS} FROM passages"
        args: tuple = ()
        if doc_id is not None:
            query += " WHERE doc_id = %s"
            args = (doc_id,)
        return [Passage(**row) for row in self._rows(query + ' ORDER BY doc_id COLLATE "C", ordinal', args)]

    def passage(self, passage_id: str) -> Passage | None:
        rows = self._rows(f"SELECT {_PASSAGE_COLUMNS} FROM passages WHERE id = %s", (passage_id,))
        return Passage(**rows[0]) if rows else None

    def vectors(self, model: str, hashes: list[str]) -> dict[str, bytes]:
        rows = self._rows("SELECT hash, vec FROM vectors WHERE model = %s AND hash = ANY(%s)", (model, hashes))
        return {row["hash"]: bytes(row["vec"]) for row in rows}

    def put_vectors(self, model: str, vectors: list[tuple[str, bytes]]) -> None:
        with self.pool.connection() as conn, conn.transaction(), conn.cursor() as cur:
            cur.executemany("INSERT INTO vectors VALUES (%s, %s, %s) ON CONFLICT DO NOTHING",
                            [(model, h, v) for h, v in vectors])

    def add_job(self, job_id: str, file_name: str, created_by: str) -> None:
        with self.pool.connection() as conn:
            conn.execute("INSERT INTO jobs (id, file_name, created_by) VALUES (%s, %s, %s)", (job_id, file_name, created_by))

    def update_job(self, job_id: str, state: JobState, progress: str = "", result: str = "") -> None:
        with self.pool.connection() as conn:
            conn.execute(f"UPDATE jobs SET state = %s, progress = %s, result = %s, updated_at = {NOW} WHERE id = %s",
                         (state, progress, result, job_id))

    def jobs(self, limit: int = JOBS_SHOWN) -> list[Job]:
        rows = self._rows(f"SELECT {', '.join(_JOB_FIELDS)} FROM jobs ORDER BY id DESC LIMIT %s", (limit,))
        return [Job(**row) for row in rows]

    def job(self, job_id: str) -> Job | None:
        rows = self._rows(f"SELECT {', '.join(_JOB_FIELDS)} FROM jobs WHERE id = %s", (job_id,))
        return Job(**rows[0]) if rows else None

    def announce(self, generation: int) -> None:
        with self.pool.connection() as conn:
            conn.execute("SELECT pg_notify(%s, %s)", (CHANNEL, str(generation)))

    def listen(self, on_generation: Callable[[int], None]) -> Callable[[], None]:
        """LISTEN on a connection of its own, in a daemon thread; reconnects after a lost connection."""
        stop = threading.Event()

        def run() -> None:
            while not stop.is_set():
                try:
                    with psycopg.connect(self.url, **self._connect_kwargs) as conn:
                        conn.execute(f"LISTEN {CHANNEL}")
                        while not stop.is_set():
                            for notice in conn.notifies(timeout=1):
                                on_generation(int(notice.payload))
                except (psycopg.Error, ValueError):
                    log.warning("LISTEN %s interrupted, reconnecting", CHANNEL, exc_info=True)
                    stop.wait(2)

        threading.Thread(target=run, name="hoidap-listen", daemon=True).start()
        return stop.set


def create_schema(url: str, schema: str) -> None:
    """Create an empty schema (tests, or one deployment per schema in a shared database)."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema)))


def drop_schema(url: str, schema: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))
