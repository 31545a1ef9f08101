"""Repair Vietnamese typed in pre-Unicode fonts (TCVN3/ABC ".VnTime", VNI-Windows) or UTF-8 read as
Latin-1: such text arrives as Latin-1 look-alikes ("NghÞ quyÕt", "Nghò quyeát", "Nghá»‹")."""
from __future__ import annotations

import re
import unicodedata

from hoidap.text import is_syllable

# TCVN3 (ABC) has one code per lower-case letter; ".VnTimeH" draws the same codes as capitals,
# so capitals with a tone cannot be told apart from lower case (see _restore_caps).
_TCVN3_LOWER = (
    "àµ ả¶ ã· á¸ ạ¹ ă¨ ằ» ẳ¼ ẵ½ ắ¾ ặÆ â© ầÇ ẩÈ ẫÉ ấÊ ậË đ® èÌ ẻÎ ẽÏ éÐ ẹÑ êª ềÒ ểÓ ễÔ ếÕ ệÖ "
    "ì× ỉØ ĩÜ íÝ ịÞ òß ỏá õâ óã ọä ô« ồå ổæ ỗç ốè ộé ơ¬ ờê ởë ỡì ớí ợî ùï ủñ ũò úó ụô ư\u00ad "
    "ừõ ửö ữ÷ ứø ựù ỳú ỷû ỹü ýý ỵþ"
)
_TCVN3_CAPS = "Ă¡ Â¢ Ê£ Ô¤ Ơ¥ Ư¦ Đ§"


def _pairs(table: str) -> dict[str, str]:
    return {item[0]: item[1] for item in table.split()}


TO_TCVN3 = _pairs(_TCVN3_LOWER) | _pairs(_TCVN3_CAPS)
_FROM_TCVN3 = str.maketrans({code: letter for letter, code in TO_TCVN3.items()})

# VNI-Windows: base letter + one mark character, by vowel quality then tone (none, grave, acute,
# hook, tilde, dot); ơ/ư and a few i/y/đ forms are single characters.
_TONES = ("", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323")
_VNI_MARKS = {"": ("", "ø", "ù", "û", "õ", "ï"), "\u0302": "âàáåãä", "\u0306": "êèéúüë"}
_QUALITIES = {"a": ("", "\u0302", "\u0306"), "e": ("", "\u0302"), "o": ("", "\u0302", "\u031b"),
              "u": ("", "\u031b"), "i": ("",), "y": ("",)}
_VNI_SINGLE = {"đ": "ñ", "ì": "ì", "í": "í", "ỉ": "æ", "ĩ": "ó", "ị": "ò", "ỵ": "î"}


def _vni_pairs() -> dict[str, str]:
    pairs = {}
    for base, qualities in _QUALITIES.items():
        for quality in qualities:
            for tone_index, tone in enumerate(_TONES):
                letter = unicodedata.normalize("NFC", base + quality + tone)
                head, marks = base, _VNI_MARKS.get(quality, _VNI_MARKS[""])
                if quality == "\u031b":
                    head = {"o": "ô", "u": "ö"}[base]
                code = _VNI_SINGLE.get(letter, head + marks[tone_index])
                if code != letter:
                    pairs[letter] = code
                    pairs[letter.upper()] = code.upper()
    pairs.update({"đ": "ñ", "Đ": "Ñ"})
    return pairs


TO_VNI = _vni_pairs()
_FROM_VNI = {code: letter for letter, code in TO_VNI.items()}
_VNI_RE = re.compile("|".join(sorted(map(re.escape, _FROM_VNI), key=len, reverse=True)))
# UTF-8 bytes shown as Windows-1252; its five undefined bytes show as the same-numbered C1 controls.
_CP1252_BYTES = {bytes([b]).decode("cp1252"): b for b in range(0x80, 0xA0) if b not in b"\x81\x8d\x8f\x90\x9d"}

_WORD_RE = re.compile(r"[^\W\d_]+")


def to_tcvn3(text: str) -> str:
    """Unicode → TCVN3 code characters as ABC users typed them (capitals with tones become lower)."""
    return "".join(TO_TCVN3.get(c) or TO_TCVN3.get(c.lower(), c) for c in unicodedata.normalize("NFC", text))


def to_vni(text: str) -> str:
    return "".join(TO_VNI.get(c, c) for c in unicodedata.normalize("NFC", text))


def _restore_caps(converted: str, original: str) -> str:
    """A line typed in ".VnTimeH" keeps capital ASCII letters in its words with tone codes: make the
    converted letters of such a line capitals too. One word alone ("Sè") may just be title case."""
    lines = []
    for line, source in zip(converted.split("\n"), original.split("\n")):
        coded = [w for w in _WORD_RE.findall(source) if not w.isascii()]
        letters = "".join(c for w in coded for c in w if c.isascii())
        if len(coded) >= 2 and len(letters) > len(coded) and letters.isupper():
            line = line.upper()
        lines.append(line)
    return "\n".join(lines)


def from_tcvn3(text: str) -> str:
    return _restore_caps(text.translate(_FROM_TCVN3), text)


def from_vni(text: str) -> str:
    return _VNI_RE.sub(lambda m: _FROM_VNI[m.group(0)], text)


def _from_utf8_as_latin1(text: str) -> str:
    try:
        return bytes(_CP1252_BYTES.get(c, ord(c)) for c in text).decode("utf-8")
    except (ValueError, UnicodeError):
        return text


_DECODERS = {"TCVN3": from_tcvn3, "VNI": from_vni, "UTF-8 đọc nhầm": _from_utf8_as_latin1}


def syllable_share(text: str) -> float:
    """Share of letter-only words shaped like Vietnamese syllables (0 when there are none)."""
    words = _WORD_RE.findall(text)
    return sum(map(is_syllable, words)) / len(words) if words else 0.0


def is_unicode_vietnamese(text: str) -> bool:
    """Letters outside Latin-1 (ạ, ư, đ...) never occur in the mojibake, but fill Unicode Vietnamese."""
    letters = [c for c in text if c.isalpha()]
    special = sum(1 for c in letters if "\u0100" <= c <= "\u1eff")
    return special >= max(1, 0.02 * len(letters))


def repair(text: str) -> tuple[str, str | None]:
    """Return (text, name of the legacy encoding converted from, or None when left as is)."""
    if is_unicode_vietnamese(text) or not _WORD_RE.search(text):
        return text, None
    base = syllable_share(text)
    best, name, score = text, None, base
    for candidate_name, decode in _DECODERS.items():
        candidate = unicodedata.normalize("NFC", decode(text))
        candidate_score = syllable_share(candidate)
        if candidate_score > score and is_unicode_vietnamese(candidate):
            best, name, score = candidate, candidate_name, candidate_score
    if name and score >= 0.6 and score >= base + 0.1:
        return best, name
    return text, None


_ALLOWED_SYMBOLS = set("“”‘’–—…•·°§№%‰€→←−×")


def _odd(c: str) -> bool:
    if c.isspace() or c.isascii() or c in _ALLOWED_SYMBOLS:
        return False
    if c in "đĐ":
        return False
    parts = unicodedata.normalize("NFD", c)
    return not (parts[0].isascii() and parts[0].isalpha() and all("\u0300" <= m <= "\u036f" for m in parts[1:]))


def looks_unreadable(text: str) -> bool:
    """True when many characters are neither Vietnamese letters nor ordinary punctuation."""
    chars = [c for c in text if not c.isspace()]
    if len(chars) < 40:
        return False
    return sum(map(_odd, chars)) >= 0.05 * len(chars)
