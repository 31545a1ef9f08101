"""Vietnamese text core, shared by ingestion and queries.

Every string that becomes an index key or a query goes through :func:`normalize`;
:func:`fold` removes diacritics for the second, diacritic-free field.
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter

# Tone marks (as combining characters after NFD); vowel-quality marks (â, ă, ơ...) are not tones.
TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"
_TONE_RE = re.compile(f"[{TONE_MARKS}]")
_WORD_RE = re.compile(r"\w+")
# Syllables ending in oa/oe/uy carry the tone on the first vowel in the old style we keep:
# hoà→hòa, thuý→thúy, khoẻ→khỏe. "qu" is a consonant, so quý/quả are left alone.
_OLD_STYLE_RE = re.compile(r"(?<![qQ])([oOuU])([aAeEyY])$")
_SPACES_RE = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u3000]+")

# Control characters (binary junk) and unpaired surrogates, which no encoder, database or log can take.
_UNSAFE_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")

_FOLD_MAP = str.maketrans({"đ": "d", "Đ": "D", "ð": "d", "Ð": "D"})


def _place_tone(word: str) -> str:
    decomposed = unicodedata.normalize("NFD", word)
    tones = _TONE_RE.findall(decomposed)
    if len(tones) != 1:
        return word
    bare = unicodedata.normalize("NFC", _TONE_RE.sub("", decomposed))
    match = _OLD_STYLE_RE.search(bare)
    if not match:
        return word
    i = match.start(1)
    placed = bare[: i + 1] + tones[0] + bare[i + 1 :]
    return unicodedata.normalize("NFC", placed)


def clean_input(text: str) -> str:
    """Text from outside (web form, API, messaging platform) made safe to answer, store and log.

    Drops control characters other than tab and newlines, and lone surrogates (a JSON "\\ud800"
    decodes to one); NFC. Every channel cleans what it receives with this, the same way.
    """
    return unicodedata.normalize("NFC", _UNSAFE_RE.sub("", text))


def normalize(text: str) -> str:
    """NFC, one tone placement (hòa, thúy, khỏe), ð→đ, single spaces. Idempotent."""
    text = unicodedata.normalize("NFC", text).replace("ð", "đ").replace("Ð", "Đ")
    text = _WORD_RE.sub(lambda m: _place_tone(m.group(0)), text)
    text = _SPACES_RE.sub(" ", text)
    return unicodedata.normalize("NFC", text)


def fold(text: str) -> str:
    """Lower-case and strip every diacritic, đ→d: what a citizen types on a phone."""
    text = unicodedata.normalize("NFD", text.translate(_FOLD_MAP).lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", text)


def has_diacritics(text: str) -> bool:
    """True when the text carries any Vietnamese mark (so it was not typed bare)."""
    return fold(text) != text.lower()


def syllables(text: str) -> list[str]:
    """Lower-cased word tokens of normalised text (Vietnamese words are syllables)."""
    return _WORD_RE.findall(normalize(text).lower())


def folded_syllables(text: str) -> list[str]:
    """:func:`syllables`, each folded: the words of a text as typed without marks.

    Folding the joined syllables at once gives the same words (nothing folds across a space) at a
    fraction of the cost of folding each one.
    """
    return fold(" ".join(syllables(text))).split()


def folded_text(text: str) -> str:
    """The folded syllables joined by single spaces: punctuation gone, ready for phrase patterns."""
    return " ".join(folded_syllables(text))


def collapse_ws(text: str) -> str:
    """NFC and one space between words: how quotes are compared."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def unicodedata_nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


