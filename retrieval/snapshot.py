"""One immutable, on-disk index generation: lexical + dense + row → passage map.

Layout under Settings.index_dir (HOIDAP_INDEX_DIR: a directory every replica mounts, or data/index):
  CURRENT            name of the snapshot being served (replaced atomically)
  snap-<gen>-<tag>/  a complete snapshot, renamed into place only once fully written
  .tmp-<tag>/        a snapshot being written (left behind by a crash, swept later)
  build.lock         held while a process builds, so others wait and load its result
A crash mid-build never touches CURRENT, so the previous snapshot keeps serving. Passage vectors are in the
store, by text hash (retrieval.embedders.VectorCache).
"""
from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from hoidap.models import Document, Passage
from hoidap.store import BaseStore
from retrieval.dense import DenseIndex
from retrieval.diacritics import DiacriticRestorer
from retrieval.embedders import Embedder, VectorCache
from retrieval.lexical import LexicalIndex
from retrieval.tokens import syllables

CURRENT = "CURRENT"
_STALE_TMP_S = 3600  # a temp folder this old belongs to a dead build


def index_text(p: Passage) -> str:
    return f"{p.header}\n{p.text}"


def embed_text(p: Passage) -> str:
    # The long header would more than double embedding time; the lexical side indexes it.
    return f"{p.section}\n{p.text}"


def store_key(store: BaseStore, embedder: Embedder | None) -> dict:
    """What a snapshot must match to serve this store: generation, documents, embedder."""
    generation = store.generation()
    docs = hashlib.sha256(json.dumps([(d.id, d.sha256) for d in store.documents()]).encode()).hexdigest()
    return {"generation": generation, "documents": docs, "embedder": embedder.name if embedder else None}


@contextmanager
def build_lock(index_dir: Path, name: str = "build.lock"):
    """One process at a time, across every process that shares `index_dir` (HOIDAP_INDEX_DIR, NFS v4 included)."""
    index_dir.mkdir(parents=True, exist_ok=True)
    with open(index_dir / name, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)  # released by the kernel if the holder dies
        yield


@dataclass
class Snapshot:
    key: dict
    ids: list[str]  # row → passage id
    doc_rows: np.ndarray  # row → index into documents
    documents: list[Document]
    lexical: LexicalIndex
    dense: DenseIndex | None
    restorer: DiacriticRestorer
    path: Path | None = None

    @classmethod
    def build(cls, store: BaseStore, embedder: Embedder | None, cache: VectorCache | None) -> Snapshot:
        key = store_key(store, embedder)  # read first: data newer than the key only costs a rebuild
        documents = store.documents()
        doc_index = {d.id: i for i, d in enumerate(documents)}
        # A document stored between the two reads waits for the next build (the key is older than it).
        passages = [p for p in store.passages() if p.doc_id in doc_index]
        lexical = LexicalIndex.build([syllables(index_text(p)) for p in passages])
        dense = None
        if embedder and passages:
            dense = DenseIndex.build(cache.embed(embedder, [embed_text(p) for p in passages]))
        return cls(
            key=key,
            ids=[p.id for p in passages],
            doc_rows=np.array([doc_index[p.doc_id] for p in passages], dtype=np.int32),
            documents=documents,
            lexical=lexical,
            dense=dense,
            restorer=DiacriticRestorer(lexical.document_frequencies("accented")),
        )

    def publish(self, index_dir: Path) -> None:
        """Write to a temp folder, rename it into place, then point CURRENT at it."""
        index_dir.mkdir(parents=True, exist_ok=True)
        tag = uuid.uuid4().hex[:8]
        tmp = index_dir / f".tmp-{tag}"
        (tmp / "lexical").mkdir(parents=True)
        self.lexical.save(tmp / "lexical")
        if self.dense:
            self.dense.save(tmp / "dense.faiss")
        np.save(tmp / "doc_rows.npy", self.doc_rows)
        (tmp / "rows.json").write_text(json.dumps({
            "ids": self.ids, "documents": [d.to_dict() for d in self.documents],
        }, ensure_ascii=False), encoding="utf-8")
        (tmp / "meta.json").write_text(json.dumps(self.key), encoding="utf-8")  # written last
        final = index_dir / f"snap-{self.key['generation']:08d}-{tag}"
        os.replace(tmp, final)
        current = index_dir / CURRENT
        previous = current.read_text(encoding="utf-8").strip() if current.exists() else ""
        pointer = index_dir / f".{CURRENT}-{tag}"
        pointer.write_text(final.name, encoding="utf-8")
        os.replace(pointer, current)
        self.path = final
        _sweep(index_dir, keep={final.name, previous})

    @classmethod
    def load_current(cls, index_dir: Path, key: dict | None = None) -> Snapshot | None:
        """The served snapshot, or None when there is none, it vanished while being read, or its key is not `key`."""
        try:
            path = index_dir / (index_dir / CURRENT).read_text(encoding="utf-8").strip()
            found = json.loads((path / "meta.json").read_text(encoding="utf-8"))
            if key is not None and found != key:  # stale: not worth loading
                return None
            rows = json.loads((path / "rows.json").read_text(encoding="utf-8"))
            size = len(rows["ids"])
            lexical = LexicalIndex.load(path / "lexical", size)
            dense = DenseIndex.load(path / "dense.faiss") if (path / "dense.faiss").exists() else None
            doc_rows = np.load(path / "doc_rows.npy")
        except (OSError, ValueError, KeyError, RuntimeError):  # RuntimeError: FAISS could not read
            return None
        return cls(
            key=found,
            ids=rows["ids"],
            doc_rows=doc_rows,
            documents=[Document(**d) for d in rows["documents"]],
            lexical=lexical,
            dense=dense,
            restorer=DiacriticRestorer(lexical.document_frequencies("accented")),
            path=path,
        )


def _sweep(index_dir: Path, keep: set[str]) -> None:
    """Drop every snapshot but `keep`: the new one and the previous one (a reader may still be loading it)."""
    for old in index_dir.glob("snap-*"):
        if old.name not in keep:
            shutil.rmtree(old, ignore_errors=True)
    now = time.time()
    for tmp in [*index_dir.glob(".tmp-*"), *index_dir.glob(f".{CURRENT}-*")]:
        if now - tmp.stat().st_mtime > _STALE_TMP_S:
            shutil.rmtree(tmp, ignore_errors=True) if tmp.is_dir() else tmp.unlink(missing_ok=True)
