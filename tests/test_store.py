"""The store, on each engine (SQLite and PostgreSQL, the `open_store` fixture in conftest.py): whole-document
writes that readers never see half done, reads, the replay memory, and the versioned schema."""
import re
import sqlite3
import threading

import pytest

from hoidap.models import Document, Passage
from hoidap.schema import SCHEMA
from hoidap.store import Store
from hoidap.store_pg import PostgresStore


def _passages(doc_id: str, n: int) -> list[Passage]:
    return [Passage(f"{doc_id}:{i}", doc_id, i, "I. MỤC ĐÍCH", f"đoạn {i}", None, "") for i in range(n)]


def test_readers_on_the_shared_connection_see_whole_documents(open_store):
    store = open_store()
    store.put_document(Document(id="kh"), _passages("kh", 20))
    seen, stop = [], threading.Event()

    def read():
        while not stop.is_set():
            if store.document("kh") is not None:
                seen.append(len(store.passages("kh")))

    readers = [threading.Thread(target=read) for _ in range(3)]
    for t in readers:
        t.start()
    for _ in range(200):  # each write deletes and re-inserts the document in one transaction
        store.put_document(Document(id="kh"), _passages("kh", 20))
    stop.set()
    for t in readers:
        t.join()
    assert seen and set(seen) == {20}
    assert store.generation() == 201


def test_documents_and_passages_round_trip_in_the_same_order(open_store):
    store = open_store()
    assert store.documents() == [] and store.generation() == 0
    ids = ["a_b", "a-b", "B", "aa", "đồng-nai"]  # bytewise order on both engines, whatever the locale
    for doc_id in ids:
        store.put_document(Document(id=doc_id, title=f"Kế hoạch {doc_id}", page_count=3), _passages(doc_id, 12))
    assert [d.id for d in store.documents()] == sorted(ids)
    assert store.document("a-b") == Document(id="a-b", title="Kế hoạch a-b", page_count=3)
    assert store.document("none") is None
    assert [p.ordinal for p in store.passages("aa")] == list(range(12))  # by ordinal, not as text
    assert [p.doc_id for p in store.passages()][::12] == sorted(ids)
    assert store.passage("B:3") == Passage("B:3", "B", 3, "I. MỤC ĐÍCH", "đoạn 3", None, "")
    assert store.passage("B:99") is None
    added = store.added_at()
    assert set(added) == set(ids) and all(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", v) for v in added.values())
    assert store.generation() == len(ids)

    assert store.remove_document("aa") and not store.remove_document("aa")
    assert store.passages("aa") == [] and store.passage("aa:0") is None  # passages go with their document
    assert store.generation() == len(ids) + 1  # a removal that removed nothing changes nothing


def test_a_messaging_event_is_first_seen_once_within_its_window(open_store):
    store = open_store()
    assert store.first_seen("telegram:1", now=1000.0, keep_s=60)
    assert not store.first_seen("telegram:1", now=1030.0, keep_s=60)
    assert store.first_seen("zalo:1", now=1030.0, keep_s=60)
    assert store.first_seen("telegram:1", now=1061.0, keep_s=60)  # forgotten after the window


def test_a_second_store_on_the_same_database_sees_the_writes(open_store):
    writer, reader = open_store(), open_store()  # two replicas (PostgreSQL) or two processes (SQLite)
    writer.put_document(Document(id="kh"), _passages("kh", 3))
    assert reader.generation() == 1 and len(reader.passages("kh")) == 3
    assert writer.first_seen("messenger:m1", 1000.0, 60) and not reader.first_seen("messenger:m1", 1001.0, 60)


def test_the_schema_is_versioned_and_upgraded_once_with_data_kept(open_store):
    store = open_store()
    assert store.applied_version() == store.schema_version == 5
    store.put_document(Document(id="kh"), _passages("kh", 2))
    base = Store if open_store.engine == "sqlite" else PostgresStore

    class Upgraded(base):  # the next release adds a column
        migrations = base.migrations + ["ALTER TABLE documents ADD COLUMN note TEXT"]

    upgraded = open_store(Upgraded)
    assert upgraded.applied_version() == 6
    assert upgraded.document("kh") == Document(id="kh") and len(upgraded.passages("kh")) == 2
    again = open_store(Upgraded)  # ADD COLUMN twice would fail: the migration is applied once
    assert again.applied_version() == 6 and again.generation() == 1


def test_a_database_from_before_versioning_opens_as_version_1_then_upgrades(tmp_path):
    path = tmp_path / "hoidap.sqlite"
    old = sqlite3.connect(path)
    old.executescript(SCHEMA)
    old.execute("INSERT INTO documents (id, title) VALUES ('kh', 'Kế hoạch')")
    old.commit()
    old.close()
    store = Store(path)
    assert store.applied_version() == 5 and store.document("kh").title == "Kế hoạch"  # and upgraded to 5


def test_an_unreachable_postgresql_says_so():
    with pytest.raises(ConnectionError, match="PostgreSQL"):
        PostgresStore("postgresql://nobody@127.0.0.1:1/none", connect_timeout=1)


def test_jobs_are_listed_newest_first_with_their_state(open_store):
    store, other = open_store(), open_store()  # a job queued on one replica is seen from another
    store.add_job("0001-a", "kh45.pdf", "cán bộ A")
    store.add_job("0002-b", "kh46.docx", "cán bộ B")
    other.update_job("0001-a", "running", "Đang nhúng vector 12/40")
    assert [(j.id, j.state, j.progress) for j in other.jobs()] == [
        ("0002-b", "queued", ""), ("0001-a", "running", "Đang nhúng vector 12/40")]
    store.update_job("0001-a", "done", result='{"ok": "Đã thêm"}')
    assert other.job("0001-a").result == '{"ok": "Đã thêm"}' and other.job("none") is None
