"""Vietnamese text core, shared by ingestion and queries.

Every string that becomes an index key or a query goes through :func:`normalize`;
:func:`fold` removes diacritics for the second, diacritic-free field.
"""
from __future__ import annotations

import re
import unicodedata

# Tone marks (as combining characters after NFD); vowel-quality marks (â, ă, ơ...) are not tones.
TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"
_TONE_RE = re.compile(f"[{TONE_MARKS}]")
_WORD_RE = re.compile(r"\w+")
# Syllables ending in oa/oe/uy carry the tone on the first vowel in the old style we keep:
# hoà→hòa, thuý→thúy, khoẻ→khỏe. "qu" is a consonant, so quý/quả are left alone.
_OLD_STYLE_RE = re.compile(r"(?<![qQ])([oOuU])([aAeEyY])$")
_SPACES_RE = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u3000]+")

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


def collapse_ws(text: str) -> str:
    """NFC and one space between words: how quotes are compared."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def unicodedata_nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


_LIST_START_RE = re.compile(r"^\s*([-–•+*]|[IVXLC]+\.|\d+(\.\d+)*\.|[a-zđ]\)|Điều\s+\d+|Chương\s+[IVXLC\d]+|Mục\s+\d+)", re.I)


def repair_lines(text: str) -> str:
    """Join lines that a PDF or a hard-wrapped file broke inside a sentence.

    A line is joined to the next when it does not end a sentence or a heading and the next
    line does not start a list item or heading. Paragraphs end up separated by one blank line.
    """
    lines = [line.strip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    lines = [line for line in lines if line]
    paragraphs: list[str] = []
    for line in lines:
        if paragraphs and _continues(paragraphs[-1], line):
            paragraphs[-1] = paragraphs[-1] + " " + line
        else:
            paragraphs.append(line)
    return "\n\n".join(_SPACES_RE.sub(" ", p) for p in paragraphs)


def _continues(previous: str, line: str) -> bool:
    if previous[-1] in ".:;!?…":
        return False
    if _LIST_START_RE.match(line):
        return False
    if line[0].islower():
        return True
    # An upper-case start continues a wrapped sentence, but not a title or heading line.
    return not (previous.isupper() or _LIST_START_RE.match(previous) and len(previous) < 90)
