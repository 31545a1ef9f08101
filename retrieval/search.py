"""Retriever: the one entry point the bot uses. (Lexical-only placeholder; hybrid search to come.)"""
from __future__ import annotations

import threading
from dataclasses import dataclass

import bm25s
import numpy as np

from hoidap.config import Settings
from hoidap.models import Hit
from hoidap.store import Store
from hoidap.text import fold, syllables


@dataclass
class Filters:
    locality: str | None = None
    doc_id: str | None = None
    doc_type: str | None = None


def tokens(text: str) -> list[str]:
    words = syllables(text)
    folded = [fold(w) for w in words]
    return words + [f"{a}_{b}" for a, b in zip(words, words[1:])] + [f"~{w}" for w in folded]


class Retriever:
    def __init__(self, store: Store, settings: Settings):
        self.store, self.settings = store, settings
        self._lock = threading.Lock()
        self._generation = -1
        self.refresh()

    def refresh(self) -> None:
        with self._lock:
            if self._generation == self.store.generation():
                return
            self._generation = self.store.generation()
            self.passages = self.store.passages()
            self.documents = {d.id: d for d in self.store.documents()}
            self.index = bm25s.BM25()
            if self.passages:
                self.index.index([tokens(p.header + "\n" + p.text) for p in self.passages], show_progress=False)

    def search(self, query: str, k: int = 5, filters: Filters | None = None) -> list[Hit]:
        self.refresh()
        if not self.passages:
            return []
        scores = self.index.get_scores(tokens(query))
        order = np.argsort(-scores)
        hits = []
        for i in order:
            p = self.passages[i]
            doc = self.documents[p.doc_id]
            if filters and not _passes(filters, doc):
                continue
            if scores[i] <= 0 or len(hits) >= k:
                break
            hits.append(Hit(p, doc, float(scores[i]), lexical=float(scores[i])))
        return hits


def _passes(f: Filters, doc) -> bool:
    return (
        (not f.locality or fold(f.locality) in fold(doc.locality))
        and (not f.doc_id or f.doc_id == doc.id)
        and (not f.doc_type or fold(f.doc_type) == fold(doc.doc_type))
    )
