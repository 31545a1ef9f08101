"""Server-side staff sessions: a random id in the cookie, its hash, CSRF token and expiry in SQLite.

Nothing in the cookie is derived from the admin token, so a stolen cookie says nothing about the
token, ends at its expiry, and is refused as soon as the staff member logs out.
"""
from __future__ import annotations

import hashlib
import secrets
import sqlite3
import threading
import time
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS admin_sessions (
    id_hash TEXT PRIMARY KEY,
    csrf TEXT NOT NULL,
    expires_at REAL NOT NULL,
    name TEXT NOT NULL DEFAULT ''
);
"""


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


class AdminSessions:
    def __init__(self, db_path: Path, lifetime_s: float):
        self.lifetime_s = lifetime_s
        self._lock = threading.Lock()
        self.db = sqlite3.connect(db_path, check_same_thread=False, timeout=30)
        with self._lock, self.db:
            self.db.executescript(SCHEMA)
            columns = {row[1] for row in self.db.execute("PRAGMA table_info(admin_sessions)")}
            if "name" not in columns:  # a database from before staff names were asked at login
                self.db.execute("ALTER TABLE admin_sessions ADD COLUMN name TEXT NOT NULL DEFAULT ''")

    def create(self, name: str = "") -> str:
        """A new session for the staff member `name`; returns its id, for the cookie only (the store keeps a hash)."""
        session_id = secrets.token_urlsafe(32)
        now = time.time()
        with self._lock, self.db:
            self.db.execute("DELETE FROM admin_sessions WHERE expires_at < ?", (now,))
            self.db.execute("INSERT INTO admin_sessions (id_hash, csrf, expires_at, name) VALUES (?, ?, ?, ?)",
                            (_hash(session_id), secrets.token_urlsafe(32), now + self.lifetime_s, name))
        return session_id

    def lookup(self, session_id: str) -> tuple[str, str] | None:
        """(CSRF token, staff name) of a live session; None when the id is unknown, expired or revoked."""
        if not session_id:
            return None
        with self._lock:
            row = self.db.execute("SELECT csrf, name FROM admin_sessions WHERE id_hash = ? AND expires_at > ?",
                                  (_hash(session_id), time.time())).fetchone()
        return (row[0], row[1]) if row else None

    def revoke(self, session_id: str) -> None:
        with self._lock, self.db:
            self.db.execute("DELETE FROM admin_sessions WHERE id_hash = ?", (_hash(session_id),))
