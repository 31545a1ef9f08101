"""Topics of questions as real words and phrases: "chuyển đổi số", "Đồng Nai", never "nai đặt".

Vietnamese writes a word as several syllables, so pairs of neighbouring syllables cross word boundaries
as often as not. A topic here is a phrase of 2–4 syllables that the documents themselves use: it occurs
at least MIN_COUNT times in the corpus, within one clause, and starts and ends with a content syllable.
A question's syllables are matched to the longest such phrase left to right (so "Đồng Nai" is taken
whole before "nai đặt" could be); folded, so "ha tinh" and "Hà Tĩnh" are one topic, shown in the
spelling the documents use most.
"""
from __future__ import annotations

import re
from collections import Counter

from bot.words import STOPWORDS
from hoidap.text import fold, has_diacritics, syllables

MAX_WORDS = 4
MIN_COUNT = 2
EXTRA_STOPWORDS = ("là gì của và có không nào các những cho được trong về với thì như thế bao nhiêu ai đâu khi "
                   "này đó ở tại theo từ đến ra sao hay hoặc bị do mà một hãy tôi em anh chị xin hỏi muốn biết "
                   "vui lòng ạ nhé vậy gồm năm ngày tháng nhằm đã sẽ cần phải").split()
STOP = frozenset((*STOPWORDS, *EXTRA_STOPWORDS))  # with marks: folded, "hà" (Hà Tĩnh) would be "hả"
_CLAUSE_RE = re.compile(r"[\n.,;:!?()\[\]\"“”…/–-]+")


def _clauses(text: str) -> list[list[str]]:
    """Runs of syllables not broken by punctuation: a phrase never spans a comma or a line."""
    return [words for part in _CLAUSE_RE.split(text) if (words := syllables(part))]


class Topics:
    def __init__(self, corpus_texts: list[str]):
        counts: Counter[tuple[str, ...]] = Counter()
        self._surface: dict[tuple[str, ...], Counter[str]] = {}
        for text in corpus_texts:
            for words in _clauses(text):
                folded = [fold(w) for w in words]
                for n in range(1, MAX_WORDS + 2):  # one longer: what each phrase is followed or preceded by
                    for i in range(len(words) - n + 1):
                        key = tuple(folded[i:i + n])
                        counts[key] += 1
                        if 1 < n <= MAX_WORDS:
                            self._surface.setdefault(key, Counter())[" ".join(words[i:i + n])] += 1
        # A phrase the documents never use without the same next syllable is the front of a longer word: "dịch vụ
        # công trực" of "dịch vụ công trực tuyến". (Not the previous syllable: "Hà Tĩnh" is nearly always "tỉnh Hà
        # Tĩnh" in a plan, yet a topic of its own in questions.)
        bound: Counter[tuple[str, ...]] = Counter()
        for key, count in counts.items():
            if len(key) > 2:
                bound[key[:-1]] = max(bound[key[:-1]], count)
        self.phrases = set()
        for key, count in counts.items():
            if not 1 < len(key) <= MAX_WORDS or count < MIN_COUNT or any(w.isdigit() for w in key):
                continue
            if bound[key] == count:
                continue
            shown = self.shown(key).split()
            if shown[0] not in STOP and shown[-1] not in STOP:
                self.phrases.add(key)

    def shown(self, key: tuple[str, ...]) -> str:
        """The spelling the documents use most for a folded phrase."""
        return self._surface[key].most_common(1)[0][0]

    def terms(self, question: str) -> list[str]:
        """The phrases of a question, each once, in the documents' own spelling."""
        found = []
        for words in _clauses(question):
            folded = [fold(w) for w in words]
            i = 0
            while i < len(folded):
                for n in range(min(MAX_WORDS, len(folded) - i), 1, -1):
                    key = tuple(folded[i:i + n])
                    typed = " ".join(words[i:i + n])
                    # typed with marks, it must be spelled as in the documents: "tầng số" is not "(nền) tảng số"
                    if key in self.phrases and (not has_diacritics(typed) or typed in self._surface[key]):
                        found.append(self.shown(key))
                        i += n
                        break
                else:
                    i += 1
        return list(dict.fromkeys(found))