# Vietnamese syllable = initial? + vowel nucleus + final?, checked on the tone-free form.
_INITIAL = "ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnpqrstvx]"
_NUCLEUS = (
    "uyê|uya|uyu|iêu|yêu|oai|oay|oao|oeo|uây|uôi|ươi|ươu|"
    "ai|ao|au|ay|âu|ây|eo|êu|ia|iê|iu|oa|oă|oe|oi|oo|ôi|ơi|ua|uâ|uê|ui|uô|uơ|uy|ưa|ưi|ươ|ưu|yê|"
    "[aăâeêioôơuưy]"
)
_FINAL = "ch|ng|nh|[cmnpt]"
_SYLLABLE_RE = re.compile(f"(?:{_INITIAL})?(?:{_NUCLEUS})(?:{_FINAL})?")
# Folded, â/ơ/ư... are plain vowels, so the nucleus can only be checked as a run of vowels.
_FOLDED_SYLLABLE_RE = re.compile(f"(?:{_INITIAL})?[aeiouy]+(?:{_FINAL})?")


def is_syllable(word: str) -> bool:
    """True when ``word`` is shaped like one Vietnamese syllable (at most one tone mark)."""
    decomposed = unicodedata.normalize("NFD", normalize(word).lower())
    if len(_TONE_RE.findall(decomposed)) > 1:
        return False
    bare = unicodedata.normalize("NFC", _TONE_RE.sub("", decomposed))
    return _SYLLABLE_RE.fullmatch(bare) is not None


def is_folded_syllable(word: str) -> bool:
    """True when a folded word (no marks) could be one Vietnamese syllable; "chatbot" cannot."""
    return _FOLDED_SYLLABLE_RE.fullmatch(word) is not None


# The number of a list item or heading: "2.", "1.2.", "IV.", "c)".
ENUMERATOR = r"(?:\d+(?:\.\d+)*\.|[IVXLC]+\.|[a-zđ]\))"
_LIST_START_RE = re.compile(rf"^\s*([-–•+*]\s|{ENUMERATOR}|Điều\s+\d+|Chương\s+[IVXLC\d]+|Mục\s+\d+)", re.I)
# "kinh tế\n- xã hội", "2021\n- 2025": a dash that joins words, not a bullet.
_DASH_JOIN_RE = re.compile(r"^[-–]\s+[a-zà-ỹđ\d]")
_WRAP_HYPHEN_RE = re.compile(r"\w-$")  # "57-\nNQ/TW": a code split after its hyphen
_BLANK_RE = re.compile(r"^\s*$")
# Words that cannot end a title or a paragraph, so a capital after them is still the same sentence.
_OPEN_WORDS = {"của", "và", "về", "các", "những", "với", "tại", "theo", "trong", "là", "để", "số", "ngày"}


def _lines_with_gaps(text: str) -> list[tuple[int, str]]:
    """Non-blank lines, each with the number of blank (or whitespace-only) lines before it."""
    result, gap = [], 0
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if _BLANK_RE.match(line):
            gap += 1
            continue
        result.append((gap, _SPACES_RE.sub(" ", line).strip()))
        gap = 0
    return result


def looks_hard_wrapped(text: str) -> bool:
    """True when most line breaks fall inside sentences (PDF text pasted or saved with hard wraps)."""
    lines = [line for _, line in _lines_with_gaps(text)]
    if len(lines) < 5:
        return False
    inside = sum(1 for prev, line in zip(lines, lines[1:]) if _breaks_sentence(prev, line))
    return inside >= 0.2 * (len(lines) - 1)


def _breaks_sentence(prev: str, line: str) -> bool:
    """A break that can only be a wrap: no end punctuation, then a lower-case or dash-joined word."""
    if prev[-1] in ".:;!?…":
        return False
    return bool(_DASH_JOIN_RE.match(line)) or line[0].islower() and not _LIST_START_RE.match(line)


def tidy_paragraphs(text: str) -> str:
    """One paragraph per non-blank line, single spaces, paragraphs separated by one blank line."""
    return "\n\n".join(line for _, line in _lines_with_gaps(text))


