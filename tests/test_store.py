"""The SQLite store shared by request threads: a reader never sees half a document."""
import threading

from hoidap.models import Document, Passage
from hoidap.store import Store


def _passages(doc_id: str, n: int) -> list[Passage]:
    return [Passage(f"{doc_id}:{i}", doc_id, i, "I. MỤC ĐÍCH", f"đoạn {i}", None, "") for i in range(n)]


def test_readers_on_the_shared_connection_see_whole_documents(tmp_path):
    store = Store(tmp_path / "hoidap.sqlite")
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
