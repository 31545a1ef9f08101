"""Restore diacritics of a bare query with a syllable bigram model learnt from the corpus itself.

Each folded syllable has the accented forms seen in the corpus as candidates; Viterbi picks
the sequence with the best smoothed bigram probability (counts are passage frequencies).
"""
from __future__ import annotations

import math
from collections import defaultdict

from retrieval.tokens import fold_syllable, syllables

_MU = 2.0  # Dirichlet smoothing of P(b | a) towards P(b)


class DiacriticRestorer:
    def __init__(self, frequencies: dict[str, int]):
        """`frequencies`: accented unigram and "a_b" bigram counts."""
        self.unigrams = {t: c for t, c in frequencies.items() if "_" not in t}
        self.bigrams = {t: c for t, c in frequencies.items() if "_" in t}
        self.total = sum(self.unigrams.values()) + len(self.unigrams) + 1
        self.candidates: dict[str, list[str]] = defaultdict(list)
        for token in self.unigrams:
            self.candidates[fold_syllable(token)].append(token)

    def _p(self, token: str) -> float:
        return (self.unigrams.get(token, 0) + 1) / self.total

    def _log_p(self, previous: str | None, token: str) -> float:
        if previous is None:
            return math.log(self._p(token))
        pair = self.bigrams.get(f"{previous}_{token}", 0)
        return math.log((pair + _MU * self._p(token)) / (self.unigrams.get(previous, 0) + _MU))

    def restore_syllables(self, words: list[str]) -> list[str]:
        if not words:
            return []
        columns = [self.candidates.get(w) or [w] for w in words]
        scores = {c: self._log_p(None, c) for c in columns[0]}
        back: list[dict[str, str]] = []  # per column: candidate → its best predecessor (linear in the length)
        for column in columns[1:]:
            links = {c: max(((s + self._log_p(prev, c), prev) for prev, s in scores.items()), key=lambda item: item[0])
                     for c in column}
            scores = {c: s for c, (s, _) in links.items()}
            back.append({c: prev for c, (_, prev) in links.items()})
        path = [max(scores, key=scores.get)]
        for links in reversed(back):
            path.append(links[path[-1]])
        return path[::-1]

    def restore(self, text: str) -> str:
        """"ke hoach chuyen doi so" → "kế hoạch chuyển đổi số" (lower-case syllables)."""
        return " ".join(self.restore_syllables([fold_syllable(w) for w in syllables(text)]))
