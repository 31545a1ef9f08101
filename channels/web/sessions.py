"""Server-side staff sessions: a random id in the cookie, its hash, CSRF token and expiry in the store's
database (hoidap.store schema_v3), so a login on one replica is valid on every other.

Nothing in the cookie is derived from the admin token, so a stolen cookie says nothing about the
token, ends at its expiry, and is refused as soon as the staff member logs out.
"""
from __future__ import annotations

import hashlib
import secrets
import time

from hoidap.store import BaseStore


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


class AdminSessions:
    def __init__(self, store: BaseStore, lifetime_s: float):
        self.store, self.lifetime_s = store, lifetime_s

    def create(self, name: str = "") -> str:
        """A new session for the staff member `name`; returns its id, for the cookie only (the store keeps a hash)."""
        session_id = secrets.token_urlsafe(32)
        now = time.time()
        self.store.execute("DELETE FROM admin_sessions WHERE expires_at < ?", (now,))
        self.store.execute("INSERT INTO admin_sessions (id_hash, csrf, expires_at, name) VALUES (?, ?, ?, ?)",
                           (_hash(session_id), secrets.token_urlsafe(32), now + self.lifetime_s, name))
        return session_id

    def lookup(self, session_id: str) -> tuple[str, str] | None:
        """(CSRF token, staff name) of a live session; None when the id is unknown, expired or revoked."""
        if not session_id:
            return None
        rows = self.store.rows("SELECT csrf, name FROM admin_sessions WHERE id_hash = ? AND expires_at > ?",
                               (_hash(session_id), time.time()))
        return (rows[0]["csrf"], rows[0]["name"]) if rows else None

    def revoke(self, session_id: str) -> None:
        self.store.execute("DELETE FROM admin_sessions WHERE id_hash = ?", (_hash(session_id),))
