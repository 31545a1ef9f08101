"""Retriever: the one entry point the bot uses. Hybrid BM25 + dense search with lexical in charge."""
from __future__ import annotations

import threading
from typing import Literal

import numpy as np

from hoidap.background import BackgroundRefresh
from hoidap.config import Settings
from hoidap.models import Hit
from hoidap.store import BaseStore
from hoidap.text import has_diacritics
from retrieval import fusion
from retrieval.embedders import Embedder, VectorCache, make_embedder
from retrieval.filters import Filters, detect_filters
from retrieval.snapshot import Snapshot, build_lock, store_key
from retrieval.tokens import fold_syllable, syllables, with_bigrams

FOLDED_WEIGHT = 0.5  # the diacritic-free field backs up the accented one
CANDIDATES = 50  # per retriever, before fusion
# The dense side reads the first syllables only: the embedder takes ~1 s per 250 syllables, and
# questions stay far below (longest benchmark question: 97), so only a pasted text is cut.
EMBED_SYLLABLES = 128


class Retriever:
    def __init__(
        self,
        store: BaseStore,
        settings: Settings,
        *,
        mode: Literal["hybrid", "lexical", "dense"] = "hybrid",
        fusion_method: Literal["weighted", "rrf"] = "weighted",
        auto_filters: bool = True,
        embedder: Embedder | None = None,
    ):
        self.store, self.settings = store, settings
        self.mode, self.fusion_method, self.auto_filters = mode, fusion_method, auto_filters
        self.embedder = None if mode == "lexical" else embedder or make_embedder(settings)
        if mode == "dense" and self.embedder is None:
            raise ValueError("dense mode needs an embedder (HOIDAP_EMBEDDER)")
        self.cache = VectorCache(store) if self.embedder else None
        if self.cache:
            self.cache.adopt(settings.index_dir / "vectors.sqlite")
        self.snapshot: Snapshot | None = None
        self._build_lock = threading.Lock()
        self._catching_up = BackgroundRefresh(self.refresh, "hoidap-index")
        self.refresh()

    # -- keeping in step with the store
    def refresh(self) -> None:
        """Serve the store's current generation: load the published snapshot, or build and publish one."""
        with self._build_lock:
            self._sync()

    def _sync(self) -> None:
        if self.snapshot and self.snapshot.key["generation"] == self.store.generation():
            return
        key = store_key(self.store, self.embedder)
        snapshot = Snapshot.load_current(self.settings.index_dir, key)
        if snapshot is None:
            with build_lock(self.settings.index_dir):  # one builder at a time across processes
                snapshot = Snapshot.load_current(self.settings.index_dir, key)
                if snapshot is None:
                    snapshot = Snapshot.build(self.store, self.embedder, self.cache)
                    snapshot.publish(self.settings.index_dir)
        self.snapshot = snapshot  # one reference swap: searches in flight keep the old one

    @property
    def generation(self) -> int:
        """The store generation of the snapshot being served."""
        return self.snapshot.key["generation"]

    def catch_up(self) -> None:
        """Load (or, when no process published it yet, build) the store's generation in the background, then swap:
        searches never wait, they serve the last snapshot meanwhile. Called on each search, and when another
        process announces a generation it published (hoidap.wiring)."""
        if self.snapshot.key["generation"] == self.store.generation():
            return
        self._catching_up.start()

    # -- searching
    @staticmethod
    def _words(snapshot: Snapshot, query: str) -> tuple[list[str], list[str]]:
        """The query's syllables (marks restored when typed without them) and the same folded."""
        words = syllables(query)
        folded = [fold_syllable(w) for w in words]
        if not has_diacritics(query):
            words = snapshot.restorer.restore_syllables(folded)
        return words, folded

    def reading(self, query: str) -> str:
        """The query as the search reads it: typed without marks, with the marks the corpus most likely means
        ("ke hoach cds" → "kế hoạch cds"); typed with them, as it is."""
        if has_diacritics(query):
            return query
        return " ".join(self._words(self.snapshot, query)[0])

    def together(self, first: str, second: str, of: str) -> float:
        """The share of the passages holding syllable `of` that write "`first` `second`" (lower case, with marks):
        1.0 for "sử" and "sử dụng" in the bundled plans, 0.4 for "xã" and "xã nam". A pair in one passage only is
        chance: 0."""
        restorer = self.snapshot.restorer
        pair, alone = restorer.bigrams.get(f"{first}_{second}", 0), restorer.unigrams.get(of, 0)
        return pair / alone if pair > 1 and alone else 0.0

    def _vector(self, words: list[str]) -> np.ndarray:
        return self.embedder.query(" ".join(words[:EMBED_SYLLABLES]))  # remembered: evidence reads it too

    def query_vector(self, query: str) -> np.ndarray:
        """The question as the dense side of the search read it: a bare question is embedded with its marks
        restored, which the multilingual model reads far better."""
        return self._vector(self._words(self.snapshot, query)[0])

    def search(self, query: str, k: int = 5, filters: Filters | None = None) -> list[Hit]:
        self.catch_up()
        snapshot = self.snapshot
        # The query is tokenised, restored, scored and embedded once, whatever the filters.
        words, folded = self._words(snapshot, query)
        if not snapshot.ids or not words:  # nothing indexed, or only punctuation / emoji asked
            return []
        detected = filters is None and self.auto_filters
        if detected:
            filters = detect_filters(query, snapshot.documents)
        lexical = None
        if self.mode != "dense":
            lexical = snapshot.lexical.scores("accented", with_bigrams(words))
            lexical = lexical + FOLDED_WEIGHT * snapshot.lexical.scores("folded", with_bigrams(folded))
        vector = self._vector(words) if snapshot.dense else None
        hits = self._rank(snapshot, lexical, vector, k, filters)
        if not hits and detected and filters:
            hits = self._rank(snapshot, lexical, vector, k, None)  # a guessed filter must not hide every answer
        return hits

    def _rank(self, snapshot: Snapshot, lexical_all: np.ndarray | None, vector: np.ndarray | None, k: int,
              filters: Filters | None) -> list[Hit]:
        """Fuse the query's BM25 scores of every row (None: dense mode) and its vector (None: no dense index)."""
        allowed = None
        if filters:
            passes = np.array([filters.passes(d) for d in snapshot.documents], dtype=bool)
            allowed = passes[snapshot.doc_rows]
            if not allowed.any():
                return []
            if lexical_all is not None:
                lexical_all = np.where(allowed, lexical_all, 0.0)
        lexical = {} if lexical_all is None else _top(lexical_all)
        dense: dict[int, float] = {}
        if vector is not None:
            rows, cosines = snapshot.dense.search(vector, CANDIDATES, None if allowed is None else np.flatnonzero(allowed))
            dense = dict(zip(rows.tolist(), cosines.tolist()))
            if lexical:  # score every candidate on both sides before fusing
                missing = np.array([r for r in lexical if r not in dense], dtype=np.int64)
                dense.update(zip(missing.tolist(), snapshot.dense.cosines(vector, missing).tolist()))
                lexical = {r: float(lexical_all[r]) for r in dense}
        if self.mode == "dense":
            fused = dense
        elif not dense:
            fused = lexical
        elif self.fusion_method == "rrf":
            fused = fusion.rrf(lexical, dense)
        else:
            fused = fusion.weighted(lexical, dense, self.settings.lexical_weight)
        hits = []
        for row in sorted(fused, key=fused.get, reverse=True):
            passage = self.store.passage(snapshot.ids[row])
            if passage is None:  # removed since this snapshot was built
                continue
            document = snapshot.documents[snapshot.doc_rows[row]]
            hits.append(Hit(passage, document, float(fused[row]), lexical.get(row, 0.0), dense.get(row, 0.0)))
            if len(hits) == k:
                break
        return hits


def _top(scores: np.ndarray, n: int = CANDIDATES) -> dict[int, float]:
    n = min(n, len(scores))
    top = np.argpartition(-scores, n - 1)[:n]
    return {int(r): float(scores[r]) for r in top if scores[r] > 0}
