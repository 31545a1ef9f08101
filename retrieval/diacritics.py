"""Restore diacritics of a bare query with a syllable bigram model learnt from the corpus itself.

Each folded syllable has as candidates the accented forms seen in the corpus and in everyday
Vietnamese; Viterbi picks the sequence with the best smoothed bigram probability (counts are
passage frequencies). The syllable prior mixes the corpus with everyday Vietnamese (`wordfreq`):
plans rarely write the words citizens ask with ("có", "ký", "nào", "tiền"), so from the corpus
alone "co" became "cơ" and "tien" "tiến" (docs/retrieval.md, measured).
"""
from __future__ import annotations

import math
from collections import defaultdict
from functools import lru_cache

import wordfreq

from retrieval.tokens import fold_syllable, syllables

_MU = 2.0  # Dirichlet smoothing of P(b | a) towards P(b)
# Share of the syllable prior taken from everyday Vietnamese: 0.01-0.1 restored alike (python -m bench.restore).
EVERYDAY_WEIGHT = 0.05


@lru_cache(maxsize=1)
def everyday_syllables() -> dict[str, float]:
    """Frequencies of single syllables in everyday Vietnamese (wordfreq: subtitles, Wikipedia, web text)."""
    found: dict[str, float] = defaultdict(float)
    for word, frequency in wordfreq.get_frequency_dict("vi").items():
        if len(parts := syllables(word)) == 1 and parts[0].isalpha():
            found[parts[0]] += frequency
    return dict(found)


class DiacriticRestorer:
    def __init__(self, frequencies: dict[str, int], everyday: dict[str, float] | None = None,
                 everyday_weight: float = EVERYDAY_WEIGHT):
        """`frequencies`: accented unigram and "a_b" bigram counts of the corpus; `everyday`: syllable
        frequencies of everyday Vietnamese (None: `everyday_syllables()`; {}: the corpus alone)."""
        self.everyday_weight = everyday_weight
        self.unigrams = {t: c for t, c in frequencies.items() if "_" not in t}
        self.bigrams = {t: c for t, c in frequencies.items() if "_" in t}
        self.everyday = everyday_syllables() if everyday is None else everyday
        self.total = sum(self.unigrams.values()) + len(self.unigrams) + 1
        self.candidates: dict[str, list[str]] = defaultdict(list)
        for token in {**self.unigrams, **self.everyday}:
            self.candidates[fold_syllable(token)].append(token)

    def _p(self, token: str) -> float:
        corpus = (self.unigrams.get(token, 0) + 1) / self.total
        if not self.everyday:
            return corpus
        return (1 - self.everyday_weight) * corpus + self.everyday_weight * self.everyday.get(token, 0.0)

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
