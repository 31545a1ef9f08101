"""The state besides documents, in the store's database on each engine (the `open_store` fixture in conftest.py):
conversation log and feedback, admin sessions, document versions, curated answers. Two stores on one database
(two replicas on PostgreSQL, two processes on one SQLite file) see each other's writes; an SQLite file made by
the release that kept these tables itself upgrades with its rows."""
import hashlib
import sqlite3
import time
from datetime import UTC, datetime

from bot.curated import CuratedAnswers
from channels.web.logs import MAX_FEEDBACK_PER_ANSWER, ConversationLog
from channels.web.sessions import AdminSessions
from hoidap.models import Answer, Citation, Document
from hoidap.store import Store
from hoidap.store_pg import PostgresStore
from hoidap.versions import EDITED, REPLACED, UPLOADED, DocumentVersions

ALL_TIME = ("1900-01-01", "2999-01-01")
HOURS = "Giờ tiếp dân của Sở là khi nào?"


def test_the_log_masks_caps_feedback_and_purges_with_its_feedback(open_store):
    store = open_store()
    log = ConversationLog(store, retention_days=30)
    cited = Answer("answered", "Gọi 0987654321 nhé.", [Citation("kh", "KH", "45", "", "", "I", None, "…", "/d/kh")])
    answer_id = log.record("Số 0987654321, CCCD 079123456789: 100% xã?", cited, "abc", "web")
    [row] = log.conversations(*ALL_TIME)
    assert row["question"] == "Số [số điện thoại], CCCD [số CCCD]: 100% xã?" and row["answer"] == "Gọi [số điện thoại] nhé.\n“…” (kh, I)"
    assert row["channel"] == "web" and "abc" not in row["session"] and '"doc_id": "kh"' in row["cited"]
    assert [log.add_feedback(answer_id, 1, "tốt") for _ in range(MAX_FEEDBACK_PER_ANSWER + 1)][-2:] == ["ok", "full"]
    assert log.add_feedback("none", -1, "") == "unknown"
    assert [(f["rating"], f["answer_id"], f["question"]) for f in log.feedback(*ALL_TIME)][0] == (1, answer_id, row["question"])
    assert log.conversations("2999-01-01", "2999-12-31") == []
    store.execute("UPDATE conversations SET created_at = ?", ("2000-01-01T00:00:00+00:00",))
    assert log.purge() == 1
    assert log.conversations(*ALL_TIME) == [] and log.feedback(*ALL_TIME) == []  # its feedback went with it
    assert store.rows("SELECT COUNT(*) AS n FROM feedback") == [{"n": 0}]


def test_admin_sessions_expire_and_are_revoked(open_store):
    store = open_store()
    sessions = AdminSessions(store, lifetime_s=3600)
    first, second = sessions.create("Nguyễn Văn A"), sessions.create()
    csrf, name = sessions.lookup(first)
    assert len(csrf) > 20 and name == "Nguyễn Văn A" and sessions.lookup(second)[1] == ""
    assert sessions.lookup("") is None and sessions.lookup("made-up") is None
    sessions.revoke(first)
    assert sessions.lookup(first) is None and sessions.lookup(second) is not None
    store.execute("UPDATE admin_sessions SET expires_at = ?", (time.time() - 1,))
    assert sessions.lookup(second) is None
    sessions.create()  # a new login clears the expired ones
    assert len(store.rows("SELECT id_hash FROM admin_sessions")) == 1


def test_document_versions_are_numbered_per_document(open_store):
    versions = DocumentVersions(open_store())
    doc = Document(id="kh45", title="Kế hoạch 45", file_name="kh45.pdf")
    first = versions.record(doc, UPLOADED, "cán bộ A")
    versions.record(Document(id="qd1"), UPLOADED, "cán bộ B")
    versions.archive("kh45", "files/versions/kh45.v1.pdf")
    second = versions.record(Document(id="kh45", title="Kế hoạch 45 (sửa)", file_name="kh45-moi.pdf"), REPLACED, "cán bộ B")
    third = versions.record(Document(id="kh45", title="Kế hoạch số 45", file_name="kh45-moi.pdf"), EDITED, "cán bộ A")
    assert (first.version, second.version, third.version) == (1, 2, 3) and first.document == doc
    history = versions.history("kh45")
    assert [(v.version, v.change, v.created_by) for v in history] == [(3, EDITED, "cán bộ A"), (2, REPLACED, "cán bộ B"),
                                                                      (1, UPLOADED, "cán bộ A")]
    assert history[-1].archived_file == "files/versions/kh45.v1.pdf" and history[0].archived_file == ""
    latest = versions.latest()
    assert set(latest) == {"kh45", "qd1"} and latest["kh45"].document.title == "Kế hoạch số 45"
    assert latest["qd1"].version == 1 and versions.history("none") == []