class _Paragraph:
    """A paragraph being built from lines, with what the join rules read from it kept up to date,
    so that each line costs the same however long the paragraph has grown (linear overall)."""

    def __init__(self, line: str):
        self.parts = [line]
        self.end = line[-2:]  # enough for _WRAP_HYPHEN_RE ("\w-$")
        self.last_word = line.rsplit(" ", 1)[-1][-_WORD_TAIL:]
        self.has_lower = any(c.islower() for c in line)
        self.has_upper = any(c.isupper() for c in line)

    def add(self, glue: str, line: str) -> None:
        self.parts += [glue, line]
        self.end = (self.end + glue + line)[-2:]
        if glue or " " in line:
            self.last_word = line.rsplit(" ", 1)[-1][-_WORD_TAIL:]
        else:  # "57-" + "NQ/TW": the same word goes on
            self.last_word = (self.last_word + line)[-_WORD_TAIL:]
        self.has_lower = self.has_lower or any(c.islower() for c in line)
        self.has_upper = self.has_upper or any(c.isupper() for c in line)

    def is_upper(self) -> bool:  # str.isupper() of the joined text
        return self.has_upper and not self.has_lower

    def text(self) -> str:
        return "".join(self.parts)


_WORD_TAIL = 1 + max(map(len, _OPEN_WORDS))  # a longer tail is no open word either


def repair_lines(text: str) -> str:
    """Join lines that a PDF or a hard-wrapped file broke inside a sentence, in linear time.

    A wider blank gap than usual always ends a paragraph. Otherwise a line continues the previous
    one when that does not end a sentence and the line is not a list item, unless it starts with a
    capital after a short line (the end of a title or paragraph) that does not end in a word such
    as "của". "57-" + "NQ/TW" joins without a space. Paragraphs are separated by one blank line.
    """
    lines = _lines_with_gaps(text)
    if not lines:
        return ""
    gaps = Counter(gap for gap, _ in lines[1:])
    usual = max(gaps, key=lambda gap: (gaps[gap], -gap)) if gaps else 0
    lengths = sorted(len(line) for _, line in lines)
    full = 0.75 * lengths[int(0.8 * (len(lengths) - 1))]
    paragraphs: list[_Paragraph] = []
    last_line = ""
    for gap, line in lines:
        if paragraphs and gap <= usual and _continues(paragraphs[-1], last_line, line, full):
            glue = "" if _WRAP_HYPHEN_RE.search(last_line) and line[0].isalnum() else " "
            paragraphs[-1].add(glue, line)
        else:
            paragraphs.append(_Paragraph(line))
        last_line = line
    return "\n\n".join(p.text() for p in paragraphs)


def _continues(paragraph: _Paragraph, last_line: str, line: str, full: float) -> bool:
    if _breaks_sentence(paragraph.end, line) or _WRAP_HYPHEN_RE.search(paragraph.end) and line[0].isalnum():
        return True
    if paragraph.end[-1] in ".:;!?…" or _LIST_START_RE.match(line) or line[0].islower():
        return False
    if paragraph.last_word.lower() in _OPEN_WORDS:
        return True
    return not paragraph.is_upper() and len(last_line) >= full


# pypdf splits a word when a PDF draws a mark as its own glyph ("Nghi ̣") or spaces letters out
# ("Ngh ị"): reattach marks, and join a vowel-less fragment to what follows when that makes one
# valid syllable (a real word always has a vowel, so nothing correct is touched).
_SPACE_BEFORE_MARK_RE = re.compile(r"\s+(?=[\u0300-\u036f])")
_FRAGMENT_RE = re.compile(r"\b([b-df-hj-np-tv-zđB-DF-HJ-NP-TV-ZĐ]{1,3}) (\w+)")


def fix_pdf_spacing(text: str) -> str:
    """Undo the common word splits of PDF text extraction (see above); NFC result."""
    text = unicodedata.normalize("NFC", _SPACE_BEFORE_MARK_RE.sub("", text))

    def join(match: re.Match[str]) -> str:
        head, tail = match.groups()
        if tail[0].islower() and is_syllable(head + tail) and not is_syllable(head):
            return head + tail
        return match.group(0)

    return _FRAGMENT_RE.sub(join, text)
