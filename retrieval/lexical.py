"""BM25 (bm25s, eager sparse scores) over two fields: accented and diacritic-folded tokens.

A query only touches the postings of its own tokens, so its cost grows with those posting
lists, not with a loop over every passage.
"""
from __future__ import annotations

from pathlib import Path

import bm25s
import numpy as np

from retrieval.tokens import fields

FIELDS = ("accented", "folded")


class LexicalIndex:
    def __init__(self, indexes: dict[str, bm25s.BM25], size: int):
        self.indexes, self.size = indexes, size

    @classmethod
    def build(cls, texts_as_syllables: list[list[str]]) -> LexicalIndex:
        if not texts_as_syllables:  # an empty store (bm25s cannot index nothing): every score is zero
            return cls({}, 0)
        per_field = zip(*(fields(words) for words in texts_as_syllables))
        indexes = {}
        for name, corpus in zip(FIELDS, per_field):
            index = bm25s.BM25(k1=1.2, b=0.75)
            # An empty token list would make bm25s drop the row; keep one row per passage.
            index.index([tokens or [""] for tokens in corpus], show_progress=False)
            indexes[name] = index
        return cls(indexes, len(texts_as_syllables))

    def save(self, folder: Path) -> None:
        for name, index in self.indexes.items():
            index.save(str(folder / name), show_progress=False)

    @classmethod
    def load(cls, folder: Path, size: int) -> LexicalIndex:
        if not size:
            return cls({}, 0)
        return cls({name: bm25s.BM25.load(str(folder / name), show_progress=False) for name in FIELDS}, size)

    def scores(self, field: str, tokens: list[str]) -> np.ndarray:
        index = self.indexes.get(field)
        ids = index.get_tokens_ids([t for t in tokens if t]) if index else []
        if not ids:
            return np.zeros(self.size, dtype=np.float32)
        return index.get_scores_from_ids(ids)

    def document_frequencies(self, field: str) -> dict[str, int]:
        """Token → number of passages containing it (feeds the diacritic restorer)."""
        index = self.indexes.get(field)
        if index is None:
            return {}
        df = np.diff(index.scores["indptr"])
        return {token: int(df[i]) for token, i in index.vocab_dict.items() if token and i < len(df)}