def test_curated_answers_are_kept_edited_matched_and_versioned(open_store):
    curated = CuratedAnswers(open_store())
    empty = curated.version()
    item = curated.add(f"  {HOURS} ", "Sáng thứ Hai đến thứ Sáu.", source="Văn phòng Sở, 5/TB-STP")
    assert item.question == HOURS and item.created_at and curated.get(item.id) == item and curated.list() == [item]
    assert curated.version() != empty
    assert curated.match("giờ tiếp dân của sở là khi nào") == item and curated.match("Kinh phí thực hiện?") is None
    before = curated.version()
    edited = curated.update(item.id, HOURS, "Sáng thứ Hai đến thứ Bảy.", source="Văn phòng Sở")
    assert edited.answer == "Sáng thứ Hai đến thứ Bảy." and curated.version() != before
    assert curated.update(item.id + 100, HOURS, "x", source="y") is None
    assert curated.remove(item.id) and not curated.remove(item.id)
    assert curated.list() == [] and curated.get(item.id) is None and curated.version() == empty


def test_a_second_store_on_the_same_database_shares_this_state(open_store):
    """As two replicas behind a load balancer: what one writes, the other reads at once."""
    a, b = open_store(), open_store()
    added = CuratedAnswers(a).add(HOURS, "Sáng thứ Hai đến thứ Sáu.", source="Văn phòng Sở")
    on_b = CuratedAnswers(b)
    assert on_b.match(HOURS) == added and on_b.version() == CuratedAnswers(a).version()  # same answer-cache key

    session = AdminSessions(a, 3600).create("Nguyễn Văn A")
    assert AdminSessions(b, 3600).lookup(session)[1] == "Nguyễn Văn A"  # a login on A is valid on B
    AdminSessions(b, 3600).revoke(session)
    assert AdminSessions(a, 3600).lookup(session) is None  # ... and a logout on B ends it on A

    answer_id = ConversationLog(a, 30).record(HOURS, Answer("answered", "…"), "s", "telegram")
    log_b = ConversationLog(b, 30)
    assert log_b.add_feedback(answer_id, -1, "chưa đúng") == "ok"  # the vote may reach the other replica
    assert [(f["answer_id"], f["channel"]) for f in ConversationLog(a, 30).feedback(*ALL_TIME)] == [(answer_id, "telegram")]

    DocumentVersions(a).record(Document(id="kh45"), UPLOADED, "cán bộ A")
    assert DocumentVersions(b).record(Document(id="kh45"), EDITED, "cán bộ B").version == 2


def test_version_2_databases_upgrade_to_3_on_each_engine(open_store):
    engine = Store if open_store.engine == "sqlite" else PostgresStore

    class Release2(engine):
        migrations = engine.migrations[:2]

    old = open_store(Release2)
    old.put_document(Document(id="kh"), [])
    assert old.applied_version() == 2
    new = open_store()
    assert new.applied_version() == new.schema_version == 5 and new.generation() == 1
    assert CuratedAnswers(new).list() == [] and AdminSessions(new, 60).lookup("none") is None


def test_curated_answers_of_version_4_keep_their_text_and_learn_who_writes_them(open_store):
    engine = Store if open_store.engine == "sqlite" else PostgresStore

    class Release4(engine):
        migrations = engine.migrations[:4]

    old = open_store(Release4)
    old.execute("INSERT INTO curated_answers (question, answer, source) VALUES (?, ?, ?)", (HOURS, "Sáng thứ Hai.", "Sở"))
    new = open_store()
    assert new.applied_version() == 5
    curated = CuratedAnswers(new)
    (kept,) = curated.list()
    assert (kept.question, kept.answer, kept.created_by) == (HOURS, "Sáng thứ Hai.", "")
    assert curated.update(kept.id, HOURS, "Sáng thứ Hai đến thứ Sáu.", source="Sở", by="Trần Thị B").created_by == "Trần Thị B"


