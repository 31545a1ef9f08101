"""Mark the words of a quote that match the question."""
from __future__ import annotations

import re
from collections.abc import Callable

from bot.words import STOPWORDS
from hoidap.text import fold

_WORD_RE = re.compile(r"\w+")


# A lone marked syllable that the documents write with its unmarked neighbour in at least this share of the passages
# that hold it is part of another word: "Sử" of "Sử dụng" (11 of 11 passages) is not "sử" of "lịch sử".
PART_OF_WORD = 0.5


def highlights(quote: str, words: list[str], together: Callable[[str, str, str], float] | None = None
               ) -> list[list[int]]:
    """[start, end) spans of the quote's words that match a question word; neighbours merge into one span.
    `together(first, second, of)`: the share of the passages holding syllable `of` that write "first second"
    (Retriever.together); a lone match it says is part of another word is not marked."""
    wanted = set(words)
    tokens = list(_WORD_RE.finditer(quote))
    marked = [fold(m.group(0)) in wanted for m in tokens]

    def next_to(i: int, j: int) -> bool:  # neighbours: nothing but spaces between them
        lo, hi = min(i, j), max(i, j)
        return 0 <= lo and hi < len(tokens) and not quote[tokens[lo].end() : tokens[hi].start()].strip()

    if together is not None:
        for i in [i for i, m in enumerate(marked) if m]:
            around = [j for j in (i - 1, i + 1) if next_to(i, j)]
            if any(marked[j] for j in around):
                continue  # a run of matches: the question's own phrase
            word = tokens[i].group(0).lower()
            for j in [j for j in around if tokens[j].group(0).lower() not in STOPWORDS]:  # "được giao" is two words
                first, second = sorted((i, j))
                if together(tokens[first].group(0).lower(), tokens[second].group(0).lower(), word) >= PART_OF_WORD:
                    marked[i] = False
    spans: list[list[int]] = []
    for i, m in enumerate(tokens):
        if not marked[i]:
            continue
        if spans and not quote[spans[-1][1] : m.start()].strip():
            spans[-1][1] = m.end()
        else:
            spans.append([m.start(), m.end()])
    return spans
