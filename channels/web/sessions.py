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
    expires_at REAL NOT NULL
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

    def create(self) -> str:
        """A new session; returns its id, for the cookie only (the store keeps a hash)."""
        session_id = secrets.token_urlsafe(32)
        now = time.time()
        with self._lock, self.db:
            self.db.execute("DELETE FROM admin_sessions WHERE expires_at < ?", (now,))
            self.db.execute("INSERT INTO admin_sessions VALUES (?, ?, ?)",
                            (_hash(session_id), secrets.token_urlsafe(32), now + self.lifetime_s))
        return session_id

    def csrf(self, session_id: str) -> str | None:
        """The CSRF token of a live session; None when the id is unknown, expired or revoked."""
        if not session_id:
            return None
        with self._lock:
            row = self.db.execute("SELECT csrf FROM admin_sessions WHERE id_hash = ? AND expires_at > ?",
                                  (_hash(session_id), time.time())).fetchone()
        return row[0] if row else None

    def revoke(self, session_id: str) -> None:
        with self._lock, self.db:
            self.db.execute("DELETE FROM admin_sessions WHERE id_hash = ?", (_hash(session_id),))