def test_version_3_databases_gain_the_short_title_on_each_engine(open_store):
    engine = Store if open_store.engine == "sqlite" else PostgresStore

    class Release3(engine):
        migrations = engine.migrations[:3]

    old = open_store(Release3)
    old.put_document(Document(id="kh", title="Triển khai thực hiện Nghị quyết số 71/NQ-CP"), [])
    # A release-3 database has no such column: version 1 of this release names every Document field.
    if open_store.engine == "sqlite":
        old.db.execute("ALTER TABLE documents DROP COLUMN short_title")
        old.db.commit()
    else:
        with old.pool.connection() as conn:
            conn.execute("ALTER TABLE documents DROP COLUMN short_title")
    new = open_store()
    assert new.applied_version() == 5
    assert new.document("kh").short_title == "" and new.document("kh").title.startswith("Triển khai")
    new.put_document(Document(id="kh2", short_title="thực hiện NQ 71"), [])
    assert new.document("kh2").short_title == "thực hiện NQ 71"


# What the release before schema version 3 created in the SQLite file, each class for itself (admin_sessions as it
# was before staff names were asked at login: the oldest shape a database may have).
OLD_TABLES = """
CREATE TABLE IF NOT EXISTS conversations (id TEXT PRIMARY KEY, created_at TEXT NOT NULL, channel TEXT NOT NULL,
    session TEXT NOT NULL, question TEXT NOT NULL, status TEXT NOT NULL, answer TEXT NOT NULL, cited TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS conversations_created ON conversations(created_at);
CREATE TABLE IF NOT EXISTS feedback (id INTEGER PRIMARY KEY AUTOINCREMENT,
    answer_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE, created_at TEXT NOT NULL,
    rating INTEGER NOT NULL, comment TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS feedback_answer ON feedback(answer_id);
CREATE TABLE IF NOT EXISTS admin_sessions (id_hash TEXT PRIMARY KEY, csrf TEXT NOT NULL, expires_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS document_versions (id INTEGER PRIMARY KEY AUTOINCREMENT, doc_id TEXT NOT NULL,
    version INTEGER NOT NULL, change TEXT NOT NULL, file_name TEXT NOT NULL, metadata TEXT NOT NULL,
    archived_file TEXT NOT NULL DEFAULT '', created_at TEXT NOT NULL, created_by TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS document_versions_doc ON document_versions(doc_id, version);
CREATE TABLE IF NOT EXISTS curated_answers (id INTEGER PRIMARY KEY AUTOINCREMENT, question TEXT NOT NULL,
    answer TEXT NOT NULL, doc_id TEXT NOT NULL DEFAULT '', quote TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL DEFAULT '', created_at TEXT DEFAULT (datetime('now')));
"""


def test_an_sqlite_file_with_the_old_tables_upgrades_with_nothing_lost(tmp_path):
    path = tmp_path / "hoidap.sqlite"

    class Release2(Store):
        migrations = Store.migrations[:2]

    Release2(path).close()
    db = sqlite3.connect(path)
    db.executescript(OLD_TABLES)
    now = datetime.now(UTC).isoformat(timespec="seconds")  # within the retention period
    db.execute("INSERT INTO conversations VALUES ('a1', ?, 'web', 's', ?, 'answered', '…', '[]')", (now, HOURS))
    db.execute("INSERT INTO feedback (answer_id, created_at, rating, comment) VALUES ('a1', ?, 1, '')", (now,))
    db.execute("INSERT INTO admin_sessions VALUES (?, 'csrf-1', ?)",
               (hashlib.sha256(b"cookie-1").hexdigest(), time.time() + 3600))
    db.execute("INSERT INTO document_versions (doc_id, version, change, file_name, metadata, created_at, created_by) "
               "VALUES ('kh', 1, ?, 'kh.pdf', '{\"id\": \"kh\"}', '2026-05-01T00:00:00+00:00', 'cán bộ A')", (UPLOADED,))
    db.execute("INSERT INTO curated_answers (question, answer, source) VALUES (?, 'Sáng thứ Hai.', 'Văn phòng Sở')", (HOURS,))
    db.commit()
    db.close()

    store = Store(path)
    assert store.applied_version() == 5
    log = ConversationLog(store, retention_days=30)
    assert [r["question"] for r in log.conversations(*ALL_TIME)] == [HOURS] and len(log.feedback(*ALL_TIME)) == 1
    assert AdminSessions(store, 3600).lookup("cookie-1") == ("csrf-1", "")  # still logged in, with no name
    assert AdminSessions(store, 3600).lookup(AdminSessions(store, 3600).create("Nguyễn Văn A"))[1] == "Nguyễn Văn A"
    versions = DocumentVersions(store)
    assert versions.history("kh")[0].created_by == "cán bộ A" and versions.record(Document(id="kh"), EDITED, "B").version == 2
    assert CuratedAnswers(store).match(HOURS).answer == "Sáng thứ Hai."
    store.close()
    assert Store(path).applied_version() == 5  # opened again: nothing applied twice
