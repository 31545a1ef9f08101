"""Content words of a question and how well a passage covers them (diacritic-free, IDF-weighted)."""

from __future__ import annotations

import math
import re
from functools import lru_cache

from hoidap.models import Passage
from hoidap.text import fold, folded_syllables, is_folded_syllable, syllables

# Function words and question words: they say how a citizen asks, not what about.
STOPWORDS = {
    "à",
    "ạ",
    "ad",
    "ai",
    "anh",
    "bà",
    "bạn",
    "bây",
    "bị",
    "bên",
    "bởi",
    "các",
    "cái",
    "cần",
    "câu",
    "cho",
    "chưa",
    "có",
    "còn",
    "cô",
    "của",
    "cùng",
    "cũng",
    "do",  # "do ai ban hành": the bare form is only void where the question is typed with marks (đỏ, độ, dò)
    "đã",
    "đang",
    "đâu",
    "để",
    "đến",
    "đều",
    "đi",
    "đó",
    "được",
    "em",
    "gì",
    "giờ",
    "giúp",
    "hả",
    "hay",
    "hỏi",
    "khi",
    "không",
    "kia",
    "ko",
    "k",
    "là",
    "lại",
    "làm",
    "lên",
    "mà",
    "mấy",
    "mình",
    "một",
    "nào",
    "này",
    "nếu",
    "nghe",
    "nhé",
    "nhỉ",
    "nhiêu",
    "nhiu",
    "như",
    "những",
    "nó",
    "ở",
    "ơi",
    "phải",
    "ra",
    "rằng",
    "rồi",
    "sao",
    "sẽ",
    "ta",
    "tại",
    "thế",
    "thì",
    "thôi",
    "tôi",
    "từ",
    "trong",
    "trên",
    "và",
    "vào",
    "vậy",
    "về",
    "vì",
    "với",
    "xin",
    "ừ",
    "ok",
    "tụi",
    "bác",
    "chú",
    "cháu",
    # chat spellings: được, bao nhiêu / bạn, gì, vậy, như thế nào, không
    "dc",
    "đc",
    "bn",
    "j",
    "z",
    "v",
    "ntn",
    "hok",
    "hem",
    "mk",
}
# Typed without marks a syllable is ambiguous (so = số/sở, qua = quả): only these are safely void.
BARE_STOPWORDS = {fold(w) for w in STOPWORDS} - {
    "so",
    "qua",
    "sang",
    "hoi",
    "chi",
    "tai",
    "can",
    "dang",
    "day",
    "thoi",
    "noi",
    "nhu",
    "cung",
    "de",
    "bi",
    "nha",
    "ban",
    "toi",
    "tu",
    "den",
    "do",
    "the",
}
# Words that sit in nearly every passage of this corpus: they carry no signal of their own. The two-syllable ones only
# as the pair: the "quyết" of "giải quyết", the "văn" of "văn hóa", the "nghị" of "đề nghị" carry meaning. ("ban"
# alone: typed bare it is as often "bạn".) "liên quan" links what is asked to what names it ("kế hoạch … liên quan QĐ
# 1169 là gì?"), as "các cơ quan có liên quan" does in the plans; "quan" of "cơ quan" alone stays.
DOMAIN_WORDS = {"57", "nq", "tw", "ban"}
DOMAIN_PAIRS = {("nghi", "quyet"), ("ke", "hoach"), ("van", "ban"), ("lien", "quan")}

_ASKING_AFTER_BAO = {"nhieu", "nhiu", "gio", "lau"}
_LETTER_DIGIT_RE = re.compile(r"(?<=[^\W\d_])(?=\d)|(?<=\d)(?=[^\W\d_])")
_NUMBER_RE = re.compile(r"^\d+$")


def content_words(text: str) -> list[str]:
    """Folded syllables that carry meaning, in order, without repeats."""
    seen: dict[str, None] = {}
    words = syllables(_LETTER_DIGIT_RE.sub(" ", text))  # "NQ57" is "NQ 57"
    folded = [fold(w) for w in words]
    paired = {j for i, pair in enumerate(zip(folded, folded[1:])) if pair in DOMAIN_PAIRS for j in (i, i + 1)}
    marked = any(w != f for w, f in zip(words, folded))
    for i, (w, f) in enumerate(zip(words, folded)):
        stop = w in STOPWORDS if f != w else f in BARE_STOPWORDS or marked and w in STOPWORDS
        # "bao" asks (bao nhiêu, bao giờ, bao lâu); elsewhere it is báo/bảo.
        stop = stop or (
            f == "bao"
            and i + 1 < len(words)
            and folded[i + 1] in _ASKING_AFTER_BAO
        )
        if not stop and f not in DOMAIN_WORDS and i not in paired and (len(f) > 1 or _NUMBER_RE.match(f)):
            seen.setdefault(f)
    return list(seen)


@lru_cache(maxsize=8192)
def folded_words(text: str) -> frozenset[str]:
    """The folded words of a text; cached, since each question scores the same passages again."""
    return frozenset(folded_syllables(text))


class Vocabulary:
    """Document frequencies over passages, so rare question words weigh more than common ones."""

    def __init__(self, passages: list[Passage]):
        self.n = max(len(passages), 1)
        self.df: dict[str, int] = {}
        for p in passages:
            seq = folded_syllables(p.text)
            for w in set(seq):
                self.df[w] = self.df.get(w, 0) + 1
        # A corpus word that is no Vietnamese syllable is a loan word or a code.
        self.loan_words = sorted(w for w in self.df if w.isalpha() and len(w) > 3 and not is_folded_syllable(w))

    def idf(self, word: str) -> float:
        # An unseen word (a typo, slang, or a topic the corpus lacks) weighs like the rarest seen one.
        return math.log(1 + self.n / max(self.df.get(word, 0), 1))

    def known(self, word: str) -> bool:
        return word in self.df

    def coverage(self, words: list[str], text: str) -> float:
        """Share of the question's weight found in the text: 0 (nothing) to 1 (every word)."""
        if not words:
            return 0.0
        present = folded_words(text)
        total = sum(self.idf(w) for w in words)
        return sum(self.idf(w) for w in words if w in present) / total

    def alias(self, word: str) -> str:
        """An unknown word that is part of a loan word the corpus uses ("bot" of "chatbot") means that word."""
        if self.known(word) or len(word) < 3 or not word.isalpha():
            return word
        return next((k for k in self.loan_words if k.startswith(word) or k.endswith(word)), word)
