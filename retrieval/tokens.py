"""Index and query tokens: syllables and syllable bigrams, accented and diacritic-folded."""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from hoidap.text import fold, normalize

_WORD_RE = re.compile(r"\w+")


@lru_cache(maxsize=500_000)
def _syllable(word: str) -> str:
    # Per-word cache: normalising every word of a 100k-passage corpus is the slow part of a build.
    return normalize(word).lower()


@lru_cache(maxsize=500_000)
def fold_syllable(syllable: str) -> str:
    return fold(syllable)


def syllables(text: str) -> list[str]:
    """hoidap.text.syllables (lower-case, normalised; non-word characters dropped), cached per word."""
    return [_syllable(w) for w in _WORD_RE.findall(unicodedata.normalize("NFC", text))]


def with_bigrams(words: list[str]) -> list[str]:
    return words + [f"{a}_{b}" for a, b in zip(words, words[1:])]


def fields(words: list[str]) -> tuple[list[str], list[str]]:
    """(accented, folded) token lists for one text already split into syllables."""
    return with_bigrams(words), with_bigrams([fold_syllable(w) for w in words])
